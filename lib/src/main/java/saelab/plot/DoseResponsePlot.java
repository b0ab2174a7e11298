package saelab.plot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;
import saelab.intervene.ControlSlots.Condition;
import saelab.intervene.DoseResponse;
import saelab.intervene.stats.Interval;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The dose-response plot of a protocol run ({@code saelab control}): the macro target and off-target change rates
 * (the mean over classes) against the dose in units of the latent's maximum, the real edit and each control in one
 * colour, target solid and off-target dashed, on one plot, each curve over a translucent band of its 95%
 * cluster-bootstrap interval (image as the unit, {@link DoseResponse#macroInterval}) when the run computed them.
 * Written as {@code dose-response-macro.png/pdf/csv}; the per-class numbers are in the run's {@code dose-response.csv}.
 */
public final class DoseResponsePlot {

    /** The file stem. */
    public static final String ID = "dose-response-macro";

    private DoseResponsePlot() {}

    /** Writes the PNG, PDF and CSV into {@code dir}. */
    public static List<Path> write(DoseResponse dose, String unitName, Path dir) throws IOException {
        XYChart chart = PaperStyle.xyChart("Dose-response (mean over classes)", "dose (x latent max, operation set)",
                unitName + " change rate", PaperStyle.DOUBLE_COLUMN);
        double[] x = dose.grid().doses();
        List<String> condition = new ArrayList<>();
        List<Double> doses = new ArrayList<>();
        List<Double> target = new ArrayList<>();
        List<Double> off = new ArrayList<>();
        List<Double> bounds = new ArrayList<>(); // target lower, upper, off-target lower, upper per row
        List<Runnable> lines = new ArrayList<>(); // drawn after every band, so that no band covers a line
        int colour = 0;
        for (Condition c : dose.conditions()) {
            double[] t = new double[x.length];
            double[] o = new double[x.length];
            double[][] band = new double[4][x.length];
            for (int k = 0; k < x.length; k++) {
                t[k] = dose.macroRate(k, c, false);
                o[k] = dose.macroRate(k, c, true);
                for (int m = 0; m < 2; m++) {
                    Interval i = dose.macroInterval(k, c, m == 1);
                    band[2 * m][k] = i == null ? Double.NaN : i.lower();
                    band[2 * m + 1][k] = i == null ? Double.NaN : i.upper();
                }
                condition.add(c.id());
                doses.add(x[k]);
                target.add(t[k]);
                off.add(o[k]);
                for (double[] b : band) {
                    bounds.add(b[k]);
                }
            }
            java.awt.Color col = PaperStyle.PALETTE[colour++ % PaperStyle.PALETTE.length];
            band(chart, c.id() + " target 95%", x, band[0], band[1], col);
            band(chart, c.id() + " off-target 95%", x, band[2], band[3], col);
            lines.add(() -> line(chart, c.id() + " target", x, t, col, false));
            lines.add(() -> line(chart, c.id() + " off-target", x, o, col, true));
        }
        lines.forEach(Runnable::run);
        Table data = Table.create(ID, StringColumn.create("condition", condition),
                DoubleColumn.create("dose", doses.stream().mapToDouble(Double::doubleValue).toArray()),
                DoubleColumn.create("target_rate", target.stream().mapToDouble(Double::doubleValue).toArray()),
                column("target_lower", bounds, 0), column("target_upper", bounds, 1),
                DoubleColumn.create("off_target_rate", off.stream().mapToDouble(Double::doubleValue).toArray()),
                column("off_target_lower", bounds, 2), column("off_target_upper", bounds, 3));
        return new ChartFigure(ID, chart, data).write(dir);
    }

    private static DoubleColumn column(String name, List<Double> bounds, int which) {
        double[] v = new double[bounds.size() / 4];
        for (int r = 0; r < v.length; r++) {
            v[r] = bounds.get(r * 4 + which);
        }
        return DoubleColumn.create(name, v);
    }

    /** A filled polygon from the lower bounds left to right and back along the upper bounds; doses with no interval are skipped. */
    private static void band(XYChart chart, String name, double[] x, double[] lower, double[] upper, java.awt.Color colour) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (int k = 0; k < x.length; k++) {
            if (Double.isFinite(lower[k]) && Double.isFinite(upper[k])) {
                xs.add(x[k]);
                ys.add(lower[k]);
            }
        }
        if (xs.isEmpty()) {
            return;
        }
        for (int k = x.length - 1; k >= 0; k--) {
            if (Double.isFinite(lower[k]) && Double.isFinite(upper[k])) {
                xs.add(x[k]);
                ys.add(upper[k]);
            }
        }
        XYSeries s = chart.addSeries(name, xs, ys);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
        s.setFillColor(new java.awt.Color(colour.getRed(), colour.getGreen(), colour.getBlue(), 40));
        s.setLineColor(new java.awt.Color(0, 0, 0, 0));
        s.setMarker(SeriesMarkers.NONE);
        s.setShowInLegend(false);
    }

    private static void line(XYChart chart, String name, double[] x, double[] y, java.awt.Color colour, boolean dashed) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (int k = 0; k < x.length; k++) {
            if (!Double.isNaN(y[k])) { // a dose without units (no class present) is not drawn
                xs.add(x[k]);
                ys.add(y[k]);
            }
        }
        if (xs.isEmpty()) {
            return;
        }
        XYSeries s = chart.addSeries(name, xs, ys);
        s.setLineColor(colour);
        s.setMarkerColor(colour);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setLineStyle(dashed ? SeriesLines.DASH_DASH : SeriesLines.SOLID);
    }
}
