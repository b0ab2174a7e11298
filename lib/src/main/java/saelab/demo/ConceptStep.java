package saelab.demo;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import saelab.analysis.ConceptMatching;
import saelab.analysis.FamilyMatching;
import saelab.analysis.LatentSelection;
import saelab.sae.Sae;
import saelab.sae.SaeCheckpoint;
import saelab.store.ActivationCache;
import saelab.store.TokenKind;

/**
 * Step {@code concepts-<id>-<patch|cls>}: matches the SAE's latents to the toy world's ground-truth concepts in one
 * pass ({@link FamilyMatching}): for the patch SAE every patch family (patch units) and every image family (the
 * latent's maximum over the image's patches); for the CLS SAE the image families scored on the CLS token. Writes
 * {@code concepts.csv}, the per-family F1 and AUROC tables and the charts of {@link ConceptFigures}.
 */
final class ConceptStep {

    static final int VERSION = 1;
    static final long SEED = 0;
    static final int ROWS = 4096;

    private ConceptStep() {}

    static String name(BackboneProvider p, TokenKind kind) {
        return name(p.id(), kind);
    }

    static String name(String backbone, TokenKind kind) {
        return "concepts-" + backbone + "-" + SaeStep.suffix(kind);
    }

    /** Concept matching on at most {@code maxUnits} units per unit kind, with {@code draws} random latents and directions. */
    static Step of(BackboneProvider provider, TokenKind kind, int maxUnits, int draws, StepOutcome sae, StepOutcome capture,
                   StepOutcome truth) {
        ConceptMatching.ImageScore score = kind == TokenKind.CLS ? ConceptMatching.ImageScore.CLS : ConceptMatching.ImageScore.MAX_PATCH;
        ConceptMatching.Unit only = kind == TokenKind.CLS ? ConceptMatching.Unit.IMAGE : null;
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("image_score", score.name().toLowerCase(Locale.ROOT));
        params.put("units", only == null ? "patch,image" : "image");
        params.put("max_units", maxUnits);
        params.put("draws", draws);
        params.put("seed", SEED);
        return new Step(name(provider, kind), VERSION, params, List.of(sae, capture, truth), (out, log) -> {
            TruthFile.Labels labels = TruthFile.read(TruthStep.file(truth));
            List<FamilyMatching.Family> families = labels.families(only);
            FamilyMatching.Result r;
            try (NDManager nd = NDManager.newBaseManager(); Sae model = SaeCheckpoint.read(SaeStep.checkpoint(sae), nd);
                 ActivationCache c = ActivationCache.open(CaptureStep.cacheDir(capture))) {
                int[] ids = LatentSelection.parse(null, model.config().dSae(), "latents");
                // about 4,096 encoded rows per batch: few, large libtorch calls (many small ones slow down badly when
                // other processes share the cores)
                int perImage = score == ConceptMatching.ImageScore.CLS ? 1 : Math.max(1, c.tokens().patches());
                ConceptMatching.Options o = ConceptMatching.Options.builder(c.layers().getFirst()).imageScore(score)
                        .maxUnits(maxUnits).maxEntries(1L << 27).imagesPerBatch(Math.max(1, ROWS / perImage))
                        .randomDraws(draws).seed(SEED).build();
                r = FamilyMatching.run(c, model, ids, families, nd, o);
            }
            r.write(out);
            List<Path> figures = ConceptFigures.write(out, r);
            Map<String, Object> summary = new LinkedHashMap<>();
            for (int i = 0; i < r.families().size(); i++) {
                ConceptMatching.Result m = r.results().get(i);
                double best = 0;
                double rl = 0;
                double rd = 0;
                int n = 0;
                for (int c = 0; c < m.classes().size(); c++) {
                    if (m.classes().get(c).equals(ToyFamily.NONE) || Double.isNaN(m.bestAuc()[c]) || Double.isNaN(m.randomDirAuc()[c])) {
                        continue;
                    }
                    best += m.bestAuc()[c];
                    rl += m.randomLatentAuc()[c];
                    rd += m.randomDirAuc()[c];
                    n++;
                }
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("concepts", n);
                f.put("mean_best_auroc", n == 0 ? null : round(best / n));
                f.put("mean_random_latent_auroc", n == 0 ? null : round(rl / n));
                f.put("mean_random_direction_auroc", n == 0 ? null : round(rd / n));
                summary.put(r.families().get(i), f);
                log.printf(Locale.ROOT, "%-18s %-6s %2d concepts  mean best AUROC %.3f  random latents %.3f  random directions %.3f%n",
                        r.families().get(i), r.units().get(i).name().toLowerCase(Locale.ROOT), n, best / n, rl / n, rd / n);
            }
            summary.put("figures", figures.size());
            return summary;
        });
    }

    private static double round(double v) {
        return Math.round(v * 1e4) / 1e4;
    }
}
