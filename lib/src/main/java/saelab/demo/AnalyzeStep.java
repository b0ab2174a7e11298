package saelab.demo;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import saelab.analysis.AnalysisResult;
import saelab.analysis.FeatureAnalysis;
import saelab.plot.AnalysisPlots;
import saelab.store.TokenKind;

/**
 * Step {@code analyze-<id>-<patch|cls>}: the feature analysis of an SAE over its capture ({@link FeatureAnalysis}, what
 * {@code saelab analyze} writes without {@code --maps} and {@code --codes}: every latent, the first recorded layer,
 * the density plot when the cache has per-patch or image labels), an analysis folder for {@code saelab show-latent --analysis DIR}.
 */
final class AnalyzeStep {

    static final int VERSION = 3; // 2: density.png/pdf drawn next to density.csv; 3: the density view of image-labelled caches, density.json
    static final int BATCH = 4096;

    private AnalyzeStep() {}

    static String name(BackboneProvider p, TokenKind kind) {
        return name(p.id(), kind);
    }

    static String name(String backbone, TokenKind kind) {
        return "analyze-" + backbone + "-" + SaeStep.suffix(kind);
    }

    static Step of(BackboneProvider provider, TokenKind kind, int topK, StepOutcome sae, StepOutcome capture) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("k", topK);
        params.put("batch", BATCH);
        return new Step(name(provider, kind), VERSION, params, List.of(sae, capture), (out, log) -> {
            FeatureAnalysis.Options o = FeatureAnalysis.Options.builder().k(topK).batchRows(BATCH)
                    .densityDrawer((view, dir) -> AnalysisPlots.densityScatter("density", view).writeImages(dir)).build();
            AnalysisResult r = FeatureAnalysis.run(SaeStep.checkpoint(sae), CaptureStep.cacheDir(capture), out, o).result();
            int alive = 0;
            int clsAlive = 0;
            for (int i = 0; i < r.rows(); i++) {
                alive += r.fires()[i] > 0 ? 1 : 0;
                clsAlive += r.clsFires()[i] > 0 ? 1 : 0;
            }
            log.printf("analysed %d latents over %d images: %d fire on patches, %d on CLS tokens%n", r.rows(), r.index().nImages(),
                    alive, clsAlive);
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("latents", r.rows());
            summary.put("images", r.index().nImages());
            summary.put("firing_on_patches", alive);
            summary.put("firing_on_cls", clsAlive);
            return summary;
        });
    }
}
