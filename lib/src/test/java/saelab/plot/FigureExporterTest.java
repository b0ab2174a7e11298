package saelab.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

class FigureExporterTest {

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    @TempDir
    Path dir;

    private static FigureSpec figure(String id, String... outputs) {
        return new FigureSpec(id, "figure", "Test section", "00-walkthrough.ipynb", "A test figure", List.of(outputs));
    }

    private static FigureSpec table(String id, String... outputs) {
        return new FigureSpec(id, "table", "Test section", "00-walkthrough.ipynb", "A test table", List.of(outputs));
    }

    private static double[] xs() {
        return new double[] {1, 2, 3, 4, 5};
    }

    private static XYChart chart(PaperStyle.Size size) {
        XYChart chart = PaperStyle.xyChart("Two series", "x", "y", size);
        chart.addSeries("squares", xs(), Arrays.stream(xs()).map(v -> v * v).toArray());
        chart.addSeries("doubles", xs(), Arrays.stream(xs()).map(v -> 2 * v).toArray());
        return chart;
    }

    private static Table data() {
        return Table.create("plotted",
                DoubleColumn.create("x", xs()),
                DoubleColumn.create("squares", Arrays.stream(xs()).map(v -> v * v).toArray()),
                DoubleColumn.create("doubles", Arrays.stream(xs()).map(v -> 2 * v).toArray()));
    }

