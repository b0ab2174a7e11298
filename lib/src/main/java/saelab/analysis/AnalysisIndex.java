package saelab.analysis;

import java.util.List;

/**
 * The {@code index.json} of an analysis folder (format {@code saelab-analysis/1}): what was analysed
 * and which files hold what. Rows of every per-latent file follow {@code latents}.
 *
 * @param format            {@code saelab-analysis/1}
 * @param sae               the SAE checkpoint path
 * @param saeKind           the SAE's kind
 * @param dSae              latents of the SAE
 * @param cache             the cache folder
 * @param cacheFormat       the cache's format
 * @param model             the cache's model id (or null)
 * @param layer             block index analysed (0-based)
 * @param k                 top-k list length
 * @param latents           analysed latent ids, in row order
 * @param nImages           images read
 * @param patchesPerImage   patch tokens per image (grid_h × grid_w)
 * @param gridH             patch rows
 * @param gridW             patch columns
 * @param cls               whether the cache has a CLS token (else the cls files hold −1)
 * @param patchTokens       patch tokens seen (denominator of frequency)
 * @param clsTokens         CLS tokens seen (denominator of cls_frequency)
 * @param histogramEdges    the finite bin edges; see {@link LogHistogram}
 * @param histogramBins     bins per latent (under- and overflow included)
 * @param patchMapsBytes    size of patch_maps.npy's data (rows × k × patches × 4), 0 when not written
 * @param files             the data files of the folder
 */
public record AnalysisIndex(String format, String sae, String saeKind, int dSae, String cache, String cacheFormat,
                            String model, int layer, int k, List<Integer> latents, long nImages, int patchesPerImage,
                            int gridH, int gridW, boolean cls, long patchTokens, long clsTokens, List<Double> histogramEdges,
                            int histogramBins, long patchMapsBytes, List<String> files) {

    public static final String FORMAT = "saelab-analysis/1";
    public static final String FILE = "index.json";
}
