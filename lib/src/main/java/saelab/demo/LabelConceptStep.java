package saelab.demo;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import saelab.analysis.CacheConcepts;
import saelab.analysis.ConceptMatching;
import saelab.analysis.LatentSelection;
import saelab.sae.Sae;
import saelab.sae.SaeCheckpoint;
import saelab.store.ActivationCache;
import saelab.store.TokenKind;

/**
 * A plan's {@code concepts} step whose truth is a dataset source: what {@code saelab concepts} does
 * ({@link CacheConcepts}) on the capture of that dataset, every latent, one label family: for a patch SAE the per-patch
 * labels when the capture has them (an ADE20K-layout dataset: patch units), else the image labels (ImageNet, iNat2021,
 * CUB: image units, a latent's score its maximum over the image's patches); for a CLS SAE the image labels scored on the
 * CLS token. Writes {@code concepts.csv}, the F1 and AUROC tables and {@code source.json}.
 */
final class LabelConceptStep {

    static final int VERSION = 1;

    private LabelConceptStep() {}

    /** Concept matching on at most {@code maxUnits} units, with {@code draws} random latents and directions. */
    static Step of(String name, TokenKind kind, int maxUnits, int draws, StepOutcome sae, StepOutcome capture) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("labels", "the capture's own (patch labels when present, else image labels)");
        params.put("image_score", kind == TokenKind.CLS ? "cls" : "max_patch");
        params.put("max_units", maxUnits);
        params.put("draws", draws);
        params.put("seed", ConceptStep.SEED);
        return new Step(name, VERSION, params, List.of(sae, capture), (out, log) -> {
            Path cacheDir = CaptureStep.cacheDir(capture);
            Path checkpoint = SaeStep.checkpoint(sae);
            ConceptMatching.Result r;
            ConceptMatching.Unit unit;
            try (NDManager nd = NDManager.newBaseManager(); Sae model = SaeCheckpoint.read(checkpoint, nd);
                 ActivationCache c = ActivationCache.open(cacheDir)) {
                unit = kind != TokenKind.CLS && c.hasPatchLabels() ? ConceptMatching.Unit.PATCH : ConceptMatching.Unit.IMAGE;
                ConceptMatching.ImageScore score = kind == TokenKind.CLS ? ConceptMatching.ImageScore.CLS
                        : ConceptMatching.ImageScore.MAX_PATCH;
                int perImage = score == ConceptMatching.ImageScore.CLS ? 1 : Math.max(1, c.tokens().patches());
                ConceptMatching.Options o = ConceptMatching.Options.builder(c.layers().getFirst()).imageScore(score).maxUnits(maxUnits)
                        .maxEntries(1L << 27).imagesPerBatch(Math.max(1, ConceptStep.ROWS / perImage)).randomDraws(draws)
                        .seed(ConceptStep.SEED).build();
                int[] ids = LatentSelection.parse(null, model.config().dSae(), "latents");
                r = CacheConcepts.match(checkpoint, model, cacheDir, c, ids, unit, c.imageClasses(), o, nd, out);
            }
            double best = 0;
            int n = 0;
            for (int k = 0; k < r.classes().size(); k++) {
                if (!Double.isNaN(r.bestAuc()[k])) {
                    best += r.bestAuc()[k];
                    n++;
                }
            }
            log.printf(Locale.ROOT, "%s units: %d classes, %d scored, mean best AUROC %.3f%n", unit.name().toLowerCase(Locale.ROOT),
                    r.classes().size(), n, n == 0 ? Double.NaN : best / n);
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("unit", unit.name().toLowerCase(Locale.ROOT));
            summary.put("classes", r.classes().size());
            summary.put("classes_scored", n);
            summary.put("units", r.units());
            summary.put("mean_best_auroc", n == 0 ? null : Math.round(best / n * 1e4) / 1e4);
            return summary;
        });
    }
}
