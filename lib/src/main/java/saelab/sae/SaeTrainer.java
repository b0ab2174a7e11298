package saelab.sae;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.LongFunction;
import saelab.io.AtomicFiles;
import saelab.io.Json;
import saelab.io.Progress;
import saelab.io.Safetensors;
import saelab.io.Safetensors.Tensor;
import saelab.io.Verbosity;

/**
 * Trains SAEs: Adam, learning-rate warm-up then constant or cosine, an optional sparsity warm-up
 * that scales the penalty in the loss, optional global gradient-norm clipping, decoder rows
 * renormalised before every step and the gradient parallel to each row removed (the paper's
 * recipe), dead-latent tracking with optional resampling, optional input normalisation and
 * geometric-median initialisation of b_dec. Several SAEs can be trained in one pass over one stream
 * ({@link #trainAll}: a sweep), each in its own folder.
 *
 * <p>Writes into each output folder: {@code sae.safetensors} (see {@link SaeCheckpoint}),
 * {@code train-state.safetensors} (weights, Adam moments, firing history and the step in one
 * atomically written file: a resume reads only this), and {@code metrics.jsonl} (one JSON object
 * every {@code logEvery} steps). A run restarted on the same folder with the same config continues
 * from its last checkpoint and ends with the same weights as an uninterrupted run (the data source is
 * re-entered at the same sample count).
 *
 * <p>A latent is <em>dead</em> when it has not fired in the last {@code dead_tokens} training tokens
 * (counted from the start of the run for latents that never fired); AuxK and resampling act on the
 * dead latents. Resampling follows Bricken et al. (2023), see {@link Sae}; the resampled rows'
 * Adam moments are reset, and their firing clocks restart.
 */
public final class SaeTrainer {

    /**
     * How to run.
     *
     * @param checkpointEvery steps between checkpoints (0 = only at the end)
     * @param logEvery        steps between metric lines (0 = none)
     * @param verbosity       whether to print progress (rate, time left) on stderr
     * @param device          where the arrays live and the math runs (CPU: sparse Java kernels where
     *                        they apply; other devices: NDArray operations only)
     */
    public record Options(long checkpointEvery, int logEvery, Verbosity verbosity, Device device) {

        /** On the CPU. */
        public Options(long checkpointEvery, int logEvery, Verbosity verbosity) {
            this(checkpointEvery, logEvery, verbosity, Device.cpu());
        }
    }

    /**
     * The outcome of one run.
     *
     * @param checkpoint  the final checkpoint
     * @param steps       steps done in total
     * @param tokens      rows seen in total
     * @param last        the last step's loss terms (null when the run was already complete)
     * @param deadLatents latents dead at the end (never fired, or not within dead_tokens when set)
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
        return trainAll(List.of(cfg), data, List.of(outDir), options, log).getFirst();
    }

    /**
     * Trains (or resumes) several SAEs on one stream: every batch is read once and given to each SAE
     * in turn. The configs must agree on d_model, batch size and steps; they may differ in anything
     * else (kind, d_sae, sparsity, k, learning rate, initialisation seed...). Each run resumes from its
     * own state; runs that are ahead wait until the stream reaches them.
     *
     * @param outDirs one distinct folder per config
     */
    public static List<Result> trainAll(List<SaeConfig> cfgs, LongFunction<BatchSource> data, List<Path> outDirs, Options options,
                                        PrintStream log) throws IOException {
        if (cfgs.isEmpty() || cfgs.size() != outDirs.size()) {
            throw new IllegalArgumentException("need one output folder per config, got " + cfgs.size() + " configs and "
                    + outDirs.size() + " folders");
        }
        SaeConfig first = cfgs.getFirst();
        for (SaeConfig c : cfgs) {
            if (!c.trainable()) {
                throw new IllegalArgumentException("the config has no training recipe (lr, batch_size and steps are 0): " + c);
            }
            if (c.dModel() != first.dModel() || c.batchSize() != first.batchSize() || c.steps() != first.steps()) {
                throw new IllegalArgumentException("SAEs trained in one pass must agree on d_model, batch_size and steps; got "
                        + first.dModel() + "/" + first.batchSize() + "/" + first.steps() + " and " + c.dModel() + "/"
                        + c.batchSize() + "/" + c.steps());
            }
        }
        if (new HashSet<>(outDirs.stream().map(p -> p.toAbsolutePath().normalize()).toList()).size() != outDirs.size()) {
            throw new IllegalArgumentException("output folders must be distinct: " + outDirs);
        }
        int batchSize = first.batchSize();
        int d = first.dModel();
        long steps = first.steps();
        try (NDManager nd = NDManager.newBaseManager(options.device())) {
            List<Run> runs = new ArrayList<>();
            try {
                for (int i = 0; i < cfgs.size(); i++) {
                    runs.add(Run.open(cfgs.get(i), outDirs.get(i), nd, log));
                }
                long startStep = runs.stream().mapToLong(r -> r.step).min().orElseThrow();
                if (startStep < steps) {
                    try (BatchSource src = data.apply(startStep * batchSize)) {
                        if (src.dModel() != d) {
                            throw new IllegalArgumentException("the input rows have width " + src.dModel()
                                    + ", the SAE config d_model " + d);
                        }
                        float[] batch = new float[batchSize * d];
                        String what = runs.size() == 1 ? first.kind().id() + " SAE" : runs.size() + " SAEs";
                        Progress progress = options.verbosity().stderr("training " + what, "steps", steps - startStep);
                        for (long step = startStep; step < steps; step++) {
                            src.next(batch, batchSize);
                            checkFinite(batch, step, d);
                            for (Run run : runs) {
                                if (run.step == step) {
                                    run.step(batch, nd, options, src);
                                }
                            }
                            if (progress != null) {
                                progress.advance(1);
                            }
                        }
                        if (progress != null) {
                            progress.finish();
                        }
                        for (Run run : runs) {
                            if (run.last != null) {
                                run.sae.normalizeDecoder();
                                run.save(src);
                            }
                        }
                    }
                }
                return runs.stream().map(Run::result).toList();
            } finally {
                for (Run run : runs) {
                    run.close();
                }
            }
        }
    }

