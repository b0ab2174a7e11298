package saelab.intervene.stats;

import java.util.Iterator;
import java.util.List;
import java.util.function.LongPredicate;
import saelab.store.ActivationCache;
import saelab.store.TokenBatch;
import saelab.store.TokenKind;

/**
 * The supervised control: for each labelled class c the class-mean-difference direction
 * <pre>  w_c = μ_c − μ_¬c,   u_c = w_c / ‖w_c‖,</pre>
 * with μ_c the mean activation of the patches labelled c and μ_¬c that of every other labelled patch (background
 * included; unlabelled patches, label −1, are left out), at one layer of a cache. A patch's label is its own (a
 * capture with label maps, for segmentation; {@link #compute}) or its image's (an image-labelled capture, for
 * classification; {@link #computeByImage}: μ_c is then the mean patch of the images of class c). It is the difference-in-means
 * ("mass-mean") concept direction (Marks &amp; Tegmark 2023, "The geometry of truth"; Belrose 2023, "Diff-in-means
 * concept editing is worst-case optimal"), which needs no training and uses the labels the SAE never saw, so it is
 * the supervised baseline an SAE latent's edit is asked to match. As an edit it moves every token along u_c by the
 * real edit's per-token amount ({@link #edit}), so it matches the real edit's norm like the random control.
 *
 * <p><b>Streaming.</b> One sequential pass over the cache's patch tokens ({@link ActivationCache#sequential}) keeps
 * a double sum per class and their total, so μ_¬c = (Σ_all − Σ_c) / (n − n_c) needs no second pass. Memory
 * 8·(C + 1)·d bytes for C classes of width d, plus the pass's batch buffer; the activations are refused at the first
 * non-finite value. Choose the classes' directions on the training split (pass its images as {@code include}) and
 * evaluate on the held-out one.
 */
public final class ClassMeanDifference {

    private final List<String> classes;
    private final int dModel;
    private final double[] classSums;
    private final long[] classCounts;
    private final double[] totalSum;
    private final long total;
    private final String source;

    private ClassMeanDifference(List<String> classes, int dModel, double[] classSums, long[] classCounts, double[] totalSum, long total,
                                String source) {
        this.classes = classes;
        this.dModel = dModel;
        this.classSums = classSums;
        this.classCounts = classCounts;
        this.totalSum = totalSum;
        this.total = total;
        this.source = source;
    }

    /**
     * Streams the patch tokens of {@code layer} of the images accepted by {@code include}.
     *
     * @param imagesPerBatch images read per batch
     * @param include        which images (0-based, cache order) count, e.g. the training split
     * @throws IllegalArgumentException when the cache has no patch labels, lacks the layer, or holds a non-finite value
     */
    public static ClassMeanDifference compute(ActivationCache cache, int layer, int imagesPerBatch, LongPredicate include) {
        if (!cache.hasPatchLabels()) {
            throw new IllegalArgumentException("the cache " + cache.dir() + " has no per-patch labels; the class-mean-difference control"
                    + " needs a capture with patch labels");
        }
        return stream(cache, layer, imagesPerBatch, include, List.copyOf(cache.labelClasses()), (b, r) -> b.label()[r]);
    }

    /**
     * Streams the patch tokens of {@code layer}, each labelled with its image's label (images labelled −1 are left
     * out): the classification form of the control. The classes are numbered {@code class-0 ..} up to the largest
     * image label, as a probe trained on the cache names them.
     *
     * @throws IllegalArgumentException when no image has a label, the cache lacks the layer, or holds a non-finite value
     */
    public static ClassMeanDifference computeByImage(ActivationCache cache, int layer, int imagesPerBatch) {
        int max = -1;
        for (var r : cache.images()) {
            max = Math.max(max, r.label());
        }
        if (max < 0) {
            throw new IllegalArgumentException("the cache " + cache.dir() + " has no image labels (every image's label is -1); the"
                    + " class-mean-difference control needs a capture of a labelled dataset");
        }
        List<String> classes = new java.util.ArrayList<>();
        for (int k = 0; k <= max; k++) {
            classes.add("class-" + k);
        }
        return stream(cache, layer, imagesPerBatch, image -> true, classes, (b, r) -> cache.image(b.image()[r]).label());
    }

