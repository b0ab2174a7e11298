package saelab.notebook;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import javax.imageio.ImageIO;
import org.knowm.xchart.internal.chartpart.Chart;
import tech.tablesaw.api.Table;
import tech.tablesaw.io.html.HtmlWriteOptions;

/**
 * Inline output for notebooks: one call shows a chart, an image, a table or HTML in whichever Java
 * kernel runs the notebook (rapaio, IJava, JJava), or prints a one-line summary outside a kernel.
 * Every method returns nothing, so a call as the last line of a cell adds no result line.
 */
public final class Show {

    /** Charts are drawn at this multiple of their point size for sharp inline PNGs. */
    static final double INLINE_SCALE = 1.5;
    /** Tables longer than this are shown head and tail only. */
    public static final int DEFAULT_MAX_ROWS = 20;

    private Show() {}

    /** Shows an XChart chart inline as PNG. */
    public static void chart(Chart<?, ?> chart) {
        BufferedImage img = render(chart, INLINE_SCALE);
        KernelDisplays.detect().display(MimeBundle.of("image/png", base64Png(img),
                "[chart '" + chart.getTitle() + "', " + chart.getWidth() + "x" + chart.getHeight() + "]"));
    }

    /** Shows an image inline as PNG. */
    public static void image(BufferedImage image) {
        KernelDisplays.detect().display(MimeBundle.of("image/png", base64Png(image),
                "[image " + image.getWidth() + "x" + image.getHeight() + "]"));
    }

    /** Shows a PNG file inline (for example a figure written earlier). */
    public static void png(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read image " + file, e);
        }
        KernelDisplays.detect().display(MimeBundle.of("image/png", Base64.getEncoder().encodeToString(bytes),
                "[image " + file + "]"));
    }

    /** Shows a Tablesaw table as HTML, the first and last rows only when it has more than {@value #DEFAULT_MAX_ROWS}. */
    public static void table(Table table) {
        table(table, DEFAULT_MAX_ROWS);
    }

    /** Shows a Tablesaw table as HTML, at most {@code maxRows} rows (head and tail). */
    public static void table(Table table, int maxRows) {
        if (maxRows < 1) {
            throw new IllegalArgumentException("maxRows must be at least 1, got " + maxRows);
        }
        Table shown = table;
        String note = "";
        if (table.rowCount() > maxRows) {
            int head = (maxRows + 1) / 2;
            shown = table.first(head).append(table.last(maxRows - head));
            note = "<p><i>" + table.rowCount() + " rows, " + maxRows + " shown (first " + head + ", last "
                    + (maxRows - head) + ")</i></p>";
        }
        ByteArrayOutputStream html = new ByteArrayOutputStream();
        shown.write().usingOptions(HtmlWriteOptions.builder(html).build());
        String caption = table.name() == null || table.name().isBlank() ? "" : "<p><b>" + escape(table.name()) + "</b></p>";
        KernelDisplays.detect().display(MimeBundle.of("text/html",
                caption + html.toString(java.nio.charset.StandardCharsets.UTF_8) + note, shown.printAll()));
    }

    /** Shows an HTML fragment. */
    public static void html(String html) {
        KernelDisplays.detect().display(MimeBundle.of("text/html", html, html.replaceAll("<[^>]*>", "")));
    }

    /** Shows Markdown text (rendered by the frontend). */
    public static void markdown(String markdown) {
        KernelDisplays.detect().display(MimeBundle.of("text/markdown", markdown, markdown));
    }

    /** Draws a chart into an image {@code scale} times its point size. */
    static BufferedImage render(Chart<?, ?> chart, double scale) {
        int w = (int) Math.round(chart.getWidth() * scale);
        int h = (int) Math.round(chart.getHeight() * scale);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.scale(scale, scale);
            chart.paint(g, chart.getWidth(), chart.getHeight());
        } finally {
            g.dispose();
        }
        return img;
    }

    static String base64Png(BufferedImage img) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, "png", out)) {
                throw new IllegalStateException("no PNG writer available in ImageIO");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Base64.getEncoder().encodeToString(out.toByteArray());
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
