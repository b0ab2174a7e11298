package saelab.toy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import saelab.io.AtomicFiles;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;

/**
 * The training curve of a toy backbone: one row per step (0-based step, loss, learning rate, images per second
 * of that step), written atomically as {@code training-curve.csv}. The toy package draws no chart: the notebook
 * side plots the CSV ({@code saelab.notebook.Demo#backboneCurves}).
 */
final class TrainingCurve {

    /** The file stem of the curve's files. */
    static final String ID = "training-curve";

    private final List<double[]> rows = new ArrayList<>();

    /** Adds a step. */
    void add(int step, double loss, double lr, double imagesPerSecond) {
        rows.add(new double[] {step, loss, lr, imagesPerSecond});
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
     * Writes {@code training-curve.csv} into {@code dir} (created if needed).
     *
     * @return the CSV file
     */
    Path writeCsv(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path csv = dir.resolve(ID + ".csv");
        Table t = table();
        AtomicFiles.write(csv, out -> t.write().csv(out));
        return csv;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "TrainingCurve[%d steps]", rows.size());
    }
}