    /** A row's label within a batch. */
    @FunctionalInterface
    private interface LabelOf {
        int of(TokenBatch batch, int row);
    }

    private static ClassMeanDifference stream(ActivationCache cache, int layer, int imagesPerBatch, LongPredicate include, List<String> classes,
                                              LabelOf labelOf) {
        int c = classes.size();
        int d = cache.dModel();
        double[] sums = new double[Math.multiplyExact(c, d)];
        long[] counts = new long[c];
        double[] all = new double[d];
        long total = 0;
        Iterator<TokenBatch> it = cache.sequential(layer, TokenKind.PATCHES, imagesPerBatch);
        while (it.hasNext()) {
            TokenBatch b = it.next();
            b.requireFinite(b.rows(), cache.dir(), layer);
            float[] acts = b.acts();
            for (int r = 0; r < b.rows(); r++) {
                int label = labelOf.of(b, r);
                if (label < 0 || !include.test(b.image()[r])) {
                    continue;
                }
                if (label >= c) {
                    throw new IllegalArgumentException("the cache " + cache.dir() + " labels a patch of image " + b.image()[r] + " with class "
                            + label + ", but names only " + c + " classes");
                }
                int base = r * d;
                int cb = label * d;
                for (int j = 0; j < d; j++) {
                    sums[cb + j] += acts[base + j];
                    all[j] += acts[base + j];
                }
                counts[label]++;
                total++;
            }
        }
        return new ClassMeanDifference(classes, d, sums, counts, all, total, cache.dir().toString());
    }

    /** Every image of the cache. */
    public static ClassMeanDifference compute(ActivationCache cache, int layer, int imagesPerBatch) {
        return compute(cache, layer, imagesPerBatch, image -> true);
    }

    /** The class names (index = label). */
    public List<String> classes() {
        return classes;
    }

    /** The activation width d. */
    public int dModel() {
        return dModel;
    }

    /** The labelled patches of class c that entered the means. */
    public long count(int c) {
        return classCounts[checkClass(c)];
    }

    /**
     * The unnormalised difference w_c = μ_c − μ_¬c [d].
     *
     * @throws IllegalArgumentException when class c has no patches, or every labelled patch is of class c
     */
    public double[] difference(int c) {
        checkClass(c);
        long n = classCounts[c];
        long rest = total - n;
        if (n == 0 || rest == 0) {
            throw new IllegalArgumentException("class " + c + " (" + classes.get(c) + ") has " + n + " labelled patches and the other classes "
                    + rest + " in the images read from " + source + "; the class-mean difference needs both");
        }
        double[] w = new double[dModel];
        for (int j = 0; j < dModel; j++) {
            double mc = classSums[c * dModel + j] / n;
            double mo = (totalSum[j] - classSums[c * dModel + j]) / rest;
            w[j] = mc - mo;
        }
        return w;
    }

    /**
     * The unit direction u_c [d].
     *
     * @throws IllegalArgumentException when the difference is undefined or zero
     */
    public float[] direction(int c) {
        double[] w = difference(c);
        double s = 0;
        for (double v : w) {
            s += v * v;
        }
        if (s == 0) {
            throw new IllegalArgumentException("class " + c + " (" + classes.get(c) + ") has the same mean activation as the other patches"
                    + " in " + source + ", so it defines no direction");
        }
        double norm = Math.sqrt(s);
        float[] u = new float[dModel];
        for (int j = 0; j < dModel; j++) {
            u[j] = (float) (w[j] / norm);
        }
        return u;
    }

    /**
     * The control edit of one image: Δx_t = a_t · u_c, a_t the real edit's per-token norm (or signed amount; a
     * positive amount adds the class, a negative one removes it).
     *
     * @return Δx [tokens · d]
     */
    public float[] edit(int c, float[] amounts) {
        return TokenEdits.along(direction(c), amounts);
    }

    private int checkClass(int c) {
        if (c < 0 || c >= classes.size()) {
            throw new IllegalArgumentException("class " + c + " is not a label of " + source + ", which names classes 0.." + (classes.size() - 1));
        }
        return c;
    }
}
