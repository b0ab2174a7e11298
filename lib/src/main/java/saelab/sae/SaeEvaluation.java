package saelab.sae;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import saelab.io.AtomicFiles;
import saelab.io.Json;
import saelab.io.Npy;
import saelab.store.ActivationCache;
import saelab.store.TokenBatch;
import saelab.store.TokenKind;

/**
 * Evaluating an SAE on stored activations and writing what {@code saelab eval} writes: the metrics of
 * {@link SaeMetrics} as {@code metrics.json}, and per latent its firing frequency and mean value as
 * {@code latents.csv} (latent, frequency, mean_value) and {@code latents.npy} [d_sae, 2]. Shared by the command
 * and the demo pipeline's eval steps, so both write the same files.
 */
public final class SaeEvaluation {

    private SaeEvaluation() {}

    /**
     * Feeds one token kind of one layer of a cache, in dataset order, through the SAE.
     *
     * @param batch rows per batch (rounded to whole images)
     * @param limit most rows evaluated
     * @throws IllegalArgumentException when the cache's width differs from the SAE's d_model, or when it
     *                                  holds a NaN or infinite activation (naming the image and token)
     */
    public static SaeMetrics.Result onCache(Sae model, ActivationCache c, int layer, TokenKind kind, int batch, long limit,
                                            NDManager nd) {
        int d = model.config().dModel();
        requireWidth(c.dModel(), d, c.dir().toString());
        SaeMetrics metrics = new SaeMetrics(d, model.config().dSae());
        int perImage = Math.max(1, c.tokens().range(kind)[1]);
        Iterator<TokenBatch> it = c.sequential(layer, kind, Math.max(1, batch / perImage));
        long done = 0;
        while (it.hasNext() && done < limit) {
            TokenBatch tb = it.next();
            int n = (int) Math.min(tb.rows(), limit - done);
            tb.requireFinite(n, c.dir(), layer);
            try (NDManager s = nd.newSubManager()) {
                metrics.add(model, s.create(FloatBuffer.wrap(tb.acts(), 0, n * d), new Shape(n, d)));
            }
            done += n;
        }
        return metrics.finish(model);
    }

    /** Feeds the rows of a matrix (e.g. a {@code .npy} of activations) through the SAE, at most {@code limit}. */
    public static SaeMetrics.Result onMatrix(Sae model, Npy.Matrix x, String source, int batch, long limit, NDManager nd) {
        int d = model.config().dModel();
        requireWidth(x.cols(), d, source);
        float[] v = x.values();
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new IllegalArgumentException(source + " holds a non-finite value (" + v[i] + ") at row " + i / d + ", column "
                        + i % d + "; expected finite activations");
            }
        }
        SaeMetrics metrics = new SaeMetrics(d, model.config().dSae());
        long done = 0;
        for (int r = 0; r < x.rows() && done < limit; r += batch) {
            int n = (int) Math.min(Math.min(batch, x.rows() - r), limit - done);
            try (NDManager s = nd.newSubManager()) {
                metrics.add(model, s.create(FloatBuffer.wrap(x.values(), r * d, n * d), new Shape(n, d)));
            }
            done += n;
        }
        return metrics.finish(model);
    }

    /**
     * Writes {@code metrics.json} (the fields of {@code header} first, e.g. the SAE and input paths, then the
     * metrics), {@code latents.csv} and {@code latents.npy} into {@code out}, each atomically.
     */
    public static void write(SaeMetrics.Result r, Map<String, Object> header, Path out) throws IOException {
        Files.createDirectories(out);
        Map<String, Object> json = new LinkedHashMap<>(header);
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
    }

    private static void requireWidth(int got, int want, String what) {
        if (got != want) {
            throw new IllegalArgumentException(what + " has rows of width " + got + ", the SAE expects d_model " + want);
        }
    }
}