    /** One SAE being trained: parameters, optimiser, firing history, output folder. */
    private static final class Run implements AutoCloseable {
        final SaeConfig cfg;
        final Path outDir;
        final Sae sae;
        final Adam adam;
        long step;
        /** Per latent, the number of steps done when it last fired (0 = not since the start). */
        final long[] lastFiredStep;
        /** Whether the latent has fired at all. */
        final boolean[] everFired;
        /** Input scale (1 without normalisation; NaN until the first batch sets it). */
        double inputScale;
        Sae.StepResult last;

        private Run(SaeConfig cfg, Path outDir, Sae sae, Adam adam, long step, long[] lastFiredStep, boolean[] everFired,
                    double inputScale) {
            this.cfg = cfg;
            this.outDir = outDir;
            this.sae = sae;
            this.adam = adam;
            this.step = step;
            this.lastFiredStep = lastFiredStep;
            this.everFired = everFired;
            this.inputScale = inputScale;
        }

        static Run open(SaeConfig cfg, Path outDir, NDManager nd, PrintStream log) throws IOException {
            Files.createDirectories(outDir);
            Path statePath = outDir.resolve(STATE);
            removeStaleTemporaries(outDir);
            if (!Files.isRegularFile(statePath)) {
                Files.deleteIfExists(outDir.resolve(METRICS));
                Sae sae = Sae.initialise(cfg, nd);
                long[] lf = new long[cfg.dSae()];
                return new Run(cfg, outDir, sae, new Adam(sae.params(), nd), 0, lf, new boolean[cfg.dSae()],
                        cfg.normalizeInput() ? Double.NaN : 1.0);
            }
            Safetensors.Contents st = Safetensors.read(statePath);
            String savedJson = st.metadata().get("config");
            String stepText = st.metadata().get("step");
            if (savedJson == null || stepText == null || !st.tensors().containsKey("last_fired_step")) {
                throw new IllegalArgumentException(statePath + ": not a saelab training state of this version (metadata 'config'"
                        + " and 'step' and tensor 'last_fired_step' expected); delete it to start the run over");
            }
            st.tensors().forEach((name, t) -> FiniteValues.require(statePath, name, t.values()));
            SaeConfig saved = Json.mapper().readValue(savedJson, SaeConfig.class);
            if (!saved.equals(cfg)) {
                throw new IllegalStateException(outDir + " holds a run with another config (" + statePath
                        + "); use a new output folder, or delete it to start over");
            }
            // weights, moments and step come from this one file (written atomically), never from a
            // checkpoint that a crash may have left one save ahead or behind
            int f = cfg.dSae();
            float[] threshold = null;
            if (cfg.kind() == SaeKind.JUMPRELU) {
                threshold = st.require(statePath, "p.log_threshold", f).values().clone();
                for (int i = 0; i < f; i++) {
                    threshold[i] = (float) Math.exp(threshold[i]);
                }
            } else if (cfg.kind() == SaeKind.BATCHTOPK) {
                threshold = new float[f];
                Arrays.fill(threshold, Float.parseFloat(st.metadata().getOrDefault("batch_threshold", "NaN")));
            }
            Sae sae = Sae.of(cfg, nd, st.require(statePath, "p.W_enc", f, cfg.dModel()).values(),
                    st.require(statePath, "p.b_enc", f).values(), st.require(statePath, "p.W_dec", f, cfg.dModel()).values(),
                    st.require(statePath, "p.b_dec", cfg.dModel()).values(), threshold);
            if (cfg.kind() == SaeKind.JUMPRELU) {
                // exp then log need not round-trip exactly: take the stored log θ bit for bit
                sae.logThreshold.set(FloatBuffer.wrap(st.require(statePath, "p.log_threshold", f).values()));
            } else if (cfg.kind() == SaeKind.BATCHTOPK) {
                // the running estimate is a double: take it as saved, not rounded through the float array above
                sae.batchThreshold = Double.parseDouble(st.metadata().getOrDefault("batch_threshold", "NaN"));
            }
            Adam adam = new Adam(sae.params(), nd);
            List<String> names = sae.paramNames();
            for (int i = 0; i < names.size(); i++) {
                long[] shape = sae.params().get(i).getShape().getShape();
                adam.m.get(i).set(FloatBuffer.wrap(st.require(statePath, "m." + names.get(i), shape).values()));
                adam.v.get(i).set(FloatBuffer.wrap(st.require(statePath, "v." + names.get(i), shape).values()));
            }
            long step = Long.parseLong(stepText);
            adam.t = step;
            float[] lfs = st.require(statePath, "last_fired_step", f).values();
            float[] ever = st.require(statePath, "ever_fired", f).values();
            long[] lf = new long[f];
            boolean[] everFired = new boolean[f];
            for (int i = 0; i < f; i++) {
                lf[i] = (long) lfs[i];
                everFired[i] = ever[i] != 0;
            }
            double scale = Double.parseDouble(st.metadata().getOrDefault("input_scale", "1"));
            if (step < cfg.steps()) {
                log.printf(Locale.ROOT, "resuming %s at step %d of %d%n", outDir, step, cfg.steps());
                truncateMetrics(outDir.resolve(METRICS), step);
            }
            return new Run(cfg, outDir, sae, adam, step, lf, everFired, scale);
        }

