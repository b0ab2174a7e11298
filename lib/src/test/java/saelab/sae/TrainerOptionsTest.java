package saelab.sae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import saelab.data.PlantedDictionary;
import saelab.io.Json;
import saelab.io.Npy;
import saelab.io.Safetensors;
import saelab.io.Verbosity;

/**
 * The trainer's options: input normalisation folded into the checkpoint, geometric-median b_dec,
 * dead-latent resampling, AuxK, BatchTopK and JumpReLU thresholds, Matryoshka; and exact resume
 * with each of them.
 */
class TrainerOptionsTest {

    private static final int D = 16;
    private static final int BATCH = 64;
    private static final long DATA_SEED = 5;
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    private static final Npy.Matrix DATA;

    static {
        PlantedDictionary dict = PlantedDictionary.random(D, 40, 3);
        DATA = new Npy.Matrix(1000, D, dict.sample(1000, 3, PlantedDictionary.AtomFrequency.POWER_LAW, 0.01, 4).x());
    }

    @TempDir
    Path dir;

    private static SaeConfig config(SaeKind kind, int dSae, double l1, int k, double lr, long steps) {
        return SaeConfig.builder(kind, D, dSae).l1(l1).k(k).lr(lr).batchSize(BATCH).steps(steps).seed(17).build();
    }

    private static LongFunction<BatchSource> data(Npy.Matrix m) {
        return start -> new MatrixBatches(m, DATA_SEED, start, "planted");
    }

    /** {@link #data} that throws on the {@code failAt}-th call of next (0-based). */
    private static LongFunction<BatchSource> crashingAt(Npy.Matrix m, int failAt) {
        return CrashingBatches.crashingAt(m, DATA_SEED, failAt);
    }

    /** The rows of the stream's batch with index {@code step} (0-based). */
    private static float[] batchOfStep(Npy.Matrix m, long step) {
        MatrixBatches src = new MatrixBatches(m, DATA_SEED, step * BATCH, "planted");
        float[] b = new float[BATCH * D];
        src.next(b, BATCH);
        return b;
    }

    private static void assertSameTensors(Path expected, Path actual) throws IOException {
        Map<String, Safetensors.Tensor> a = Safetensors.read(expected).tensors();
        Map<String, Safetensors.Tensor> b = Safetensors.read(actual).tensors();
        assertEquals(a.keySet(), b.keySet(), actual + " holds other tensors than " + expected);
        for (String name : a.keySet()) {
            assertArrayEquals(a.get(name).shape(), b.get(name).shape(), name);
            assertArrayEquals(a.get(name).values(), b.get(name).values(), actual + ": " + name);
        }
    }

    /**
     * Trains {@code cfg} uninterrupted in "whole", and in "resumed" crashed on fetching batch
     * {@code crashAt} then resumed; asserts that checkpoint, training state (tensors and metadata) and
     * metrics are identical; returns the uninterrupted run's folder.
     */
    private Path assertCrashAndResumeIsExact(SaeConfig cfg, SaeTrainer.Options opts, int crashAt, long expectedStateStep)
            throws IOException {
        Path whole = dir.resolve("whole");
        SaeTrainer.train(cfg, data(DATA), whole, opts, QUIET);
        Path resumed = dir.resolve("resumed");
        RuntimeException crash = assertThrows(RuntimeException.class,
                () -> SaeTrainer.train(cfg, crashingAt(DATA, crashAt), resumed, opts, QUIET));
        assertEquals("simulated crash", crash.getMessage());
        assertEquals(Long.toString(expectedStateStep), Safetensors.read(resumed.resolve(SaeTrainer.STATE)).metadata().get("step"));
        SaeTrainer.Result r = SaeTrainer.train(cfg, data(DATA), resumed, opts, QUIET);
        assertEquals(cfg.steps(), r.steps());
        assertSameTensors(whole.resolve(SaeTrainer.CHECKPOINT), resumed.resolve(SaeTrainer.CHECKPOINT));
        assertSameTensors(whole.resolve(SaeTrainer.STATE), resumed.resolve(SaeTrainer.STATE));
        assertEquals(Safetensors.read(whole.resolve(SaeTrainer.STATE)).metadata(),
                Safetensors.read(resumed.resolve(SaeTrainer.STATE)).metadata());
        if (opts.logEvery() > 0) {
            assertEquals(Files.readAllLines(whole.resolve(SaeTrainer.METRICS)), Files.readAllLines(resumed.resolve(SaeTrainer.METRICS)));
        }
        return whole;
    }

