package saelab.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import saelab.io.AtomicFiles;
import saelab.io.Npy;
import saelab.io.Progress;
import saelab.sae.Sae;
import saelab.store.ActivationCache;
import saelab.store.TokenBatch;
import saelab.store.TokenKind;
import saelab.store.TokenLayout;

/**
 * Concept matching: which SAE latent best detects each labelled class, against two baselines scored
 * the same way. A unit is a patch token with a segmentation label ({@link Unit#PATCH}), or an image
 * with its dataset label scored by the latent's maximum over the image's patches ({@link Unit#IMAGE}).
 * For every (class, latent) pair the exact best F1 over thresholds and the exact AUROC (Mann–Whitney,
 * ties ½) are computed by {@link RankScores}; per class the result keeps the best latent by each.
 *
 * <p><b>Baselines</b> (R = {@code randomDraws}, seeded):
 * <ul>
 *   <li><i>random latents</i>: R latents drawn uniformly with replacement from the analysed ones, the
 *       same draws for every class; per class the mean over the draws of that latent's F1 and AUROC
 *       (the score of "a random latent" rather than the best one);</li>
 *   <li><i>random directions</i>: R unit vectors u_r ~ N(0, I)/‖·‖ in activation space; each unit's
 *       score is x·u_r of its raw activation (PATCH) or the maximum of x·u_r over the image's patches
 *       (IMAGE), scored exactly like a latent; per class the mean over r, and the maximum over r.</li>
 * </ul>
 * At chance the AUROC is ½ and the best F1 is about the "predict everything" value 2π/(1+π) for a
 * class of prevalence π (written as {@code f1_all}).
 *
 * <p><b>Streaming, bounded memory, exact on a subsample.</b> One sequential pass encodes the cache in
 * batches with the SAE; only positive codes leave libtorch. Rather than histograms (whose bin width
 * would bias F1 thresholds and AUROC ties by up to one bin's mass), the scores are exact on a
 * systematic subsample: unit u (in cache order, labelled or not) is kept when u mod s = 0, with
 * s = ⌈units / maxUnits⌉, so at most {@code maxUnits} units are kept. Per latent the kept units' positive
 * codes are stored sparsely (unit, value). Memory ≈ 8·E·1.5 (E positive codes among kept units, at most
 * {@code maxEntries}; growable arrays) + 4·R·U (direction scores) + 2·U (labels) + 16·C·F (the score
 * tables, C classes, F latents) bytes, plus the batch buffers of the pass. Example: U = 2²⁰ patches of
 * an SAE with L0 = 64 gives E = 64M and about 800 MB; lower {@code maxUnits} for less. The subsample's
 * standard error of an AUROC is about √(A(1−A)/min(n⁺, n⁻)) (Hanley &amp; McNeil 1982).
 *
 * <p>Several label families at once (external per-unit labels, patch and image units, image units scored by
 * the CLS token or the patch maximum) in one pass: {@link FamilyMatching}.
 */
public final class ConceptMatching {

    /** What one scored unit is. */
    public enum Unit {
        /** A patch token with its segmentation label (the cache's per-patch labels). */
        PATCH,
        /** An image with its dataset label; latent score = maximum over its patches. */
        IMAGE
    }

    /**
     * Settings.
     *
     * @param layer          block index (0-based) to read
     * @param unit           what a unit is
     * @param maxUnits       most units kept (systematic subsample above this)
     * @param maxEntries     most positive codes kept; the pass stops with an error above this
     * @param imagesPerBatch images encoded per batch
     * @param randomDraws    R for both baselines
     * @param seed           seed of the baselines
     * @param progress       whether to print progress on standard error
     */
    public record Options(int layer, Unit unit, int maxUnits, long maxEntries, int imagesPerBatch, int randomDraws, long seed,
                          boolean progress) {
        public Options {
            if (maxUnits <= 0 || maxEntries <= 0 || imagesPerBatch <= 0 || randomDraws <= 0) {
                throw new IllegalArgumentException("max units, max entries, images per batch and random draws must be positive");
            }
        }

        /** Defaults: 2^20 units, 2^27 entries, 16 images per batch, 32 draws, seed 0. */
        public static Options defaults(int layer, Unit unit) {
            return new Options(layer, unit, 1 << 20, 1L << 27, 16, 32, 0, false);
        }
    }

