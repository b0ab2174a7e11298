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
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The dose-response plot of a protocol run ({@code saelab control}): the macro target and off-target change rates
 * (the mean over classes) against the dose in units of the latent's maximum, the real edit and each control in one
 * colour, target solid and off-target dashed, on one plot. Written as {@code dose-response-macro.png/pdf/csv}; the
 * per-class numbers are in the run's {@code dose-response.csv}.
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
        int colour = 0;
        for (Condition c : dose.conditions()) {
            double[] t = new double[x.length];
            double[] o = new double[x.length];
            for (int k = 0; k < x.length; k++) {
                t[k] = dose.macroRate(k, c, false);
                o[k] = dose.macroRate(k, c, true);
                condition.add(c.id());
                doses.add(x[k]);
                target.add(t[k]);
                off.add(o[k]);
            }
            java.awt.Color col = PaperStyle.PALETTE[colour++ % PaperStyle.PALETTE.length];
            line(chart, c.id() + " target", x, t, col, false);
            line(chart, c.id() + " off-target", x, o, col, true);
        }
        Table data = Table.create(ID, StringColumn.create("condition", condition),
                DoubleColumn.create("dose", doses.stream().mapToDouble(Double::doubleValue).toArray()),
                DoubleColumn.create("target_rate", target.stream().mapToDouble(Double::doubleValue).toArray()),
                DoubleColumn.create("off_target_rate", off.stream().mapToDouble(Double::doubleValue).toArray()));
        return new ChartFigure(ID, chart, data).write(dir);
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
