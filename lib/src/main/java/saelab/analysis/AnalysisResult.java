package saelab.analysis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import saelab.io.AtomicFiles;
import saelab.io.Json;
import saelab.io.Npy;

/**
 * The statistics and top examples of a feature pass (see {@link FeaturePass}), one row per analysed
 * latent (order of {@code index.latents()}), and their files in an analysis folder:
 * <ul>
 *   <li>{@code latents.csv}: latent, frequency (firing share of patch tokens), cls_frequency,
 *       mean_when_firing and max (patch tokens), cls_mean_when_firing, cls_max, fires, cls_fires;</li>
 *   <li>{@code histograms.npy} int64 [rows, bins]: counts of positive patch values, bins of {@link LogHistogram};</li>
 *   <li>{@code topk_images.npy} int32 / {@code topk_values.npy} float32 [rows, k]: images ranked by the
 *       latent's maximum over the image's patches;</li>
 *   <li>{@code topk_patches_images.npy}, {@code topk_patches_patches.npy} (patch index in raster order
 *       of the grid) int32, {@code topk_patches_values.npy} float32 [rows, k]: single patches;</li>
 *   <li>{@code topk_cls_images.npy} int32 / {@code topk_cls_values.npy} float32 [rows, k]: images ranked
 *       by the CLS token's value;</li>
 *   <li>{@code patch_maps.npy} float32 [rows, k, patches]: the latent over every patch of each top
 *       image (see {@link PatchMaps}); zeros where a list has fewer than k images;</li>
 *   <li>{@code index.json}: {@link AnalysisIndex}, written last.</li>
 * </ul>
 * Lists are best first; ties rank the lower image (then patch) index first; −1 (index and value)
 * where a latent fired on fewer than k images or patches. Every file is written atomically.
 *
 * @param index        what was analysed
 * @param fires        per row: patch tokens where the latent is positive
 * @param sum          per row: sum of its positive patch values
 * @param max          per row: its maximum patch value (0 when it never fires)
 * @param clsFires     per row: CLS tokens where it is positive
 * @param clsSum       per row: sum of its positive CLS values
 * @param clsMax       per row: its maximum CLS value
 * @param histograms   [rows × bins] counts
 * @param topImages    image-level lists (patch −1)
 * @param topPatches   patch-level lists
 * @param topCls       CLS lists (patch −1)
 */
