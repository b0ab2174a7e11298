package saelab.plot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import saelab.analysis.AnalysisResult;
import saelab.image.ImageDecoder;
import saelab.image.Preprocessor;
import saelab.image.RgbImage;
import saelab.io.ConfinedPaths;
import saelab.store.ActivationCache;
import saelab.store.ImageRecord;

/**
 * Collects the tiles of a latent's top-image grid from an analysis folder: values and patch maps
 * from {@link AnalysisResult}, image records (dataset index, path, label) from the cache, and, when a
 * data root and a preprocessor are given, each image decoded and brought to the model's view
 * ({@link ModelView}); otherwise tiles carry no image and the heatmap is drawn alone.
 */
public final class LatentTiles {

    private LatentTiles() {}

    /**
     * Where the images come from; every field may be null.
     *
     * @param cache        the cache the analysis read (image records)
     * @param dataRoot     the dataset root that the records' paths are relative to
     * @param preprocessor the model's preprocessing (resize and crop)
     */
    public record Sources(ActivationCache cache, Path dataRoot, Preprocessor preprocessor) {}

    /**
     * The grid of {@code latent}'s top images (at most {@code limit}).
     *
     * @throws IllegalArgumentException when the latent was not analysed, the folder has no patch
     *                                  maps, or an image file is missing or unreadable (naming it)
     */
    public static LatentGridPlot grid(Path analysisDir, AnalysisResult result, int latent, int limit, double alpha, int columns,
                                      Sources sources) throws IOException {
        int row = result.rowOf(latent);
        if (row < 0) {
            throw new IllegalArgumentException(analysisDir.resolve("index.json") + ": latent " + latent
                    + " was not analysed (field latents lists " + result.rows() + " latents)");
        }
        if (!Files.isRegularFile(analysisDir.resolve("patch_maps.npy"))) {
            throw new IllegalArgumentException(analysisDir.resolve("patch_maps.npy")
                    + " is missing; expected the patch maps written by 'saelab analyze'");
        }
        var ix = result.index();
        int k = ix.k();
        ActivationCache cache = sources == null ? null : sources.cache();
        boolean withImages = sources != null && sources.dataRoot() != null && sources.preprocessor() != null && cache != null;
        List<LatentGridPlot.Tile> tiles = new ArrayList<>();
        for (int rank = 0; rank < Math.min(k, limit); rank++) {
            int image = result.topImages().images()[row * k + rank];
            if (image < 0) {
                break;
            }
            float value = result.topImages().values()[row * k + rank];
            float[] map = result.patchMap(analysisDir, row, rank);
            ImageRecord rec = null;
            if (cache != null) {
                if (image >= cache.nImages()) {
                    throw new IllegalArgumentException(cache.dir() + ": has " + cache.nImages() + " images; analysis "
                            + analysisDir + " names image " + image + " (is it the cache the analysis read?)");
                }
                rec = cache.image(image);
            }
            RgbImage view = null;
            if (withImages && rec != null) {
                if (rec.path().isEmpty()) {
                    throw new IllegalArgumentException(cache.dir() + ": image " + image + " has no recorded path; drop --data-root");
                }
                Path file = ConfinedPaths.resolveLexically(sources.dataRoot(), rec.path(), cache.dir() + ": image " + image, "path");
                if (!Files.isRegularFile(file)) {
                    throw new IllegalArgumentException("image file " + file + " (image " + image + " of " + cache.dir()
                            + ") does not exist; expected it under the data root " + sources.dataRoot());
                }
                view = ModelView.of(sources.preprocessor(), ImageDecoder.decode(file));
            }
            String caption = rec == null ? "image " + image
                    : rec.label() >= 0 ? "label " + rec.label() + " · " + fileName(rec.path())
                    : rec.path().isEmpty() ? "image " + image : fileName(rec.path());
            tiles.add(new LatentGridPlot.Tile(rank, image, rec == null ? -1 : rec.datasetIndex(), rec == null ? "" : rec.path(),
                    rec == null ? -1 : rec.label(), caption, value, map, view));
        }
        double scale = result.max()[row];
        for (LatentGridPlot.Tile t : tiles) {
            for (float v : t.map()) {
                scale = Math.max(scale, v);
            }
        }
        return new LatentGridPlot("latent " + latent, tiles, ix.gridH(), ix.gridW(), scale, alpha, columns);
    }

    private static String fileName(String path) {
        int slash = path.lastIndexOf('/');
        return slash >= 0 ? path.substring(slash + 1) : path;
    }
}
