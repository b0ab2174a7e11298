package saelab.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import saelab.plot.PaperStyle;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

class ShowTest {

    /** Keeps every bundle shown, in order. */
    static final class Capture implements KernelDisplay {
        final List<MimeBundle> bundles = new ArrayList<>();

        @Override
        public String name() {
            return "capture";
        }

        @Override
        public void display(MimeBundle bundle) {
            bundles.add(bundle);
        }

        MimeBundle only() {
            assertEquals(1, bundles.size(), "expected exactly one display");
            return bundles.get(0);
        }
    }

    Capture capture;

    @BeforeEach
    void captureDisplays() {
        capture = new Capture();
        KernelDisplays.use(capture);
    }

    @AfterEach
    void resetDetection() {
        KernelDisplays.use(null);
    }

    private static BufferedImage decodePng(String base64) throws IOException {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(base64)));
        assertNotNull(img, "not a decodable image");
        return img;
    }

    @Test
    void chartIsShownAsAPngOneAndAHalfTimesItsSize() throws IOException {
        XYChart chart = PaperStyle.xyChart("Inline", "x", "y", PaperStyle.SINGLE_COLUMN);
        chart.addSeries("s", new double[] {0, 1, 2}, new double[] {2, 0, 1});
        Show.chart(chart);
        MimeBundle b = capture.only();
        assertEquals(List.of("image/png", "text/plain"), List.copyOf(b.data().keySet()));
        BufferedImage img = decodePng(b.data().get("image/png"));
        assertEquals(540, img.getWidth());
        assertEquals(360, img.getHeight());
        assertTrue(b.plainText().contains("Inline"), b.plainText());
        assertTrue(b.plainText().contains("360x240"), b.plainText());
    }

    @Test
    void chartPixelsAreDrawn() throws IOException {
        XYChart chart = PaperStyle.xyChart("Drawn", "x", "y", new PaperStyle.Size(200, 100));
        chart.addSeries("s", new double[] {0, 1}, new double[] {0, 1});
        Show.chart(chart);
        BufferedImage img = decodePng(capture.only().data().get("image/png"));
        assertEquals(300, img.getWidth());
        assertEquals(150, img.getHeight());
        // the background is white (not the black of an undrawn TYPE_INT_RGB image)
        assertEquals(0xFFFFFF, img.getRGB(1, 1) & 0xFFFFFF);
    }

    @Test
    void imageIsShownAsPng() throws IOException {
        BufferedImage src = new BufferedImage(7, 3, BufferedImage.TYPE_INT_RGB);
        src.setRGB(2, 1, 0xFF0000);
        Show.image(src);
        MimeBundle b = capture.only();
        BufferedImage img = decodePng(b.data().get("image/png"));
        assertEquals(7, img.getWidth());
        assertEquals(3, img.getHeight());
        assertEquals(0xFF0000, img.getRGB(2, 1) & 0xFFFFFF);
        assertEquals("[image 7x3]", b.plainText());
    }

    @Test
    void pngFileIsShownByteForByte(@TempDir Path dir) throws IOException {
        BufferedImage src = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        Path file = dir.resolve("x.png");
        ImageIO.write(src, "png", file.toFile());
        Show.png(file);
        assertEquals(Base64.getEncoder().encodeToString(Files.readAllBytes(file)),
                capture.only().data().get("image/png"));
    }

    @Test
    void smallTableIsShownWholeAsHtml() {
        Table t = Table.create("", StringColumn.create("feature", "edge", "texture"),
                DoubleColumn.create("activation", 0.5, 1.25));
        Show.table(t);
        MimeBundle b = capture.only();
        String html = b.data().get("text/html");
        assertTrue(html.contains("feature"), html);
        assertTrue(html.contains("activation"), html);
        assertTrue(html.contains("texture"), html);
        assertFalse(html.contains(" rows, "), html);
        assertFalse(html.contains("<b>"), "no caption for an unnamed table: " + html);
        assertTrue(b.plainText().contains("feature"), b.plainText());
    }

    @Test
    void namedTableGetsAnEscapedCaption() {
        Table t = Table.create("a < b & c", IntColumn.create("n", 1, 2));
        Show.table(t);
        String html = capture.only().data().get("text/html");
        assertTrue(html.startsWith("<p><b>a &lt; b &amp; c</b></p>"), html);
    }

    @Test
    void longTableIsShownHeadAndTailWithANote() {
        Table t = Table.create("long", IntColumn.create("row", IntStream.range(0, 50).toArray()),
                IntColumn.create("square", IntStream.range(0, 50).map(i -> i * i).toArray()));
        Show.table(t);
        String html = capture.only().data().get("text/html");
        assertTrue(html.contains("row") && html.contains("square"), html);
        assertTrue(html.contains("50 rows"), html);
        assertTrue(html.contains("20 shown"), html);
        // first 10 and last 10 rows: 9*9=81 and 40*40=1600 shown, 20*20=400 left out
        assertTrue(html.contains(">81<"), html);
        assertTrue(html.contains(">1600<"), html);
        assertTrue(html.contains(">2401<"), html);
        assertFalse(html.contains(">400<"), html);
        assertFalse(html.contains(">100<"), html);
        assertEquals(50, t.rowCount(), "the caller's table is left alone");
    }

    @Test
    void maxRowsCanBeChosen() {
        Table t = Table.create("t", IntColumn.create("v", IntStream.range(100, 107).toArray()));
        Show.table(t, 3);
        String html = capture.only().data().get("text/html");
        assertTrue(html.contains("7 rows, 3 shown (first 2, last 1)"), html);
        assertTrue(html.contains(">100<") && html.contains(">101<") && html.contains(">106<"), html);
        assertFalse(html.contains(">102<") || html.contains(">105<"), html);
    }

    @Test
    void tableOfExactlyMaxRowsHasNoNote() {
        Table t = Table.create("t", IntColumn.create("v", IntStream.range(0, Show.DEFAULT_MAX_ROWS).toArray()));
        Show.table(t);
        assertFalse(capture.only().data().get("text/html").contains(" rows, "));
    }

    @Test
    void htmlIsShownWithATagFreeFallback() {
        Show.html("<p>Hello <b>world</b></p>");
        MimeBundle b = capture.only();
        assertEquals("<p>Hello <b>world</b></p>", b.data().get("text/html"));
        assertEquals("Hello world", b.plainText());
    }

    @Test
    void markdownIsShownAsMarkdown() {
        Show.markdown("## Result\n\n*F1* = 0.9");
        MimeBundle b = capture.only();
        assertEquals(List.of("text/markdown", "text/plain"), List.copyOf(b.data().keySet()));
        assertEquals("## Result\n\n*F1* = 0.9", b.data().get("text/markdown"));
        assertEquals("## Result\n\n*F1* = 0.9", b.plainText());
    }
}
