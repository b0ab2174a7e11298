package saelab.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.knowm.xchart.CategoryChart;
import saelab.heads.HeadKind;
import saelab.image.RgbImage;
import saelab.intervene.InterventionResult;
import saelab.intervene.Prediction;
import saelab.io.AtomicFiles;
import saelab.io.CsvField;

/**
 * The figure of one image's intervention ({@code intervene.png/pdf/csv}): the image as the model saw it, then for a
 * segmentation head the predicted mask before and after as coloured overlays (opacity 0.5, one colour per class,
 * nearest-neighbour upsampling of the patch grid as in {@link HeatmapOverlay}), the patches whose class changed
 * outlined in black, and a legend of the classes shown; for an image head (classification, zero-shot) the
 * probabilities of the top classes before and after as bars side by side. The CSV holds the numbers drawn.
 */
public final class InterventionFigure {

    private static final int PAD = 8;
    private static final int CELL = 224;
    private static final int FONT = 12;
    private static final int LEGEND_ROWS = 6;
    private static final double ALPHA = 0.5;

    private final RgbImage image;
    private final InterventionResult result;
    private final String title;
    private final int topK;

    /**
     * @param image  the model's view of the image (resized and cropped, see {@link ModelView})
     * @param result the intervention
     * @param title  text above the panels
     * @param topK   classes drawn for an image head (the union of the top-k before and after)
     */
    public InterventionFigure(RgbImage image, InterventionResult result, String title, int topK) {
        if (topK < 1) {
            throw new IllegalArgumentException("top-k is " + topK + "; expected at least 1 class");
        }
        this.image = image;
        this.result = result;
        this.title = title;
        this.topK = topK;
    }

    private boolean segment() {
        return result.before().kind() == HeadKind.SEGMENT;
    }

    /** Canvas width in pixels (points in the PDF). */
    public int width() {
        return segment() ? PAD + 3 * (CELL + PAD) : PAD + CELL + PAD + 2 * CELL + PAD;
    }

    /** Canvas height. */
    public int height() {
        int h = 2 * PAD + FONT + FONT + 4 + CELL + PAD;
        return segment() ? h + LEGEND_ROWS * (FONT + 4) + PAD : h;
    }

    /** The colour of class {@code c}: the paper palette for the first eight, then hues spaced by the golden angle. */
    public static Color classColour(int c) {
        if (c < PaperStyle.PALETTE.length) {
            return PaperStyle.PALETTE[c];
        }
        float hue = (float) ((c * 0.618033988749895) % 1.0);
        return Color.getHSBColor(hue, 0.65f, 0.9f);
    }

