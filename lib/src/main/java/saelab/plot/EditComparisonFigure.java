package saelab.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
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
import saelab.io.CsvField;

/**
 * Several edits of one image side by side, all from the same clean prediction: the real edit and its controls, as the
 * paper's intervention figures show them. For a segmentation head: the image as the model saw it, the clean mask, and
 * each edit's mask (class colours at opacity 0.5 over the image as in {@link InterventionFigure}, classes named by a colour
 * word in that colour, the patches whose class
 * changed outlined in black, the edited patches marked by a white corner tick), with a legend of the classes and their
 * patch counts before and after each edit. For an image head (probe, zero-shot): the image, then the probabilities of
 * the top classes before and after each edit as grouped bars. The CSV holds the numbers drawn.
 */
public final class EditComparisonFigure {

    /**
     * One edit drawn.
     *
     * @param caption what the panel says, e.g. "real edit"
     * @param result  the edit's result
     */
    public record Panel(String caption, InterventionResult result) {}

    private static final int PAD = 8;
    private static final int CELL = 200;
    private static final int FONT = 12;
    private static final int LEGEND_ROWS = 7;
    private static final double ALPHA = 0.5;

    private final RgbImage image;
    private final String title;
    private final List<Panel> panels;
    private final int topK;

    /**
     * @param image  the model's view of the image ({@link ModelView})
     * @param title  text above the panels
     * @param panels the edits, at least one, all of the same image and head (the same clean prediction)
     * @param topK   classes drawn for an image head (the union of the top-k before and after each edit)
     * @throws IllegalArgumentException when there is no panel, top-k is below 1, or the panels' clean predictions differ
     */
    public EditComparisonFigure(RgbImage image, String title, List<Panel> panels, int topK) {
        if (panels == null || panels.isEmpty()) {
            throw new IllegalArgumentException("an edit comparison needs at least one edit");
        }
        if (topK < 1) {
            throw new IllegalArgumentException("top-k is " + topK + "; expected at least 1 class");
        }
        Prediction before = panels.getFirst().result().before();
        for (Panel p : panels) {
            if (!java.util.Arrays.equals(p.result().before().logits(), before.logits())) {
                throw new IllegalArgumentException("the edit '" + p.caption() + "' starts from another clean prediction; an edit comparison"
                        + " draws edits of one image under one head");
            }
        }
        this.image = image;
        this.title = title;
        this.panels = List.copyOf(panels);
        this.topK = topK;
    }

    private boolean segment() {
        return panels.getFirst().result().before().kind() == HeadKind.SEGMENT;
    }

    private InterventionResult first() {
        return panels.getFirst().result();
    }

    /** Canvas width in pixels (points in the PDF). */
    public int width() {
        return segment() ? PAD + (2 + panels.size()) * (CELL + PAD) : PAD + CELL + PAD + (1 + panels.size()) * CELL + PAD;
    }

    /** Canvas height. */
    public int height() {
        int h = 2 * PAD + FONT + FONT + 4 + CELL + PAD;
        return segment() ? h + LEGEND_ROWS * (FONT + 4) + PAD : h;
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
        panel(g, PAD, y, "image", InterventionFigure.toBuffered(image));
        if (segment()) {
            panel(g, PAD + CELL + PAD, y, "before", overlay(first().before().mask()));
            for (int i = 0; i < panels.size(); i++) {
                InterventionResult r = panels.get(i).result();
                int x = PAD + (2 + i) * (CELL + PAD);
                panel(g, x, y, panels.get(i).caption() + " (" + r.changedPatches() + " changed)", overlay(r.after().mask()));
                outline(g, x, y + FONT + 4, r);
            }
            legend(g, y + FONT + 4 + CELL + PAD);
        } else {
            AffineTransform t = g.getTransform();
            g.translate(PAD + CELL + PAD, y);
            bars().paint(g, (1 + panels.size()) * CELL, CELL + FONT + 4);
            g.setTransform(t);
        }
    }

    private void panel(Graphics2D g, int x, int y, String caption, BufferedImage img) {
        g.setColor(Color.BLACK);
        g.drawString(clip(caption, 34), x, y + FONT);
        g.drawImage(img, x, y + FONT + 4, CELL, CELL, null);
    }