        void step(float[] rawBatch, NDManager nd, Options options, saelab.sae.BatchSource src) throws IOException {
            int d = cfg.dModel();
            float[] batch = rawBatch;
            if (step == 0) {
                if (cfg.normalizeInput()) {
                    inputScale = normalisingScale(rawBatch, d);
                }
                if (cfg.geometricMedianInit()) {
                    float[] median = GeometricMedian.of(scaled(rawBatch), cfg.batchSize(), d);
                    sae.bDec.set(FloatBuffer.wrap(median));
                }
            }
            if (inputScale != 1.0) {
                batch = scaled(rawBatch);
            }
            sae.normalizeDecoder();
            boolean[] dead = cfg.auxK() > 0 ? deadMask() : null;
            try (NDManager scope = nd.newSubManager()) {
                NDArray x = scope.create(batch, new Shape(cfg.batchSize(), d));
                last = sae.forwardBackward(x, cfg.l1At(step), dead);
            }
            if (!Double.isFinite(last.loss())) {
                throw new IllegalStateException(outDir + ": the loss became " + last.loss() + " at step " + step
                        + "; lower the learning rate (" + cfg.lr() + ") or set a gradient clip");
            }
            sae.removeParallelGradient();
            if (cfg.gradClip() > 0) {
                clip(sae.gradients(), cfg.gradClip());
            }
            adam.step(sae.params(), sae.gradients(), cfg.lrAt(step));
            step++;
            boolean[] fired = last.fired();
            for (int i = 0; i < fired.length; i++) {
                if (fired[i]) {
                    lastFiredStep[i] = step;
                    everFired[i] = true;
                }
            }
            if (cfg.resampleEvery() > 0 && step % cfg.resampleEvery() == 0 && step < cfg.steps()) {
                resample(batch);
            }
            if (options.logEvery() > 0 && ((step - 1) % options.logEvery() == 0 || step == cfg.steps())) {
                appendMetrics(step - 1);
            }
            if (options.checkpointEvery() > 0 && step % options.checkpointEvery() == 0 && step < cfg.steps()) {
                save(src);
            }
        }

