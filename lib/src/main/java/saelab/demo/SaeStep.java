package saelab.demo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import saelab.io.Verbosity;
import saelab.sae.CacheBatches;
import saelab.sae.SaeConfig;
import saelab.sae.SaeTrainer;
import saelab.store.ActivationCache;
import saelab.store.ShuffleOptions;
import saelab.store.TokenKind;

/**
 * Step {@code sae-<id>-<patch|cls>}: trains an SAE ({@link SaeTrainer}) on the patch or CLS tokens of a capture,
 * read through the cache's shuffled stream; the step folder holds {@code sae.safetensors} and {@code metrics.jsonl}
 * (the resume state is deleted: a step is built whole or not at all).
 */
final class SaeStep {

    static final int VERSION = 1;
    static final String CHECKPOINT = "sae.safetensors";

    private SaeStep() {}

    static String name(BackboneProvider p, TokenKind kind) {
        return name(p.id(), kind);
    }

    static String name(String backbone, TokenKind kind) {
        return "sae-" + backbone + "-" + SaeStep.suffix(kind);
    }

    static String suffix(TokenKind kind) {
        return kind == TokenKind.CLS ? "cls" : "patch";
    }

    static Step of(BackboneProvider provider, TokenKind kind, SaeRecipe recipe, StepOutcome capture) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("tokens", kind.id());
        params.put("recipe", recipe);
        return new Step(name(provider, kind), VERSION, params, List.of(capture), (out, log) -> {
            try (ActivationCache cache = ActivationCache.open(CaptureStep.cacheDir(capture))) {
                int layer = cache.layers().getFirst();
                SaeConfig cfg = recipe.config(cache.dModel());
                ShuffleOptions so = ShuffleOptions.builder(layer).kind(kind).seed(recipe.seed()).batchSize(recipe.batch()).build();
                int logEvery = (int) Math.max(1, recipe.steps() / 20);
                SaeTrainer.Result r = SaeTrainer.train(cfg, start -> new CacheBatches(cache, so, start), out,
                        new SaeTrainer.Options(0, logEvery, Verbosity.QUIET), log);
                Files.deleteIfExists(out.resolve("train-state.safetensors"));
                log.printf(Locale.ROOT, "trained a %s SAE on %s tokens: d_model %d, d_sae %d, %d steps, last mse %.4g, L0 %.2f,"
                                + " %d dead%n", cfg.kind().id(), suffix(kind), cfg.dModel(), cfg.dSae(), r.steps(),
                        r.last() == null ? Double.NaN : r.last().mse(), r.last() == null ? Double.NaN : r.last().l0(), r.deadLatents());
                Map<String, Object> summary = new LinkedHashMap<>();
                summary.put("kind", cfg.kind().id());
                summary.put("d_model", cfg.dModel());
                summary.put("d_sae", cfg.dSae());
                summary.put("steps", r.steps());
                summary.put("tokens", r.tokens());
                if (r.last() != null) {
                    summary.put("last_mse", r.last().mse());
                    summary.put("last_l0", r.last().l0());
                }
                summary.put("dead_latents", r.deadLatents());
                return summary;
            }
        });
    }

    /** The checkpoint of a finished SAE step. */
    static Path checkpoint(StepOutcome sae) {
        return sae.dir().resolve(CHECKPOINT);
    }
}