    /**
     * Per class (rows) the best latents and the baselines; score tables [classes × latents] (row-major).
     *
     * @param classes         class names (index = label)
     * @param latents         analysed latent ids (table columns)
     * @param units           scored units (after subsampling)
     * @param stride          subsampling stride s
     * @param positives       units of each class
     * @param bestF1Latent    per class the latent id with the best F1 (−1 when the class has no unit)
     * @param bestF1          its F1
     * @param bestF1Threshold its threshold (code ≥ threshold predicts the class)
     * @param bestAucLatent   per class the latent id with the best AUROC
     * @param bestAuc         its AUROC
     * @param randomLatentF1  per class the mean F1 of R random latents
     * @param randomLatentAuc per class their mean AUROC
     * @param randomDirF1     per class the mean best F1 of R random directions
     * @param randomDirAuc    per class their mean AUROC
     * @param randomDirMaxAuc per class the best AUROC among the R directions
     * @param f1Table         best F1 of every (class, latent)
     * @param aucTable        AUROC of every (class, latent)
     */
    public record Result(List<String> classes, int[] latents, int units, long stride, long[] positives, int[] bestF1Latent,
                         double[] bestF1, float[] bestF1Threshold, int[] bestAucLatent, double[] bestAuc,
                         double[] randomLatentF1, double[] randomLatentAuc, double[] randomDirF1, double[] randomDirAuc,
                         double[] randomDirMaxAuc, float[] f1Table, float[] aucTable) {

        /** The F1 of predicting every unit positive, 2π/(1+π) for prevalence π. */
        public double f1PredictAll(int c) {
            return positives[c] == 0 ? Double.NaN : 2.0 * positives[c] / (units + positives[c]);
        }

        public static final String CSV_HEADER = "class,name,positives,prevalence,f1_all,best_f1_latent,best_f1,best_f1_threshold,"
                + "best_auroc_latent,best_auroc,random_latent_f1,random_latent_auroc,random_direction_f1,random_direction_auroc,"
                + "random_direction_max_auroc";

        /** Writes {@code concepts.csv} (one row per class) and the tables {@code concept_f1.npy}, {@code concept_auroc.npy}. */
        public void write(Path dir) throws IOException {
            Files.createDirectories(dir);
            StringBuilder sb = new StringBuilder(CSV_HEADER).append('\n');
            for (int c = 0; c < classes.size(); c++) {
                sb.append(csvRow(c)).append('\n');
            }
            AtomicFiles.writeString(dir.resolve("concepts.csv"), sb.toString());
            Npy.writeFloats(dir.resolve("concept_f1.npy"), f1Table, classes.size(), latents.length);
            Npy.writeFloats(dir.resolve("concept_auroc.npy"), aucTable, classes.size(), latents.length);
        }

        /** Row {@code c} of {@code concepts.csv} (the columns of {@link #CSV_HEADER}), without the line end. */
        String csvRow(int c) {
            String name = classes.get(c);
            if (name.indexOf(',') >= 0 || name.indexOf('"') >= 0) {
                name = "\"" + name.replace("\"", "\"\"") + "\"";
            }
            StringBuilder sb = new StringBuilder();
            sb.append(c).append(',').append(name).append(',').append(positives[c]).append(',')
                    .append(num((double) positives[c] / units)).append(',').append(num(f1PredictAll(c))).append(',')
                    .append(bestF1Latent[c]).append(',').append(num(bestF1[c])).append(',').append(num(bestF1Threshold[c]))
                    .append(',').append(bestAucLatent[c]).append(',').append(num(bestAuc[c])).append(',')
                    .append(num(randomLatentF1[c])).append(',').append(num(randomLatentAuc[c])).append(',')
                    .append(num(randomDirF1[c])).append(',').append(num(randomDirAuc[c])).append(',')
                    .append(num(randomDirMaxAuc[c]));
            return sb.toString();
        }

        private static String num(double v) {
            return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v);
        }
    }

    private ConceptMatching() {}

    /**
     * Runs the pass and scores every class.
     *
     * @param latents    latent ids to score, sorted and distinct (see {@link LatentSelection})
     * @param classNames class names for IMAGE units (index = label); ignored for PATCH (the cache's names)
     * @param nd         where batches are encoded
     * @throws IllegalArgumentException when widths differ, the cache lacks the labels, or there are no labelled units
     */
    public static Result run(ActivationCache cache, Sae sae, int[] latents, List<String> classNames, NDManager nd, Options o) {
        int d = sae.config().dModel();
        int f = sae.config().dSae();
        if (cache.dModel() != d) {
            throw new IllegalArgumentException("cache " + cache.dir() + " has d_model " + cache.dModel() + "; the SAE expects " + d);
        }
        TokenLayout t = cache.tokens();
        int p = t.patches();
        if (p == 0) {
            throw new IllegalArgumentException("cache " + cache.dir() + " stores no patch tokens (layout " + t + ")");
        }
        List<String> classes;
        if (o.unit() == Unit.PATCH) {
            if (!cache.hasPatchLabels()) {
                throw new IllegalArgumentException("cache " + cache.dir() + " has no per-patch labels (manifest field "
                        + "patch_labels); match against image labels instead");
            }
            classes = cache.labelClasses();
        } else {
            if (classNames == null || classNames.isEmpty()) {
                throw new IllegalArgumentException("image-level matching needs the class names of the dataset");
            }
            classes = classNames;
        }
        int nClasses = classes.size();
        int[] slot = new int[f];
        Arrays.fill(slot, -1);
        for (int s = 0; s < latents.length; s++) {
            if (latents[s] < 0 || latents[s] >= f) {
                throw new IllegalArgumentException("latent " + latents[s] + " is outside 0.." + (f - 1));
            }
            slot[latents[s]] = s;
        }
        int nLat = latents.length;
        int r = o.randomDraws();
        long totalUnits = o.unit() == Unit.PATCH ? cache.nImages() * p : cache.nImages();
        long stride = Math.max(1, (totalUnits + o.maxUnits() - 1) / o.maxUnits());
        int cap = (int) Math.min(o.maxUnits(), (totalUnits + stride - 1) / stride);

        float[] dirs = randomDirections(d, r, o.seed());

        short[] labels = new short[cap];
        float[] dirScores = new float[cap * r]; // [unit, R]
        int[][] colUnit = new int[nLat][];
        float[][] colValue = new float[nLat][];
        int[] colSize = new int[nLat];
        long entries = 0;
        int kept = 0;
        long unitPos = 0;
        Progress progress = o.progress() ? Progress.stderr("matching", "images", cache.nImages()) : null;
        Iterator<TokenBatch> it = cache.sequential(o.layer(), TokenKind.PATCHES, o.imagesPerBatch());
        float[] sel = new float[o.imagesPerBatch() * p * d];
        int[] selUnit = new int[o.imagesPerBatch() * p];
        while (it.hasNext()) {
            TokenBatch tb = it.next();
            int nImg = tb.rows() / p;
            int rows = 0; // selected rows (PATCH) or selected images (IMAGE)
            for (int i = 0; i < nImg; i++) {
                if (o.unit() == Unit.PATCH) {
                    for (int q = 0; q < p; q++, unitPos++) {
                        int row = i * p + q;
                        int y = tb.label()[row];
                        if (unitPos % stride != 0 || y < 0) {
                            continue;
                        }
                        checkLabel(y, nClasses, cache, "patch label of image " + tb.image()[row]);
                        System.arraycopy(tb.acts(), row * d, sel, rows * d, d);
                        labels[kept] = (short) y;
                        selUnit[rows++] = kept++;
                    }
                } else {
                    long u = unitPos++;
                    int y = cache.image(tb.image()[i * p]).label();
                    if (u % stride != 0 || y < 0) {
                        continue;
                    }
                    checkLabel(y, nClasses, cache, "label of image " + tb.image()[i * p]);
                    System.arraycopy(tb.acts(), i * p * d, sel, rows * p * d, p * d);
                    labels[kept] = (short) y;
                    selUnit[rows++] = kept++;
                }
            }
            if (rows > 0) {
                int inRows = o.unit() == Unit.PATCH ? rows : rows * p;
                long[] nz;
                float[] vals;
                float[] proj;
                try (NDManager scope = nd.newSubManager()) {
                    NDArray x = scope.create(FloatBuffer.wrap(sel, 0, inRows * d), new Shape(inRows, d));
                    NDArray codes = sae.encode(x);
                    NDArray pr = x.matMul(scope.create(dirs, new Shape(d, r)));
                    if (o.unit() == Unit.IMAGE) {
                        codes = codes.reshape(rows, p, f).max(new int[] {1});
                        pr = pr.reshape(rows, p, r).max(new int[] {1});
                    }
                    NDArray positive = codes.gt(0f);
                    nz = positive.nonzero().toLongArray();
                    vals = codes.get(positive).toFloatArray();
                    proj = pr.toFloatArray();
                }
                for (int e = 0; e < vals.length; e++) {
                    int s = slot[(int) nz[2 * e + 1]];
                    if (s < 0) {
                        continue;
                    }
                    if (++entries > o.maxEntries()) {
                        throw new IllegalStateException("concept matching keeps more than " + o.maxEntries()
                                + " positive codes; lower the number of units (max units " + o.maxUnits() + ") or raise max entries");
                    }
                    int n = colSize[s];
                    if (colUnit[s] == null || colUnit[s].length == n) {
                        int grow = colUnit[s] == null ? 16 : n + (n >> 1) + 1;
                        colUnit[s] = colUnit[s] == null ? new int[grow] : Arrays.copyOf(colUnit[s], grow);
                        colValue[s] = colValue[s] == null ? new float[grow] : Arrays.copyOf(colValue[s], grow);
                    }
                    colUnit[s][n] = selUnit[(int) nz[2 * e]];
                    colValue[s][n] = vals[e];
                    colSize[s] = n + 1;
                }
                for (int i = 0; i < rows; i++) {
                    System.arraycopy(proj, i * r, dirScores, selUnit[i] * r, r);
                }
            }
            if (progress != null) {
                progress.advance(nImg);
            }
        }
        if (progress != null) {
            progress.finish();
        }
        if (kept == 0) {
            throw new IllegalArgumentException("cache " + cache.dir() + " has no labelled " + o.unit().name().toLowerCase(Locale.ROOT)
                    + " units to match against");
        }
        return score(classes, latents, kept, stride, labels, colUnit, colValue, colSize, dirScores, r, o.seed());
    }

    /** R random unit directions in activation space, {@code [d, R]} row-major: u_r ~ N(0, I)/‖·‖, seeded. */
    static float[] randomDirections(int d, int r, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] dirs = new float[d * r];
        for (int j = 0; j < r; j++) {
            double norm = 0;
            double[] g = new double[d];
            for (int i = 0; i < d; i++) {
                g[i] = rng.nextGaussian();
                norm += g[i] * g[i];
            }
            norm = Math.sqrt(norm);
            for (int i = 0; i < d; i++) {
                dirs[i * r + j] = (float) (g[i] / norm);
            }
        }
        return dirs;
    }

    /** Scores collected columns; separate from the pass so that tests can check it on hand-made columns. */
    static Result score(List<String> classes, int[] latents, int units, long stride, short[] labels, int[][] colUnit,
                        float[][] colValue, int[] colSize, float[] dirScores, int r, long seed) {
        int nClasses = classes.size();
        int nLat = latents.length;
        RankScores rs = new RankScores(labels, units, nClasses);
        float[] f1Table = new float[nClasses * nLat];
        float[] aucTable = new float[nClasses * nLat];
        int[] bestF1Latent = new int[nClasses];
        double[] bestF1 = new double[nClasses];
        float[] bestThr = new float[nClasses];
        int[] bestAucLatent = new int[nClasses];
        double[] bestAuc = new double[nClasses];
        Arrays.fill(bestF1Latent, -1);
        Arrays.fill(bestAucLatent, -1);
        Arrays.fill(bestF1, Double.NaN);
        Arrays.fill(bestThr, Float.NaN);
        Arrays.fill(bestAuc, Double.NaN);
        double[] f1 = new double[nClasses];
        double[] auc = new double[nClasses];
        float[] thr = new float[nClasses];
        int[] none = new int[0];
        float[] noneV = new float[0];
        for (int s = 0; s < nLat; s++) {
            rs.score(colUnit[s] == null ? none : colUnit[s], colValue[s] == null ? noneV : colValue[s], colSize[s], 0f, f1, thr, auc);
            for (int c = 0; c < nClasses; c++) {
                f1Table[c * nLat + s] = (float) f1[c];
                aucTable[c * nLat + s] = (float) auc[c];
                // strict: ties keep the lower latent id
                if (!Double.isNaN(f1[c]) && (Double.isNaN(bestF1[c]) || f1[c] > bestF1[c])) {
                    bestF1[c] = f1[c];
                    bestThr[c] = thr[c];
                    bestF1Latent[c] = latents[s];
                }
                if (!Double.isNaN(auc[c]) && (Double.isNaN(bestAuc[c]) || auc[c] > bestAuc[c])) {
                    bestAuc[c] = auc[c];
                    bestAucLatent[c] = latents[s];
                }
            }
        }
        // baseline 1: R random latents, the same draws for every class
        SplittableRandom rng = new SplittableRandom(seed ^ 0x5DEECE66DL);
        double[] rlF1 = new double[nClasses];
        double[] rlAuc = new double[nClasses];
        for (int j = 0; j < r; j++) {
            int s = rng.nextInt(nLat);
            for (int c = 0; c < nClasses; c++) {
                rlF1[c] += f1Table[c * nLat + s] / (double) r;
                rlAuc[c] += aucTable[c * nLat + s] / (double) r;
            }
        }
        // baseline 2: R random directions, every unit listed (dense scores)
        double[] rdF1 = new double[nClasses];
        double[] rdAuc = new double[nClasses];
        double[] rdMax = new double[nClasses];
        Arrays.fill(rdMax, Double.NEGATIVE_INFINITY);
        int[] all = new int[units];
        for (int u = 0; u < units; u++) {
            all[u] = u;
        }
        float[] col = new float[units];
        for (int j = 0; j < r; j++) {
            for (int u = 0; u < units; u++) {
                col[u] = dirScores[u * r + j];
            }
            rs.score(all, col, units, Float.NEGATIVE_INFINITY, f1, null, auc);
            for (int c = 0; c < nClasses; c++) {
                rdF1[c] += f1[c] / r;
                rdAuc[c] += auc[c] / r;
                rdMax[c] = Math.max(rdMax[c], auc[c]);
            }
        }
        long[] pos = new long[nClasses];
        for (int c = 0; c < nClasses; c++) {
            pos[c] = rs.positives(c);
            if (pos[c] == 0 || pos[c] == units) {
                rlF1[c] = rlAuc[c] = rdF1[c] = rdAuc[c] = rdMax[c] = Double.NaN;
            }
        }
        return new Result(List.copyOf(classes), latents.clone(), units, stride, pos, bestF1Latent, bestF1, bestThr, bestAucLatent,
                bestAuc, rlF1, rlAuc, rdF1, rdAuc, rdMax, f1Table, aucTable);
    }

    private static void checkLabel(int y, int nClasses, ActivationCache cache, String what) {
        if (y >= nClasses) {
            throw new IllegalArgumentException("cache " + cache.dir() + ": " + what + " is " + y + "; expected 0.." + (nClasses - 1)
                    + " (the class list has " + nClasses + " names)");
        }
    }
}
