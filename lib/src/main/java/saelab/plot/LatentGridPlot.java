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
import java.util.Locale;
import saelab.image.RgbImage;
import saelab.io.AtomicFiles;
import saelab.io.CsvField;

/**
 * The top-k image grid of one latent: each top image as the model saw it with the latent's patch map
 * overlaid ({@link HeatmapOverlay}, one colour scale for the whole grid, 0 to {@code scaleMax}),
 * its activation value and label under it, the latent and scale in a title line. Tiles are drawn at
 * the crop's own resolution, one image pixel per output pixel, so the overlay stays aligned with the
 * patch grid; {@link Layout} says where each tile lands. Written as PNG (300 dpi), vector PDF and
 * a CSV of every shown number (one row per tile and patch).
 */
public final class LatentGridPlot {

    /** Pixels between tiles and around the grid. */
    static final int PAD = 6;

    /**
     * One shown image.
     *
     * @param rank         position in the latent's top list (0 = best)
     * @param image        image index in the cache
     * @param datasetIndex the image's index in its dataset (−1 when unknown)
     * @param path         its path relative to the dataset root ("" when unknown)
     * @param label        its class label (−1 when none)
     * @param caption      the text under the tile (label name or path)
     * @param value        the latent's maximum over the image's patches
     * @param map          the latent over the image's patches, raster order
     * @param view         the model's view of the image, or null to draw the heatmap alone
     */
    public record Tile(int rank, int image, long datasetIndex, String path, int label, String caption, float value,
                       float[] map, RgbImage view) {}

    /**
     * Where tiles go: {@code columns} per row, each {@code cellWidth × cellHeight} plus a caption line.
     *
     * @param tiles      number of tiles
     * @param columns    tiles per row
     * @param cellWidth  tile width in pixels
     * @param cellHeight tile height in pixels
     * @param fontSize   caption font size in pixels
     */
    public record Layout(int tiles, int columns, int cellWidth, int cellHeight, int fontSize) {

        /** A layout of about {@code columns} columns with fonts scaled to the tile. */
        public static Layout of(int tiles, int columns, int cellWidth, int cellHeight) {
            int cols = Math.max(1, Math.min(columns, Math.max(1, tiles)));
            return new Layout(tiles, cols, cellWidth, cellHeight, Math.max(10, Math.round(cellWidth / 13f)));
        }

        int titleHeight() {
            return 2 * fontSize + PAD;
        }

        int captionHeight() {
            return 2 * fontSize + 4;
        }

        int rows() {
            return Math.max(1, (tiles + columns - 1) / columns);
        }

        /** Left pixel of tile {@code i}. */
        public int tileX(int i) {
            return PAD + (i % columns) * (cellWidth + PAD);
        }

        /** Top pixel of tile {@code i}. */
        public int tileY(int i) {
            return titleHeight() + (i / columns) * (cellHeight + captionHeight() + PAD);
        }

        /** Canvas width. */
        public int width() {
            return PAD + columns * (cellWidth + PAD);
        }

        /** Canvas height. */
        public int height() {
            return titleHeight() + rows() * (cellHeight + captionHeight() + PAD);
        }
    }

    private final String title;
    private final List<Tile> tiles;
    private final int gridH;
    private final int gridW;
    private final double scaleMax;
    private final double alpha;
    private final Layout layout;

    /**
     * A grid.
     *
     * @param title    the title line, e.g. {@code "latent 123"}
     * @param tiles    the images, best first
     * @param gridH    patch rows of every map
     * @param gridW    patch columns
     * @param scaleMax the value shown with the colormap's top colour; ≤ 0 (a latent that never fires) draws as 1
     * @param alpha    heatmap opacity over images
     * @param columns  tiles per row
     */
    public LatentGridPlot(String title, List<Tile> tiles, int gridH, int gridW, double scaleMax, double alpha, int columns) {
        this.title = title;
        this.tiles = List.copyOf(tiles);
        this.gridH = gridH;
        this.gridW = gridW;
        this.scaleMax = scaleMax > 0 ? scaleMax : 1;
        this.alpha = alpha;
        int cw = -1;
        int ch = -1;
        for (Tile t : tiles) {
            if (t.view() != null) {
                if (cw >= 0 && (t.view().width() != cw || t.view().height() != ch)) {
                    throw new IllegalArgumentException("image " + t.image() + " is " + t.view().width() + "x" + t.view().height()
                            + "; the other images of the grid are " + cw + "x" + ch + " (one crop size per grid)");
                }
                cw = t.view().width();
                ch = t.view().height();
            }
        }
        if (cw < 0) {
            int perPatch = Math.max(8, 224 / Math.max(gridH, gridW));
            cw = gridW * perPatch;
            ch = gridH * perPatch;
        }
        this.layout = Layout.of(tiles.size(), columns, cw, ch);
    }

