package saelab.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import saelab.data.DatasetManifest;
import saelab.data.ResizeCropGeometry;
import saelab.image.PreprocessConfig;
import saelab.image.ResizeRule;
import saelab.io.Json;
import saelab.io.Sha256;
import saelab.store.CacheManifest;

/**
 * What identifies a capture in its cache manifest, so that a resume or a merge can check that it
 * continues the same work: the model reference, the dataset reference, the preprocessing as a JSON
 * object (every resolved setting, not the file it came from), and the capture config recorded in the
 * provenance (options, and the part's range of the capture list).
 */
final class CaptureIdentity {

    /** Field of the provenance config holding the part: {@code {index, count, first, end, total}}. */
    static final String PART = "part";

    private CaptureIdentity() {}

    /**
     * The model: its name as given, the hub revision, and the SHA-256 of its single weights file
     * ({@code model.safetensors} or {@code open_clip_model.safetensors}; null for sharded weights).
     */
    static CacheManifest.ModelRef model(CaptureOptions o) throws IOException {
        String sha = null;
        for (String name : new String[] {"model.safetensors", "open_clip_model.safetensors"}) {
            Path f = o.modelDir().resolve(name);
            if (Files.isRegularFile(f)) {
                sha = Sha256.of(f);
                break;
            }
        }
        return new CacheManifest.ModelRef(o.model(), o.modelRevision(), sha);
    }

    /**
     * The dataset: {@code KIND[,OPTIONS]:FOLDER-NAME} (the root's last path element, so the id does not
     * depend on where the data is mounted), the split and the checksum of the capture list.
     */
    static CacheManifest.DatasetRef dataset(DatasetManifest m, String listChecksum) {
        StringBuilder id = new StringBuilder(m.kind());
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(m.options()).entrySet()) {
            id.append(',').append(e.getKey()).append('=').append(e.getValue());
        }
        Path root = Path.of(m.root());
        id.append(':').append(root.getFileName() == null ? root.toString() : root.getFileName().toString());
        return new CacheManifest.DatasetRef(id.toString(), m.split(), listChecksum);
    }

    /** The resolved preprocessing settings as an object (the source file is left out: it depends on the machine). */
    static JsonNode preprocessing(PreprocessConfig c) {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("processor_type", c.processorType());
        switch (c.resize()) {
            case null -> n.putNull("resize");
            case ResizeRule.ShortestEdge s -> n.putObject("resize").put("shortest_edge", s.size());
            case ResizeRule.Fixed f -> n.putObject("resize").put("height", f.height()).put("width", f.width());
        }
        n.put("filter", c.filter().name().toLowerCase(Locale.ROOT));
        if (c.crop() == null) {
            n.putNull("crop");
        } else {
            n.putObject("crop").put("height", c.crop().height()).put("width", c.crop().width())
                    .put("rule", c.crop().rule().name().toLowerCase(Locale.ROOT));
        }
        n.put("rescale", c.rescale());
        n.put("rescale_factor", c.rescaleFactor());
        n.put("normalize", c.normalize());
        ArrayNode mean = n.putArray("mean");
        for (double v : c.mean()) {
            mean.add(v);
        }
        ArrayNode std = n.putArray("std");
        for (double v : c.std()) {
            std.add(v);
        }
        n.put("arithmetic", c.arithmetic().name().toLowerCase(Locale.ROOT));
        return n;
    }

    /**
     * The resize and crop of a preprocessing, for label maps.
     *
     * @throws IllegalArgumentException when the preprocessing does not resize (labels need a fixed geometry)
     */
    static ResizeCropGeometry geometry(PreprocessConfig c) {
        return PreprocessGeometry.of(c).orElseThrow(() -> new IllegalArgumentException(c.source() + ": the preprocessing does"
                + " not resize; per-patch labels need the resize + crop geometry of the images"));
    }

    /** The capture config recorded in the cache's provenance. */
    static ObjectNode config(CaptureOptions o, long first, long end, long total) {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("tool", "saelab capture");
        n.put("model", o.model());
        n.put("dataset", o.dataset());
        n.put("split", o.split());
        ArrayNode layers = n.putArray("layers");
        o.layers().forEach(layers::add);
        n.put("tokens", o.tokens().id());
        n.put("dtype", o.dtype().id());
        n.put("batch", o.batch());
        n.put("device", o.device().isGpu() ? "gpu" : "cpu");
        n.put("limit", String.valueOf(o.limit()));
        n.put("policy", o.policy().name().toLowerCase(Locale.ROOT));
        if (o.part() == null) {
            n.putNull(PART);
        } else {
            n.putObject(PART).put("index", o.part().index()).put("count", o.part().count())
                    .put("first", String.valueOf(first)).put("end", String.valueOf(end)).put("total", String.valueOf(total));
        }
        return n;
    }

    /**
     * Checks that an existing cache's recorded config continues this capture in the fields that fix the
     * shard bytes beyond what the store compares (part range, batch alignment, limit).
     *
     * @throws IllegalStateException naming the field that differs
     */
    static void checkResumable(Path dir, JsonNode recorded, JsonNode now) {
        for (String field : new String[] {PART, "batch", "limit", "device"}) {
            JsonNode a = recorded == null ? null : recorded.get(field);
            JsonNode b = now.get(field);
            String sa = a == null ? "nothing" : a.toString();
            String sb = b == null ? "nothing" : b.toString();
            if (!sa.equals(sb)) {
                throw new IllegalStateException("cannot resume the cache in " + dir + ": its capture config field '" + field
                        + "' is " + sa + ", this run's is " + sb + "; rerun with the same options, use another output folder"
                        + " or delete the old cache");
            }
        }
    }

    /** A long stored as text in the config (texts keep JSON number types out of comparisons). */
    static long longField(JsonNode node, String field, Path file) {
        JsonNode v = node == null ? null : node.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException(file + ": field 'provenance.config.part." + field + "' is missing; expected a number");
        }
        try {
            return Long.parseLong(v.asText());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ": field 'provenance.config.part." + field + "' is '" + v.asText()
                    + "'; expected a whole number");
        }
    }
}
