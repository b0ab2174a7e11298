package saelab.plot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The VLM control protocol's rates with their intervals ({@code saelab control vlm}, {@code saelab.intervene.VlmProtocolReport}):
 * for each measure (the answer changed under a suppress edit, under a swap edit, and the swap's answer is the added class
 * c'), the rate over questions of the real edit and of each control (frequency-matched random latents, random directions of
 * the real edit's per-token norm) as a point with its 95% cluster-bootstrap interval over images as a vertical bar.
 * Written as {@code vlm-protocol.png/pdf/csv}; the CSV holds every plotted number.
 */
public final class VlmProtocolPlot {

    /** The file stem. */
    public static final String ID = "vlm-protocol";

    /** The measures in plot order: operation, summary key, label. */
    private static final String[][] MEASURES = {
        {"suppress", "change_rate_micro", "suppress: answer changed"},
        {"swap", "change_rate_micro", "swap: answer changed"},
        {"swap", "to_target_rate_micro", "swap: answer is c'"},
    };
    private static final String[][] CONDITIONS = {
        {"real", "real edit"}, {"random_latent", "random latent"}, {"random_direction", "random direction"},
    };

    private VlmProtocolPlot() {}

    /** Writes the PNG, PDF and CSV of a run's summary into {@code dir}. */
    public static List<Path> write(String title, Map<String, Object> summary, Path dir) throws IOException {
        return figure(title, table(summary)).write(dir);
    }

    /** Writes this figure and, when the run has a dose-response, {@link VlmDosePlot}'s; returns every file written. */
    public static List<Path> writeAll(String title, Map<String, Object> summary, Path dir) throws IOException {
        List<Path> out = new ArrayList<>(write(title, summary, dir));
        out.addAll(VlmDosePlot.write(title + ", swap dose-response", summary, dir));
        return out;
    }

    /**
     * The plotted numbers of a summary ({@code summary.json} of the protocol as a map): one row per measure and condition
     * the run has, with columns {@code measure, operation, condition, rate, lower, upper} (NaN where undefined).
     */
    @SuppressWarnings("unchecked")
    public static Table table(Map<String, Object> summary) {
        Map<String, Object> ops = (Map<String, Object>) summary.get("operations");
        if (ops == null) {
            throw new IllegalArgumentException("the VLM protocol summary has no 'operations'; expected the summary.json of saelab control vlm");
        }
        List<String> measure = new ArrayList<>();
        List<String> operation = new ArrayList<>();
        List<String> condition = new ArrayList<>();
        List<double[]> values = new ArrayList<>();
        for (String[] m : MEASURES) {
            Map<String, Object> conds = (Map<String, Object>) ops.get(m[0]);
            for (String[] c : CONDITIONS) {
                Map<String, Object> cond = conds == null ? null : (Map<String, Object>) conds.get(c[0]);
                Map<String, Object> rate = cond == null ? null : (Map<String, Object>) cond.get(m[1]);
                if (rate == null) {
                    continue;
                }
                measure.add(m[2]);
                operation.add(m[0]);
                condition.add(c[0]);
                values.add(new double[] {number(rate.get("estimate")), number(rate.get("lower")), number(rate.get("upper"))});
            }
        }
        return Table.create(ID, StringColumn.create("measure", measure), StringColumn.create("operation", operation),
                StringColumn.create("condition", condition), column("rate", values, 0), column("lower", values, 1), column("upper", values, 2));
    }

    /** The chart of a {@link #table}: measures along x, the conditions side by side within each. */
    public static ChartFigure figure(String title, Table data) {
        // XChart places the x ticks itself, so the positions carry no labels and the measures are named in the axis title
        XYChart chart = PaperStyle.xyChart(title, "left: " + MEASURES[0][2] + "    middle: " + MEASURES[1][2] + "    right: " + MEASURES[2][2],
                "rate over questions (95% interval)", PaperStyle.DOUBLE_COLUMN);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        chart.getStyler().setXAxisMin(0.5);
        chart.getStyler().setXAxisMax(MEASURES.length + 0.5);
        chart.getStyler().setXAxisTicksVisible(false);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(1.0);
        for (int c = 0; c < CONDITIONS.length; c++) {
            java.awt.Color colour = PaperStyle.PALETTE[c % PaperStyle.PALETTE.length];
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (int r = 0; r < data.rowCount(); r++) {
                if (!data.stringColumn("condition").get(r).equals(CONDITIONS[c][0])) {
                    continue;
                }
                double x = position(data.stringColumn("measure").get(r)) + (c - 1) * 0.22;
                double rate = data.doubleColumn("rate").get(r);
                double lo = data.doubleColumn("lower").get(r);
                double hi = data.doubleColumn("upper").get(r);
                if (Double.isFinite(lo) && Double.isFinite(hi)) {
                    XYSeries bar = chart.addSeries(CONDITIONS[c][1] + " interval " + r, List.of(x, x), List.of(lo, hi));
                    bar.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
                    bar.setMarker(SeriesMarkers.NONE);
                    bar.setLineColor(colour);
                    bar.setShowInLegend(false);
                }
                if (Double.isFinite(rate)) {
                    xs.add(x);
                    ys.add(rate);
                }
            }
            if (!xs.isEmpty()) {
                XYSeries s = chart.addSeries(CONDITIONS[c][1], xs, ys);
                s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                s.setMarker(SeriesMarkers.CIRCLE);
                s.setMarkerColor(colour);
            }
        }
        return new ChartFigure(ID, chart, data);
    }

    private static int position(String measure) {
        for (int m = 0; m < MEASURES.length; m++) {
            if (MEASURES[m][2].equals(measure)) {
                return m + 1;
            }
        }
        throw new IllegalArgumentException("unknown VLM protocol measure '" + measure + "'");
    }

    private static double number(Object v) {
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static DoubleColumn column(String name, List<double[]> values, int which) {
        return DoubleColumn.create(name, values.stream().mapToDouble(v -> v[which]).toArray());
    }
}