    /** Where the tiles are drawn. */
    public Layout layout() {
        return layout;
    }

    /** The tiles, best first. */
    public List<Tile> tiles() {
        return tiles;
    }

    /** Tile {@code i} alone, image and heatmap at the grid's colour scale, without caption (what a dashboard shows). */
    public BufferedImage renderTile(int i) {
        Tile t = tiles.get(i);
        return HeatmapOverlay.render(t.view(), layout.cellWidth(), layout.cellHeight(), t.map(), gridH, gridW, scaleMax, alpha);
    }

    /** The value drawn with the colormap's top colour. */
    public double scaleMax() {
        return scaleMax;
    }

    /** Draws the grid on {@code g} (a canvas of {@link Layout#width()} × {@link Layout#height()}). */
    public void paint(Graphics2D g) {
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, layout.width(), layout.height());
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        int fs = layout.fontSize();
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, fs));
        g.drawString(title + String.format(Locale.ROOT, "   (colour scale 0 to %.4g, alpha %.2f)", scaleMax, alpha), PAD,
                PAD + fs);
        Font caption = new Font(Font.SANS_SERIF, Font.PLAIN, fs);
        for (int i = 0; i < tiles.size(); i++) {
            Tile t = tiles.get(i);
            BufferedImage tile = HeatmapOverlay.render(t.view(), layout.cellWidth(), layout.cellHeight(), t.map(), gridH, gridW,
                    scaleMax, alpha);
            int x = layout.tileX(i);
            int y = layout.tileY(i);
            g.drawImage(tile, x, y, null);
            g.setColor(Color.BLACK);
            g.setFont(caption);
            FontMetrics fm = g.getFontMetrics();
            g.drawString(String.format(Locale.ROOT, "%.4g", t.value()), x, y + layout.cellHeight() + fs);
            g.drawString(fit(t.caption(), fm, layout.cellWidth()), x, y + layout.cellHeight() + 2 * fs + 2);
        }
    }

    private static String fit(String s, FontMetrics fm, int width) {
        if (s == null) {
            return "";
        }
        if (fm.stringWidth(s) <= width) {
            return s;
        }
        String t = s;
        while (!t.isEmpty() && fm.stringWidth("…" + t) > width) {
            t = t.substring(1);
        }
        return "…" + t;
    }

    /** The rendered grid as an image (what the PNG holds). */
    public BufferedImage render() {
        return RasterFigures.render(layout.width(), layout.height(), this::paint);
    }

    /** The CSV of the shown numbers: one row per tile and patch. */
    public String csv() {
        StringBuilder sb = new StringBuilder("rank,image,dataset_index,path,label,caption,value,scale_max,patch,patch_row,patch_col,patch_value\n");
        for (Tile t : tiles) {
            for (int p = 0; p < t.map().length; p++) {
                sb.append(t.rank()).append(',').append(t.image()).append(',').append(t.datasetIndex()).append(',')
                        .append(CsvField.of(t.path())).append(',').append(t.label()).append(',').append(CsvField.of(t.caption())).append(',')
                        .append(t.value()).append(',').append(scaleMax).append(',').append(p).append(',').append(p / gridW)
                        .append(',').append(p % gridW).append(',').append(t.map()[p]).append('\n');
            }
        }
        return sb.toString();
    }

    /**
     * Writes {@code png}, and next to it the same name with {@code .pdf} and {@code .csv}.
     *
     * @return the files written: PNG, PDF, CSV
     */
    public List<Path> write(Path png) throws IOException {
        String name = png.getFileName().toString();
        if (!name.toLowerCase(Locale.ROOT).endsWith(".png")) {
            throw new IllegalArgumentException("output " + png + ": expected a file name ending in .png");
        }
        String base = name.substring(0, name.length() - 4);
        Path pdf = png.resolveSibling(base + ".pdf");
        Path csv = png.resolveSibling(base + ".csv");
        RasterFigures.writePng(png, render());
        RasterFigures.writePdf(pdf, layout.width(), layout.height(), this::paint);
        AtomicFiles.writeString(csv, csv());
        List<Path> out = new ArrayList<>();
        out.add(png);
        out.add(pdf);
        out.add(csv);
        return out;
    }
}
