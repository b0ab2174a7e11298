package saelab.intervene;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import saelab.heads.HeadKind;
import saelab.io.Json;
import saelab.io.Npy;

/**
 * The data files of one image's intervention in an output folder, each written atomically: {@code delta_norms.npy}
 * ({@code [tokens]} float32), for a segmentation head {@code mask_before.npy} and {@code mask_after.npy}
 * ({@code [grid_h, grid_w]} int32), and last {@code result.json} (the spec, the model, SAE and head, the top classes
 * with probabilities or the patches per class before and after, the Δx norm summary, the files).
 */
public final class InterventionOutputs {

    /** What the result was made with, recorded in {@code result.json}. */
    public record Sources(String model, String modelSha256, String sae, String saeSha256, String head, String headSha256) {}

    private InterventionOutputs() {}

    /**
     * Writes the data files; {@code figures} are file names already written into {@code dir} (listed in the JSON).
     *
     * @param topK classes listed before and after for an image head
     * @return the JSON written as {@code result.json}
     */
    public static ObjectNode write(Path dir, InterventionResult r, Sources sources, int topK, List<String> figures) throws IOException {
        Files.createDirectories(dir);
        ArrayNode files = Json.mapper().createArrayNode();
        Npy.writeFloats(dir.resolve("delta_norms.npy"), r.deltaNorms(), r.deltaNorms().length);
        files.add("delta_norms.npy");
        boolean segment = r.before().kind() == HeadKind.SEGMENT;
        if (segment) {
            Npy.writeInts(dir.resolve("mask_before.npy"), r.before().mask(), r.layout().gridH(), r.layout().gridW());
            Npy.writeInts(dir.resolve("mask_after.npy"), r.after().mask(), r.layout().gridH(), r.layout().gridW());
            files.add("mask_before.npy").add("mask_after.npy");
        }
        figures.forEach(files::add);
        ObjectNode json = toJson(r, sources, topK);
        json.set("files", files.add("result.json"));
        Json.write(dir.resolve("result.json"), json);
        return json;
    }

    /** The JSON of {@code result.json} without its file list. */
    public static ObjectNode toJson(InterventionResult r, Sources s, int topK) {
        ObjectNode n = Json.mapper().createObjectNode();
        n.set("spec", r.spec() == null ? null : Json.mapper().valueToTree(r.spec()));
        n.put("model", s.model());
        n.put("model_sha256", s.modelSha256());
        n.put("sae", s.sae());
        n.put("sae_sha256", s.saeSha256());
        n.put("head", s.head());
        n.put("head_sha256", s.headSha256());
        n.put("head_kind", r.before().kind().id());
        n.put("block", r.block());
        n.put("form", r.form().name().toLowerCase(java.util.Locale.ROOT));
        ObjectNode grid = n.putObject("layout");
        grid.put("tokens", r.layout().tokens());
        grid.put("cls", r.layout().cls());
        grid.put("registers", r.layout().registers());
        grid.put("grid_h", r.layout().gridH());
        grid.put("grid_w", r.layout().gridW());
        n.put("edited_tokens", r.editedTokens());
        if (r.before().kind() == HeadKind.SEGMENT) {
            n.set("before", patchCounts(r.before(), r.classes()));
            n.set("after", patchCounts(r.after(), r.classes()));
            n.put("changed_patches", r.changedPatches());
        } else {
            n.set("before", top(r.before(), r.classes(), topK));
            n.set("after", top(r.after(), r.classes(), topK));
            n.put("top1_changed", r.predictionChanged());
        }
        ObjectNode d = n.putObject("delta_norm");
        d.put("max", r.maxDeltaNorm());
        d.put("mean_edited", r.meanEditedDeltaNorm());
        d.put("changed_tokens", r.changedTokens());
        d.put("file", "delta_norms.npy");
        return n;
    }

    private static ArrayNode top(Prediction p, List<String> names, int k) {
        ArrayNode a = Json.mapper().createArrayNode();
        for (Prediction.ClassScore c : p.top(k, names)) {
            ObjectNode o = a.addObject();
            o.put("class", c.index());
            o.put("name", c.name());
            o.put("probability", c.probability());
            o.put("logit", c.logit());
        }
        return a;
    }

    private static ArrayNode patchCounts(Prediction p, List<String> names) {
        ArrayNode a = Json.mapper().createArrayNode();
        long[] n = p.classCounts();
        for (int c = 0; c < n.length; c++) {
            if (n[c] > 0) {
                ObjectNode o = a.addObject();
                o.put("class", c);
                o.put("name", names.get(c));
                o.put("patches", n[c]);
            }
        }
        return a;
    }
}
