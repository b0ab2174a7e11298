package saelab.toy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Masked image modelling with pixel targets (SimMIM, Xie et al., "SimMIM: A Simple Framework for Masked Image
 * Modeling", CVPR 2022): in each image a random {@link #MASK_RATIO} of the patches have their embedding replaced
 * by {@code embeddings.mask_token}; a linear head on the final LayerNorm output of each masked patch predicts that
 * patch's pixels, normalised per patch (zero mean, unit variance over its {@code 3 P P} values, the
 * {@code norm_pix_loss} target of MAE, He et al. 2022); the loss is the mean squared error over the masked
 * patches. The head ({@code [3 P P, D]} and a bias) is trained with the model and not saved. Masks are drawn from
 * a {@link SplittableRandom}, so a seed fixes them.
 */
final class ToyMaskedPatchObjective implements ToyObjective {

    /** Fraction of patches masked per image. */
    static final double MASK_RATIO = 0.5;
    /** Added to the per-patch variance before the square root (MAE's 1e-6). */
    static final float TARGET_EPS = 1e-6f;

    private final ToyDinoModel model;
    private final ToyParameters head;
    private final SplittableRandom rng;

    ToyMaskedPatchObjective(ToyDinoModel model, NDManager manager, long seed) {
        this.model = model;
        ToyArchitecture a = model.architecture();
        this.head = new ToyParameters(manager, seed ^ 0x5EED_4EADL, ToyParameters.initStd(a.width()));
        head.weight("head.weight", 3L * a.patch() * a.patch(), a.width());
        head.bias("head.bias", 3L * a.patch() * a.patch());
        this.rng = new SplittableRandom(seed ^ 0x3A5CL);
    }

    /** {@code [B, N, 1]}: exactly {@code round(ratio N)} ones per image, at uniformly random patches. */
    static float[] drawMask(SplittableRandom rng, int b, int n, double ratio) {
        int k = (int) Math.round(ratio * n);
        float[] mask = new float[b * n];
        int[] order = new int[n];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < n; j++) {
                order[j] = j;
            }
            for (int j = 0; j < k; j++) { // partial Fisher-Yates
                int r = j + rng.nextInt(n - j);
                int tmp = order[j];
                order[j] = order[r];
                order[r] = tmp;
                mask[i * n + order[j]] = 1f;
            }
        }
        return mask;
    }

    @Override
    public NDArray loss(NDManager manager, ToyBatch batch) {
        int b = batch.indices().length;
        int n = model.architecture().patches();
        return loss(manager, batch, drawMask(rng, b, n, MASK_RATIO))[0];
    }

    /** The loss and the loss of predicting zero for every target value, for a given mask. */
    private NDArray[] loss(NDManager manager, ToyBatch batch, float[] maskValues) {
        int b = batch.indices().length;
        int n = model.architecture().patches();
        NDArray pixels = manager.create(batch.pixels().values(), new Shape(batch.pixels().shape()));
        NDArray mask = manager.create(maskValues, new Shape(b, n, 1));
        NDArray last = model.vision(pixels, mask).lastHiddenState();
        NDArray pred = ToyOps.linear(last.get(new NDIndex(":, 1:, :")), head.get("head.weight"), head.get("head.bias"));
        NDArray target = targets(pixels, model.architecture().patch());
        NDArray weights = mask.reshape(b, n);
        NDArray masked = weights.sum();
        NDArray loss = pred.sub(target).square().mean(new int[] {-1}).mul(weights).sum().div(masked);
        NDArray zero = target.square().mean(new int[] {-1}).mul(weights).sum().div(masked);
        return new NDArray[] {loss, zero};
    }

    /** {@code [B, N, 3 P P]}: each patch's pixels minus their mean, over the square root of their unbiased variance + eps. */
    static NDArray targets(NDArray pixels, int patch) {
        NDArray p = ToyOps.patchify(pixels, patch);
        long k = p.getShape().get(2);
        NDArray centred = p.sub(p.mean(new int[] {-1}, true));
        NDArray var = centred.square().sum(new int[] {-1}, true).div((float) (k - 1));
        return centred.div(var.add(TARGET_EPS).sqrt());
    }

    /**
     * The held-out check: the mean masked-patch loss over {@code data}'s scenes {@code [from, from + count)}
     * with masks drawn from {@code seed}, and the same for predicting zero everywhere (the target's mean).
     *
     * @return {loss, zero-prediction loss}, each a mean over masked patches
     */
    double[] evaluate(NDManager manager, ToyData data, int from, int count, int batchSize, long seed) {
        SplittableRandom evalRng = new SplittableRandom(seed);
        int n = model.architecture().patches();
        double sum = 0;
        double zeroSum = 0;
        int images = 0;
        for (int start = from; start < from + count; start += batchSize) {
            int size = Math.min(batchSize, from + count - start);
            ToyBatch batch = data.range(start, size);
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray[] l = loss(manager, batch, drawMask(evalRng, size, n, MASK_RATIO));
                // every image has the same number of masked patches, so batch means weight by images
                sum += l[0].getFloat() * size;
                zeroSum += l[1].getFloat() * size;
            }
            images += size;
        }
        return new double[] {sum / images, zeroSum / images};
    }

    @Override
    public List<NDArray> extraParameters() {
        return head.arrays();
    }

    @Override
    public List<WeightDecay> extraDecay() {
        return head.decays();
    }

    @Override
    public void afterStep() {
        // nothing to adjust
    }

    @Override
    public void close() {
        head.close();
    }
}