        private float[] scaled(float[] raw) {
            if (inputScale == 1.0) {
                return raw;
            }
            float[] s = new float[raw.length];
            float k = (float) inputScale;
            for (int i = 0; i < raw.length; i++) {
                s[i] = raw[i] * k;
            }
            return s;
        }

        /** Latents dead by the dead_tokens rule (none before dead_tokens tokens have passed). */
        boolean[] deadMask() {
            boolean[] dead = new boolean[cfg.dSae()];
            long horizon = (cfg.deadTokens() + cfg.batchSize() - 1) / cfg.batchSize(); // in steps
            for (int i = 0; i < dead.length; i++) {
                dead[i] = step - lastFiredStep[i] >= horizon;
            }
            return dead;
        }

        private void resample(float[] batch) {
            boolean[] dead = deadMask();
            int[] latents = java.util.stream.IntStream.range(0, dead.length).filter(i -> dead[i]).toArray();
            if (latents.length == 0) {
                return;
            }
            sae.resample(latents, batch, new SplittableRandom(cfg.seed() * 1_000_003L + step));
            adam.resetRows(latents);
            for (int l : latents) {
                lastFiredStep[l] = step;
            }
        }

        int deadAtEnd() {
            int n = 0;
            boolean[] dead = cfg.deadTokens() > 0 ? deadMask() : null;
            for (int i = 0; i < everFired.length; i++) {
                n += (dead != null ? dead[i] : !everFired[i]) ? 1 : 0;
            }
            return n;
        }

        Result result() {
            return new Result(outDir.resolve(CHECKPOINT), step, step * cfg.batchSize(), last, deadAtEnd());
        }

        void save(BatchSource src) throws IOException {
            Map<String, Object> prov = new LinkedHashMap<>();
            prov.put("input", src.describe());
            prov.put("steps", step);
            prov.put("tokens_seen", step * cfg.batchSize());
            if (last != null) {
                prov.put("last_loss", last.loss());
                prov.put("last_mse", last.mse());
                prov.put("last_l0", last.l0());
            }
            if (cfg.normalizeInput()) {
                prov.put("input_scale", inputScale);
                prov.put("input_scale_folded", true);
            }
            SaeCheckpoint.write(outDir.resolve(CHECKPOINT), cfg, folded(sae.exportArrays(), inputScale), prov);
            Map<String, Tensor> t = new LinkedHashMap<>();
            List<String> names = sae.paramNames();
            for (int i = 0; i < names.size(); i++) {
                long[] shape = adam.m.get(i).getShape().getShape();
                t.put("p." + names.get(i), new Tensor(shape, sae.params().get(i).toFloatArray()));
                t.put("m." + names.get(i), new Tensor(shape, adam.m.get(i).toFloatArray()));
                t.put("v." + names.get(i), new Tensor(shape, adam.v.get(i).toFloatArray()));
            }
            float[] lf = new float[lastFiredStep.length];
            float[] ever = new float[lastFiredStep.length];
            for (int i = 0; i < lf.length; i++) {
                lf[i] = lastFiredStep[i]; // step counts: exact in float32 up to 2^24 steps
                ever[i] = everFired[i] ? 1 : 0;
            }
            t.put("last_fired_step", new Tensor(new long[] {lf.length}, lf));
            t.put("ever_fired", new Tensor(new long[] {lf.length}, ever));
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("config", Json.mapper().writeValueAsString(cfg));
            meta.put("step", Long.toString(step));
            meta.put("tokens", Long.toString(step * cfg.batchSize()));
            meta.put("input_scale", Double.toString(inputScale));
            if (cfg.kind() == SaeKind.BATCHTOPK) {
                meta.put("batch_threshold", Double.toString(sae.batchThreshold));
            }
            Safetensors.write(outDir.resolve(STATE), t, meta);
        }

