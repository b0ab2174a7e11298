package saelab.plot;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import saelab.image.RgbImage;
import saelab.io.AtomicFiles;
import saelab.io.CsvField;

/**
 * A grid of images, each with up to two caption lines under it (e.g. example images of a dataset with their
 * labels), drawn pixel-exact (nearest-neighbour upscaling) in the paper style and written as PNG, vector PDF
 * and a CSV of the captions.
 */
public final class ImageGrid {

    /** One image and its caption lines (at most two are drawn; longer lines are cut with an ellipsis). */
    public record Cell(RgbImage image, String line1, String line2) {}

    private static final int PAD = 6;
    private final String title;
    private final List<Cell> cells;
    private final int columns;
    private final int cellSize;
    private final int fontSize;

    /**
     * @param title    text above the grid
     * @param cells    the images, drawn row by row
     * @param columns  images per row
     * @param cellSize side of each drawn image in pixels (images are scaled to it)
     */
    public ImageGrid(String title, List<Cell> cells, int columns, int cellSize) {
        if (cells.isEmpty() || columns < 1 || cellSize < 8) {
            throw new IllegalArgumentException("image grid: need at least one image, columns >= 1 and cell size >= 8; got "
                    + cells.size() + " images, " + columns + " columns, cell " + cellSize);
        }
        this.title = title;
        this.cells = List.copyOf(cells);
        this.columns = Math.min(columns, cells.size());
        this.cellSize = cellSize;
        this.fontSize = Math.max(9, cellSize / 11);
    }

    private int rows() {
        return (cells.size() + columns - 1) / columns;
    }

    private int cellHeight() {
        return cellSize + 2 * fontSize + 6;
    }

    /** Canvas width in pixels. */
    public int width() {
        return PAD + columns * (cellSize + PAD);
    }

    /** Canvas height in pixels. */
    public int height() {
        return 2 * PAD + fontSize + rows() * (cellHeight() + PAD);
    }

    /** Draws the grid on a canvas of {@link #width()} × {@link #height()}. */
    public void paint(Graphics2D g) {
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width(), height());
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, fontSize));
        g.drawString(title, PAD, PAD + fontSize);
        Font small = new Font(Font.SANS_SERIF, Font.PLAIN, fontSize);
        for (int i = 0; i < cells.size(); i++) {
            Cell c = cells.get(i);
            int x = PAD + (i % columns) * (cellSize + PAD);
            int y = 2 * PAD + fontSize + (i / columns) * (cellHeight() + PAD);
            g.drawImage(toBuffered(c.image()), x, y, cellSize, cellSize, null);
            g.setColor(Color.BLACK);
            g.setFont(small);
            FontMetrics fm = g.getFontMetrics();
            g.drawString(fit(c.line1(), fm, cellSize), x, y + cellSize + fontSize + 2);
            g.drawString(fit(c.line2(), fm, cellSize), x, y + cellSize + 2 * fontSize + 4);
        }
    }

    /** The grid as an image (what the PNG holds). */
    public BufferedImage render() {
        return RasterFigures.render(width(), height(), this::paint);
    }

    /** The captions as CSV: {@code cell,line1,line2}. */
    public String csv() {
        StringBuilder sb = new StringBuilder("cell,line1,line2\n");
        for (int i = 0; i < cells.size(); i++) {
            sb.append(i).append(',').append(CsvField.of(cells.get(i).line1())).append(',').append(CsvField.of(cells.get(i).line2())).append('\n');
        }
        return sb.toString();
    }

    /** Writes {@code <dir>/<id>.png}, {@code .pdf} and {@code .csv}; returns them. */
    public List<Path> write(Path dir, String id) throws IOException {
        Path png = dir.resolve(id + ".png");
        Path pdf = dir.resolve(id + ".pdf");
        Path csv = dir.resolve(id + ".csv");
        RasterFigures.writePng(png, render());
        RasterFigures.writePdf(pdf, width(), height(), this::paint);
        AtomicFiles.writeString(csv, csv());
        return new ArrayList<>(List.of(png, pdf, csv));
    }

    /** An image as a Java2D image (TYPE_INT_RGB), for drawing or writing with ImageIO. */
    public static BufferedImage toBuffered(RgbImage im) {
        BufferedImage b = new BufferedImage(im.width(), im.height(), BufferedImage.TYPE_INT_RGB);
        byte[] p = im.pixels();
        for (int y = 0; y < im.height(); y++) {
            for (int x = 0; x < im.width(); x++) {
                int o = (y * im.width() + x) * 3;
                b.setRGB(x, y, ((p[o] & 0xFF) << 16) | ((p[o + 1] & 0xFF) << 8) | (p[o + 2] & 0xFF));
            }
        }
        return b;
    }

    private static String fit(String s, FontMetrics fm, int width) {
        if (s == null || fm.stringWidth(s) <= width) {
            return s == null ? "" : s;
        }
        String t = s;
        while (!t.isEmpty() && fm.stringWidth(t + "…") > width) {
            t = t.substring(0, t.length() - 1);
        }
        return t + "…";
    }
}
