package saelab.analysis;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * The numbers of the ultra-low-density view, per analysed latent: firing frequency, mean value when
 * firing and the label entropy of its top patches' segmentation labels or, for a cache without those, of its top images'
 * class labels ({@link #source}; see {@link LabelStatistics}). Built from an
 * analysis in memory, or read back from the {@code density.csv} that {@code saelab analyze} writes
 * ({@link LabelStatistics#writeDensityCsv}; it stores log10 values to 6 significant digits, so values
 * read back are within 1e-5 relative of the originals). Latents that never fire have frequency and
 * mean 0; latents without a labelled top patch have entropy NaN.
 *
 * @param latents   latent ids
 * @param frequency firing share of patch tokens
 * @param mean      mean value when firing
 * @param entropy   label entropy of the top patches, nats
 */
public record DensityView(int[] latents, double[] frequency, double[] mean, double[] entropy) {

    /** The file name in an analysis folder. */
    public static final String FILE = "density.csv";
    /**
     * The file beside it saying whose labels the entropy is of ({@code {"labels": "patch"}} or {@code "image"}); a folder
     * written before it existed has only patch-label views.
     */
    public static final String SOURCE_FILE = "density.json";

    /** Records whose labels the view's entropy is of. */
    public static void writeSource(Path dir, LabelStatistics.Source source) throws IOException {
        saelab.io.AtomicFiles.writeString(dir.resolve(SOURCE_FILE), "{\"labels\": \"" + source.name().toLowerCase(java.util.Locale.ROOT)
                + "\"}\n");
    }

    /**
     * Whose labels the view of an analysis folder is of: {@link LabelStatistics.Source#PATCH} (the top patches' segmentation
     * labels) or {@link LabelStatistics.Source#IMAGE} (the top images' class labels); PATCH when {@value #SOURCE_FILE} is
     * absent.
     *
     * @throws IllegalArgumentException naming the file when it is unreadable or names another source
     */
    public static LabelStatistics.Source source(Path dir) throws IOException {
        Path file = dir.resolve(SOURCE_FILE);
        if (!Files.isRegularFile(file)) {
            return LabelStatistics.Source.PATCH;
        }
        String labels = saelab.io.Json.mapper().readTree(file.toFile()).path("labels").asText("");
        return switch (labels) {
            case "patch" -> LabelStatistics.Source.PATCH;
            case "image" -> LabelStatistics.Source.IMAGE;
            default -> throw new IllegalArgumentException(file + ": field 'labels' is '" + labels + "'; expected patch or image");
        };
    }

    /** How a plot names the labels of a view of {@code source}: "top patches' labels" or "top images' labels". */
    public static String describe(LabelStatistics.Source source) {
        return source == LabelStatistics.Source.PATCH ? "top patches' labels" : "top images' labels";
    }

    /** The view of an analysis and its label statistics (same rows). */
    public static DensityView of(AnalysisResult r, LabelStatistics s) {
        int n = r.rows();
        if (s.latents().length != n) {
            throw new IllegalArgumentException("analysis has " + n + " rows; label statistics have " + s.latents().length);
        }
        double[] f = new double[n];
        double[] m = new double[n];
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = r.index().latents().get(i);
            f[i] = r.frequency(i);
            m[i] = r.meanWhenFiring(i);
        }
        return new DensityView(ids, f, m, s.entropy().clone());
    }

    /**
     * Reads {@code density.csv} of an analysis folder.
     *
     * @throws IllegalArgumentException naming the file (and the row and field) when it is missing or malformed
     */
    public static DensityView read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + " is missing: 'saelab analyze' writes it when the cache has patch labels or image"
                    + " labels", e);
        }
        if (lines.isEmpty() || !lines.getFirst().equals(LabelStatistics.DENSITY_HEADER)) {
            throw new IllegalArgumentException(file + ": expected the header '" + LabelStatistics.DENSITY_HEADER + "'");
        }
        int n = lines.size() - 1;
        int[] ids = new int[n];
        double[] f = new double[n];
        double[] m = new double[n];
        double[] h = new double[n];
        for (int i = 0; i < n; i++) {
            // split with a limit of 7: the last field (a class name) may itself hold quoted commas
            String[] c = lines.get(i + 1).split(",", 7);
            if (c.length < 6) {
                throw new IllegalArgumentException(file + ": row " + (i + 1) + " has " + c.length + " fields; expected 7 ("
                        + LabelStatistics.DENSITY_HEADER + ")");
            }
            try {
                ids[i] = Integer.parseInt(c[0]);
                f[i] = c[1].isEmpty() ? 0 : Math.pow(10, Double.parseDouble(c[1]));
                m[i] = c[2].isEmpty() ? 0 : Math.pow(10, Double.parseDouble(c[2]));
                h[i] = c[3].isEmpty() ? Double.NaN : Double.parseDouble(c[3]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(file + ": row " + (i + 1) + " has a field that is not a number: " + e.getMessage(), e);
            }
        }
        return new DensityView(ids, f, m, h);
    }

    /** Latents that can sit on the log axes (frequency and mean positive). */
    public int drawable() {
        int n = 0;
        for (int i = 0; i < latents.length; i++) {
            n += frequency[i] > 0 && mean[i] > 0 ? 1 : 0;
        }
        return n;
    }
}