    private BufferedImage overlay(int[] mask) {
        int gh = first().layout().gridH();
        int gw = first().layout().gridW();
        BufferedImage out = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_INT_RGB);
        for (int py = 0; py < image.height(); py++) {
            int gy = (int) ((long) py * gh / image.height());
            for (int px = 0; px < image.width(); px++) {
                int gx = (int) ((long) px * gw / image.width());
                int pixel = (image.get(py, px, 0) << 16) | (image.get(py, px, 1) << 8) | image.get(py, px, 2);
                out.setRGB(px, py, HeatmapOverlay.blend(colour(mask[gy * gw + gx]).getRGB() & 0xFFFFFF, pixel, ALPHA));
            }
        }
        return out;
    }

    /** Changed patches outlined in black; edited patches get a white tick in their top-left corner. */
    private void outline(Graphics2D g, int x0, int y0, InterventionResult r) {
        int gh = r.layout().gridH();
        int gw = r.layout().gridW();
        int first = r.layout().tokens() - r.layout().patches();
        int[] a = r.before().mask();
        int[] b = r.after().mask();
        g.setStroke(new BasicStroke(1.5f));
        for (int p = 0; p < a.length; p++) {
            int row = p / gw;
            int col = p % gw;
            int left = x0 + col * CELL / gw;
            int top = y0 + row * CELL / gh;
            int w = (col + 1) * CELL / gw - col * CELL / gw - 1;
            int h = (row + 1) * CELL / gh - row * CELL / gh - 1;
            if (a[p] != b[p]) {
                g.setColor(Color.BLACK);
                g.drawRect(left, top, w, h);
            }
            if (r.edited()[first + p]) {
                g.setColor(Color.WHITE);
                g.fillRect(left + 2, top + 2, Math.max(2, w / 5), Math.max(2, h / 5));
            }
        }
    }

    /** The classes of the legend: those present before or after any edit, most patches first, at most two columns. */
    private List<Integer> legendClasses() {
        List<Integer> present = presentClasses();
        return present.subList(0, Math.min(present.size(), 2 * LEGEND_ROWS));
    }

    /** Classes present before or after any edit, most patches first. */
    private List<Integer> presentClasses() {
        long[] total = first().before().classCounts().clone();
        for (Panel p : panels) {
            long[] n = p.result().after().classCounts();
            for (int c = 0; c < total.length; c++) {
                total[c] += n[c];
            }
        }
        List<Integer> present = new ArrayList<>();
        for (int c = 0; c < total.length; c++) {
            if (total[c] > 0) {
                present.add(c);
            }
        }
        present.sort((p, q) -> Long.compare(total[q], total[p]));
        return present;
    }

    private void legend(Graphics2D g, int y0) {
        List<Integer> shown = legendClasses();
        for (int i = 0; i < shown.size(); i++) {
            int c = shown.get(i);
            int x = PAD + (i / LEGEND_ROWS) * 2 * (CELL + PAD);
            int y = y0 + (i % LEGEND_ROWS) * (FONT + 4);
            g.setColor(colour(c));
            g.fillRect(x, y, FONT, FONT);
            g.setColor(Color.BLACK);
            StringBuilder s = new StringBuilder(clip(first().classes().get(c), 18)).append("  ").append(first().before().classCounts()[c]);
            for (Panel p : panels) {
                s.append(" → ").append(p.result().after().classCounts()[c]);
            }
            g.drawString(s.toString(), x + FONT + 4, y + FONT - 1);
        }
        g.drawString("patches: before → " + String.join(" → ", panels.stream().map(Panel::caption).toList())
                + "; outlined: changed; white tick: edited", PAD, y0 + LEGEND_ROWS * (FONT + 4) + FONT / 2);
    }

    /** The union of the top-k before and after each edit, in the order of the clean ranking. */
    private List<Integer> barClasses() {
        Set<Integer> s = new LinkedHashSet<>();
        first().before().top(topK, null).forEach(c -> s.add(c.index()));
        for (Panel p : panels) {
            p.result().after().top(topK, null).forEach(c -> s.add(c.index()));
        }
        return new ArrayList<>(s);
    }

    private CategoryChart bars() {
        List<Integer> cls = barClasses();
        List<String> names = new ArrayList<>();
        for (int c : cls) {
            String n = clip(first().classes().get(c), 18);
            names.add(names.contains(n) ? n + " #" + c : n);
        }
        CategoryChart chart = PaperStyle.barChart("top classes before and after each edit", "class", "probability",
                new PaperStyle.Size((1 + panels.size()) * CELL, CELL + FONT + 4));
        chart.getStyler().setXAxisLabelRotation(cls.size() > 4 ? 45 : 0);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(1.0);
        chart.addSeries("before", names, cls.stream().map(c -> first().before().probability(c)).toList());
        for (Panel p : panels) {
            chart.addSeries("after: " + p.caption(), names, cls.stream().map(c -> p.result().after().probability(c)).toList());
        }
        return chart;
    }

    /**
     * The numbers drawn: per class, the patches (segmentation) or probability (image heads) before and after each edit,
     * one column per edit named by its caption.
     */
    public String csv() {
        StringBuilder sb = new StringBuilder("class,name,").append(segment() ? "patches_before" : "probability_before");
        for (Panel p : panels) {
            sb.append(',').append(CsvField.of((segment() ? "patches_after " : "probability_after ") + p.caption()));
        }
        sb.append('\n');
        List<Integer> rows = segment() ? presentClasses().stream().sorted().toList() : barClasses();
        for (int c : rows) {
            sb.append(c).append(',').append(CsvField.of(first().classes().get(c)));
            if (segment()) {
                sb.append(',').append(first().before().classCounts()[c]);
                panels.forEach(p -> sb.append(',').append(p.result().after().classCounts()[c]));
            } else {
                sb.append(String.format(Locale.ROOT, ",%.6f", first().before().probability(c)));
                panels.forEach(p -> sb.append(String.format(Locale.ROOT, ",%.6f", p.result().after().probability(c))));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /**
     * The overlay colour of class c: a class named by a basic colour word (red, green, blue, yellow, purple, orange, as the
     * toy world's colour classes are) is drawn in that colour, a class named "background" in light grey, any other in the
     * colours of {@link InterventionFigure#classColour}.
     */
    private Color colour(int c) {
        Color named = NAMED.get(first().classes().get(c).strip().toLowerCase(Locale.ROOT));
        return named != null ? named : InterventionFigure.classColour(c);
    }

    private static final java.util.Map<String, Color> NAMED = java.util.Map.of("background", new Color(0xDDDDDD), "red", new Color(0xD62728),
            "green", new Color(0x2CA02C), "blue", new Color(0x1F77B4), "yellow", new Color(0xF5D800), "purple", new Color(0x9467BD),
            "orange", new Color(0xFF7F0E));

    private static String clip(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }
}
