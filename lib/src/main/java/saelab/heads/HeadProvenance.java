package saelab.heads;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import saelab.io.Json;
import saelab.io.Sha256;
import saelab.store.CacheManifest;
import saelab.store.RecordedLayer;

/**
 * What made a head, stored as JSON in the {@code provenance} entry of its safetensors metadata.
 *
 * @param kind               what the head predicts
 * @param modelId            the model's id as the capture recorded it
 * @param modelRevision      hub revision, or null
 * @param weightsSha256      SHA-256 of the model's weights file, or null when unknown
 * @param cacheManifestSha256 SHA-256 of the training cache's {@code manifest.json} (its identity), or null (zero-shot)
 * @param datasetId          the training cache's dataset manifest id, or null
 * @param layer              the layer the head reads ({@link RecordedLayer#FINAL} or {@link RecordedLayer#POOLED})
 * @param dModel             input width
 * @param classes            class names, index = output column
 * @param background         the background class, or -1
 * @param training           the training config (free-form), or null
 * @param metrics            training and held-out metrics (free-form), or null
 */
public record HeadProvenance(@JsonProperty("kind") HeadKind kind,
                             @JsonProperty("model_id") String modelId,
                             @JsonProperty("model_revision") String modelRevision,
                             @JsonProperty("weights_sha256") String weightsSha256,
                             @JsonProperty("cache_manifest_sha256") String cacheManifestSha256,
                             @JsonProperty("dataset_id") String datasetId,
                             @JsonProperty("layer") int layer,
                             @JsonProperty("d_model") int dModel,
                             @JsonProperty("classes") List<String> classes,
                             @JsonProperty("background") int background,
                             @JsonProperty("training") JsonNode training,
                             @JsonProperty("metrics") JsonNode metrics) {

    /** Metadata key of the provenance JSON in a head file. */
    public static final String KEY = "provenance";
    /** Metadata key naming the file type. */
    public static final String FORMAT_KEY = "format";
    /** Value of {@link #FORMAT_KEY}. */
    public static final String FORMAT = "saelab-head/1";

    public HeadProvenance {
        classes = classes == null ? null : List.copyOf(classes);
    }

    /** The same provenance with other metrics. */
    public HeadProvenance withMetrics(JsonNode m) {
        return new HeadProvenance(kind, modelId, modelRevision, weightsSha256, cacheManifestSha256, datasetId, layer, dModel, classes,
                background, training, m);
    }

    /** As JSON text. */
    String toJson() {
        try {
            return Json.mapper().writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses the metadata entry; errors name the file and the field. */
    static HeadProvenance fromJson(Path file, String json) {
        HeadProvenance p;
        try {
            p = Json.mapper().readValue(json, HeadProvenance.class);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": metadata '" + KEY + "' is not a head's provenance (" + oneLine(e) + ")");
        }
        String missing = p.kind() == null ? "kind" : p.modelId() == null ? "model_id" : p.classes() == null || p.classes().isEmpty()
                ? "classes" : p.dModel() <= 0 ? "d_model" : !RecordedLayer.isValid(p.layer()) ? "layer" : null;
        if (missing != null) {
            throw new IllegalArgumentException(file + ": metadata '" + KEY + "' lacks a valid field '" + missing + "'");
        }
        return p;
    }

    private static String oneLine(IOException e) {
        String m = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /**
     * Refuses a head trained on another model than the one that made {@code cache}: the weights checksums
     * must agree when both are known, else the model ids.
     *
     * @param headFile for the message
     * @throws IllegalArgumentException one sentence naming both models
     */
    public void requireModel(CacheManifest.ModelRef model, Path headFile, String what) {
        boolean same = weightsSha256 != null && model.weightsSha256() != null
                ? weightsSha256.equals(model.weightsSha256()) : Objects.equals(modelId, model.id());
        if (!same) {
            throw new IllegalArgumentException("the head " + headFile + " was trained on model '" + modelId + "'"
                    + (weightsSha256 == null ? "" : " (weights " + weightsSha256.substring(0, 12) + ")") + ", but " + what
                    + " comes from model '" + model.id() + "'" + (model.weightsSha256() == null ? ""
                    : " (weights " + model.weightsSha256().substring(0, 12) + ")") + "; train a head on this model's features");
        }
    }

    /**
     * The reference of a local model folder as a capture records it (the SHA-256 of its single weights file,
     * {@code model.safetensors} or {@code open_clip_model.safetensors}; null for sharded weights), for
     * {@link #requireModel} before a head is applied to a live model.
     */
    public static CacheManifest.ModelRef modelOf(String id, Path modelDir) throws IOException {
        String sha = null;
        for (String name : new String[] {"model.safetensors", "open_clip_model.safetensors"}) {
            Path f = modelDir.resolve(name);
            if (Files.isRegularFile(f)) {
                sha = Sha256.of(f);
                break;
            }
        }
        return new CacheManifest.ModelRef(id, null, sha);
    }
}
