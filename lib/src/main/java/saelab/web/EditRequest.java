package saelab.web;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
import java.util.Locale;
import saelab.intervene.EditOperation;
import saelab.store.TokenLayout;

/**
 * The body of a control dashboard's edit request, checked before anything runs: each latent {@code latents[i]} is set
 * to (or has added) {@code values[i]} × its maximum observed activation, on {@code patches} (raster indices) or on
 * every patch when none are given.
 *
 * @param operation {@code set} or {@code add}
 * @param latents   the edited latents, distinct, at most {@link #MAX_LATENTS}
 * @param values    one per latent, in units of the latent's maximum, within ±{@link #MAX_VALUE}
 * @param patches   the edited patches, distinct, or null/empty for all patches
 * @param classes   typed class names for the zero-shot head ({@link TypedClasses}), or null for the run's classes
 */
record EditRequest(@JsonProperty("operation") String operation, @JsonProperty("latents") int[] latents,
                   @JsonProperty("values") double[] values, @JsonProperty("patches") int[] patches,
                   @JsonProperty("classes") java.util.List<String> classes) {

    /** Most latents one request edits (a dashboard edits a few at a time). */
    static final int MAX_LATENTS = 16;
    /** The slider range, in units of a latent's maximum (the paper's dashboards: −20 to +20). */
    static final double MAX_VALUE = 20;

    /** The operation, after {@link #check}. */
    EditOperation op() {
        return EditOperation.valueOf(operation.toUpperCase(Locale.ROOT));
    }

    /** Whether the edit touches every patch. */
    boolean allPatches() {
        return patches == null || patches.length == 0;
    }

    /**
     * Checks the request against a bench's SAE and an image's layout (null: the request may name no patches).
     *
     * @throws IllegalArgumentException naming the field and what was expected
     */
    EditRequest check(int dSae, TokenLayout layout) {
        if (operation == null || !(operation.equalsIgnoreCase("set") || operation.equalsIgnoreCase("add"))) {
            throw new IllegalArgumentException("field 'operation' is " + (operation == null ? "missing" : "'" + Params.printable(operation) + "'")
                    + "; expected set or add");
        }
        if (latents == null || latents.length == 0 || latents.length > MAX_LATENTS) {
            throw new IllegalArgumentException("field 'latents' must list 1 to " + MAX_LATENTS + " latents; got "
                    + (latents == null ? "none" : latents.length));
        }
        if (values == null || values.length != latents.length) {
            throw new IllegalArgumentException("field 'values' must hold one value per latent (" + latents.length + "); got "
                    + (values == null ? "none" : values.length));
        }
        for (int l : latents) {
            if (l < 0 || l >= dSae) {
                throw new IllegalArgumentException("field 'latents' holds " + l + "; expected latents in 0.." + (dSae - 1));
            }
        }
        if (Arrays.stream(latents).distinct().count() != latents.length) {
            throw new IllegalArgumentException("field 'latents' holds a latent twice; expected distinct latents");
        }
        for (double v : values) {
            if (!Double.isFinite(v) || Math.abs(v) > MAX_VALUE) {
                throw new IllegalArgumentException("field 'values' holds " + v + "; expected values within ±" + (int) MAX_VALUE
                        + " (units of each latent's maximum)");
            }
        }
        if (patches != null && layout != null) {
            if (patches.length > layout.patches()) {
                throw new IllegalArgumentException("field 'patches' lists " + patches.length + " patches; the image has " + layout.patches());
            }
            for (int p : patches) {
                if (p < 0 || p >= layout.patches()) {
                    throw new IllegalArgumentException("field 'patches' holds " + p + "; expected patch indices in 0.." + (layout.patches() - 1));
                }
            }
            if (Arrays.stream(patches).distinct().count() != patches.length) {
                throw new IllegalArgumentException("field 'patches' holds a patch twice; expected distinct patches");
            }
        }
        if (patches != null && patches.length > 0 && layout == null) {
            throw new IllegalArgumentException("field 'patches' is not accepted here: the edit applies to every image feature");
        }
        return this;
    }
}
