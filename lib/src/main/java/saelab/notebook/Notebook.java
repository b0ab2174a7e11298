package saelab.notebook;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.function.Consumer;
import saelab.io.AtomicFiles;
import saelab.plot.ImageGrid;
import saelab.plot.LatentGridPlot;
import saelab.plot.RasterFigures;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.knowm.xchart.internal.chartpart.Chart;
import saelab.config.RunSettings;
import saelab.config.Workspace;
import saelab.plot.FigureExporter;
import saelab.plot.FigureRegistry;
import saelab.plot.FigureSpec;
import tech.tablesaw.api.Table;

/**
 * The façade notebooks start from: the run settings ({@code SAELAB_PROFILE}, {@code SAELAB_QUICK}),
 * the checkout's folders, and saving registered figures and tables to
 * {@code figures/<profile>/} while showing them inline.
 */
public final class Notebook {

    private Notebook() {}

    /** Run settings from the environment (profile, quick mode). */
    public static RunSettings settings() {
        return RunSettings.fromEnvironment();
    }

    /** The checkout this notebook runs in. */
    public static Workspace workspace() {
        return Workspace.locate();
    }

    /** The figure registry of the checkout. */
    public static FigureRegistry registry() {
        return FigureRegistry.load(workspace().figureRegistry());
    }

    /** The folder figures of the current profile go to. */
    public static Path figureDir() {
        return workspace().figures(settings().profile());
    }

    /**
     * Writes a registered figure (PNG, PDF, CSV of {@code data}) and shows the chart inline.
     *
     * @param id    an id listed in {@code data-manifests/figures.json}
     * @param chart the chart, normally made with {@link saelab.plot.PaperStyle}
     * @param data  the plotted numbers, written as the figure's CSV
     */
    public static void saveFigure(String id, Chart<?, ?> chart, Table data) {
        FigureSpec spec = registry().get(id);
        List<Path> files;
        try {
            files = FigureExporter.writeFigure(spec, chart, data, figureDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write figure '" + id + "' to " + figureDir(), e);
        }
        Show.chart(chart);
        System.out.println(wrote(files));
    }

    /**
     * Writes a registered raster figure (an image grid, a latent's top images with heatmaps) as its PNG, PDF and
     * CSV, and shows it inline.
     *
     * @param id     an id listed in {@code data-manifests/figures.json} with outputs png, pdf and csv
     * @param width  design width in points (the PDF's page; inline one pixel per point; the PNG at 300 dpi of it)
     * @param height design height in points
     * @param paint  draws the figure on a canvas of that size (scaled for the PNG)
     * @param csv    the numbers or captions the figure shows, as CSV text
     */
    public static void saveRasterFigure(String id, int width, int height, Consumer<Graphics2D> paint, String csv) {
        FigureSpec spec = registry().get(id);
        if (!spec.isFigure() || !spec.outputs().containsAll(List.of("png", "pdf", "csv")) || spec.outputs().size() != 3) {
            throw new IllegalArgumentException("'" + id + "' is registered with outputs " + spec.outputs()
                    + "; a raster figure writes exactly png, pdf and csv");
        }
        Path dir = figureDir();
        List<Path> files = spec.files(dir);
        BufferedImage image;
        try {
            java.nio.file.Files.createDirectories(dir);
            image = RasterFigures.writePrintPng(dir.resolve(id + ".png"), width, height, paint);
            RasterFigures.writePdf(dir.resolve(id + ".pdf"), width, height, paint);
            AtomicFiles.writeString(dir.resolve(id + ".csv"), csv);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write figure '" + id + "' to " + dir, e);
        }
        Show.image(image);
        System.out.println(wrote(files));
    }

    /** {@link #saveRasterFigure} of an image grid. */
    public static void saveFigure(String id, ImageGrid grid) {
        saveRasterFigure(id, grid.width(), grid.height(), grid::paint, grid.csv());
    }

    /** {@link #saveRasterFigure} of a latent's top images with their heatmaps. */
    public static void saveFigure(String id, LatentGridPlot grid) {
        saveRasterFigure(id, grid.layout().width(), grid.layout().height(), grid::paint, grid.csv());
    }

    /** {@link #saveRasterFigure} of several edits of one image side by side. */
    public static void saveFigure(String id, saelab.plot.EditComparisonFigure figure) {
        saveRasterFigure(id, figure.width(), figure.height(), figure::paint, figure.csv());
    }

    /** Writes a registered table (CSV, HTML if listed) and shows it inline. */
    public static void saveTable(String id, Table data) {
        FigureSpec spec = registry().get(id);
        List<Path> files;
        try {
            files = FigureExporter.writeTable(spec, data, figureDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write table '" + id + "' to " + figureDir(), e);
        }
        Show.table(data);
        System.out.println(wrote(files));
    }

    private static String wrote(List<Path> files) {
        Path root = workspace().root();
        return "wrote " + files.stream().map(p -> root.relativize(p.toAbsolutePath()).toString())
                .collect(Collectors.joining(", "));
    }
}