        private void appendMetrics(long stepIndex) throws IOException {
            boolean[] dead = cfg.deadTokens() > 0 ? deadMask() : null;
            int never = 0;
            int deadCount = 0;
            for (int i = 0; i < everFired.length; i++) {
                never += everFired[i] ? 0 : 1;
                deadCount += dead != null && dead[i] ? 1 : 0;
            }
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                    "{\"step\": %d, \"tokens\": %d, \"lr\": %.6g, \"l1_coeff\": %.6g, \"loss\": %.6g, \"mse\": %.6g, \"l1\": %.6g,"
                            + " \"l0\": %.4g, \"never_fired\": %d",
                    stepIndex, step * cfg.batchSize(), cfg.lrAt(stepIndex), cfg.l1At(stepIndex), last.loss(), last.mse(), last.l1(),
                    last.l0(), never));
            if (dead != null) {
                line.append(", \"dead\": ").append(deadCount);
            }
            if (cfg.auxK() > 0) {
                line.append(String.format(Locale.ROOT, ", \"aux_mse\": %.6g", last.aux()));
            }
            if (cfg.kind() == SaeKind.BATCHTOPK) {
                line.append(String.format(Locale.ROOT, ", \"threshold\": %.6g", sae.batchThreshold));
            }
            line.append("}\n");
            Files.writeString(outDir.resolve(METRICS), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        }

        @Override
        public void close() {
            sae.close();
            adam.close();
        }
    }

    /** sqrt(d) / (mean L2 norm of the rows): the scale that gives the rows mean norm sqrt(d). */
    static double normalisingScale(float[] rows, int d) {
        int n = rows.length / d;
        double sum = 0;
        for (int r = 0; r < n; r++) {
            double s = 0;
            for (int c = 0; c < d; c++) {
                s += (double) rows[r * d + c] * rows[r * d + c];
            }
            sum += Math.sqrt(s);
        }
        double mean = sum / n;
        if (!(mean > 0)) {
            throw new IllegalArgumentException("cannot normalise inputs: the first batch has mean norm " + mean);
        }
        return Math.sqrt(d) / mean;
    }

    /**
     * Folds an input scale s into checkpoint arrays so the SAE works on raw inputs: with x' = s x,
     * pre = (s x − b) Wᵀ + c = (x − b/s)(s W)ᵀ + c, and x̂ = x̂'/s = f (W_dec/s) + b_dec/s; codes and
     * thresholds are unchanged.
     */
    static SaeCheckpoint.Arrays folded(SaeCheckpoint.Arrays a, double scale) {
        if (scale == 1.0 || Double.isNaN(scale)) {
            return a;
        }
        float s = (float) scale;
        float[] wEnc = a.wEnc().clone();
        float[] wDec = a.wDec().clone();
        float[] bDec = a.bDec().clone();
        for (int i = 0; i < wEnc.length; i++) {
            wEnc[i] *= s;
        }
        for (int i = 0; i < wDec.length; i++) {
            wDec[i] /= s;
        }
        for (int i = 0; i < bDec.length; i++) {
            bDec[i] /= s;
        }
        return new SaeCheckpoint.Arrays(wEnc, a.bEnc(), wDec, bDec, a.threshold());
    }

    private static void checkFinite(float[] batch, long step, int d) {
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
                    + " (first at row " + first / d + ", column " + first % d
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

    /** Deletes temporary files that a save killed half-way left behind (AtomicFiles names them ".NAME.tmp-*"). */
    private static void removeStaleTemporaries(Path outDir) throws IOException {
        try (var files = Files.list(outDir)) {
            for (Path p : files.toList()) {
                String n = p.getFileName().toString();
                if (n.startsWith(".") && n.contains(".tmp") && (n.contains(STATE) || n.contains(CHECKPOINT) || n.contains(METRICS))) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** Drops metric lines at or after {@code step} (written after the checkpoint a resumed run starts from). */
    private static void truncateMetrics(Path file, long step) throws IOException {
        if (!Files.isRegularFile(file)) {
            return;
        }
        List<String> keep = Files.readAllLines(file).stream().filter(l -> {
            // a line cut short by a crash does not parse: drop it
            int i = l.indexOf("\"step\": ");
            int comma = i < 0 ? -1 : l.indexOf(',', i);
            if (comma < 0 || !l.endsWith("}")) {
                return false;
            }
            try {
                return Long.parseLong(l.substring(i + 8, comma).trim()) < step;
            } catch (NumberFormatException e) {
                return false;
            }
        }).toList();
        AtomicFiles.writeString(file, keep.isEmpty() ? "" : String.join("\n", keep) + "\n");
    }
}