    private static long countFiles(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(folder)) {
            return s.count();
        }
    }

    private static byte[] head(Path file, int n) throws IOException {
        byte[] all = Files.readAllBytes(file);
        return Arrays.copyOf(all, Math.min(n, all.length));
    }

    @Test
    void writesPngPdfAndCsvOfAFigure() throws IOException {
        Path out = dir.resolve("figures").resolve("demo"); // created by the exporter
        FigureSpec spec = figure("two-series", "png", "pdf", "csv");
        XYChart chart = chart(PaperStyle.SINGLE_COLUMN);

        List<Path> written = FigureExporter.writeFigure(spec, chart, data(), out);

        assertEquals(List.of(out.resolve("two-series.png"), out.resolve("two-series.pdf"), out.resolve("two-series.csv")),
                written);

        Path png = written.get(0);
        assertArrayEquals(PNG_SIGNATURE, head(png, 8));
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img, "the PNG does not decode");
        int expectedW = (int) Math.round(chart.getWidth() * PaperStyle.PNG_DPI / 72.0);
        int expectedH = (int) Math.round(chart.getHeight() * PaperStyle.PNG_DPI / 72.0);
        assertTrue(Math.abs(img.getWidth() - expectedW) <= 1, "width " + img.getWidth() + " vs " + expectedW);
        assertTrue(Math.abs(img.getHeight() - expectedH) <= 1, "height " + img.getHeight() + " vs " + expectedH);

        Path pdf = written.get(1);
        assertEquals("%PDF", new String(head(pdf, 4), StandardCharsets.US_ASCII));
        assertTrue(Files.size(pdf) > 500);

        List<String> csv = Files.readAllLines(written.get(2));
        assertEquals("x,squares,doubles", csv.get(0));
        assertEquals(1 + 5, csv.size());
        assertEquals("3.0,9.0,6.0", csv.get(3));

        assertEquals(3, countFiles(out), "only the three outputs, no temp files");
    }

    @Test
    void pngScalesWithTheChartSize() throws IOException {
        FigureSpec spec = figure("wide", "png", "pdf", "csv");
        XYChart chart = chart(PaperStyle.DOUBLE_COLUMN);
        FigureExporter.writeFigure(spec, chart, data(), dir);
        BufferedImage img = ImageIO.read(dir.resolve("wide.png").toFile());
        assertTrue(Math.abs(img.getWidth() - Math.round(740 * 300 / 72.0)) <= 1, "width " + img.getWidth());
        assertTrue(Math.abs(img.getHeight() - Math.round(280 * 300 / 72.0)) <= 1, "height " + img.getHeight());
    }

    @Test
    void writesSvgWhenListed() throws IOException {
        FigureSpec spec = figure("vector", "csv", "svg", "pdf", "png");
        List<Path> written = FigureExporter.writeFigure(spec, chart(PaperStyle.SINGLE_COLUMN), data(), dir);
        assertEquals(List.of(dir.resolve("vector.csv"), dir.resolve("vector.svg"), dir.resolve("vector.pdf"),
                dir.resolve("vector.png")), written);
        String svg = Files.readString(dir.resolve("vector.svg"));
        assertTrue(svg.contains("<svg"), svg.substring(0, Math.min(200, svg.length())));
    }

    @Test
    void rewritingAFigureReplacesItsFiles() throws IOException {
        FigureSpec spec = figure("again", "png", "pdf", "csv");
        FigureExporter.writeFigure(spec, chart(PaperStyle.SINGLE_COLUMN), data(), dir);
        Table fewer = Table.create("fewer", DoubleColumn.create("x", 1.0, 2.0), DoubleColumn.create("y", 3.0, 4.0));
        FigureExporter.writeFigure(spec, chart(PaperStyle.SINGLE_COLUMN), fewer, dir);
        assertEquals(List.of("x,y", "1.0,3.0", "2.0,4.0"), Files.readAllLines(dir.resolve("again.csv")));
        assertEquals(3, countFiles(dir));
    }

    @Test
    void writesCsvAndHtmlOfATable() throws IOException {
        FigureSpec spec = table("sizes", "csv", "html");
        Table t = Table.create("sizes",
                StringColumn.create("dataset", "train", "test"),
                DoubleColumn.create("images", 1000.0, 250.0));
        List<Path> written = FigureExporter.writeTable(spec, t, dir);
        assertEquals(List.of(dir.resolve("sizes.csv"), dir.resolve("sizes.html")), written);
        assertEquals(List.of("dataset,images", "train,1000.0", "test,250.0"), Files.readAllLines(written.get(0)));
        String html = Files.readString(written.get(1));
        assertTrue(html.contains("<table"), html);
        assertTrue(html.contains("dataset") && html.contains("images"), html);
        assertTrue(html.contains("train") && html.contains("test"), html);
    }

    @Test
    void tableWithCsvOnlyWritesOneFile() throws IOException {
        List<Path> written = FigureExporter.writeTable(table("plain", "csv"), data(), dir);
        assertEquals(List.of(dir.resolve("plain.csv")), written);
        assertEquals(1, countFiles(dir));
    }

    @Test
    void figureWithoutDataIsRejectedBeforeWriting() throws IOException {
        FigureSpec spec = figure("no-data", "png", "pdf", "csv");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FigureExporter.writeFigure(spec, chart(PaperStyle.SINGLE_COLUMN), null, dir));
        assertTrue(e.getMessage().contains("no-data"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> FigureExporter.writeFigure(spec, chart(PaperStyle.SINGLE_COLUMN), Table.create("empty"), dir));
        assertEquals(0, countFiles(dir));
    }

    @Test
    void tableWithoutDataIsRejected() throws IOException {
        assertThrows(IllegalArgumentException.class, () -> FigureExporter.writeTable(table("t", "csv"), null, dir));
        assertEquals(0, countFiles(dir));
    }

    @Test
    void tableSpecCannotBeWrittenAsAFigure() throws IOException {
        FigureSpec spec = table("a-table", "csv", "html");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FigureExporter.writeFigure(spec, chart(PaperStyle.SINGLE_COLUMN), data(), dir));
        assertTrue(e.getMessage().contains("a-table"), e.getMessage());
        assertTrue(e.getMessage().contains("writeTable"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("a-table.csv")));
    }

    @Test
    void figureSpecCannotBeWrittenAsATable() throws IOException {
        FigureSpec spec = figure("a-figure", "png", "pdf", "csv");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FigureExporter.writeTable(spec, data(), dir));
        assertTrue(e.getMessage().contains("writeFigure"), e.getMessage());
        assertEquals(0, countFiles(dir));
    }

    @Test
    void barChartInPaperStyleExports() throws IOException {
        var bars = PaperStyle.barChart("Bars", "group", "count", PaperStyle.SINGLE_COLUMN);
        bars.addSeries("n", List.of("a", "b", "c"), List.of(3, 5, 2));
        Table t = Table.create("bars", StringColumn.create("group", "a", "b", "c"), DoubleColumn.create("n", 3.0, 5.0, 2.0));
        List<Path> written = FigureExporter.writeFigure(figure("bars", "png", "pdf", "csv"), bars, t, dir);
        for (Path p : written) {
            assertTrue(Files.size(p) > 0, p.toString());
        }
        assertArrayEquals(PNG_SIGNATURE, head(written.get(0), 8));
    }
}
