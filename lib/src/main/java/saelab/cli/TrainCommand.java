package saelab.cli;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import java.util.function.LongFunction;
import saelab.io.Npy;
import saelab.io.Safetensors;
import saelab.io.Verbosity;
import saelab.sae.BatchSource;
import saelab.sae.CacheBatches;
import saelab.sae.MatrixBatches;
import saelab.sae.SaeConfig;
import saelab.sae.SaeTrainer;
import saelab.sae.SweepSpec;
import saelab.store.ActivationCache;
import saelab.store.ShuffleOptions;
import saelab.store.TokenKind;

/** {@code saelab train}: trains an SAE on a cache or a .npy matrix. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train an SAE on an activation cache or a float32 .npy matrix [n, d_model]. Rerun on the same --out to resume.")
final class TrainCommand implements Callable<Integer> {

    @ArgGroup(exclusive = true, multiplicity = "1")
    MatrixOrCacheInput input;

    @Mixin
    SaeKindOptions sae;

    @Mixin
    DeviceOption device;

    @Option(names = "--layer", converter = LayerOption.Converter.class,
            description = "block index, or final / pooled, to train on (cache input; default: the first recorded)")
    Integer layer;

    @Option(names = "--token-kind", defaultValue = "patches", description = "patches or cls (cache input; default ${DEFAULT-VALUE})")
    String tokenKind;

    @Option(names = "--l1", defaultValue = "4e-4",
            description = "sparsity coefficient: of the L1 term (relu), of the L0 term (jumprelu) (default ${DEFAULT-VALUE})")
    double l1;

    @Option(names = "--l1-warmup", defaultValue = "0", description = "steps of sparsity coefficient warm-up (default ${DEFAULT-VALUE})")
    int l1Warmup;

    @Option(names = "--aux-k", defaultValue = "0", description = "AuxK: dead latents that model the residual (topk, batchtopk; 0 = off)")
    int auxK;

    @Option(names = "--aux-coeff", defaultValue = "0.03125", description = "AuxK loss weight (default ${DEFAULT-VALUE} = 1/32)")
    double auxCoeff;

    @Option(names = "--dead-tokens", defaultValue = "10000000",
            description = "a latent is dead after this many tokens without firing (default ${DEFAULT-VALUE})")
    long deadTokens;

    @Option(names = "--resample-every", defaultValue = "0", description = "steps between dead-latent resamplings (0 = never)")
    long resampleEvery;

    @Option(names = "--bandwidth", defaultValue = "0.001", description = "jumprelu: straight-through kernel width (default ${DEFAULT-VALUE})")
    double bandwidth;

    @Option(names = "--init-threshold", defaultValue = "0.001", description = "jumprelu: initial threshold (default ${DEFAULT-VALUE})")
    double initThreshold;

    @Option(names = "--encoder-input", defaultValue = "centered",
            description = "centered (encoder sees x - b_dec, the paper) or raw (x) (default ${DEFAULT-VALUE})")
    String encoderInput;

    @Option(names = "--normalize-input", description = "scale inputs to mean norm sqrt(d_model); the scale is folded into the checkpoint")
    boolean normalizeInput;

    @Option(names = "--geometric-median-init", description = "initialise b_dec to the geometric median of the first batch")
    boolean geometricMedianInit;

    @Option(names = "--sweep", description = "JSON file of several configs trained in one pass (see README); each in OUT/<name>")
    Path sweep;

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
        if ((expansion != null && expansion < 1) || (tokens != null && tokens < 1)) {
            throw new IllegalArgumentException(expansion != null && expansion < 1 ? "--expansion " + expansion + ": expected at least 1 (d_sae = expansion x d_model)" : "--tokens " + tokens + ": expected at least 1 row");
        }
        if (saveDecoder != null && sweep != null) {
            throw new IllegalArgumentException("--save-decoder applies to single runs, not to --sweep");
        }
        input.check();
        CliPaths.requireWritable(out);
        if (saveDecoder != null) {
            CliPaths.requireWritable(saveDecoder);
        }
        Device dev = device.device();
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
            SaeConfig cfg = sae.builder(dModel, dSae != null ? dSae : expansion * dModel).l1(l1).lr(lr)
                    .warmupSteps(warmup).schedule(schedule).l1WarmupSteps(l1Warmup).batchSize(batch).steps(nSteps)
                    .gradClip(gradClip).seed(seed)
                    .auxK(auxK).auxCoeff(auxCoeff).resampleEvery(resampleEvery).deadTokens(auxK > 0 || resampleEvery > 0 ? deadTokens : 0)
                    .bandwidth(bandwidth).initThreshold(initThreshold)
                    .encoderInput(encoderInput).normalizeInput(normalizeInput).geometricMedianInit(geometricMedianInit).build();
            List<SweepSpec.Run> runs = sweep == null ? List.of(new SweepSpec.Run(".", cfg)) : SweepSpec.read(sweep, cfg);
            Npy.Matrix m = matrix;
            ActivationCache c = cache;
            int l = c == null ? 0 : LayerOption.orFirst(layer, c);
            LongFunction<BatchSource> data = m != null
                    ? start -> new MatrixBatches(m, seed, start, "npy " + input.npy.toAbsolutePath())
                    : start -> new CacheBatches(c, ShuffleOptions.builder(l).kind(TokenKind.parse(tokenKind, "--token-kind"))
                            .seed(seed).batchSize(batch).build(), start);
            List<Path> outs = runs.stream().map(r -> out.resolve(r.name()).normalize()).toList();
            List<SaeTrainer.Result> results = SaeTrainer.trainAll(runs.stream().map(SweepSpec.Run::config).toList(), data, outs,
                    new SaeTrainer.Options(checkpointEvery, logEvery, Verbosity.PROGRESS, dev), System.err);
            for (int i = 0; i < results.size(); i++) {
                SaeTrainer.Result r = results.get(i);
                SaeConfig rc = runs.get(i).config();
                if (r.last() == null) {
                    System.out.printf(Locale.ROOT, "the run in %s was already complete (%d steps); nothing to do%n", outs.get(i),
                            r.steps());
                } else {
                    System.out.printf(Locale.ROOT, "trained %s SAE d_model %d d_sae %d: %d steps, %d tokens, last mse %.5g, l0 %.2f,"
                                    + " %d latents dead%nwrote %s%n", rc.kind().id(), rc.dModel(), rc.dSae(), r.steps(),
                            r.tokens(), r.last().mse(), r.last().l0(), r.deadLatents(), r.checkpoint());
                }
            }
            if (saveDecoder != null && runs.size() == 1) {
                SaeTrainer.Result r = results.getFirst();
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
