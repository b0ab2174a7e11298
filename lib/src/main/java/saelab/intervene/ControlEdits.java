package saelab.intervene;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import saelab.intervene.stats.ClassMeanDifference;
import saelab.intervene.stats.RandomDirections;
import saelab.intervene.stats.TokenEdits;

/**
 * The edited residual streams of every condition of one class on one image, from the image's cached prefix: the real
 * edit of the class's latent, the same edit of each frequency-matched latent, and the real edit's per-token norms
 * ‖Δx_t‖ along random directions ({@link RandomDirections}, one per image and draw, shared by the image's tokens) and
 * along the class-mean-difference direction ({@link ClassMeanDifference}, signed: moving against the class where the
 * real edit lowers the latent, towards it where it raises it). All conditions edit the same tokens with the same dose
 * rule, so they differ only in what is edited. Stacked into one {@code [slots, T, D]} batch for one forward pass.
 *
 * @param session the image's prefix (one image)
 * @param prefix  the same prefix as float32 {@code [1, T, D]}
 * @param maxima  the analysis maxima (for doses in units of a latent's maximum)
 * @param slots   which controls run
 * @param means   the class-mean directions, or null when that control is off
 * @param seed    the protocol's seed
 */
record ControlEdits(EditSession session, NDArray prefix, LatentMaxima maxima, ControlSlots slots, ClassMeanDifference means, long seed) {

    /**
     * The edit of one condition: ablate (dose null) or set to dose × the latent's maximum.
     *
     * @param tokens the tokens edited
     * @param latent the latent
     * @param dose   null to ablate, else the value in units of the latent's maximum
     */
    LatentEdit edit(EditTokens tokens, int latent, Double dose) {
        if (dose == null) {
            return new LatentEdit(null, tokens, new int[] {latent}, EditOperation.ABLATE, new float[] {0f}, ErrorPolicy.KEEP);
        }
        return new LatentEdit(null, tokens, new int[] {latent}, EditOperation.SET, new float[] {(float) (dose * maxima.of(latent))},
                ErrorPolicy.KEEP);
    }

    /**
     * The edited residual streams of every slot, {@code [slots, T, D]} in the tower's dtype, on {@code nd}.
     *
     * @param image   the image's index in the run (seeds the random directions)
     * @param classId the class (seeds the random directions, picks the class-mean direction)
     * @param tokens  the tokens edited
     * @param latent  the class's chosen latent
     * @param random  the frequency-matched latents ({@code slots.randomLatents()} of them)
     * @param dose    null to ablate, else the dose of {@code set} in units of each latent's maximum
     */
    NDArray residuals(int image, int classId, EditTokens tokens, int latent, int[] random, Double dose, NDManager nd) {
        List<NDArray> out = new ArrayList<>(slots.size());
        NDArray real = session.residual(edit(tokens, latent, dose), SpliceForm.DELTA, nd);
        out.add(real);
        for (int k = 0; k < slots.randomLatents(); k++) {
            out.add(session.residual(edit(tokens, random[k], dose), SpliceForm.DELTA, nd));
        }
        if (slots.randomDirections() > 0 || slots.classMean()) {
            long t = prefix.getShape().get(1);
            int d = Math.toIntExact(prefix.getShape().get(2));
            NDArray realF = real.getDataType() == DataType.FLOAT32 ? real : real.toType(DataType.FLOAT32, false);
            float[] norms = TokenEdits.norms(realF.sub(prefix).toFloatArray(), d);
            long classSeed = RandomDirections.seedFor(seed, classId, 0);
            for (int k = 0; k < slots.randomDirections(); k++) {
                float[] dx = RandomDirections.edit(norms, d, RandomDirections.Sharing.PER_IMAGE, RandomDirections.seedFor(classSeed, image, k));
                out.add(shifted(dx, t, d, nd, real.getDataType()));
            }
            if (slots.classMean()) {
                float[] signed = signedNorms(norms, tokens, latent, dose);
                out.add(shifted(means.edit(classId, signed), t, d, nd, real.getDataType()));
            }
        }
        return NDArrays.stack(new NDList(out.stream().map(a -> a.reshape(a.getShape().slice(1))).toList()), 0);
    }

    /** The prefix plus Δx {@code [T · D]}, as {@code [1, T, D]} in {@code dtype}. */
    private NDArray shifted(float[] dx, long t, int d, NDManager nd, DataType dtype) {
        NDArray delta = nd.create(dx, new Shape(1, t, d)).toDevice(prefix.getDevice(), false);
        NDArray x = delta.add(prefix); // on nd, the manager of the first operand
        return x.getDataType() == dtype ? x : x.toType(dtype, false);
    }

    /**
     * ‖Δx_t‖ with the sign of the real edit's code change vᵢ − fᵢ on token t: negative where it lowers the latent
     * (ablation), positive where it raises it.
     */
    private float[] signedNorms(float[] norms, EditTokens tokens, int latent, Double dose) {
        float[] f = session.codes(new int[] {latent});
        float v = dose == null ? 0f : (float) (dose * maxima.of(latent));
        float[] out = new float[norms.length];
        for (int i = 0; i < norms.length; i++) {
            out[i] = v >= f[i] ? norms[i] : -norms[i];
        }
        return out;
    }
}
