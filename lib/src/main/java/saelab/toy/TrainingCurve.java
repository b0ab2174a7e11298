package saelab.toy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import saelab.plot.ChartFigure;
import saelab.plot.PaperStyle;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;

/**
 * The training curve of a toy backbone: one row per step (0-based step, loss, learning rate, images per second
 * of that step), written as {@code training-curve.csv} with its plot {@code training-curve.png} (300 dpi) and
 * {@code .pdf} through {@link ChartFigure}, each file atomically.
 */
final class TrainingCurve {

    /** The file stem of the curve's files. */
    static final String ID = "training-curve";

    private final List<double[]> rows = new ArrayList<>();

    /** Adds a step. */
    void add(int step, double loss, double lr, double imagesPerSecond) {
        rows.add(new double[] {step, loss, lr, imagesPerSecond});
    }

    /** The losses, in step order. */
    double[] losses() {
        return rows.stream().mapToDouble(r -> r[1]).toArray();
    }

    /** The mean loss of the last {@code fraction} of the steps (at least one). */
    double tailMean(double fraction) {
        int n = Math.max(1, (int) Math.round(rows.size() * fraction));
        double sum = 0;
        for (int i = rows.size() - n; i < rows.size(); i++) {
            sum += rows.get(i)[1];
        }
        return sum / n;
    }

    /** The numbers as a table (columns step, loss, lr, images_per_s). */
    Table table() {
        int[] step = rows.stream().mapToInt(r -> (int) r[0]).toArray();
        return Table.create(ID, IntColumn.create("step", step),
                DoubleColumn.create("loss", rows.stream().mapToDouble(r -> r[1]).toArray()),
                DoubleColumn.create("lr", rows.stream().mapToDouble(r -> r[2]).toArray()),
                DoubleColumn.create("images_per_s", rows.stream().mapToDouble(r -> r[3]).toArray()));
    }

    /**
     * Writes {@code training-curve.{png,pdf,csv}} into {@code dir}.
     *
     * @param title the plot title, e.g. "toy CLIP: contrastive loss"
     * @return the CSV file
     */
    Path write(Path dir, String title, String lossName) throws IOException {
        double[] x = rows.stream().mapToDouble(r -> r[0]).toArray();
        double[] y = losses();
        XYChart chart = PaperStyle.xyChart(title, "step", lossName, PaperStyle.SINGLE_COLUMN);
        chart.getStyler().setLegendVisible(false);
        XYSeries s = chart.addSeries("loss", x, y);
        s.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        new ChartFigure(ID, chart, table()).write(dir);
        return dir.resolve(ID + ".csv");
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "TrainingCurve[%d steps]", rows.size());
    }
}
