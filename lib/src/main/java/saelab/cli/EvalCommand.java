package saelab.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import saelab.io.AtomicFiles;
import saelab.io.Json;
import saelab.io.Npy;
import saelab.sae.Sae;
import saelab.sae.SaeCheckpoint;
import saelab.sae.SaeMetrics;
import saelab.store.ActivationCache;
import saelab.store.TokenBatch;
import saelab.store.TokenKind;

/** {@code saelab eval}: an SAE's metrics over a cache or a .npy matrix. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate an SAE (L0, MSE, normalised MSE, explained variance, dead/dense latents, per-latent"
                + " frequency and mean value, decoder coherence); writes metrics.json, latents.csv and latents.npy.")
final class EvalCommand implements Callable<Integer> {

    static final class Input {
        @Option(names = "--input", description = "float32 .npy matrix [n, d_model]")
        Path npy;

        @Option(names = "--cache", description = "activation cache folder (read in dataset order)")
        Path cache;
    }

    @Option(names = "--sae", required = true, description = "sae.safetensors")
    Path sae;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    @Option(names = "--layer", description = "block index (cache input; default: the first recorded)")
    Integer layer;

    @Option(names = "--token-kind", defaultValue = "patches", description = "patches, cls or all (cache input)")
    String tokenKind;

    @Option(names = "--batch", defaultValue = "4096", description = "rows per batch")
    int batch;

    @Option(names = "--max-rows", description = "evaluate at most this many rows")
    Long maxRows;

    @Option(names = "--out", required = true, description = "output folder")
    Path out;

    @Override
    public Integer call() throws Exception {
        try (NDManager nd = NDManager.newBaseManager(); Sae model = SaeCheckpoint.read(sae, nd)) {
            int d = model.config().dModel();
            SaeMetrics metrics = new SaeMetrics(d, model.config().dSae());
            long limit = maxRows == null ? Long.MAX_VALUE : maxRows;
            long done = 0;
            if (input.npy != null) {
                Npy.Matrix x = Npy.readFloatMatrix(input.npy);
                requireWidth(x.cols(), d, input.npy.toString());
                for (int r = 0; r < x.rows() && done < limit; r += batch) {
                    int n = (int) Math.min(Math.min(batch, x.rows() - r), limit - done);
                    try (NDManager s = nd.newSubManager()) {
                        metrics.add(model, s.create(FloatBuffer.wrap(x.values(), r * d, n * d), new Shape(n, d)));
                    }
                    done += n;
                }
            } else {
                try (ActivationCache c = ActivationCache.open(input.cache)) {
                    requireWidth(c.dModel(), d, input.cache.toString());
                    int l = layer == null ? c.layers().getFirst() : layer;
                    TokenKind kind = TokenKind.parse(tokenKind, "--token-kind");
                    int perImage = Math.max(1, c.tokens().range(kind)[1]);
                    Iterator<TokenBatch> it = c.sequential(l, kind, Math.max(1, batch / perImage));
                    while (it.hasNext() && done < limit) {
                        TokenBatch tb = it.next();
                        int n = (int) Math.min(tb.rows(), limit - done);
                        try (NDManager s = nd.newSubManager()) {
                            metrics.add(model, s.create(FloatBuffer.wrap(tb.acts(), 0, n * d), new Shape(n, d)));
                        }
                        done += n;
                    }
                }
            }
            SaeMetrics.Result r = metrics.finish(model);
            Files.createDirectories(out);
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("sae", sae.toAbsolutePath().toString());
            json.put("input", input.npy != null ? input.npy.toAbsolutePath().toString() : input.cache.toAbsolutePath().toString());
            json.put("rows", r.rows());
            json.put("l0", r.l0());
            json.put("mse", r.mse());
            json.put("normalized_mse", r.normalizedMse());
            json.put("explained_variance", r.explainedVariance());
            json.put("dead", r.dead());
            json.put("almost_dead", r.almostDead());
            json.put("dense", r.dense());
            json.put("decoder_coherence", r.decoderCoherence());
            Json.write(out.resolve("metrics.json"), json);
            StringBuilder csv = new StringBuilder("latent,frequency,mean_value\n");
            float[] arr = new float[r.frequency().length * 2];
            for (int i = 0; i < r.frequency().length; i++) {
                csv.append(i).append(',').append(r.frequency()[i]).append(',').append(r.meanValue()[i]).append('\n');
                arr[2 * i] = (float) r.frequency()[i];
                arr[2 * i + 1] = (float) r.meanValue()[i];
            }
            AtomicFiles.writeString(out.resolve("latents.csv"), csv.toString());
            Npy.writeFloatMatrix(out.resolve("latents.npy"), r.frequency().length, 2, arr);
            System.out.printf(Locale.ROOT, "rows %d  L0 %.2f  MSE %.5g  normalised MSE %.4f  explained variance %.4f%n"
                            + "dead %d  almost dead %d  dense %d  decoder coherence %.3f%nwrote %s%n", r.rows(), r.l0(), r.mse(),
                    r.normalizedMse(), r.explainedVariance(), r.dead(), r.almostDead(), r.dense(), r.decoderCoherence(),
                    out.resolve("metrics.json"));
        }
        return 0;
    }

    private static void requireWidth(int got, int want, String what) {
        if (got != want) {
            throw new IllegalArgumentException(what + " has rows of width " + got + ", the SAE expects d_model " + want);
        }
    }
}