    private static List<JsonNode> metrics(Path run) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve(SaeTrainer.METRICS))) {
            out.add(Json.mapper().readTree(line));
        }
        return out;
    }

    private static float[] scaledCopy(float[] v, float s) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] * s;
        }
        return out;
    }

    private static double maxAbs(float[] v) {
        double m = 0;
        for (float x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    // ---- input normalisation ----------------------------------------------------------------

    @ParameterizedTest
    @CsvSource({"RELU, centered", "TOPK, raw", "TOPK, centered"})
    void normalisedRunsFoldTheScaleIntoTheCheckpoint(SaeKind kind, String encoderInput) throws IOException {
        SaeConfig cfg = config(kind, 32, 1e-2, 4, 3e-3, 40).toBuilder().encoderInput(encoderInput).normalizeInput(true).geometricMedianInit(false).build();
        Path out = dir.resolve("norm");
        SaeTrainer.Result r = SaeTrainer.train(cfg, data(DATA), out, new SaeTrainer.Options(0, 5, Verbosity.QUIET), QUIET);

        float[] first = batchOfStep(DATA, 0);
        double norms = 0;
        for (int row = 0; row < BATCH; row++) {
            double s = 0;
            for (int c = 0; c < D; c++) {
                s += (double) first[row * D + c] * first[row * D + c];
            }
            norms += Math.sqrt(s);
        }
        double expected = Math.sqrt(D) / (norms / BATCH);
        JsonNode prov = SaeCheckpoint.provenance(r.checkpoint());
        double scale = prov.get("input_scale").asDouble();
        assertEquals(expected, scale, 1e-12 * expected, "input_scale = sqrt(d) / mean row norm of the first batch");
        assertTrue(prov.get("input_scale_folded").asBoolean(), prov.toString());
        Safetensors.Contents state = Safetensors.read(out.resolve(SaeTrainer.STATE));
        assertEquals(scale, Double.parseDouble(state.metadata().get("input_scale")));

        int f = cfg.dSae();
        try (NDManager nd = NDManager.newBaseManager();
             Sae folded = SaeCheckpoint.read(r.checkpoint(), nd);
             Sae unfolded = Sae.of(cfg, nd, state.require(out, "p.W_enc", f, D).values(), state.require(out, "p.b_enc", f).values(),
                     state.require(out, "p.W_dec", f, D).values(), state.require(out, "p.b_dec", D).values())) {
            NDArray raw = nd.create(DATA.values(), new Shape(DATA.rows(), D));
            NDArray scaled = nd.create(scaledCopy(DATA.values(), (float) scale), new Shape(DATA.rows(), D));
            float[] codesRaw = folded.encode(raw).toFloatArray();
            float[] codesScaled = unfolded.encode(scaled).toFloatArray();
            double tol = 1e-5 * maxAbs(codesScaled);
            assertTrue(maxAbs(codesScaled) > 0.1, "the SAE encodes something");
            assertArrayEquals(codesScaled, codesRaw, (float) tol, "checkpoint on raw inputs = trained SAE on scaled inputs");
            float[] reconRaw = folded.decode(folded.encode(raw)).toFloatArray();
            float[] reconScaled = unfolded.decode(unfolded.encode(scaled)).toFloatArray();
            float[] reconBack = scaledCopy(reconScaled, (float) (1 / scale));
            assertArrayEquals(reconBack, reconRaw, (float) (1e-5 * maxAbs(reconBack)), "reconstructions come back in raw units");
        }
    }

    @Test
    void normalisedTrainingIsOnOneScaleWhateverTheInputUnits() throws IOException {
        SaeConfig cfg = config(SaeKind.RELU, 32, 1e-2, 0, 3e-3, 40).toBuilder().encoderInput("centered").normalizeInput(true).geometricMedianInit(false).build();
        SaeTrainer.Options opts = new SaeTrainer.Options(0, 1, Verbosity.QUIET);
        Npy.Matrix big = new Npy.Matrix(DATA.rows(), D, scaledCopy(DATA.values(), 1000f));
        SaeTrainer.Result unit = SaeTrainer.train(cfg, data(DATA), dir.resolve("unit"), opts, QUIET);
        SaeTrainer.Result large = SaeTrainer.train(cfg, data(big), dir.resolve("large"), opts, QUIET);
        double sUnit = SaeCheckpoint.provenance(unit.checkpoint()).get("input_scale").asDouble();
        double sLarge = SaeCheckpoint.provenance(large.checkpoint()).get("input_scale").asDouble();
        assertEquals(sUnit / 1000, sLarge, 1e-6 * sUnit / 1000);

        List<JsonNode> a = metrics(dir.resolve("unit"));
        List<JsonNode> b = metrics(dir.resolve("large"));
        assertEquals(40, b.size());
        for (int i = 0; i < a.size(); i++) {
            double mse = b.get(i).get("mse").asDouble();
            double loss = b.get(i).get("loss").asDouble();
            assertTrue(Double.isFinite(loss) && Double.isFinite(mse), b.get(i).toString());
            // rows of mean norm sqrt(d): a mean squared entry near 1, not near 1e6 as the raw rows
            assertTrue(mse < 5, "mse on the normalised scale: " + b.get(i));
            assertEquals(a.get(i).get("mse").asDouble(), mse, 1e-3 * a.get(i).get("mse").asDouble(), "line " + i);
            assertEquals(a.get(i).get("loss").asDouble(), loss, 1e-3 * a.get(i).get("loss").asDouble(), "line " + i);
        }
        assertTrue(Double.isFinite(large.last().loss()));
        // the folded checkpoint of the large-unit run reconstructs in its units: b_dec scales by 1000 as well
        float[] bDecUnit = Safetensors.read(unit.checkpoint()).tensors().get("b_dec").values();
        float[] bDecLarge = Safetensors.read(large.checkpoint()).tensors().get("b_dec").values();
        assertArrayEquals(scaledCopy(bDecUnit, 1000f), bDecLarge, (float) (1e-3 * 1000 * maxAbs(bDecUnit)));
    }

    @Test
    void normalisedRunsResumeExactly() throws IOException {
        SaeConfig cfg = config(SaeKind.RELU, 32, 1e-2, 0, 3e-3, 30).toBuilder().encoderInput("centered").normalizeInput(true).geometricMedianInit(true).build();
        assertCrashAndResumeIsExact(cfg, new SaeTrainer.Options(10, 3, Verbosity.QUIET), 17, 10);
    }

    // ---- geometric-median initialisation ----------------------------------------------------

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void geometricMedianInitialisesTheDecoderBias(boolean normalize) throws IOException {
        // one step at a negligible learning rate: b_dec stays where the initialisation put it
        SaeConfig cfg = config(SaeKind.RELU, 32, 1e-2, 0, 1e-12, 1).toBuilder().encoderInput("centered").normalizeInput(normalize).geometricMedianInit(true).build();
        SaeTrainer.Result r = SaeTrainer.train(cfg, data(DATA), dir.resolve("gm"), new SaeTrainer.Options(0, 0, Verbosity.QUIET), QUIET);
        float[] bDec = Safetensors.read(r.checkpoint()).tensors().get("b_dec").values();
        float[] first = batchOfStep(DATA, 0);
        float[] median = GeometricMedian.of(first, BATCH, D);
        assertArrayEquals(median, bDec, normalize ? 1e-5f * (float) maxAbs(median) : 1e-6f);

        // it is the geometric median (the unit vectors to the rows cancel), not the mean
        double[] pull = new double[D];
        double[] mean = new double[D];
        for (int row = 0; row < BATCH; row++) {
            double s = 0;
            for (int c = 0; c < D; c++) {
                double diff = first[row * D + c] - bDec[c];
                s += diff * diff;
                mean[c] += first[row * D + c] / (double) BATCH;
            }
            for (int c = 0; c < D; c++) {
                pull[c] += (first[row * D + c] - bDec[c]) / Math.sqrt(s);
            }
        }
        double pullNorm = 0;
        double fromMean = 0;
        for (int c = 0; c < D; c++) {
            pullNorm += pull[c] * pull[c];
            fromMean += (mean[c] - bDec[c]) * (mean[c] - bDec[c]);
        }
        assertTrue(Math.sqrt(pullNorm) < 1e-3 * BATCH, "sum of unit vectors to the rows: " + Math.sqrt(pullNorm));
        assertTrue(Math.sqrt(fromMean) > 1e-2, "the median is not the mean: " + Math.sqrt(fromMean));
    }

    // ---- resampling ----------------------------------------------------------------------------

    /** ReLU with a heavy L1 penalty: many latents die within the first 40 steps. */
    private static SaeConfig dying(long steps, long resampleEvery) {
        return config(SaeKind.RELU, 64, 3, 0, 1e-2, steps).toBuilder().resampleEvery(resampleEvery).deadTokens(10L * BATCH).build();
    }

    /** Latents that fire on no row of the whole data set, by the checkpoint (raw inputs). */
    private static int deadOnData(Path checkpoint) throws IOException {
        try (NDManager nd = NDManager.newBaseManager(); Sae sae = SaeCheckpoint.read(checkpoint, nd)) {
            NDArray x = nd.create(DATA.values(), new Shape(DATA.rows(), D));
            boolean[] fired = sae.encode(x).gt(0f).sum(new int[] {0}).gt(0).toBooleanArray();
            int dead = 0;
            for (boolean b : fired) {
                dead += b ? 0 : 1;
            }
            return dead;
        }
    }

    @Test
    void resamplingLeavesFewerDeadLatents() throws IOException {
        SaeTrainer.Options opts = new SaeTrainer.Options(0, 0, Verbosity.QUIET);
        SaeTrainer.Result plain = SaeTrainer.train(dying(170, 0), data(DATA), dir.resolve("plain"), opts, QUIET);
        SaeTrainer.Result resampled = SaeTrainer.train(dying(170, 40), data(DATA), dir.resolve("resampled"), opts, QUIET);
        int deadPlain = deadOnData(plain.checkpoint());
        int deadResampled = deadOnData(resampled.checkpoint());
        assertTrue(deadPlain >= 20, "the setting kills latents: " + deadPlain + " of 64 dead");
        assertTrue(deadResampled * 2 < deadPlain, "dead on the data: " + deadResampled + " with resampling, " + deadPlain + " without");
        assertTrue(resampled.deadLatents() < plain.deadLatents(),
                "dead by the trainer's rule: " + resampled.deadLatents() + " with resampling, " + plain.deadLatents() + " without");
    }

    @Test
    void resampledLatentsTakeUnitDirectionsOfBatchInputs() throws IOException {
        long every = 40;
        SaeTrainer.Options opts = new SaeTrainer.Options(every, 0, Verbosity.QUIET);
        // both runs stop right after their state at step 40 is saved (just after the resampling)
        Path plain = dir.resolve("plain");
        Path resampled = dir.resolve("resampled");
        assertThrows(RuntimeException.class, () -> SaeTrainer.train(dying(100, 0), crashingAt(DATA, 40), plain, opts, QUIET));
        assertThrows(RuntimeException.class, () -> SaeTrainer.train(dying(100, every), crashingAt(DATA, 40), resampled, opts, QUIET));
        Safetensors.Contents p = Safetensors.read(plain.resolve(SaeTrainer.STATE));
        Safetensors.Contents s = Safetensors.read(resampled.resolve(SaeTrainer.STATE));
        assertEquals("40", p.metadata().get("step"));
        assertEquals("40", s.metadata().get("step"));

        int f = 64;
        long horizon = 10; // dead_tokens / batch
        float[] lastFired = p.tensors().get("last_fired_step").values();
        boolean[] dead = new boolean[f];
        int nDead = 0;
        for (int i = 0; i < f; i++) {
            dead[i] = 40 - (long) lastFired[i] >= horizon;
            nDead += dead[i] ? 1 : 0;
        }
        assertTrue(nDead >= 5, "latents dead at step 40: " + nDead);

        float[] bDec = s.tensors().get("p.b_dec").values();
        assertArrayEquals(p.tensors().get("p.b_dec").values(), bDec, "b_dec is not resampled");
        float[] batch = batchOfStep(DATA, every - 1); // the batch of the step that resampled
        float[] decP = p.tensors().get("p.W_dec").values();
        float[] decS = s.tensors().get("p.W_dec").values();
        float[] encP = p.tensors().get("p.W_enc").values();
        float[] encS = s.tensors().get("p.W_enc").values();
        float[] bEncP = p.tensors().get("p.b_enc").values();
        float[] bEncS = s.tensors().get("p.b_enc").values();
        float[] lastFiredS = s.tensors().get("last_fired_step").values();
        double aliveEncNorm = 0;
        for (int l = 0; l < f; l++) {
            if (!dead[l]) {
                aliveEncNorm += norm(encP, l) / (f - nDead);
            }
        }
        for (int l = 0; l < f; l++) {
            if (!dead[l]) {
                for (int c = 0; c < D; c++) {
                    assertEquals(decP[l * D + c], decS[l * D + c], "live latent " + l + " is left alone");
                    assertEquals(encP[l * D + c], encS[l * D + c], "live latent " + l + " is left alone");
                }
                assertEquals(bEncP[l], bEncS[l]);
                continue;
            }
            assertEquals(1.0, norm(decS, l), 1e-5, "resampled decoder row " + l + " has unit norm");
            double best = Double.MAX_VALUE;
            for (int row = 0; row < BATCH; row++) {
                double n = 0;
                for (int c = 0; c < D; c++) {
                    double v = batch[row * D + c] - bDec[c];
                    n += v * v;
                }
                double dist = 0;
                for (int c = 0; c < D; c++) {
                    double v = (batch[row * D + c] - bDec[c]) / Math.sqrt(n) - decS[l * D + c];
                    dist += v * v;
                }
                best = Math.min(best, Math.sqrt(dist));
            }
            assertTrue(best < 1e-5, "resampled decoder row " + l + " is (x - b_dec)/|x - b_dec| of a batch row; off by " + best);
            assertEquals(0.2 * aliveEncNorm, norm(encS, l), 1e-4 * aliveEncNorm, "encoder row " + l + " at 0.2 x the live mean norm");
            double cos = 0;
            for (int c = 0; c < D; c++) {
                cos += encS[l * D + c] * decS[l * D + c];
            }
            assertEquals(1.0, cos / norm(encS, l), 1e-5, "encoder row " + l + " along its decoder row");
            assertEquals(0f, bEncS[l], "encoder bias of resampled latent " + l);
            assertEquals(40f, lastFiredS[l], "the clock of resampled latent " + l + " restarts");
            for (String moment : List.of("m.", "v.")) {
                float[] w = s.tensors().get(moment + "W_enc").values();
                float[] wd = s.tensors().get(moment + "W_dec").values();
                for (int c = 0; c < D; c++) {
                    assertEquals(0f, w[l * D + c], moment + "W_enc of resampled latent " + l);
                    assertEquals(0f, wd[l * D + c], moment + "W_dec of resampled latent " + l);
                }
                assertEquals(0f, s.tensors().get(moment + "b_enc").values()[l], moment + "b_enc of resampled latent " + l);
            }
        }
    }

    private static double norm(float[] rows, int row) {
        double s = 0;
        for (int c = 0; c < D; c++) {
            s += (double) rows[row * D + c] * rows[row * D + c];
        }
        return Math.sqrt(s);
    }

    @ParameterizedTest
    @CsvSource({"45, 40", "70, 60"})
    void resamplingRunsResumeExactly(int crashAt, long stateStep) throws IOException {
        // the state at step 40 is saved just after a resampling; the one at 60 between two
        assertCrashAndResumeIsExact(dying(100, 40), new SaeTrainer.Options(20, 3, Verbosity.QUIET), crashAt, stateStep);
    }

    // ---- AuxK ----------------------------------------------------------------------------------

    @Test
    void auxKIsLoggedAndActsOnDeadLatents() throws IOException {
        long horizon = 5;
        SaeConfig cfg = config(SaeKind.TOPK, 64, 0, 2, 3e-3, 60).toBuilder().auxK(8).auxCoeff(SaeConfig.DEFAULT_AUX_COEFF).deadTokens(horizon * BATCH).build();
        Path out = dir.resolve("aux");
        SaeTrainer.Result r = SaeTrainer.train(cfg, data(DATA), out, new SaeTrainer.Options(0, 1, Verbosity.QUIET), QUIET);
        List<JsonNode> lines = metrics(out);
        assertEquals(60, lines.size());
        int withAux = 0;
        for (int i = 0; i < lines.size(); i++) {
            JsonNode line = lines.get(i);
            assertTrue(line.has("aux_mse") && line.has("dead"), line.toString());
            double aux = line.get("aux_mse").asDouble();
            assertTrue(Double.isFinite(aux) && aux >= 0, line.toString());
            // "dead" is counted after the step; the AuxK term of step i used the dead latents before it
            int deadBefore = i == 0 ? 0 : lines.get(i - 1).get("dead").asInt();
            if (i + 1 < horizon) {
                assertEquals(0, line.get("dead").asInt(), "nothing is dead before dead_tokens have passed: " + line);
            }
            if (i < horizon) {
                assertEquals(0.0, aux, "no AuxK term before any latent can be dead: " + line);
            } else if (deadBefore > 0) {
                assertTrue(aux > 0, "AuxK term with " + deadBefore + " dead latents: " + line);
                withAux++;
            } else {
                assertEquals(0.0, aux, line.toString());
            }
        }
        assertTrue(withAux > 10, "steps with dead latents and an AuxK term: " + withAux);
        assertEquals(lines.getLast().get("dead").asInt(), r.deadLatents());
        // the loss includes the weighted term: loss = mse + coeff * aux (TopK has no penalty)
        JsonNode last = lines.getLast();
        assertEquals(last.get("mse").asDouble() + SaeConfig.DEFAULT_AUX_COEFF * last.get("aux_mse").asDouble(),
                last.get("loss").asDouble(), 1e-4 * last.get("loss").asDouble());
    }

    @Test
    void auxKRunsResumeExactly() throws IOException {
        SaeConfig cfg = config(SaeKind.TOPK, 64, 0, 2, 3e-3, 40).toBuilder().auxK(8).auxCoeff(SaeConfig.DEFAULT_AUX_COEFF).deadTokens(5L * BATCH).build();
        assertCrashAndResumeIsExact(cfg, new SaeTrainer.Options(10, 3, Verbosity.QUIET), 27, 20);
    }

    // ---- thresholds ----------------------------------------------------------------------------

    @Test
    void batchTopKSavesOneFiniteThresholdAndLogsIt() throws IOException {
        SaeConfig cfg = config(SaeKind.BATCHTOPK, 48, 0, 4, 3e-3, 40);
        Path out = dir.resolve("btk");
        SaeTrainer.Result r = SaeTrainer.train(cfg, data(DATA), out, new SaeTrainer.Options(0, 5, Verbosity.QUIET), QUIET);
        Safetensors.Tensor t = Safetensors.read(r.checkpoint()).require(r.checkpoint(), "threshold", 48);
        float theta = t.values()[0];
        assertTrue(Float.isFinite(theta) && theta > 0, "threshold " + theta);
        for (float v : t.values()) {
            assertEquals(theta, v, "one threshold for all latents");
        }
        List<JsonNode> lines = metrics(out);
        for (JsonNode line : lines) {
            assertTrue(line.has("threshold") && line.get("threshold").asDouble() > 0, line.toString());
        }
        assertEquals(theta, lines.getLast().get("threshold").asDouble(), 1e-5 * theta, "the last logged threshold is the saved one");
    }

    @Test
    void batchTopKRunsResumeExactlyThresholdIncluded() throws IOException {
        SaeConfig cfg = config(SaeKind.BATCHTOPK, 48, 0, 4, 3e-3, 40);
        assertCrashAndResumeIsExact(cfg, new SaeTrainer.Options(10, 3, Verbosity.QUIET), 23, 20);
    }

    @Test
    void jumpReluThresholdsAreSavedAndTrained() throws IOException {
        SaeConfig cfg = config(SaeKind.JUMPRELU, 32, 1e-2, 0, 3e-3, 40);
        SaeTrainer.Result r = SaeTrainer.train(cfg, data(DATA), dir.resolve("jr"), new SaeTrainer.Options(0, 0, Verbosity.QUIET), QUIET);
        float[] theta = Safetensors.read(r.checkpoint()).require(r.checkpoint(), "threshold", 32).values();
        int moved = 0;
        for (float v : theta) {
            assertTrue(Float.isFinite(v) && v > 0, "threshold " + v);
            moved += Math.abs(v - cfg.initThreshold()) > 1e-6 * cfg.initThreshold() ? 1 : 0;
        }
        assertTrue(moved >= 4, "thresholds that moved from " + cfg.initThreshold() + ": " + moved + " of 32");
    }

    @Test
    void jumpReluRunsResumeExactly() throws IOException {
        SaeConfig cfg = config(SaeKind.JUMPRELU, 32, 1e-2, 0, 3e-3, 30);
        assertCrashAndResumeIsExact(cfg, new SaeTrainer.Options(10, 3, Verbosity.QUIET), 15, 10);
    }

    // ---- Matryoshka --------------------------------------------------------------------------

    @Test
    void matryoshkaTopKTrainsAndResumesExactly() throws IOException {
        SaeConfig cfg = config(SaeKind.TOPK, 32, 0, 4, 3e-3, 30).toBuilder().matryoshka(List.of(8, 16)).build();
        Path whole = assertCrashAndResumeIsExact(cfg, new SaeTrainer.Options(10, 3, Verbosity.QUIET), 24, 20);
        SaeConfig saved = SaeCheckpoint.config(whole.resolve(SaeTrainer.CHECKPOINT));
        assertEquals(List.of(8, 16, 32), saved.matryoshka());
        List<JsonNode> lines = metrics(whole);
        assertTrue(lines.getLast().get("mse").asDouble() < lines.getFirst().get("mse").asDouble(), "it learns: " + lines);
    }
}
