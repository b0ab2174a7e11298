package saelab.analysis;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import saelab.io.AtomicFiles;
import smile.feature.extraction.PCA;
import smile.manifold.UMAP;
import smile.math.MathEx;

/**
 * Two-dimensional maps of an SAE's decoder directions (rows of W_dec, each scaled to unit L2 norm),
 * so a dashboard can plot and search latents: PCA (Pearson 1901; Smile's {@link PCA}, covariance
 * eigenvectors, first two components) of every chosen latent, and UMAP (McInnes, Healy &amp; Melville
 * 2018, arXiv:1802.03426; Smile's {@link UMAP}, Euclidean distance on the unit vectors) of at most
 * {@code umapMax} of them (a seeded uniform sample when there are more; the others get NaN). UMAP's
 * cost grows with the points' count and their nearest-neighbour search; keep the sample to a few
 * thousand on a laptop. Deterministic for a seed (Smile's global generator is seeded before UMAP).
 *
 * <p>{@code maps.csv}: latent, pca_x, pca_y, umap_x, umap_y (empty when not in the UMAP sample),
 * frequency (firing share of patch tokens from the analysis, empty when unknown), top_label (empty
 * when not given).
 */
public final class DecoderMaps {

    /** The file name in an analysis folder. */
    public static final String FILE = "maps.csv";
    static final String HEADER = "latent,pca_x,pca_y,umap_x,umap_y,frequency,top_label";

    /**
     * Settings.
     *
     * @param umapMax   at most this many latents go into UMAP (0: none)
     * @param neighbors UMAP's nearest neighbours (Smile's default is 15)
     * @param epochs    UMAP's optimisation epochs (0: Smile's default)
     * @param seed      seed of the sample and of UMAP
     */
    public record Options(int umapMax, int neighbors, int epochs, long seed) {
        public Options {
            if (umapMax < 0 || neighbors < 2 || epochs < 0) {
                throw new IllegalArgumentException("maps need umapMax >= 0, neighbors >= 2 and epochs >= 0; got " + umapMax
                        + ", " + neighbors + ", " + epochs);
            }
        }

        /** 5000 points, 15 neighbours, Smile's epochs, seed 0. */
        public static final Options DEFAULT = new Options(5000, 15, 0, 0);
    }

    /**
     * Map coordinates, one row per latent.
     *
     * @param latents latent ids
     * @param pcaX    first principal component
     * @param pcaY    second principal component
     * @param umapX   UMAP x (NaN when not in the UMAP sample)
     * @param umapY   UMAP y (NaN when not in the UMAP sample)
     */
    public record Maps(int[] latents, double[] pcaX, double[] pcaY, double[] umapX, double[] umapY) {}

    private DecoderMaps() {}

    /**
     * Computes the maps of the chosen latents.
     *
     * @param wDec    decoder rows, row-major [dSae, dModel]
     * @param latents latent ids (distinct), at least 3
     * @throws IllegalArgumentException when the array's length is not dSae × dModel, a latent is out of range or a row is zero
     */
    public static Maps compute(float[] wDec, int dSae, int dModel, int[] latents, Options o) {
        if (wDec.length != (long) dSae * dModel) {
            throw new IllegalArgumentException("W_dec has " + wDec.length + " values; expected d_sae x d_model = " + dSae + " x "
                    + dModel);
        }
        int n = latents.length;
        if (n < 3) {
            throw new IllegalArgumentException("maps need at least 3 latents, got " + n);
        }
        double[][] x = new double[n][dModel];
        for (int i = 0; i < n; i++) {
            int j = latents[i];
            if (j < 0 || j >= dSae) {
                throw new IllegalArgumentException("latent " + j + " is outside 0.." + (dSae - 1));
            }
            double norm = 0;
            for (int c = 0; c < dModel; c++) {
                double v = wDec[j * dModel + c];
                x[i][c] = v;
                norm += v * v;
            }
            norm = Math.sqrt(norm);
            if (!(norm > 0) || !Double.isFinite(norm)) {
                throw new IllegalArgumentException("decoder row of latent " + j + " has norm " + norm + "; expected a finite positive norm");
            }
            for (int c = 0; c < dModel; c++) {
                x[i][c] /= norm;
            }
        }
        double[][] pc = PCA.fit(x).getProjection(2).apply(x);
        double[] px = new double[n];
        double[] py = new double[n];
        for (int i = 0; i < n; i++) {
            px[i] = pc[i][0];
            py[i] = pc[i][1];
        }
        double[] ux = new double[n];
        double[] uy = new double[n];
        java.util.Arrays.fill(ux, Double.NaN);
        java.util.Arrays.fill(uy, Double.NaN);
        int m = Math.min(n, o.umapMax());
        if (m >= Math.max(3, o.neighbors() + 1)) {
            int[] sample = sample(n, m, o.seed());
            double[][] sx = new double[m][];
            for (int i = 0; i < m; i++) {
                sx[i] = x[sample[i]];
            }
            UMAP.Options defaults = new UMAP.Options(o.neighbors());
            UMAP.Options uo = new UMAP.Options(o.neighbors(), 2, o.epochs() > 0 ? o.epochs() : defaults.epochs(),
                    defaults.learningRate(), defaults.minDist(), defaults.spread(), defaults.negativeSamples(),
                    defaults.repulsionStrength(), defaults.localConnectivity());
            MathEx.setSeed(o.seed());
            double[][] u = UMAP.fit(sx, uo);
            if (u.length != m) {
                // older Smile versions embedded only the largest connected component
                throw new IllegalStateException("UMAP returned " + u.length + " rows for " + m + " points");
            }
            for (int i = 0; i < m; i++) {
                ux[sample[i]] = u[i][0];
                uy[sample[i]] = u[i][1];
            }
        }
        return new Maps(latents.clone(), px, py, ux, uy);
    }