    /** Draws the figure on a canvas of {@link #width()} × {@link #height()}. */
    public void paint(Graphics2D g) {
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width(), height());
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, FONT));
        g.drawString(title, PAD, PAD + FONT);
        int y = 2 * PAD + FONT;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, FONT));
        panel(g, PAD, y, "image", toBuffered(image));
        if (segment()) {
            panel(g, PAD + CELL + PAD, y, "before", overlay(result.before().mask()));
            int ax = PAD + 2 * (CELL + PAD);
            panel(g, ax, y, "after (" + result.changedPatches() + " patches changed)", overlay(result.after().mask()));
            outlineChanged(g, ax, y + FONT + 4);
            legend(g, y + FONT + 4 + CELL + PAD);
        } else {
            CategoryChart chart = bars();
            AffineTransform t = g.getTransform();
            g.translate(PAD + CELL + PAD, y);
            chart.paint(g, 2 * CELL, CELL + FONT + 4);
            g.setTransform(t);
        }
    }

    private void panel(Graphics2D g, int x, int y, String caption, BufferedImage img) {
        g.setColor(Color.BLACK);
        g.drawString(caption, x, y + FONT);
        g.drawImage(img, x, y + FONT + 4, CELL, CELL, null);
    }

    /** The image with each patch's class colour blended over it. */
    private BufferedImage overlay(int[] mask) {
        int gh = result.layout().gridH();
        int gw = result.layout().gridW();
        BufferedImage out = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_INT_RGB);
        for (int py = 0; py < image.height(); py++) {
            int gy = (int) ((long) py * gh / image.height());
            for (int px = 0; px < image.width(); px++) {
                int gx = (int) ((long) px * gw / image.width());
                int pixel = (image.get(py, px, 0) << 16) | (image.get(py, px, 1) << 8) | image.get(py, px, 2);
                out.setRGB(px, py, HeatmapOverlay.blend(classColour(mask[gy * gw + gx]).getRGB() & 0xFFFFFF, pixel, ALPHA));
            }
        }
        return out;
    }

    private void outlineChanged(Graphics2D g, int x0, int y0) {
        int gh = result.layout().gridH();
        int gw = result.layout().gridW();
        int[] a = result.before().mask();
        int[] b = result.after().mask();
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1.5f));
        for (int p = 0; p < a.length; p++) {
            if (a[p] != b[p]) {
                int r = p / gw;
                int c = p % gw;
                int left = x0 + c * CELL / gw;
                int top = y0 + r * CELL / gh;
                g.drawRect(left, top, (c + 1) * CELL / gw - c * CELL / gw - 1, (r + 1) * CELL / gh - r * CELL / gh - 1);
            }
        }
    }

    /** The classes of the legend: those present before or after, most patches first, at most three columns of rows. */
    private List<Integer> legendClasses() {
        long[] before = result.before().classCounts();
        long[] after = result.after().classCounts();
        List<Integer> present = new ArrayList<>();
        for (int c = 0; c < before.length; c++) {
            if (before[c] + after[c] > 0) {
                present.add(c);
            }
        }
        present.sort((p, q) -> Long.compare(before[q] + after[q], before[p] + after[p]));
        return present.subList(0, Math.min(present.size(), 3 * LEGEND_ROWS));
    }

    private void legend(Graphics2D g, int y0) {
        List<Integer> shown = legendClasses();
        long[] before = result.before().classCounts();
        long[] after = result.after().classCounts();
        for (int i = 0; i < shown.size(); i++) {
            int c = shown.get(i);
            int x = PAD + (i / LEGEND_ROWS) * (CELL + PAD);
            int y = y0 + (i % LEGEND_ROWS) * (FONT + 4);
            g.setColor(classColour(c));
            g.fillRect(x, y, FONT, FONT);
            g.setColor(Color.BLACK);
            g.drawString(clip(result.classes().get(c), 22) + "  " + before[c] + " → " + after[c], x + FONT + 4, y + FONT - 1);
        }
    }

    /** The classes drawn as bars: the union of the top-k before and after, in the order of the clean ranking. */
    private List<Integer> barClasses() {
        Set<Integer> s = new LinkedHashSet<>();
        for (Prediction.ClassScore c : result.before().top(topK, null)) {
            s.add(c.index());
        }
        for (Prediction.ClassScore c : result.after().top(topK, null)) {
            s.add(c.index());
        }
        return new ArrayList<>(s);
    }

    private CategoryChart bars() {
        List<Integer> cls = barClasses();
        List<String> names = new ArrayList<>();
        List<Double> before = new ArrayList<>();
        List<Double> after = new ArrayList<>();
        for (int c : cls) {
            names.add(clip(result.classes().get(c), 18) + (names.contains(clip(result.classes().get(c), 18)) ? " #" + c : ""));
            before.add(result.before().probability(c));
            after.add(result.after().probability(c));
        }
        CategoryChart chart = PaperStyle.barChart("top classes before and after the edit", "class", "probability",
                new PaperStyle.Size(2 * CELL, CELL + FONT + 4));
        chart.getStyler().setXAxisLabelRotation(cls.size() > 4 ? 45 : 0);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(1.0);
        chart.addSeries("before", names, before);
        chart.addSeries("after", names, after);
        return chart;
    }

    /** The numbers drawn: per class, patches (segmentation) or probabilities (image heads) before and after. */
    public String csv() {
        StringBuilder sb = new StringBuilder();
        if (segment()) {
            sb.append("class,name,patches_before,patches_after\n");
            long[] before = result.before().classCounts();
            long[] after = result.after().classCounts();
            for (int c = 0; c < before.length; c++) {
                if (before[c] + after[c] > 0) {
                    sb.append(c).append(',').append(CsvField.of(result.classes().get(c))).append(',').append(before[c]).append(',').append(after[c])
                            .append('\n');
                }
            }
        } else {
            sb.append("class,name,probability_before,probability_after\n");
            for (int c : barClasses()) {
                sb.append(c).append(',').append(CsvField.of(result.classes().get(c))).append(',')
                        .append(String.format(Locale.ROOT, "%.6f,%.6f", result.before().probability(c), result.after().probability(c))).append('\n');
            }
        }
        return sb.toString();
    }

    /** Writes {@code <dir>/<id>.png}, {@code .pdf} and {@code .csv}, each atomically; returns them. */
    public List<Path> write(Path dir, String id) throws IOException {
        Path png = dir.resolve(id + ".png");
        Path pdf = dir.resolve(id + ".pdf");
        Path csv = dir.resolve(id + ".csv");
        RasterFigures.writePng(png, RasterFigures.render(width(), height(), this::paint));
        RasterFigures.writePdf(pdf, width(), height(), this::paint);
        AtomicFiles.writeString(csv, csv());
        return List.of(png, pdf, csv);
    }

    /** An RGB image as a {@link BufferedImage} (for showing it inline). */
    public static BufferedImage toBuffered(RgbImage im) {
        BufferedImage b = new BufferedImage(im.width(), im.height(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < im.height(); y++) {
            for (int x = 0; x < im.width(); x++) {
                b.setRGB(x, y, (im.get(y, x, 0) << 16) | (im.get(y, x, 1) << 8) | im.get(y, x, 2));
            }
        }
        return b;
    }

    private static String clip(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }
}
