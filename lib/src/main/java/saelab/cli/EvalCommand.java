package saelab.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import saelab.io.Npy;
import saelab.sae.Sae;
import saelab.sae.SaeCheckpoint;
import saelab.sae.SaeEvaluation;
import saelab.sae.SaeMetrics;
import saelab.store.ActivationCache;
import saelab.store.TokenKind;

/** {@code saelab eval}: an SAE's metrics over a cache or a .npy matrix. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate an SAE (L0, MSE, normalised MSE, explained variance, dead/dense latents, per-latent"
                + " frequency and mean value, decoder coherence), reading a cache in dataset order; writes metrics.json, latents.csv and latents.npy.")
final class EvalCommand implements Callable<Integer> {

    @Mixin
    SaeFileOption sae;

    @ArgGroup(exclusive = true, multiplicity = "1")
    MatrixOrCacheInput input;

    @Mixin
    OutputFolderOption out;

    @Option(names = "--layer", converter = LayerOption.Converter.class,
            description = "block index, or final / pooled (cache input; default: the first recorded)")
    Integer layer;

    @Option(names = "--token-kind", defaultValue = "patches", description = "patches, cls or all (cache input)")
    String tokenKind;

    @Option(names = "--batch", defaultValue = "4096", description = "rows per batch")
    int batch;

    @Option(names = "--max-rows", description = "evaluate at most this many rows")
    Long maxRows;

    @Override
    public Integer call() throws Exception {
        Path checkpoint = sae.file();
        input.check();
        Path folder = out.folder();
        try (NDManager nd = NDManager.newBaseManager(); Sae model = SaeCheckpoint.read(checkpoint, nd)) {
            long limit = maxRows == null ? Long.MAX_VALUE : maxRows;
            SaeMetrics.Result r;
            Map<String, Object> header = new LinkedHashMap<>();
            header.put("sae", checkpoint.toAbsolutePath().toString());
            if (input.npy != null) {
                header.put("input", input.npy.toAbsolutePath().toString());
                r = SaeEvaluation.onMatrix(model, Npy.readFloatMatrix(input.npy), input.npy.toString(), batch, limit, nd);
            } else {
                header.put("input", input.cache.toAbsolutePath().toString());
                try (ActivationCache c = ActivationCache.open(input.cache)) {
                    TokenKind kind = TokenKind.parse(tokenKind, "--token-kind");
                    r = SaeEvaluation.onCache(model, c, LayerOption.orFirst(layer, c), kind, batch, limit, nd);
                }
            }
            SaeEvaluation.write(r, header, folder);
            System.out.printf(Locale.ROOT, "rows %d  L0 %.2f  MSE %.5g  normalised MSE %.4f  explained variance %.4f%n"
                            + "dead %d  almost dead %d  dense %d  decoder coherence %.3f%nwrote %s%n", r.rows(), r.l0(), r.mse(),
                    r.normalizedMse(), r.explainedVariance(), r.dead(), r.almostDead(), r.dense(), r.decoderCoherence(),
                    folder.resolve("metrics.json"));
        }
        return 0;
    }
}
