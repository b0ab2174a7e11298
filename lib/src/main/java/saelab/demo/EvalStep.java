package saelab.demo;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import saelab.sae.SaeMetrics;
import saelab.store.TokenKind;

/** Step {@code eval-<id>-<patch|cls>}: the SAE's metrics on the tokens it was trained on ({@link SaeEvaluation}). */
final class EvalStep {

    static final int VERSION = 1;
    static final int BATCH = 4096;

    private EvalStep() {}

    static String name(BackboneProvider p, TokenKind kind) {
        return name(p.id(), kind);
    }

    static String name(String backbone, TokenKind kind) {
        return "eval-" + backbone + "-" + SaeStep.suffix(kind);
    }

    static Step of(BackboneProvider provider, TokenKind kind, StepOutcome sae, StepOutcome capture) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("tokens", kind.id());
        params.put("batch", BATCH);
        return new Step(name(provider, kind), VERSION, params, List.of(sae, capture), (out, log) -> {
            SaeMetrics.Result r = SaeEvaluation.write(SaeStep.checkpoint(sae), CaptureStep.cacheDir(capture), kind, BATCH, out);
            log.printf(java.util.Locale.ROOT, "rows %d  L0 %.2f  normalised MSE %.4f  explained variance %.4f  dead %d  dense %d%n",
                    r.rows(), r.l0(), r.normalizedMse(), r.explainedVariance(), r.dead(), r.dense());
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("rows", r.rows());
            summary.put("l0", r.l0());
            summary.put("mse", r.mse());
            summary.put("normalized_mse", r.normalizedMse());
            summary.put("explained_variance", r.explainedVariance());
            summary.put("dead", r.dead());
            summary.put("dense", r.dense());
            return summary;
        });
    }
}
