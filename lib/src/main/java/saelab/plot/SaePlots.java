package saelab.plot;

import java.awt.Color;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;
import saelab.analysis.DensityView;
import saelab.analysis.LowDensityCluster;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Plots that compare several SAEs in one chart, in {@link PaperStyle} (the multi-SAE charts span the text width, legend
 * to the right), each with the table of the numbers it shows:
 * training curves (one line per SAE), per-latent histograms on shared log-spaced bins (one line per SAE), and the density
 * view with the ultra-low-density cluster's boundary drawn in ({@link LowDensityCluster}).
 */
public final class SaePlots {

    /** Bins per decade of {@link #logHistograms}, as saelab's fixed per-latent histograms ({@link saelab.analysis.LogHistogram}). */
    static final int PER_DECADE = saelab.analysis.LogHistogram.PER_DECADE;

    private SaePlots() {}

    /**
     * One line per series of a long table (e.g. every SAE's training log): {@code y} against {@code x} for each value of
     * {@code series}, in the order the series first appear.
     *
     * @param logY log y axis; non-positive y values are then left out of the chart (they stay in the CSV)
     * @throws IllegalArgumentException when a column is missing or not numeric, or nothing can be drawn
     */
    public static ChartFigure curves(String id, String title, Table data, String series, String x, String y, String xTitle,
                                     String yTitle, boolean logY) {
        for (String c : List.of(series, x, y)) {
            if (!data.columnNames().contains(c)) {
                throw new IllegalArgumentException("plot '" + id + "': the table has no column '" + c + "'; it has " + data.columnNames());
            }
        }
        if (!(data.column(x) instanceof NumericColumn<?> xs) || !(data.column(y) instanceof NumericColumn<?> ys)) {
            throw new IllegalArgumentException("plot '" + id + "': columns '" + x + "' and '" + y + "' must be numeric");
        }
        Map<String, List<double[]>> points = new LinkedHashMap<>();
        for (int r = 0; r < data.rowCount(); r++) {
            double xv = xs.getDouble(r);
            double yv = ys.getDouble(r);
            if (Double.isFinite(xv) && Double.isFinite(yv) && (!logY || yv > 0)) {
                points.computeIfAbsent(data.column(series).getString(r), k -> new ArrayList<>()).add(new double[] {xv, yv});
            }
        }
        if (points.isEmpty()) {
            throw new IllegalArgumentException("plot '" + id + "': no finite" + (logY ? " positive" : "") + " values of '" + y + "' to draw");
        }
        XYChart chart = legendOutside(PaperStyle.xyChart(title, xTitle, yTitle, PaperStyle.DOUBLE_COLUMN));
        chart.getStyler().setYAxisLogarithmic(logY);
        for (Map.Entry<String, List<double[]>> e : points.entrySet()) {
            XYSeries s = chart.addSeries(e.getKey(), e.getValue().stream().mapToDouble(p -> p[0]).toArray(),
                    e.getValue().stream().mapToDouble(p -> p[1]).toArray());
            s.setMarker(SeriesMarkers.NONE);
        }
        return new ChartFigure(id, chart, data.selectColumns(series, x, y).setName(id));
    }

