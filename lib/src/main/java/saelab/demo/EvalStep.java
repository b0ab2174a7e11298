package saelab.demo;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import saelab.sae.Sae;
import saelab.sae.SaeCheckpoint;
import saelab.sae.SaeEvaluation;
import saelab.sae.SaeMetrics;
import saelab.store.ActivationCache;
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
            SaeMetrics.Result r = evaluate(SaeStep.checkpoint(sae), CaptureStep.cacheDir(capture), kind, out);
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

    /** What {@code saelab eval --cache CACHE --token-kind KIND} writes, into {@code out}. */
    private static SaeMetrics.Result evaluate(Path saeFile, Path cacheDir, TokenKind kind, Path out) throws IOException {
        try (NDManager nd = NDManager.newBaseManager(); Sae model = SaeCheckpoint.read(saeFile, nd);
             ActivationCache c = ActivationCache.open(cacheDir)) {
            SaeMetrics.Result r = SaeEvaluation.onCache(model, c, c.layers().getFirst(), kind, BATCH, Long.MAX_VALUE, nd);
            Map<String, Object> header = new LinkedHashMap<>();
            header.put("sae", saeFile.toAbsolutePath().toString());
            header.put("input", cacheDir.toAbsolutePath().toString());
            header.put("token_kind", kind.id());
            SaeEvaluation.write(r, header, out);
            return r;
        }
    }
}
