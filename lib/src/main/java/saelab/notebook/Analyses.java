package saelab.notebook;

import java.io.IOException;
import java.nio.file.Path;
import saelab.analysis.AnalysisResult;
import saelab.analysis.DensityView;
import saelab.image.Preprocessor;
import saelab.plot.AnalysisPlots;
import saelab.plot.ChartFigure;
import saelab.plot.LatentGridPlot;
import saelab.plot.LatentTiles;
import saelab.store.ActivationCache;

/**
 * Notebook one-liners over an analysis folder written by {@code saelab analyze}: show a
 * latent's top images with their patch heatmaps, show the frequency and mean-value histograms and the
 * density view.
 * Each figure is displayed inline (see {@link Show}) and returned so it can also be saved.
 */
public final class Analyses {

    private Analyses() {}

    /**
     * Shows the top images of {@code latent} with its patch heatmap (heatmaps alone when {@code cache},
     * {@code dataRoot} or {@code modelDir} is null, e.g. for synthetic caches).
     *
     * @param top      how many top images
     * @param modelDir the model folder whose preprocessing (resize and crop) shows the images as the model saw them
     */
    public static LatentGridPlot showLatent(Path dir, int latent, int top, Path cache, Path dataRoot, Path modelDir) throws IOException {
        AnalysisResult r = AnalysisResult.read(dir);
        ActivationCache c = cache == null ? null : ActivationCache.open(cache);
        try {
            Preprocessor pre = modelDir == null ? null : Preprocessor.load(modelDir);
            LatentGridPlot grid = LatentTiles.grid(dir, r, latent, top, 0.6, 4, new LatentTiles.Sources(c, dataRoot, pre));
            Show.image(grid.render());
            return grid;
        } finally {
            if (c != null) {
                c.close();
            }
        }
    }

    /** As {@link #showLatent(Path, int, int, Path, Path, Path)} with heatmaps only. */
    public static LatentGridPlot showLatent(Path dir, int latent) throws IOException {
        return showLatent(dir, latent, 16, null, null, null);
    }

    /** Shows the log-scale histogram of per-latent firing frequencies. */
    public static ChartFigure showFrequencies(Path dir) throws IOException {
        ChartFigure f = AnalysisPlots.frequencyHistogram("latent-frequency", AnalysisResult.read(dir));
        Show.chart(f.chart());
        return f;
    }

    /**
     * Shows the ultra-low-density view of an analysis folder: per latent, firing frequency against mean value
     * when firing (log axes), coloured by the label entropy of its top patches, from the folder's
     * {@code density.csv} ({@code saelab analyze} writes it when the cache has per-patch labels).
     */
    public static ChartFigure showDensity(Path dir) throws IOException {
        ChartFigure f = AnalysisPlots.densityScatter("density", DensityView.read(dir));
        Show.chart(f.chart());
        return f;
    }

    /** Shows the log-scale histogram of per-latent mean activation when firing. */
    public static ChartFigure showMeans(Path dir) throws IOException {
        ChartFigure f = AnalysisPlots.meanHistogram("latent-mean", AnalysisResult.read(dir));
        Show.chart(f.chart());
        return f;
    }
}