    /**
     * Per-latent value histograms of several SAEs on one pair of log axes: shared bins of 10 per decade
     * from the decade below the smallest positive value to the decade above the largest, one line (markers on the bins
     * that hold latents) per SAE. Values ≤ 0 (latents that never fire) cannot sit on a log axis: each series' legend entry
     * counts them and the CSV gives them a row with bin edges 0, 0.
     *
     * @param values per SAE, its per-latent values, in legend order
     * @throws IllegalArgumentException when no series has a positive value
     */
    public static ChartFigure logHistograms(String id, String title, String xTitle, Map<String, double[]> values) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double[] v : values.values()) {
            for (double x : v) {
                if (x > 0 && Double.isFinite(x)) {
                    lo = Math.min(lo, Math.log10(x));
                    hi = Math.max(hi, Math.log10(x));
                }
            }
        }
        if (lo == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("plot '" + id + "': no positive values in " + values.keySet() + "; nothing to draw on log axes");
        }
        int first = (int) Math.floor(lo);
        int bins = Math.max(1, ((int) Math.floor(hi) + 1 - first) * PER_DECADE);
        StringColumn sae = StringColumn.create("sae");
        DoubleColumn low = DoubleColumn.create("bin_low");
        DoubleColumn high = DoubleColumn.create("bin_high");
        IntColumn count = IntColumn.create("latents");
        XYChart chart = legendOutside(PaperStyle.xyChart(title, xTitle, "latents", PaperStyle.DOUBLE_COLUMN));
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(true);
        for (Map.Entry<String, double[]> e : values.entrySet()) {
            int[] c = new int[bins];
            int nonPositive = 0;
            for (double x : e.getValue()) {
                if (x > 0 && Double.isFinite(x)) {
                    c[Math.clamp((long) Math.floor((Math.log10(x) - first) * PER_DECADE), 0, bins - 1)]++;
                } else {
                    nonPositive++;
                }
            }
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (int b = 0; b < bins; b++) {
                double a = Math.pow(10, first + (double) b / PER_DECADE);
                double z = Math.pow(10, first + (double) (b + 1) / PER_DECADE);
                sae.append(e.getKey());
                low.append(a);
                high.append(z);
                count.append(c[b]);
                if (c[b] > 0) {
                    xs.add(Math.sqrt(a * z));
                    ys.add((double) c[b]);
                }
            }
            sae.append(e.getKey());
            low.append(0);
            high.append(0);
            count.append(nonPositive);
            if (!xs.isEmpty()) {
                XYSeries s = chart.addSeries(e.getKey() + (nonPositive > 0 ? " (" + nonPositive + " at 0)" : ""), xs, ys);
                s.setMarker(SeriesMarkers.CIRCLE);
            }
        }
        return new ChartFigure(id, chart, Table.create(id, sae, low, high, count));
    }

    /**
     * The density view of one SAE at text width (log firing frequency against log mean value when firing, coloured by
     * label entropy: {@link AnalysisPlots#densityScatter(String, DensityView)}) with the ultra-low-density cluster's boundary, a dashed
     * vertical line at {@code threshold} whose legend entry gives the cluster's size. The CSV gets a column {@code low_density}
     * (1 for the cluster's latents, see {@link LowDensityCluster#members}).
     *
     * @param name the SAE, for the title
     */
    public static ChartFigure density(String id, String name, DensityView v, double threshold) {
        if (v.drawable() == 0) {
            throw new IllegalArgumentException("density plot '" + id + "': none of the " + v.latents().length
                    + " latents fires, so none has a frequency and mean to draw on log axes");
        }
        ChartFigure f = AnalysisPlots.densityScatter(id, v.latents(), v.frequency(), v.mean(), v.entropy(), "label entropy (nats)",
                PaperStyle.DOUBLE_COLUMN);
        XYChart chart = (XYChart) f.chart();
        boolean[] in = LowDensityCluster.members(v, threshold);
        int n = 0;
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (int i = 0; i < in.length; i++) {
            n += in[i] ? 1 : 0;
            if (v.frequency()[i] > 0 && v.mean()[i] > 0 && Double.isFinite(v.mean()[i])) {
                lo = Math.min(lo, v.mean()[i]);
                hi = Math.max(hi, v.mean()[i]);
            }
        }
        chart.setTitle(name + ": label entropy (nats)");
        XYSeries line = chart.addSeries(String.format(Locale.ROOT, "f < %.0e: %d of %d", threshold, n, in.length), new double[] {threshold, threshold},
                new double[] {lo, hi});
        line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        line.setMarker(SeriesMarkers.NONE);
        line.setLineStyle(SeriesLines.DASH_DASH);
        line.setLineColor(Color.BLACK);
        int[] flags = new int[in.length];
        for (int i = 0; i < in.length; i++) {
            flags[i] = in[i] ? 1 : 0;
        }
        f.data().addColumns(IntColumn.create("low_density", flags));
        return f;
    }

    /** Text width with the legend to the right: inside the plot it would cover the lines of some SAE. */
    private static XYChart legendOutside(XYChart chart) {
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        return chart;
    }
}
