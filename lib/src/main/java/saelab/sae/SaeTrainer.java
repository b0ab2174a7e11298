package saelab.sae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongFunction;
import saelab.io.AtomicFiles;
import saelab.io.Json;
import saelab.io.Progress;
import saelab.io.Safetensors;
import saelab.io.Safetensors.Tensor;

/**
 * Trains one SAE: Adam, learning-rate warm-up then constant or cosine, an optional sparsity warm-up
 * that scales the L1 term in the loss, optional global gradient-norm clipping, decoder rows
 * renormalised before every step and the gradient parallel to each row removed (the paper's recipe).
 *
 * <p>Writes into the output folder: {@code sae.safetensors} (see {@link SaeCheckpoint}),
 * {@code train-state.safetensors} (weights, Adam moments and the step in one atomically written
 * file: a resume reads only this), and
 * {@code metrics.jsonl} (one JSON object every {@code logEvery} steps). A run restarted on the same
 * folder with the same config continues from the last checkpoint and ends with the same weights as an
 * uninterrupted run (the data source is re-entered at the same sample count).
 */
public final class SaeTrainer {

    /**
     * How to run.
     *
     * @param checkpointEvery steps between checkpoints (0 = only at the end)
     * @param logEvery        steps between metric lines (0 = none)
     * @param progress        print progress (rate, time left) on stderr
     */
    public record Options(long checkpointEvery, int logEvery, boolean progress) {}

    /**
     * The outcome.
     *
     * @param checkpoint the final checkpoint
     * @param steps      steps done in total
     * @param tokens     rows seen in total
     * @param last       the last step's loss terms (null when the run was already complete)
     * @param deadLatents latents that never fired during the run
     */
    public record Result(Path checkpoint, long steps, long tokens, Sae.StepResult last, int deadLatents) {}

    static final String STATE = "train-state.safetensors";
    static final String CHECKPOINT = "sae.safetensors";
    static final String METRICS = "metrics.jsonl";

    private SaeTrainer() {}

