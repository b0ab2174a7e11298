package saelab.demo;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import saelab.analysis.AnalysisResult;
import saelab.analysis.DensityView;
import saelab.analysis.FeaturePass;
import saelab.analysis.LabelStatistics;
import saelab.analysis.LatentSelection;
import saelab.analysis.PatchMaps;
import saelab.plot.AnalysisPlots;
import saelab.sae.Sae;
import saelab.sae.SaeCheckpoint;
import saelab.store.ActivationCache;

/**
 * What {@code saelab analyze} writes (without {@code --maps}), for the demo's analysis steps: the feature pass
 * ({@link FeaturePass}) over every latent, the patch maps of the top images ({@link PatchMaps}), the analysis folder
 * ({@code index.json}, {@code latents.csv}, the top-k lists, ...) that {@code saelab show-latent} reads, and, when the
 * cache has per-patch labels, {@code density.csv} ({@link LabelStatistics}) and its plot {@code density.png/pdf}. The same calls in the same order as the
 * command (whose code lives in the CLI class).
 */
final class FeatureAnalysis {

    private FeatureAnalysis() {}

    /** Analyses {@code saeFile} over {@code cacheDir} into {@code out}; returns the result. */
    static AnalysisResult write(Path saeFile, Path cacheDir, int k, int batch, Path out) throws IOException {
        try (NDManager nd = NDManager.newBaseManager(); Sae model = SaeCheckpoint.read(saeFile, nd);
             ActivationCache c = ActivationCache.open(cacheDir)) {
            int[] ids = LatentSelection.parse(null, model.config().dSae(), "latents");
            PatchMaps.checkSize(ids.length, k, c.tokens().patches(), PatchMaps.DEFAULT_MAX_BYTES);
            int layer = c.layers().getFirst();
            AnalysisResult r = FeaturePass.run(c, model, saeFile.toAbsolutePath().toString(), nd,
                    new FeaturePass.Options(layer, k, batch, ids, false));
            Files.createDirectories(out);
            r = PatchMaps.write(out, c, model, nd, r, batch, PatchMaps.DEFAULT_MAX_BYTES, false);
            r.write(out);
            if (c.hasPatchLabels()) {
                LabelStatistics stats = LabelStatistics.of(r, c, LabelStatistics.Source.PATCH);
                stats.writeDensityCsv(out.resolve(DensityView.FILE), r, c.labelClasses());
                DensityView view = DensityView.of(r, stats);
                if (view.drawable() > 0) {
                    AnalysisPlots.densityScatter("density", view).writeImages(out);
                }
            }
            return r;
        }
    }
}
