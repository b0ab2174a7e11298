package saelab.demo;

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
import saelab.sae.Sae;
import saelab.sae.SaeCheckpoint;
import saelab.sae.SaeMetrics;
import saelab.store.ActivationCache;
import saelab.store.TokenBatch;
import saelab.store.TokenKind;

/**
 * What {@code saelab eval --cache} writes, for the demo's eval steps: the metrics of {@link SaeMetrics} over one
 * token kind of a cache in dataset order, as {@code metrics.json}, {@code latents.csv} (latent, frequency, mean value)
 * and {@code latents.npy} [d_sae, 2]. The same files and fields as the command (whose loop lives in the CLI class,
 * so it is repeated here rather than shared).
 */
final class SaeEvaluation {

    private SaeEvaluation() {}

    /** Evaluates {@code saeFile} on {@code cacheDir} and writes the files into {@code out}; returns the metrics. */
    static SaeMetrics.Result write(Path saeFile, Path cacheDir, TokenKind kind, int batch, Path out) throws IOException {
        try (NDManager nd = NDManager.newBaseManager(); Sae model = SaeCheckpoint.read(saeFile, nd);
             ActivationCache c = ActivationCache.open(cacheDir)) {
            int d = model.config().dModel();
            if (c.dModel() != d) {
                throw new IllegalArgumentException(cacheDir + " has rows of width " + c.dModel() + ", the SAE " + saeFile + " expects d_model " + d);
            }
            SaeMetrics metrics = new SaeMetrics(d, model.config().dSae());
            int perImage = Math.max(1, c.tokens().range(kind)[1]);
            Iterator<TokenBatch> it = c.sequential(c.layers().getFirst(), kind, Math.max(1, batch / perImage));
            while (it.hasNext()) {
                TokenBatch tb = it.next();
                try (NDManager s = nd.newSubManager()) {
                    metrics.add(model, s.create(FloatBuffer.wrap(tb.acts(), 0, tb.rows() * d), new Shape(tb.rows(), d)));
                }
            }
            SaeMetrics.Result r = metrics.finish(model);
            Files.createDirectories(out);
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("sae", saeFile.toAbsolutePath().toString());
            json.put("input", cacheDir.toAbsolutePath().toString());
            json.put("token_kind", kind.id());
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
            return r;
        }
    }
}