    /**
     * Trains (or resumes) an SAE in {@code outDir}.
     *
     * @param data rows from a given sample count (called once, with 0 or the resumed count)
     */
    public static Result train(SaeConfig cfg, LongFunction<BatchSource> data, Path outDir, Options options, PrintStream log)
            throws IOException {
        Files.createDirectories(outDir);
        try (NDManager nd = NDManager.newBaseManager()) {
            Sae sae;
            Adam adam;
            long startStep = 0;
            Path statePath = outDir.resolve(STATE);
            long[] lastFired;
            if (Files.isRegularFile(statePath)) {
                Safetensors.Contents st = Safetensors.read(statePath);
                String savedJson = st.metadata().get("config");
                String stepText = st.metadata().get("step");
                if (savedJson == null || stepText == null || !st.tensors().containsKey("last_fired")) {
                    throw new IllegalArgumentException(statePath + ": not a saelab training state (metadata 'config' and 'step'"
                            + " and tensor 'last_fired' expected); delete it to start the run over");
                }
                SaeConfig saved = Json.mapper().readValue(savedJson, SaeConfig.class);
                if (!saved.equals(cfg)) {
                    throw new IllegalStateException(outDir + " holds a run with another config (" + statePath
                            + "); use a new output folder, or delete it to start over");
                }
                // weights, moments and step come from this one file (written atomically), never from a
                // checkpoint that a crash may have left one save ahead or behind
                String[] names = {"W_enc", "b_enc", "W_dec", "b_dec"};
                sae = Sae.of(cfg, nd, st.require(statePath, "p.W_enc", cfg.dSae(), cfg.dModel()).values(),
                        st.require(statePath, "p.b_enc", cfg.dSae()).values(),
                        st.require(statePath, "p.W_dec", cfg.dSae(), cfg.dModel()).values(),
                        st.require(statePath, "p.b_dec", cfg.dModel()).values());
                adam = new Adam(sae.params(), nd);
                for (int i = 0; i < names.length; i++) {
                    long[] shape = sae.params().get(i).getShape().getShape();
                    adam.m.get(i).set(java.nio.FloatBuffer.wrap(st.require(statePath, "m." + names[i], shape).values()));
                    adam.v.get(i).set(java.nio.FloatBuffer.wrap(st.require(statePath, "v." + names[i], shape).values()));
                }
                startStep = Long.parseLong(stepText);
                adam.t = startStep;
                float[] lf = st.tensors().get("last_fired").values();
                lastFired = new long[lf.length];
                for (int i = 0; i < lf.length; i++) {
                    lastFired[i] = (long) lf[i];
                }
                log.printf(Locale.ROOT, "resuming %s at step %d of %d%n", outDir, startStep, cfg.steps());
                truncateMetrics(outDir.resolve(METRICS), startStep);
            } else {
                sae = Sae.initialise(cfg, nd);
                adam = new Adam(sae.params(), nd);
                lastFired = new long[cfg.dSae()];
                java.util.Arrays.fill(lastFired, -1);
                Files.deleteIfExists(outDir.resolve(METRICS));
            }
            Sae.StepResult last = null;
            long tokens = startStep * cfg.batchSize();
            if (startStep >= cfg.steps()) {
                // already complete: leave the checkpoint (weights, provenance) and the metrics as they are
                sae.close();
                adam.close();
                return new Result(outDir.resolve(CHECKPOINT), cfg.steps(), tokens, null, (int) java.util.Arrays.stream(lastFired)
                        .filter(lf -> lf < 0).count());
            }
            try (sae; adam; BatchSource src = data.apply(tokens)) {
                if (src.dModel() != cfg.dModel()) {
                    throw new IllegalArgumentException("the input rows have width " + src.dModel() + ", the SAE config d_model "
                            + cfg.dModel());
                }
                float[] batch = new float[cfg.batchSize() * cfg.dModel()];
                Progress progress = options.progress() ? Progress.stderr("training " + cfg.kind().id() + " SAE", "steps", cfg.steps()) : null;
                for (long step = startStep; step < cfg.steps(); step++) {
                    src.next(batch, cfg.batchSize());
                    checkFinite(batch, step, cfg);
                    sae.normalizeDecoder();
                    try (NDManager scope = nd.newSubManager()) {
                        NDArray x = scope.create(batch, new Shape(cfg.batchSize(), cfg.dModel()));
                        last = sae.forwardBackward(x, cfg.l1At(step));
                    }
                    if (!Double.isFinite(last.loss())) {
                        throw new IllegalStateException("the loss became " + last.loss() + " at step " + step
                                + "; lower the learning rate (" + cfg.lr() + ") or enable --grad-clip");
                    }
                    sae.removeParallelGradient();
                    if (cfg.gradClip() > 0) {
                        clip(sae.gradients(), cfg.gradClip());
                    }
                    adam.step(sae.params(), sae.gradients(), cfg.lrAt(step));
                    tokens += cfg.batchSize();
                    boolean[] fired = last.fired();
                    for (int i = 0; i < fired.length; i++) {
                        if (fired[i]) {
                            lastFired[i] = tokens;
                        }
                    }
                    if (options.logEvery() > 0 && (step % options.logEvery() == 0 || step == cfg.steps() - 1)) {
                        appendMetrics(outDir.resolve(METRICS), step, tokens, cfg, last, lastFired);
                    }
                    if (options.checkpointEvery() > 0 && (step + 1) % options.checkpointEvery() == 0 && step + 1 < cfg.steps()) {
                        saveState(outDir, sae, adam, step + 1, tokens, lastFired, src, last);
                    }
                    if (progress != null) {
                        progress.advance(1);
                    }
                }
                if (progress != null) {
                    progress.finish();
                }
                sae.normalizeDecoder();
                saveState(outDir, sae, adam, cfg.steps(), tokens, lastFired, src, last);
            }
            int dead = 0;
            for (long lf : lastFired) {
                if (lf < 0) {
                    dead++;
                }
            }
            return new Result(outDir.resolve(CHECKPOINT), cfg.steps(), tokens, last, dead);
        }
    }

