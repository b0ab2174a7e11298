package saelab.web;

import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One SAE of a run as the feature map serves it: its checkpoint, its analysis folder ({@code saelab analyze}) and
 * where the analysed images come from.
 *
 * @param id       the name in URLs: lower-case letters, digits and dashes (e.g. {@code clip-patch})
 * @param label    what a person reads (e.g. {@code clip · patch tokens})
 * @param sae      the SAE checkpoint
 * @param analysis the analysis folder of that SAE
 * @param cache    the activation cache the analysis read (image records), or null
 * @param dataRoot the folder the cache's image paths are relative to, or null (tiles then show the heatmap alone)
 * @param model    the model folder (its preprocessing brings an image to the model's view), or null
 * @param concepts the concept-matching folder ({@code concepts.csv}), or null
 */
public record FeatureSet(String id, String label, Path sae, Path analysis, Path cache, Path dataRoot, Path model, Path concepts) {

    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

    public FeatureSet {
        Objects.requireNonNull(sae, "sae");
        Objects.requireNonNull(analysis, "analysis");
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("feature set id '" + id + "' must be 1-64 lower-case letters, digits and dashes");
        }
        label = label == null || label.isBlank() ? id : label;
    }
}
