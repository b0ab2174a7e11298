package saelab.analysis;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import saelab.io.AtomicFiles;
import saelab.io.Npy;
import saelab.io.Verbosity;
import saelab.sae.Sae;
import saelab.store.ActivationCache;
import saelab.io.CsvField;

/**
 * Concept matching: which SAE latent best detects each labelled class, against two baselines scored
 * the same way. A unit is a patch token with a segmentation label ({@link Unit#PATCH}), or an image
 * with its dataset label scored by the latent's maximum over the image's patches ({@link Unit#IMAGE}; or by its
 * value on the CLS token, {@link ImageScore#CLS}).
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
 *       (IMAGE; x·u_r of the CLS token with {@link ImageScore#CLS}), scored exactly like a latent; per
 *       class the mean over r, and the maximum over r.</li>
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
 * <p>The pass itself is {@link FamilyMatching}'s, which scores several label families (external per-unit labels,
 * patch and image units, image units scored by the CLS token or the patch maximum) in one pass; one family, such
 * as the cache's own labels ({@link FamilyMatching.Family#ofCache}), is its simple case ({@link #run}).
 */
public final class ConceptMatching {

    /** What one scored unit is. */
    public enum Unit {
        /** A patch token with its segmentation label (the cache's per-patch labels). */
        PATCH,
        /** An image with its dataset label; latent score = maximum over its patches (or its CLS value, {@link ImageScore}). */
        IMAGE
    }

    /** How an image unit is scored. */
    public enum ImageScore {
        /** The latent's maximum over the image's patch tokens. */
        MAX_PATCH,
        /** The latent's value on the image's CLS token (for SAEs trained on CLS activations). */
        CLS
    }

    /**
     * Settings, of one label family or several ({@link FamilyMatching}); build with {@link #builder(int)}.
     *
     * @param layer          block index (0-based) to read
     * @param imageScore     how image units are scored
     * @param maxUnits       most units kept per unit kind (systematic subsample above this)
     * @param maxEntries     most positive codes kept; the pass stops with an error above this
     * @param imagesPerBatch images encoded per batch
     * @param randomDraws    R for both baselines
     * @param seed           seed of the baselines
     * @param verbosity      whether to print progress on standard error
     */
    public record Options(int layer, ImageScore imageScore, int maxUnits, long maxEntries, int imagesPerBatch, int randomDraws,
                          long seed, Verbosity verbosity) {
        public Options {
            Objects.requireNonNull(imageScore, "imageScore");
            Objects.requireNonNull(verbosity, "verbosity");
            if (maxUnits <= 0 || maxEntries <= 0 || imagesPerBatch <= 0 || randomDraws <= 0) {
                throw new IllegalArgumentException("max units, max entries, images per batch and random draws must be positive");
            }
        }

        /**
         * Defaults for {@code layer}: image units scored by the patch maximum, 2^20 units, 2^27 entries, 16 images per
         * batch, 32 draws, seed 0, no progress.
         */
        public static Builder builder(int layer) {
            return new Builder(layer);
        }

        /** Builder of {@link Options}. */
        public static final class Builder {
            private final int layer;
            private ImageScore imageScore = ImageScore.MAX_PATCH;
            private int maxUnits = 1 << 20;
            private long maxEntries = 1L << 27;
            private int imagesPerBatch = 16;
            private int randomDraws = 32;
            private long seed;
            private Verbosity verbosity = Verbosity.QUIET;

            private Builder(int layer) {
                this.layer = layer;
            }

            /** How image units are scored. */
            public Builder imageScore(ImageScore s) {
                this.imageScore = s;
                return this;
            }

            /** Most units kept per unit kind. */
            public Builder maxUnits(int n) {
                this.maxUnits = n;
                return this;
            }

            /** Most positive codes kept. */
            public Builder maxEntries(long n) {
                this.maxEntries = n;
                return this;
            }

            /** Images encoded per batch. */
            public Builder imagesPerBatch(int n) {
                this.imagesPerBatch = n;
                return this;
            }

            /** R, the draws of both baselines. */
            public Builder randomDraws(int r) {
                this.randomDraws = r;
                return this;
            }

            /** Seed of the baselines. */
            public Builder seed(long s) {
                this.seed = s;
                return this;
            }

            /** Print progress on standard error. */
            public Builder progress() {
                this.verbosity = Verbosity.PROGRESS;
                return this;
            }

            public Options build() {
                return new Options(layer, imageScore, maxUnits, maxEntries, imagesPerBatch, randomDraws, seed, verbosity);
            }
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
            String name = CsvField.of(classes.get(c));
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
     * Runs the pass and scores every class of one label family: the simple case of {@link FamilyMatching#run}.
     *
     * @param latents latent ids to score, sorted and distinct (see {@link LatentSelection})
     * @param family  the labels, e.g. the cache's own ({@link FamilyMatching.Family#ofCache})
     * @param nd      where batches are encoded
     * @throws IllegalArgumentException when widths differ, the labels do not fit the cache, or there are no labelled units
     */
    public static Result run(ActivationCache cache, Sae sae, int[] latents, FamilyMatching.Family family, NDManager nd, Options o) {
        return FamilyMatching.run(cache, sae, latents, List.of(family), nd, o).results().getFirst();
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
}