    /** {@code m} of {@code 0..n-1}, sorted (a partial Fisher–Yates shuffle, seeded). */
    static int[] sample(int n, int m, long seed) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        if (m < n) {
            SplittableRandom rng = new SplittableRandom(seed);
            for (int i = 0; i < m; i++) {
                int j = i + rng.nextInt(n - i);
                int t = a[i];
                a[i] = a[j];
                a[j] = t;
            }
        }
        int[] s = java.util.Arrays.copyOf(a, m);
        java.util.Arrays.sort(s);
        return s;
    }

    /**
     * Writes {@code maps.csv} into {@code dir} atomically.
     *
     * @param analysis  the analysis of the same SAE for each latent's frequency, or null
     * @param topLabels a label per row of {@code maps} (null entries allowed), or null; commas and
     *                  quotes are replaced by spaces
     */
    public static Path write(Path dir, Maps maps, AnalysisResult analysis, List<String> topLabels) throws IOException {
        int n = maps.latents().length;
        if (topLabels != null && topLabels.size() != n) {
            throw new IllegalArgumentException("top labels: " + topLabels.size() + " given for " + n + " latents");
        }
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (int i = 0; i < n; i++) {
            int latent = maps.latents()[i];
            sb.append(latent).append(',').append(maps.pcaX()[i]).append(',').append(maps.pcaY()[i]).append(',')
                    .append(num(maps.umapX()[i])).append(',').append(num(maps.umapY()[i])).append(',');
            int row = analysis == null ? -1 : analysis.rowOf(latent);
            if (row >= 0) {
                sb.append(analysis.frequency(row));
            }
            sb.append(',');
            String label = topLabels == null ? null : topLabels.get(i);
            if (label != null) {
                sb.append(label.replace(',', ' ').replace('"', ' ').replace('\n', ' '));
            }
            sb.append('\n');
        }
        Path file = dir.resolve(FILE);
        Files.createDirectories(dir);
        AtomicFiles.writeString(file, sb.toString());
        return file;
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : Double.toString(v);
    }

    /**
     * A row of {@code maps.csv} as read back.
     *
     * @param frequency NaN when empty
     * @param topLabel  null when empty
     */
    public record Row(int latent, double pcaX, double pcaY, double umapX, double umapY, double frequency, String topLabel) {}

    /**
     * Reads {@code maps.csv} from {@code dir}.
     *
     * @throws IllegalArgumentException naming the file, line and field when it is missing or malformed
     */
    public static List<Row> read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + " is missing; write it with DecoderMaps.write", e);
        }
        if (lines.isEmpty() || !lines.getFirst().equals(HEADER)) {
            throw new IllegalArgumentException(file + ": expected the header '" + HEADER + "'");
        }
        List<Row> rows = new java.util.ArrayList<>(lines.size() - 1);
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",", -1);
            if (f.length != 7) {
                throw new IllegalArgumentException(file + ": line " + (i + 1) + " has " + f.length + " fields; expected 7");
            }
            try {
                rows.add(new Row(Integer.parseInt(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]), opt(f[3]), opt(f[4]),
                        opt(f[5]), f[6].isEmpty() ? null : f[6]));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(file + ": line " + (i + 1) + " has a field that is not a number: "
                        + e.getMessage(), e);
            }
        }
        return rows;
    }

    private static double opt(String s) {
        return s.isEmpty() ? Double.NaN : Double.parseDouble(s);
    }
}
