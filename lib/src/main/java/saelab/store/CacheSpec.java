package saelab.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import saelab.store.CacheManifest.DatasetRef;
import saelab.store.CacheManifest.ModelRef;
import saelab.store.CacheManifest.PatchLabelInfo;

/**
 * What a new cache will hold: everything of the manifest that is fixed before the first image.
 *
 * @param model         the model
 * @param dataset       the dataset and image list
 * @param preprocessing the preprocessing config (free-form), or null
 * @param layers        recorded block indices, 0-based ({@code resid_post[L]}), or {@link RecordedLayer#FINAL} / {@link RecordedLayer#POOLED}
 * @param tokens        the stored tokens
 * @param dModel        residual width
 * @param dtype         storage type
 * @param patchLabels   per-patch label classes, or null when the dataset has none
 * @param config        the capture config for provenance (free-form), or null
 */
public record CacheSpec(ModelRef model, DatasetRef dataset, JsonNode preprocessing, List<Integer> layers,
                        TokenLayout tokens, int dModel, StorageDtype dtype, PatchLabelInfo patchLabels,
                        JsonNode config) {

    public CacheSpec {
        layers = List.copyOf(layers);
    }

    /** Bytes per image in the shards. */
    public long bytesPerImage() {
        return (long) layers.size() * tokens.tokens() * dModel * dtype.bytes();
    }

    /** Values per image (all layers, all stored tokens). */
    public int valuesPerImage() {
        return Math.toIntExact((long) layers.size() * tokens.tokens() * dModel);
    }
}
