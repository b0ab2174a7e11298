package saelab.intervene;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import saelab.BuildInfo;
import saelab.io.Json;
import saelab.lm.AnswerTally;

/**
 * {@code answers.json} of {@code saelab vlm ask}, written atomically: the question, the prompt, the sampling, the
 * sources (model, image, SAE and edit, with checksums), and before and after the edit the top distinct answers with
 * their counts and frequencies, every sampled answer in sample order, and the number of pairs (same sample, same
 * seed) whose answer changed.
 */
public final class VlmAskOutputs {

    /** The JSON file name. */
    public static final String FILE = "answers.json";

    /**
     * What the answers were made with.
     *
     * @param model       the model id or folder as given
     * @param image       the image file
     * @param imageSha256 its checksum
     * @param sae         the SAE checkpoint, or null without an edit
     * @param saeSha256   its checksum, or null
     * @param spec        the edit spec as given, or null
     */
    public record Sources(String model, String image, String imageSha256, String sae, String saeSha256, EditSpec spec) {}

    private VlmAskOutputs() {}

    /**
     * Writes {@code dir/answers.json}; {@code figures} are file names already written into {@code dir}.
     *
     * @param top distinct answers listed before and after
     * @return the JSON written
     */
    public static ObjectNode write(Path dir, VlmAsk.Result r, Sources sources, int top, List<String> figures) throws IOException {
        Files.createDirectories(dir);
        ObjectNode json = toJson(r, sources, top);
        ArrayNode files = json.putArray("files");
        figures.forEach(files::add);
        files.add(FILE);
        Json.write(dir.resolve(FILE), json);
        return json;
    }

    /** The JSON of {@code answers.json} without its file list. */
    public static ObjectNode toJson(VlmAsk.Result r, Sources s, int top) {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("producer", BuildInfo.current().describe());
        n.put("model", s.model());
        n.put("image", s.image());
        n.put("image_sha256", s.imageSha256());
        n.put("question", r.prompt().question());
        n.put("template", r.prompt().templateId());
        n.put("prompt", r.prompt().text());
        n.put("prompt_tokens", r.prompt().length());
        n.put("image_tokens", r.prompt().imageTokens());
        ObjectNode sampling = n.putObject("sampling");
        sampling.put("samples", r.options().samples());
        sampling.put("temperature", r.options().sampling().temperature());
        sampling.put("top_k", r.options().sampling().topK());
        sampling.put("top_p", r.options().sampling().topP());
        sampling.put("seed", r.options().sampling().seed());
        sampling.put("max_tokens", r.options().maxNewTokens());
        sampling.put("batch", r.options().batch());
        n.put("sae", s.sae());
        n.put("sae_sha256", s.saeSha256());
        n.set("edit", s.spec() == null ? null : Json.mapper().valueToTree(s.spec()));
        if (r.edit() != null) {
            ObjectNode e = n.putObject("edit_resolved");
            e.set("tokens", Json.mapper().valueToTree(r.edit().tokens().json()));
            e.set("latents", Json.mapper().valueToTree(r.edit().latents()));
            e.put("operation", r.edit().operation().id());
            e.set("amounts", Json.mapper().valueToTree(r.edit().amounts()));
            e.put("error", r.edit().error().id());
            e.put("form", r.form().name().toLowerCase(Locale.ROOT));
        } else {
            n.putNull("edit_resolved");
        }
        n.set("before", answers(r.before(), r.beforeRaw(), top));
        n.set("after", r.afterRaw() == null ? null : answers(r.after(), r.afterRaw(), top));
        if (r.afterRaw() == null) {
            n.putNull("changed_pairs");
        } else {
            n.put("changed_pairs", r.changedPairs());
        }
        return n;
    }

    private static ObjectNode answers(AnswerTally t, List<String> raw, int top) {
        ObjectNode o = Json.mapper().createObjectNode();
        ArrayNode a = o.putArray("top");
        for (AnswerTally.Entry e : t.top(top)) {
            ObjectNode row = a.addObject();
            row.put("answer", e.answer());
            row.put("count", e.count());
            row.put("frequency", e.frequency());
        }
        o.put("distinct", t.distinct());
        o.set("answers", Json.mapper().valueToTree(raw));
        o.set("normalised", Json.mapper().valueToTree(t.answers()));
        return o;
    }
}
