package saelab.plot;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;
import saelab.analysis.AnalysisResult;
import saelab.analysis.DensityView;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The per-latent summary plots of a feature analysis, in {@link PaperStyle}, each with the table of
 * the numbers it shows: histograms of firing frequency and mean value (log-spaced bins, log axes), the
 * density scatter (log frequency vs log mean value, coloured by any per-latent value such as label
 * entropy), concept-match bars with their two baselines, and a 2-D map scatter (UMAP or PCA
 * coordinates coloured by a per-point value), and the neuron-alignment histogram against its random
 * baseline. Inputs are plain arrays so any statistic can feed them.
 * Colour-coded scatters bin the colour value into {@value #COLOUR_BINS} equal-width ranges drawn in
 * viridis ({@link Colormaps}), one legend entry per range (the value's name is in the title, so the
 * legend stays narrow); points without a value (NaN) are grey.
 */
public final class AnalysisPlots {

    static final int COLOUR_BINS = 6;
    static final int HIST_BINS = 40;
    static final int ALIGN_BINS = 50;

    private AnalysisPlots() {}

    /** Histogram of the analysed latents' patch firing frequencies. */
    public static ChartFigure frequencyHistogram(String id, AnalysisResult r) {
        double[] f = new double[r.rows()];
        for (int i = 0; i < f.length; i++) {
            f[i] = r.frequency(i);
        }
        return logHistogram(id, f, "Latent firing frequency", "firing frequency (share of patch tokens)");
    }

    /** Histogram of the analysed latents' mean value when firing. */
    public static ChartFigure meanHistogram(String id, AnalysisResult r) {
        double[] m = new double[r.rows()];
        for (int i = 0; i < m.length; i++) {
            m[i] = r.meanWhenFiring(i);
        }
        return logHistogram(id, m, "Latent mean value when firing", "mean activation when firing");
    }

    /**
     * A histogram with {@value #HIST_BINS} log-spaced bins from the smallest to the largest positive
     * value, on log axes; values ≤ 0 (latents that never fire) cannot sit on a log axis and are counted
     * in the title and in the CSV's last row (bin edges 0, 0). Empty bins are in the CSV but not drawn.
     */
    public static ChartFigure logHistogram(String id, double[] values, String title, String xTitle) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        int nonPositive = 0;
        for (double v : values) {
            if (v > 0 && Double.isFinite(v)) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            } else {
                nonPositive++;
            }
        }
        if (hi == 0) {
            throw new IllegalArgumentException(title + ": no positive values among " + values.length + "; nothing to draw on log axes");
        }
        if (hi == lo) {
            lo /= 1.5;
            hi *= 1.5;
        }
        double a = Math.log10(lo);
        double step = (Math.log10(hi) - a) / HIST_BINS;
        long[] counts = new long[HIST_BINS];
        for (double v : values) {
            if (v > 0 && Double.isFinite(v)) {
                counts[Math.min(HIST_BINS - 1, (int) Math.floor((Math.log10(v) - a) / step))]++;
            }
        }
        double[] low = new double[HIST_BINS + 1];
        double[] high = new double[HIST_BINS + 1];
        double[] count = new double[HIST_BINS + 1];
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (int b = 0; b < HIST_BINS; b++) {
            low[b] = Math.pow(10, a + b * step);
            high[b] = Math.pow(10, a + (b + 1) * step);
            count[b] = counts[b];
            if (counts[b] > 0) {
                xs.add(Math.sqrt(low[b] * high[b]));
                ys.add((double) counts[b]);
            }
        }
        count[HIST_BINS] = nonPositive;
        XYChart chart = PaperStyle.xyChart(title + (nonPositive > 0 ? " (" + nonPositive + " at 0 not shown)" : ""), xTitle,
                "latents", PaperStyle.SINGLE_COLUMN);
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setLegendVisible(false);
        XYSeries s = chart.addSeries("latents", xs, ys);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        s.setMarker(SeriesMarkers.CIRCLE);
        Table t = Table.create(id, DoubleColumn.create("bin_low", low), DoubleColumn.create("bin_high", high),
                DoubleColumn.create("latents", count));
        return new ChartFigure(id, chart, t);
    }

    /**
     * The density scatter: per latent, log firing frequency against log mean value when firing,
     * coloured by {@code colour} (e.g. label entropy of its top examples). Latents with a frequency or
     * mean ≤ 0 are left out of the chart and marked {@code shown = 0} in the CSV.
     *
     * @param latents    latent ids (CSV only)
     * @param colourName what {@code colour} is, for the legend and the CSV header
     */
    public static ChartFigure densityScatter(String id, int[] latents, double[] frequency, double[] mean, double[] colour,
                                             String colourName) {
        return densityScatter(id, latents, frequency, mean, colour, colourName, PaperStyle.SINGLE_COLUMN);
    }

    /** {@link #densityScatter(String, int[], double[], double[], double[], String)} at another size. */
    public static ChartFigure densityScatter(String id, int[] latents, double[] frequency, double[] mean, double[] colour,
                                             String colourName, PaperStyle.Size size) {
        requireSameLength(id, latents.length, frequency.length, mean.length, colour.length);
        XYChart chart = PaperStyle.xyChart("Latent density by " + colourName, "firing frequency", "mean value when firing", size);
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(true);
        boolean[] shown = new boolean[latents.length];
        for (int i = 0; i < shown.length; i++) {
            shown[i] = frequency[i] > 0 && mean[i] > 0 && Double.isFinite(frequency[i]) && Double.isFinite(mean[i]);
        }
        addColouredSeries(chart, frequency, mean, colour, shown);
        Table t = Table.create(id, IntColumn.create("latent", latents), DoubleColumn.create("frequency", frequency),
                DoubleColumn.create("mean_when_firing", mean), DoubleColumn.create(csvName(colourName), colour),
                IntColumn.create("shown", toInts(shown)));
        return new ChartFigure(id, chart, t);
    }

    /**
     * The ultra-low-density view of an analysis: {@link #densityScatter} of frequency against mean value,
     * coloured by the label entropy of each latent's top patches.
     *
     * @throws IllegalArgumentException when no latent fires (nothing can sit on the log axes)
     */
    public static ChartFigure densityScatter(String id, DensityView v) {
        if (v.drawable() == 0) {
            throw new IllegalArgumentException("density plot '" + id + "': none of the " + v.latents().length
                    + " latents fires, so none has a frequency and mean to draw on log axes");
        }
        return densityScatter(id, v.latents(), v.frequency(), v.mean(), v.entropy(), "label entropy (nats)");
    }

    /**
     * A 2-D map of latents (UMAP or PCA coordinates of decoder directions), coloured by a per-point value.
     *
     * @param method     e.g. {@code "UMAP"} or {@code "PCA"}, for the title and axis names
     * @param colourName what {@code colour} is
     */
    public static ChartFigure mapScatter(String id, String method, int[] latents, double[] x, double[] y, double[] colour,
                                         String colourName) {
        requireSameLength(id, latents.length, x.length, y.length, colour.length);
        XYChart chart = PaperStyle.xyChart(method + " of decoder directions by " + colourName, method + " 1", method + " 2", PaperStyle.SINGLE_COLUMN);
        boolean[] shown = new boolean[latents.length];
        for (int i = 0; i < shown.length; i++) {
            shown[i] = Double.isFinite(x[i]) && Double.isFinite(y[i]);
        }
        addColouredSeries(chart, x, y, colour, shown);
        Table t = Table.create(id, IntColumn.create("latent", latents), DoubleColumn.create("x", x), DoubleColumn.create("y", y),
                DoubleColumn.create(csvName(colourName), colour), IntColumn.create("shown", toInts(shown)));
        return new ChartFigure(id, chart, t);
    }

    /**
     * Neuron alignment: histograms (share of each set per bin, {@value #ALIGN_BINS} equal bins on [0, 1]) of
     * the latents' max |cos| with an MLP neuron, for decoder and encoder directions, against the same
     * statistic for random unit directions (see {@link saelab.analysis.NeuronAlignment}). Shares, not
     * counts, so the sets compare whatever their sizes; the CSV holds both.
     *
     * @param decoder per latent, max |cos| of its decoder direction
     * @param encoder per latent, max |cos| of its encoder direction (or null to leave it out)
     * @param random  per random direction, its max |cos|
     */
    public static ChartFigure alignmentHistogram(String id, float[] decoder, float[] encoder, float[] random) {
        if (decoder.length == 0 || random.length == 0) {
            throw new IllegalArgumentException("alignment plot '" + id + "': needs latents and random directions, got " + decoder.length
                    + " and " + random.length);
        }
        if (encoder != null && encoder.length != decoder.length) {
            throw new IllegalArgumentException("alignment plot '" + id + "': " + decoder.length + " decoder values but " + encoder.length
                    + " encoder values; expected one of each per latent");
        }
        long[] dec = cosineBins(decoder);
        long[] enc = encoder == null ? new long[ALIGN_BINS] : cosineBins(encoder);
        long[] rnd = cosineBins(random);
        double[] low = new double[ALIGN_BINS];
        double[] high = new double[ALIGN_BINS];
        double[][] share = new double[3][ALIGN_BINS];
        for (int b = 0; b < ALIGN_BINS; b++) {
            low[b] = (double) b / ALIGN_BINS;
            high[b] = (double) (b + 1) / ALIGN_BINS;
            share[0][b] = (double) dec[b] / decoder.length;
            share[1][b] = encoder == null ? Double.NaN : (double) enc[b] / encoder.length;
            share[2][b] = (double) rnd[b] / random.length;
        }
        XYChart chart = PaperStyle.xyChart("Neuron alignment", "max |cos| with an MLP neuron's output direction", "share",
                PaperStyle.SINGLE_COLUMN);
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setXAxisMax(1.0);
        chart.getStyler().setYAxisDecimalPattern("0.00");
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        addStep(chart, "decoder (" + decoder.length + ")", share[0], PaperStyle.PALETTE[0], false);
        if (encoder != null) {
            addStep(chart, "encoder", share[1], PaperStyle.PALETTE[1], false);
        }
        addStep(chart, "random (" + random.length + ")", share[2], new Color(0x444444), true);
        Table t = Table.create(id, DoubleColumn.create("bin_low", low), DoubleColumn.create("bin_high", high),
                DoubleColumn.create("decoder_share", share[0]), DoubleColumn.create("encoder_share", share[1]),
                DoubleColumn.create("random_share", share[2]), DoubleColumn.create("decoder_count", toDoubles(dec)),
                DoubleColumn.create("encoder_count", encoder == null ? nan(ALIGN_BINS) : toDoubles(enc)),
                DoubleColumn.create("random_count", toDoubles(rnd)));
        return new ChartFigure(id, chart, t);
    }

    /** Counts of values in {@value #ALIGN_BINS} equal bins of [0, 1] (1 in the last bin; values outside are clamped). */
    private static long[] cosineBins(float[] v) {
        long[] c = new long[ALIGN_BINS];
        for (float x : v) {
            c[Math.clamp((long) Math.floor(x * ALIGN_BINS), 0, ALIGN_BINS - 1)]++;
        }
        return c;
    }

    /** A step outline over the bins: x = left edges and the last right edge, the last share repeated. */
    private static void addStep(XYChart chart, String name, double[] share, Color colour, boolean dashed) {
        double[] x = new double[ALIGN_BINS + 1];
        double[] y = new double[ALIGN_BINS + 1];
        for (int b = 0; b <= ALIGN_BINS; b++) {
            x[b] = (double) b / ALIGN_BINS;
            y[b] = share[Math.min(b, ALIGN_BINS - 1)];
        }
        XYSeries s = chart.addSeries(name, x, y);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(colour);
        s.setLineStyle(dashed ? SeriesLines.DASH_DASH : SeriesLines.SOLID);
    }

    private static double[] toDoubles(long[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    private static double[] nan(int n) {
        double[] d = new double[n];
        java.util.Arrays.fill(d, Double.NaN);
        return d;
    }

    /**
     * One class's concept match: the best latent's score and the two baselines computed the same way.
     *
     * @param className       the class
     * @param bestLatent      the best-matching latent
     * @param best            its score (F1 or AUROC)
     * @param randomLatent    the random-latent baseline
     * @param randomDirection the random-unit-direction baseline
     */
    public record ConceptScore(String className, int bestLatent, double best, double randomLatent, double randomDirection) {}

    /** Bars per class: best latent, random latents, random directions; {@code metric} names the score. */
    public static ChartFigure conceptMatchBars(String id, List<ConceptScore> scores, String metric) {
        if (scores.isEmpty()) {
            throw new IllegalArgumentException("concept match plot '" + id + "': no classes given");
        }
        List<String> names = scores.stream().map(ConceptScore::className).toList();
        CategoryChart chart = PaperStyle.barChart("Concept matching (" + metric + ")", "class", metric,
                scores.size() > 8 ? PaperStyle.DOUBLE_COLUMN : PaperStyle.SINGLE_COLUMN);
        chart.getStyler().setXAxisLabelRotation(scores.size() > 8 ? 60 : 0);
        chart.addSeries("best latent", names, scores.stream().map(ConceptScore::best).toList());
        chart.addSeries("random latents", names, scores.stream().map(ConceptScore::randomLatent).toList());
        chart.addSeries("random directions", names, scores.stream().map(ConceptScore::randomDirection).toList());
        Table t = Table.create(id, StringColumn.create("class", names),
                IntColumn.create("best_latent", scores.stream().mapToInt(ConceptScore::bestLatent).toArray()),
                DoubleColumn.create("best", scores.stream().mapToDouble(ConceptScore::best).toArray()),
                DoubleColumn.create("random_latents", scores.stream().mapToDouble(ConceptScore::randomLatent).toArray()),
                DoubleColumn.create("random_directions", scores.stream().mapToDouble(ConceptScore::randomDirection).toArray()));
        return new ChartFigure(id, chart, t);
    }

    private static void addColouredSeries(XYChart chart, double[] x, double[] y, double[] colour, boolean[] shown) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < colour.length; i++) {
            if (shown[i] && Double.isFinite(colour[i])) {
                lo = Math.min(lo, colour[i]);
                hi = Math.max(hi, colour[i]);
            }
        }
        int bins = hi > lo ? COLOUR_BINS : 1;
        List<List<Double>> xs = new ArrayList<>();
        List<List<Double>> ys = new ArrayList<>();
        for (int b = 0; b <= bins; b++) {
            xs.add(new ArrayList<>());
            ys.add(new ArrayList<>());
        }
        for (int i = 0; i < x.length; i++) {
            if (!shown[i]) {
                continue;
            }
            int b = !Double.isFinite(colour[i]) ? bins
                    : bins == 1 ? 0 : Math.min(bins - 1, (int) Math.floor((colour[i] - lo) / (hi - lo) * bins));
            xs.get(b).add(x[i]);
            ys.get(b).add(y[i]);
        }
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        for (int b = 0; b <= bins; b++) {
            if (xs.get(b).isEmpty()) {
                continue;
            }
            String label;
            Color c;
            if (b == bins) {
                label = "n/a";
                c = new Color(0xAAAAAA);
            } else {
                double a = lo + (hi - lo) * b / bins;
                double z = bins == 1 ? hi : lo + (hi - lo) * (b + 1) / bins;
                label = String.format(Locale.ROOT, "%.3g–%.3g", a, z);
                c = Colormaps.viridis(bins == 1 ? 0.5 : (b + 0.5) / bins);
            }
            XYSeries s = chart.addSeries(label, xs.get(b), ys.get(b));
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setMarkerColor(c);
        }
    }

    private static void requireSameLength(String id, int n, int... others) {
        for (int o : others) {
            if (o != n) {
                throw new IllegalArgumentException("plot '" + id + "': every per-latent array must have " + n
                        + " entries (one per latent), got one with " + o);
            }
        }
    }

    private static String csvName(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
    }

    private static int[] toInts(boolean[] b) {
        int[] out = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = b[i] ? 1 : 0;
        }
        return out;
    }
}