public record AnalysisResult(AnalysisIndex index, long[] fires, double[] sum, float[] max, long[] clsFires, double[] clsSum,
                             float[] clsMax, long[] histograms, TopKLists.Sorted topImages, TopKLists.Sorted topPatches,
                             TopKLists.Sorted topCls) {

    static final String LATENTS = "latents.csv";
    static final String HIST = "histograms.npy";
    static final String MAPS = "patch_maps.npy";
    static final String CSV_HEADER = "latent,frequency,cls_frequency,mean_when_firing,max,cls_mean_when_firing,cls_max,fires,cls_fires";

    /** Analysed latents (rows). */
    public int rows() {
        return index.latents().size();
    }

    /** Firing frequency of row r over patch tokens. */
    public double frequency(int r) {
        return index.patchTokens() == 0 ? 0 : (double) fires[r] / index.patchTokens();
    }

    /** Firing frequency of row r over CLS tokens (NaN without CLS tokens). */
    public double clsFrequency(int r) {
        return index.clsTokens() == 0 ? Double.NaN : (double) clsFires[r] / index.clsTokens();
    }

    /** Mean positive patch value of row r (0 when it never fires). */
    public double meanWhenFiring(int r) {
        return fires[r] == 0 ? 0 : sum[r] / fires[r];
    }

    /** Mean positive CLS value of row r (0 when it never fires there). */
    public double clsMeanWhenFiring(int r) {
        return clsFires[r] == 0 ? 0 : clsSum[r] / clsFires[r];
    }

    /** The row of latent id {@code latent}, or −1 when it was not analysed. */
    public int rowOf(int latent) {
        int r = java.util.Collections.binarySearch(index.latents(), latent);
        return r >= 0 ? r : -1;
    }

    /** Files this result writes besides patch_maps.npy and index.json. */
    static List<String> dataFiles() {
        return List.of(LATENTS, HIST, "topk_images.npy", "topk_values.npy", "topk_patches_images.npy",
                "topk_patches_patches.npy", "topk_patches_values.npy", "topk_cls_images.npy", "topk_cls_values.npy");
    }

    /** Writes every file but patch_maps.npy (see {@link PatchMaps#write}), then index.json last. */
    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        int n = rows();
        long k = index.k();
        StringBuilder csv = new StringBuilder(CSV_HEADER).append('\n');
        for (int r = 0; r < n; r++) {
            csv.append(index.latents().get(r)).append(',').append(frequency(r)).append(',').append(clsFrequency(r)).append(',')
                    .append(meanWhenFiring(r)).append(',').append(max[r]).append(',').append(clsMeanWhenFiring(r)).append(',')
                    .append(clsMax[r]).append(',').append(fires[r]).append(',').append(clsFires[r]).append('\n');
        }
        AtomicFiles.writeString(dir.resolve(LATENTS), csv.toString());
        Npy.writeLongs(dir.resolve(HIST), histograms, n, index.histogramBins());
        Npy.writeInts(dir.resolve("topk_images.npy"), topImages.images(), n, k);
        Npy.writeFloats(dir.resolve("topk_values.npy"), topImages.values(), n, k);
        Npy.writeInts(dir.resolve("topk_patches_images.npy"), topPatches.images(), n, k);
        Npy.writeInts(dir.resolve("topk_patches_patches.npy"), topPatches.patches(), n, k);
        Npy.writeFloats(dir.resolve("topk_patches_values.npy"), topPatches.values(), n, k);
        Npy.writeInts(dir.resolve("topk_cls_images.npy"), topCls.images(), n, k);
        Npy.writeFloats(dir.resolve("topk_cls_values.npy"), topCls.values(), n, k);
        Json.write(dir.resolve(AnalysisIndex.FILE), index);
    }

    /**
     * Reads an analysis folder (patch maps stay on disk: {@link #patchMap}).
     *
     * @throws IllegalArgumentException naming the file and field when a file is missing, malformed or of the wrong shape
     */
    public static AnalysisResult read(Path dir) throws IOException {
        Path indexFile = dir.resolve(AnalysisIndex.FILE);
        AnalysisIndex ix;
        try {
            ix = Json.read(indexFile, AnalysisIndex.class, "analysis index");
        } catch (UncheckedIOException e) {
            throw new IllegalArgumentException(e.getMessage() + "; not an analysis folder (write one with 'saelab analyze')", e);
        }
        if (!AnalysisIndex.FORMAT.equals(ix.format())) {
            throw new IllegalArgumentException(indexFile + ": field format is '" + ix.format() + "'; expected '"
                    + AnalysisIndex.FORMAT + "'");
        }
        int n = ix.latents().size();
        int k = ix.k();
        long[] fires = new long[n];
        double[] sum = new double[n];
        float[] max = new float[n];
        long[] clsFires = new long[n];
        double[] clsSum = new double[n];
        float[] clsMax = new float[n];
        Path csvFile = dir.resolve(LATENTS);
        List<String> lines;
        try {
            lines = Files.readAllLines(csvFile, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(csvFile + " is missing", e);
        }
        if (lines.isEmpty() || !lines.getFirst().equals(CSV_HEADER) || lines.size() != n + 1) {
            throw new IllegalArgumentException(csvFile + ": expected the header '" + CSV_HEADER + "' and " + n
                    + " rows (latents of " + indexFile + "), found " + Math.max(0, lines.size() - 1) + " rows");
        }
        for (int r = 0; r < n; r++) {
            String[] f = lines.get(r + 1).split(",");
            try {
                if (f.length != 9 || Integer.parseInt(f[0]) != ix.latents().get(r)) {
                    throw new IllegalArgumentException(csvFile + ": row " + (r + 1) + " should have 9 fields for latent "
                            + ix.latents().get(r));
                }
                max[r] = Float.parseFloat(f[4]);
                clsMax[r] = Float.parseFloat(f[6]);
                fires[r] = Long.parseLong(f[7]);
                clsFires[r] = Long.parseLong(f[8]);
                sum[r] = Double.parseDouble(f[3]) * fires[r];
                clsSum[r] = Double.parseDouble(f[5]) * clsFires[r];
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(csvFile + ": row " + (r + 1) + " has a field that is not a number: " + e.getMessage(), e);
            }
        }
        long[] hist = Npy.readLongs(dir.resolve(HIST), n, ix.histogramBins());
        TopKLists.Sorted images = new TopKLists.Sorted(Npy.readFloats(dir.resolve("topk_values.npy"), n, k),
                Npy.readInts(dir.resolve("topk_images.npy"), n, k), filled(n * k));
        TopKLists.Sorted patches = new TopKLists.Sorted(Npy.readFloats(dir.resolve("topk_patches_values.npy"), n, k),
                Npy.readInts(dir.resolve("topk_patches_images.npy"), n, k),
                Npy.readInts(dir.resolve("topk_patches_patches.npy"), n, k));
        TopKLists.Sorted cls = new TopKLists.Sorted(Npy.readFloats(dir.resolve("topk_cls_values.npy"), n, k),
                Npy.readInts(dir.resolve("topk_cls_images.npy"), n, k), filled(n * k));
        return new AnalysisResult(ix, fires, sum, max, clsFires, clsSum, clsMax, hist, images, patches, cls);
    }

    private static int[] filled(int n) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, -1);
        return a;
    }

    /** The patch map [patches] of row {@code row}'s rank-th top image, read from patch_maps.npy in {@code dir}. */
    public float[] patchMap(Path dir, int row, int rank) throws IOException {
        int p = index.patchesPerImage();
        try (Npy.Mapped m = Npy.open(dir.resolve(MAPS), "<f4", rows(), index.k(), p)) {
            float[] out = new float[p];
            long off = m.dataOffset() + ((long) row * index.k() + rank) * p * 4L;
            MemorySegment.copy(m.file().segment(), Npy.F4, off, out, 0, p);
            return out;
        }
    }

    /** A one-line summary. */
    public String summary() {
        int dead = 0;
        for (long f : fires) {
            dead += f == 0 ? 1 : 0;
        }
        return String.format(Locale.ROOT, "%d latents over %d images (%d patch tokens): %d never fire on patches; k = %d",
                rows(), index.nImages(), index.patchTokens(), dead, index.k());
    }

    static List<Double> edgeList() {
        List<Double> l = new ArrayList<>();
        for (double e : LogHistogram.edges()) {
            l.add(e);
        }
        return l;
    }
}
