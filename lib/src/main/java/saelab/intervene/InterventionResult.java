package saelab.intervene;

import java.util.List;
import saelab.store.TokenLayout;

/**
 * What one edit of one image did ({@link ImageIntervention#apply}): the head's prediction before and after, and
 * the change of the residual stream at the edit block.
 *
 * @param spec       the edit as given, or null when a resolved {@link LatentEdit} was applied directly
 * @param edit       the edit in raw code units
 * @param form       the splice form used
 * @param block      the 0-based block whose output was edited
 * @param classes    the head's class names
 * @param layout     the image's token layout (the patch grid of the masks)
 * @param before     the clean prediction
 * @param after      the prediction after the edit
 * @param deltaNorms {@code [tokens]} per token of the image's sequence (CLS, registers, patches in the model's order),
 *                   ‖x' − x‖₂ of the residual at the edit block, float32 arithmetic
 * @param edited     {@code [tokens]} whether the edit selected the token
 */
public record InterventionResult(EditSpec spec, LatentEdit edit, SpliceForm form, int block, List<String> classes, TokenLayout layout,
                                 Prediction before, Prediction after, float[] deltaNorms, boolean[] edited) {

    /** Patches whose predicted class differs after the edit (0 for an image head). */
    public int changedPatches() {
        if (before.mask() == null) {
            return 0;
        }
        int n = 0;
        for (int p = 0; p < before.mask().length; p++) {
            if (before.mask()[p] != after.mask()[p]) {
                n++;
            }
        }
        return n;
    }

    /** Whether the best class changed (image heads) or any patch's class changed (segmentation). */
    public boolean predictionChanged() {
        return before.mask() != null ? changedPatches() > 0 : before.top() != after.top();
    }

    /** Tokens the edit selected. */
    public int editedTokens() {
        int n = 0;
        for (boolean e : edited) {
            n += e ? 1 : 0;
        }
        return n;
    }

    /** The largest ‖Δx‖ over the tokens. */
    public double maxDeltaNorm() {
        double m = 0;
        for (float v : deltaNorms) {
            m = Math.max(m, v);
        }
        return m;
    }

    /** The mean ‖Δx‖ over the selected tokens (0 when none). */
    public double meanEditedDeltaNorm() {
        double s = 0;
        int n = 0;
        for (int t = 0; t < deltaNorms.length; t++) {
            if (edited[t]) {
                s += deltaNorms[t];
                n++;
            }
        }
        return n == 0 ? 0 : s / n;
    }

    /** Tokens whose residual changed at all (‖Δx‖ > 0). */
    public int changedTokens() {
        int n = 0;
        for (float v : deltaNorms) {
            n += v > 0 ? 1 : 0;
        }
        return n;
    }
}
