package saelab.heads;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.SplittableRandom;
import saelab.io.Json;
import saelab.io.Progress;
import saelab.io.Sha256;
import saelab.store.ActivationCache;
import saelab.store.CacheManifest;

/**
 * Trains a linear head ({@link LinearHead}) on cached features: the segmentation head on the final-normed
 * patch tokens and patch labels, or the classification probe on the pooled output and image labels (see
 * {@link CachedFeatures}). The loss is the mean softmax cross-entropy; its gradient is written in closed form
 * (for logits z = x W^T + b and probabilities p = softmax(z), dL/dz = (p - onehot(y)) / rows, so
 * dW = (dL/dz)^T x and db = the column sums), which for one linear layer is shorter and cheaper than an
 * autograd tape; the matrix products run on DJL's PyTorch engine. Optimiser and schedule: {@link HeadTraining}.
 * After training, the head is evaluated on the training and held-out images ({@link HeadEvaluation}); the
 * figures go into its provenance.
 */
public final class HeadTrainer {

    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPS = 1e-8f;

    private HeadTrainer() {}

    /**
     * Trains a head of {@code kind} on {@code cache}.
     *
     * @param log progress (rate, time left) and the final figures
     * @throws IllegalArgumentException one sentence when the cache lacks the layer or the labels the head needs
     */
    public static LinearHead train(ActivationCache cache, HeadKind kind, HeadTraining cfg, Device device, PrintStream log)
            throws IOException {
        CachedFeatures f = CachedFeatures.of(cache, kind);
        HeadSplit split = HeadSplit.of(cache.nImages(), cfg.seed(), cfg.valFraction());
        int c = f.classes().size();
        int d = f.dModel();
        int maxRows = Math.multiplyExact(cfg.batch(), f.rowsPerImage());
        float[] x = new float[Math.multiplyExact(maxRows, d)];
        int[] y = new int[maxRows];
        long[] order = split.train().clone();
        SplittableRandom rng = new SplittableRandom(cfg.seed() ^ 0x5DEECE66DL);
        float[] weight;
        float[] bias;
        Progress progress = new Progress("head train (" + kind.id() + ")", "images", (long) cfg.epochs() * order.length, log, 2000);
        try (NDManager nd = NDManager.newBaseManager(device)) {
            NDArray w = nd.zeros(new Shape(c, d), DataType.FLOAT32);
            NDArray b = nd.zeros(new Shape(c), DataType.FLOAT32);
            NDArray mw = nd.zeros(w.getShape());
            NDArray vw = nd.zeros(w.getShape());
            NDArray mb = nd.zeros(b.getShape());
            NDArray vb = nd.zeros(b.getShape());
            long step = 0;
            double lastLoss = Double.NaN;
            for (int epoch = 0; epoch < cfg.epochs(); epoch++) {
                HeadSplit.shuffle(order, rng);
                double lossSum = 0;
                long lossRows = 0;
                for (int from = 0; from < order.length; from += cfg.batch()) {
                    int count = Math.min(cfg.batch(), order.length - from);
                    int rows = f.read(order, from, count, x, y, c);
                    progress.advance(count);
                    if (rows == 0) {
                        continue;
                    }
                    step++;
                    try (NDManager s = nd.newSubManager()) {
                        NDArray xs = s.create(Arrays.copyOf(x, rows * d), new Shape(rows, d));
                        NDArray labels = s.create(Arrays.copyOf(y, rows));
                        NDArray wt = w.transpose();
                        wt.attach(s);
                        NDArray z = xs.matMul(wt).add(b);
                        NDArray logp = z.logSoftmax(1);
                        NDArray onehot = labels.oneHot(c).toType(DataType.FLOAT32, false);
                        lossSum -= logp.mul(onehot).sum().getFloat();
                        lossRows += rows;
                        NDArray g = logp.exp().sub(onehot).div(rows); // dL/dz
                        NDArray gw = g.transpose().matMul(xs);
                        NDArray gb = g.sum(new int[] {0});
                        adam(w, gw, mw, vw, step, cfg.lr());
                        adam(b, gb, mb, vb, step, cfg.lr());
                    }
                }
                lastLoss = lossSum / Math.max(1, lossRows);
                log.printf(java.util.Locale.ROOT, "epoch %d/%d: mean cross-entropy %.4f%n", epoch + 1, cfg.epochs(), lastLoss);
            }
            weight = w.toFloatArray();
            bias = b.toFloatArray();
            progress.finish();
            for (float v : weight) {
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException("training diverged (a weight became NaN or infinite); try a smaller --lr than "
                            + cfg.lr());
                }
            }
        }
        CacheManifest m = cache.manifest();
        String manifestSha = m == null ? null : Sha256.of(cache.dir().resolve(CacheManifest.FILE_NAME));
        HeadProvenance p = new HeadProvenance(kind, m == null ? "unknown" : m.model().id(), m == null ? null : m.model().revision(),
                m == null ? null : m.model().weightsSha256(), manifestSha, m == null ? null : m.dataset().manifestId(), f.layer(), d,
                f.classes(), f.background(), cfg.toJson(), null);
        LinearHead head = new LinearHead(weight, bias, p);
        ObjectNode metrics = Json.mapper().createObjectNode();
        metrics.set("train", HeadEvaluation.evaluate(head, cache, split.train(), device).toJson());
        if (split.val().length > 0) {
            metrics.set("val", HeadEvaluation.evaluate(head, cache, split.val(), device).toJson());
        }
        metrics.put("train_images", split.train().length).put("val_images", split.val().length);
        return new LinearHead(weight, bias, p.withMetrics(metrics));
    }

    /** One Adam step on {@code param} in place (bias-corrected moments, as PyTorch's {@code torch.optim.Adam}). */
    private static void adam(NDArray param, NDArray grad, NDArray m, NDArray v, long step, double lr) {
        try (NDScope scope = new NDScope()) { // closes the temporaries, which live on the parameters' manager
            scope.suppressNotUsedWarning();
            m.muli(BETA1).addi(grad.mul(1 - BETA1));
            v.muli(BETA2).addi(grad.square().mul(1 - BETA2));
            double c1 = 1 - Math.pow(BETA1, step);
            double c2 = 1 - Math.pow(BETA2, step);
            param.subi(m.div(c1).div(v.div(c2).sqrt().add(EPS)).mul(lr));
        }
    }
}
