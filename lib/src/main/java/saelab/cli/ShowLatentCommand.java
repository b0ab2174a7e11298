package saelab.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import saelab.analysis.AnalysisResult;
import saelab.image.Preprocessor;
import saelab.plot.LatentGridPlot;
import saelab.plot.LatentTiles;
import saelab.store.ActivationCache;

/** {@code saelab show-latent}: the top-image grid of one latent with its patch heatmaps, from an analysis folder. */
@Command(name = "show-latent", mixinStandardHelpOptions = true,
        description = "Draws a latent's top images with its patch heatmap overlaid (or the heatmaps alone without"
                + " --data-root/--model); writes FILE.png (300 dpi), FILE.pdf and FILE.csv.")
final class ShowLatentCommand implements Callable<Integer> {

    @Option(names = "--analysis", required = true, description = "analysis folder written by 'saelab analyze'")
    Path analysis;

    @Option(names = "--latent", required = true, description = "latent id")
    int latent;

    @Option(names = "--out", required = true, description = "output FILE.png (FILE.pdf and FILE.csv are written next to it)")
    Path out;

    @Option(names = "--cache", description = "the analysed cache (default: the one named in index.json, if present)")
    Path cache;

    @Option(names = "--data-root", description = "dataset root the cache's image paths are relative to")
    Path dataRoot;

    @Option(names = "--model", description = "model folder (or preprocessing JSON) whose resize and crop the images get")
    Path model;

    @Option(names = "--top", defaultValue = "16", description = "images to show (default ${DEFAULT-VALUE})")
    int top;

    @Option(names = "--columns", defaultValue = "4", description = "images per row (default ${DEFAULT-VALUE})")
    int columns;

    @Option(names = "--alpha", defaultValue = "0.6", description = "heatmap opacity over images (default ${DEFAULT-VALUE})")
    double alpha;

    @Override
    public Integer call() throws Exception {
        if ((dataRoot == null) != (model == null)) {
            throw new IllegalArgumentException("--data-root and --model go together (the images and their preprocessing)");
        }
        if (top < 1 || columns < 1) {
            throw new IllegalArgumentException("--top and --columns must be at least 1");
        }
        AnalysisResult r = AnalysisResult.read(analysis);
        Path cacheDir = cache;
        if (cacheDir == null && r.index().cache() != null && Files.isDirectory(Path.of(r.index().cache()))) {
            cacheDir = Path.of(r.index().cache());
        }
        if (dataRoot != null && cacheDir == null) {
            throw new IllegalArgumentException("--data-root needs the cache's image records: give --cache (index.json names "
                    + r.index().cache() + ", which does not exist)");
        }
        Preprocessor pre = model == null ? null : Preprocessor.load(model);
        try (ActivationCache c = cacheDir == null ? null : ActivationCache.open(cacheDir)) {
            LatentGridPlot grid = LatentTiles.grid(analysis, r, latent, top, alpha, columns,
                    new LatentTiles.Sources(c, dataRoot, pre));
            List<Path> files = grid.write(out);
            for (Path f : files) {
                System.out.println("wrote " + f);
            }
        }
        return 0;
    }
}
