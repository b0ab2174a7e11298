package saelab.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import java.util.function.LongFunction;
import saelab.io.Npy;
import saelab.io.Safetensors;
import saelab.sae.BatchSource;
import saelab.sae.CacheBatches;
import saelab.sae.MatrixBatches;
import saelab.sae.SaeConfig;
import saelab.sae.SaeKind;
import saelab.sae.SaeTrainer;
import saelab.store.ActivationCache;
import saelab.store.ShuffleOptions;
import saelab.store.TokenKind;

/** {@code saelab train}: trains an SAE on a cache or a .npy matrix. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train an SAE on an activation cache or a float32 .npy matrix [n, d_model]. Rerun on the same --out to resume.")
final class TrainCommand implements Callable<Integer> {

    static final class Input {
        @Option(names = "--input", description = "float32 .npy matrix [n, d_model]")
        Path npy;

        @Option(names = "--cache", description = "activation cache folder")
        Path cache;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    @Option(names = "--layer", description = "block index to train on (cache input; default: the first recorded)")
    Integer layer;

    @Option(names = "--token-kind", defaultValue = "patches", description = "patches or cls (cache input; default ${DEFAULT-VALUE})")
    String tokenKind;

    @Option(names = "--sae", defaultValue = "relu", description = "relu or topk (default ${DEFAULT-VALUE})")
    String kind;

    @Option(names = "--l1", defaultValue = "4e-4", description = "L1 coefficient, relu (default ${DEFAULT-VALUE})")
    double l1;

    @Option(names = "--l1-warmup", defaultValue = "0", description = "steps of L1 coefficient warm-up (default ${DEFAULT-VALUE})")
    int l1Warmup;

    @Option(names = "--k", defaultValue = "32", description = "active latents, topk (default ${DEFAULT-VALUE})")
    int k;

    @Option(names = "--lr", defaultValue = "1e-3", description = "learning rate (default ${DEFAULT-VALUE})")
    double lr;

    @Option(names = "--warmup", defaultValue = "500", description = "learning-rate warm-up steps (default ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--schedule", defaultValue = "constant", description = "constant or cosine after warm-up")
    String schedule;

    @Option(names = "--batch", defaultValue = "16384", description = "rows per step (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--steps", description = "optimiser steps")
    Long steps;

    @Option(names = "--tokens", description = "rows to train on (steps = tokens / batch)")
    Long tokens;

    @Option(names = "--d-sae", description = "number of latents")
    Integer dSae;

    @Option(names = "--expansion", description = "d_sae = expansion x d_model")
    Integer expansion;

    @Option(names = "--grad-clip", defaultValue = "0", description = "clip the global gradient norm (0 = off)")
    double gradClip;

    @Option(names = "--seed", defaultValue = "0")
    long seed;

    @Option(names = "--out", required = true, description = "output folder (sae.safetensors, metrics.jsonl, train state)")
    Path out;

    @Option(names = "--checkpoint-every", defaultValue = "1000", description = "steps between checkpoints (default ${DEFAULT-VALUE})")
    long checkpointEvery;

    @Option(names = "--log-every", defaultValue = "100", description = "steps between metric lines (default ${DEFAULT-VALUE})")
    int logEvery;

    @Option(names = "--save-decoder", description = "also write the decoder rows W_dec [d_sae, d_model] as .npy")
    Path saveDecoder;

    @Override
    public Integer call() throws Exception {
        if ((steps == null) == (tokens == null)) {
            throw new IllegalArgumentException("give exactly one of --steps and --tokens");
        }
        if ((dSae == null) == (expansion == null)) {
            throw new IllegalArgumentException("give exactly one of --d-sae and --expansion");
        }
        long nSteps = steps != null ? steps : Math.max(1, tokens / batch);
        ActivationCache cache = null;
        Npy.Matrix matrix = null;
        int dModel;
        if (input.npy != null) {
            matrix = Npy.readFloatMatrix(input.npy);
            dModel = matrix.cols();
        } else {
            cache = ActivationCache.open(input.cache);
            dModel = cache.dModel();
        }
        try {
            SaeConfig cfg = new SaeConfig(SaeKind.parse(kind, "--sae"), dModel, dSae != null ? dSae : expansion * dModel, l1, k,
                    lr, warmup, schedule, l1Warmup, batch, nSteps, gradClip, seed);
            Npy.Matrix m = matrix;
            ActivationCache c = cache;
            int l = c == null ? 0 : (layer == null ? c.layers().getFirst() : layer);
            LongFunction<BatchSource> data = m != null
                    ? start -> new MatrixBatches(m, seed, start, "npy " + input.npy.toAbsolutePath())
                    : start -> new CacheBatches(c, ShuffleOptions.of(l).withKind(TokenKind.parse(tokenKind, "--token-kind"))
                            .withSeed(seed).withBatchSize(batch), start);
            SaeTrainer.Result r = SaeTrainer.train(cfg, data, out, new SaeTrainer.Options(checkpointEvery, logEvery, true), System.err);
            if (r.last() == null) {
                System.out.printf(Locale.ROOT, "the run in %s was already complete (%d steps); nothing to do%n", out, r.steps());
            } else {
                System.out.printf(Locale.ROOT, "trained %s SAE d_model %d d_sae %d: %d steps, %d tokens, last mse %.5g, l0 %.2f,"
                                + " %d latents never fired%nwrote %s%n", cfg.kind().id(), cfg.dModel(), cfg.dSae(), r.steps(),
                        r.tokens(), r.last().mse(), r.last().l0(), r.deadLatents(), r.checkpoint());
            }
            if (saveDecoder != null) {
                var contents = Safetensors.read(r.checkpoint());
                var wDec = contents.require(r.checkpoint(), "W_dec", cfg.dSae(), cfg.dModel());
                Npy.writeFloatMatrix(saveDecoder, cfg.dSae(), cfg.dModel(), wDec.values());
                System.out.println("wrote " + saveDecoder);
            }
        } finally {
            if (cache != null) {
                cache.close();
            }
        }
        return 0;
    }
}
