package saelab.plot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.ChartEncoder;
import org.knowm.xchart.internal.chartpart.Chart;
import saelab.io.AtomicFiles;
import tech.tablesaw.api.Table;
import tech.tablesaw.io.html.HtmlWriteOptions;

/**
 * Writes a registered figure or table to its files: PNG (raster, {@link PaperStyle#PNG_DPI} dpi),
 * PDF and SVG (vector) from an XChart chart, CSV (and HTML for tables) from a Tablesaw table of the
 * numbers shown. Every file is written atomically.
 */
public final class FigureExporter {

    private FigureExporter() {}

    /**
     * Writes a figure: its chart to the image outputs and {@code data} (the plotted numbers) to CSV.
     *
     * @param dir the profile's figure folder, created if missing
     * @return the files written, in the order of the spec's outputs
     */
    public static List<Path> writeFigure(FigureSpec spec, Chart<?, ?> chart, Table data, Path dir) throws IOException {
        if (!spec.isFigure()) {
            throw new IllegalArgumentException("'" + spec.id() + "' is registered as a " + spec.kind()
                    + ", not a figure; write it with writeTable");
        }
        requireData(spec, data);
        List<Path> written = new ArrayList<>();
        for (Path target : spec.files(dir)) {
            String ext = extension(target);
            switch (ext) {
                case "png", "pdf", "svg" -> writeImage(chart, target, ext);
                case "csv" -> writeCsv(data, target);
                default -> throw new IllegalStateException("unhandled output '" + ext + "' of " + spec.id());
            }
            requireNonEmpty(target, ext);
            written.add(target);
        }
        return written;
    }

    /**
     * Writes a chart's images only, {@code <id>.png} (300 dpi) and {@code <id>.pdf}, into {@code dir}: for a
     * chart whose numbers are already in a CSV of their own beside it (e.g. {@code density.csv}).
     *
     * @return the two files
     */
    public static List<Path> writeImages(Chart<?, ?> chart, String id, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        for (String ext : List.of("png", "pdf")) {
            Path target = dir.resolve(id + "." + ext);
            writeImage(chart, target, ext);
            requireNonEmpty(target, ext);
            written.add(target);
        }
        return written;
    }

    private static void writeImage(Chart<?, ?> chart, Path target, String ext) throws IOException {
        if (ext.equals("png")) {
            AtomicFiles.writeVia(target, temp ->
                    BitmapEncoder.saveBitmapWithDPI(chart, temp.toString(), BitmapEncoder.BitmapFormat.PNG, PaperStyle.PNG_DPI));
        } else {
            AtomicFiles.write(target, out -> ChartEncoder.saveChart(chart, out, ext));
        }
    }

    /** Writes a registered table to CSV (and HTML when listed). */
    public static List<Path> writeTable(FigureSpec spec, Table data, Path dir) throws IOException {
        if (spec.isFigure()) {
            throw new IllegalArgumentException("'" + spec.id() + "' is registered as a figure; write it with writeFigure");
        }
        requireData(spec, data);
        List<Path> written = new ArrayList<>();
        for (Path target : spec.files(dir)) {
            switch (extension(target)) {
                case "csv" -> writeCsv(data, target);
                case "html" -> AtomicFiles.write(target, out -> data.write().usingOptions(HtmlWriteOptions.builder(out).build()));
                default -> throw new IllegalStateException("unhandled output of " + spec.id() + ": " + target);
            }
            written.add(target);
        }
        return written;
    }

    private static void writeCsv(Table data, Path target) throws IOException {
        AtomicFiles.write(target, out -> data.write().csv(out));
    }

    private static void requireData(FigureSpec spec, Table data) {
        if (data == null || data.columnCount() == 0) {
            throw new IllegalArgumentException(spec.kind() + " '" + spec.id()
                    + "' needs a table of the plotted numbers for its CSV, got " + (data == null ? "null" : "an empty table"));
        }
    }

    private static void requireNonEmpty(Path file, String ext) throws IOException {
        if (Files.size(file) == 0) {
            throw new IOException("the " + ext + " export wrote an empty file " + file
                    + "; XChart needs VectorGraphics2D (svg) and pdfbox-graphics2d (pdf) on the classpath");
        }
    }

    private static String extension(Path p) {
        String n = p.getFileName().toString();
        return n.substring(n.lastIndexOf('.') + 1);
    }
}