    private static void checkFinite(float[] batch, long step, SaeConfig cfg) {
        int bad = 0;
        int first = -1;
        for (int i = 0; i < batch.length; i++) {
            if (!Float.isFinite(batch[i])) {
                if (bad++ == 0) {
                    first = i;
                }
            }
        }
        if (bad > 0) {
            throw new IllegalArgumentException("the input batch of step " + step + " holds " + bad + " NaN or infinite values"
                    + " (first at row " + first / cfg.dModel() + ", column " + first % cfg.dModel()
                    + "); clean the input, training stopped before using it");
        }
    }

    private static void clip(List<NDArray> grads, double maxNorm) {
        double sq = 0;
        for (NDArray g : grads) {
            try (NDArray s = g.square().sum()) {
                sq += s.getFloat();
            }
        }
        double norm = Math.sqrt(sq);
        if (norm > maxNorm) {
            float scale = (float) (maxNorm / norm);
            for (NDArray g : grads) {
                g.muli(scale);
            }
        }
    }

    private static void saveState(Path outDir, Sae sae, Adam adam, long step, long tokens, long[] lastFired, BatchSource src,
                                  Sae.StepResult last) throws IOException {
        Map<String, Object> prov = new LinkedHashMap<>();
        prov.put("input", src.describe());
        prov.put("steps", step);
        prov.put("tokens_seen", tokens);
        if (last != null) {
            prov.put("last_loss", last.loss());
            prov.put("last_mse", last.mse());
            prov.put("last_l0", last.l0());
        }
        SaeCheckpoint.write(outDir.resolve(CHECKPOINT), sae, prov);
        SaeConfig c = sae.config();
        Map<String, Tensor> t = new LinkedHashMap<>();
        String[] names = {"W_enc", "b_enc", "W_dec", "b_dec"};
        for (int i = 0; i < names.length; i++) {
            long[] shape = adam.m.get(i).getShape().getShape();
            t.put("p." + names[i], new Tensor(shape, sae.params().get(i).toFloatArray()));
            t.put("m." + names[i], new Tensor(shape, adam.m.get(i).toFloatArray()));
            t.put("v." + names[i], new Tensor(shape, adam.v.get(i).toFloatArray()));
        }
        float[] lf = new float[lastFired.length];
        for (int i = 0; i < lf.length; i++) {
            lf[i] = lastFired[i];
        }
        t.put("last_fired", new Tensor(new long[] {lf.length}, lf));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("config", Json.mapper().writeValueAsString(c));
        meta.put("step", Long.toString(step));
        meta.put("tokens", Long.toString(tokens));
        Safetensors.write(outDir.resolve(STATE), t, meta);
    }

    private static void appendMetrics(Path file, long step, long tokens, SaeConfig cfg, Sae.StepResult r, long[] lastFired)
            throws IOException {
        int dead = 0;
        for (long lf : lastFired) {
            if (lf < 0) {
                dead++;
            }
        }
        String line = String.format(Locale.ROOT,
                "{\"step\": %d, \"tokens\": %d, \"lr\": %.6g, \"l1_coeff\": %.6g, \"loss\": %.6g, \"mse\": %.6g, \"l1\": %.6g,"
                        + " \"l0\": %.4g, \"never_fired\": %d}%n",
                step, tokens, cfg.lrAt(step), cfg.l1At(step), r.loss(), r.mse(), r.l1(), r.l0(), dead);
        Files.writeString(file, line, java.nio.charset.StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
    }

    /** Drops metric lines at or after {@code step} (written after the checkpoint a resumed run starts from). */
    private static void truncateMetrics(Path file, long step) throws IOException {
        if (!Files.isRegularFile(file)) {
            return;
        }
        List<String> keep = Files.readAllLines(file).stream().filter(l -> {
            int i = l.indexOf("\"step\": ");
            if (i < 0) {
                return false;
            }
            long s = Long.parseLong(l.substring(i + 8, l.indexOf(',', i)).trim());
            return s < step;
        }).toList();
        AtomicFiles.writeString(file, keep.isEmpty() ? "" : String.join("\n", keep) + "\n");
    }
}
