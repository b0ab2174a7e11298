package saelab.sae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.data.PlantedDictionary;
import saelab.io.Npy;
import saelab.io.Safetensors;
import saelab.io.Verbosity;

/**
 * Sweeps ({@link SaeTrainer#trainAll}): several SAEs trained on one pass over one stream end exactly
 * as the same SAEs trained alone, also when the sweep is interrupted and resumed, and when the runs
 * start from states saved at different steps.
 */
class SaeSweepTest {

    private static final int D = 16;
    private static final int BATCH = 64;
    private static final long STEPS = 30;
    /** The order of the rows: one stream for the whole sweep, so one seed for all runs. */
    private static final long DATA_SEED = 5;
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    private static final SaeTrainer.Options OPTS = new SaeTrainer.Options(10, 3, Verbosity.QUIET);

    private static final Npy.Matrix DATA;

    static {
        PlantedDictionary dict = PlantedDictionary.random(D, 40, 3);
        DATA = new Npy.Matrix(1000, D, dict.sample(1000, 3, PlantedDictionary.AtomFrequency.POWER_LAW, 0.01, 4).x());
    }

    @TempDir
    Path dir;

    /**
     * Two ReLU SAEs with different sparsity (the second resampling dead latents every 8 steps) and
     * one TopK with AuxK, input normalisation and a geometric-median b_dec; same d_model, batch and
     * steps.
     */
    private static List<SaeConfig> configs() {
        return List.of(
                SaeConfig.builder(SaeKind.RELU, D, 32).l1(1e-2).lr(3e-3).warmupSteps(5).schedule("cosine").l1WarmupSteps(3)
                        .batchSize(BATCH).steps(STEPS).gradClip(1.0).seed(17).build(),
                SaeConfig.builder(SaeKind.RELU, D, 32).l1(3).lr(2e-2).batchSize(BATCH).steps(STEPS).seed(18)
                        .resampleEvery(8).deadTokens(4L * BATCH).build(),
                SaeConfig.builder(SaeKind.TOPK, D, 48).k(2).lr(2e-3).batchSize(BATCH).steps(STEPS).seed(19)
                        .auxK(8).auxCoeff(SaeConfig.DEFAULT_AUX_COEFF).deadTokens(4L * BATCH)
                        .encoderInput("centered").normalizeInput(true).geometricMedianInit(true).build());
    }

    private static LongFunction<BatchSource> data() {
        return start -> new MatrixBatches(DATA, DATA_SEED, start, "planted");
    }

    /** The stream of {@link #data()} that throws on the {@code failAt}-th call of next (0-based). */
    private static LongFunction<BatchSource> crashingAt(int failAt) {
        return CrashingBatches.crashingAt(DATA, DATA_SEED, failAt);
    }

    private List<Path> folders(String prefix, int n) {
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(dir.resolve(prefix + i));
        }
        return out;
    }

    /** Every tensor of both files bit for bit, and the same tensor names. */
    private static void assertSameTensors(Path expected, Path actual) throws IOException {
        Map<String, Safetensors.Tensor> a = Safetensors.read(expected).tensors();
        Map<String, Safetensors.Tensor> b = Safetensors.read(actual).tensors();
        assertEquals(a.keySet(), b.keySet(), actual + " holds other tensors than " + expected);
        for (String name : a.keySet()) {
            assertArrayEquals(a.get(name).shape(), b.get(name).shape(), name);
            assertArrayEquals(a.get(name).values(), b.get(name).values(), actual + ": " + name);
        }
    }

    /** Checkpoint, training state and metrics of two runs are identical. */
    private static void assertSameRun(Path expected, Path actual) throws IOException {
        assertSameTensors(expected.resolve(SaeTrainer.CHECKPOINT), actual.resolve(SaeTrainer.CHECKPOINT));
        assertSameTensors(expected.resolve(SaeTrainer.STATE), actual.resolve(SaeTrainer.STATE));
        assertEquals(Files.readAllLines(expected.resolve(SaeTrainer.METRICS)),
                Files.readAllLines(actual.resolve(SaeTrainer.METRICS)), "metrics of " + actual);
    }

    /** Each config trained alone, uninterrupted, in folders alone0, alone1, ... */
    private List<Path> trainAlone(List<SaeConfig> cfgs) throws IOException {
        List<Path> out = folders("alone", cfgs.size());
        for (int i = 0; i < cfgs.size(); i++) {
            SaeTrainer.Result r = SaeTrainer.train(cfgs.get(i), data(), out.get(i), OPTS, QUIET);
            assertEquals(STEPS, r.steps());
        }
        return out;
    }

    @Test
    void sweepGivesEachRunTheWeightsOfTrainingItAlone() throws IOException {
        List<SaeConfig> cfgs = configs();
        List<Path> alone = trainAlone(cfgs);
        List<Path> swept = folders("sweep", cfgs.size());
        AtomicInteger sources = new AtomicInteger();
        List<SaeTrainer.Result> results = SaeTrainer.trainAll(cfgs, start -> {
            sources.incrementAndGet();
            assertEquals(0, start);
            return data().apply(start);
        }, swept, OPTS, QUIET);
        assertEquals(1, sources.get(), "one pass over one stream");
        assertEquals(cfgs.size(), results.size());
        for (int i = 0; i < cfgs.size(); i++) {
            assertEquals(swept.get(i).resolve(SaeTrainer.CHECKPOINT), results.get(i).checkpoint());
            assertEquals(STEPS, results.get(i).steps());
            assertEquals(STEPS * BATCH, results.get(i).tokens());
            assertEquals(cfgs.get(i), SaeCheckpoint.config(results.get(i).checkpoint()));
            assertSameRun(alone.get(i), swept.get(i));
        }
        // the configs really differ: the runs are not copies of one another
        float[] w0 = Safetensors.read(results.get(0).checkpoint()).tensors().get("W_dec").values();
        float[] w1 = Safetensors.read(results.get(1).checkpoint()).tensors().get("W_dec").values();
        assertFalse(java.util.Arrays.equals(w0, w1));
        // and their options act: run 1 resampled something, run 2 had an AuxK term
        Path noResampling = dir.resolve("noResampling");
        SaeTrainer.train(cfgs.get(1).toBuilder().resampleEvery(0).deadTokens(4L * BATCH).build(), data(), noResampling, OPTS, QUIET);
        assertFalse(java.util.Arrays.equals(w1,
                Safetensors.read(noResampling.resolve(SaeTrainer.CHECKPOINT)).tensors().get("W_dec").values()));
        assertTrue(Files.readAllLines(swept.get(2).resolve(SaeTrainer.METRICS)).stream()
                .anyMatch(l -> l.contains("\"aux_mse\"") && !l.contains("\"aux_mse\": 0,")), "AuxK acted");
    }

    @Test
    void interruptedSweepResumesToTheUninterruptedSweep() throws IOException {
        List<SaeConfig> cfgs = configs();
        List<Path> whole = folders("whole", cfgs.size());
        SaeTrainer.trainAll(cfgs, data(), whole, OPTS, QUIET);

        // crash while fetching the batch of step 24: every run has a state after step 20
        List<Path> resumed = folders("resumed", cfgs.size());
        RuntimeException crash = assertThrows(RuntimeException.class,
                () -> SaeTrainer.trainAll(cfgs, crashingAt(24), resumed, OPTS, QUIET));
        assertEquals("simulated crash", crash.getMessage());
        for (Path p : resumed) {
            assertEquals("20", Safetensors.read(p.resolve(SaeTrainer.STATE)).metadata().get("step"), p.toString());
        }

        List<Long> starts = new ArrayList<>();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<SaeTrainer.Result> results = SaeTrainer.trainAll(cfgs, start -> {
            starts.add(start);
            return data().apply(start);
        }, resumed, OPTS, new PrintStream(log, true, StandardCharsets.UTF_8));
        assertEquals(List.of(20L * BATCH), starts, "the stream is entered once, at the runs' common step");
        String logText = log.toString(StandardCharsets.UTF_8);
        for (Path p : resumed) {
            assertTrue(logText.contains("resuming " + p + " at step 20"), logText);
        }
        for (int i = 0; i < cfgs.size(); i++) {
            assertEquals(STEPS, results.get(i).steps());
            assertNotNull(results.get(i).last());
            assertSameRun(whole.get(i), resumed.get(i));
        }
    }

    @Test
    void runsSavedAtDifferentStepsResumeInOneSweepToTheirSeparateResults() throws IOException {
        List<SaeConfig> cfgs = configs();
        List<Path> alone = trainAlone(cfgs);
        List<Path> mixed = folders("mixed", cfgs.size());
        // run 0 alone, crashed after its checkpoint at step 10; run 1 alone, crashed after step 20; run 2 new
        assertThrows(RuntimeException.class, () -> SaeTrainer.train(cfgs.get(0), crashingAt(17), mixed.get(0), OPTS, QUIET));
        assertThrows(RuntimeException.class, () -> SaeTrainer.train(cfgs.get(1), crashingAt(25), mixed.get(1), OPTS, QUIET));
        assertEquals("10", Safetensors.read(mixed.get(0).resolve(SaeTrainer.STATE)).metadata().get("step"));
        assertEquals("20", Safetensors.read(mixed.get(1).resolve(SaeTrainer.STATE)).metadata().get("step"));
        assertFalse(Files.exists(mixed.get(2)));

        List<Long> starts = new ArrayList<>();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<SaeTrainer.Result> results = SaeTrainer.trainAll(cfgs, start -> {
            starts.add(start);
            return data().apply(start);
        }, mixed, OPTS, new PrintStream(log, true, StandardCharsets.UTF_8));
        assertEquals(List.of(0L), starts, "the stream starts at the run furthest behind");
        String logText = log.toString(StandardCharsets.UTF_8);
        assertTrue(logText.contains("resuming " + mixed.get(0) + " at step 10"), logText);
        assertTrue(logText.contains("resuming " + mixed.get(1) + " at step 20"), logText);
        for (int i = 0; i < cfgs.size(); i++) {
            assertEquals(STEPS, results.get(i).steps());
            assertSameRun(alone.get(i), mixed.get(i));
        }
    }

    @Test
    void finishedRunsInASweepAreLeftAloneWhileTheOthersTrain() throws IOException {
        List<SaeConfig> cfgs = configs();
        List<Path> alone = trainAlone(cfgs);
        List<Path> part = folders("part", cfgs.size());
        SaeTrainer.train(cfgs.get(1), data(), part.get(1), OPTS, QUIET); // complete before the sweep
        byte[] doneBefore = Files.readAllBytes(part.get(1).resolve(SaeTrainer.CHECKPOINT));
        assertThrows(RuntimeException.class, () -> SaeTrainer.train(cfgs.get(2), crashingAt(13), part.get(2), OPTS, QUIET));

        List<SaeTrainer.Result> results = SaeTrainer.trainAll(cfgs, data(), part, OPTS, QUIET);
        assertArrayEquals(doneBefore, Files.readAllBytes(part.get(1).resolve(SaeTrainer.CHECKPOINT)),
                "the finished run's checkpoint is not rewritten");
        assertEquals(null, results.get(1).last(), "nothing was trained for the finished run");
        for (int i = 0; i < cfgs.size(); i++) {
            assertEquals(STEPS, results.get(i).steps());
            assertSameRun(alone.get(i), part.get(i));
        }
    }

    @Test
    void configsThatDisagreeOnTheSharedRecipeAreRefusedNamingTheValues() {
        SaeConfig base = configs().getFirst();
        SaeConfig otherWidth = SaeConfig.builder(SaeKind.RELU, D + 4, 32).l1(1e-2).lr(3e-3).warmupSteps(5)
                .schedule("cosine").l1WarmupSteps(3).batchSize(BATCH).steps(STEPS).gradClip(1.0).seed(17).build();
        SaeConfig otherBatch = SaeConfig.builder(SaeKind.RELU, D, 32).l1(1e-2).lr(3e-3).warmupSteps(5)
                .schedule("cosine").l1WarmupSteps(3).batchSize(32).steps(STEPS).gradClip(1.0).seed(17).build();
        SaeConfig otherSteps = SaeConfig.builder(SaeKind.TOPK, D, 32).k(4).lr(3e-3).batchSize(BATCH).steps(45).seed(17).build();
        for (SaeConfig other : List.of(otherWidth, otherBatch, otherSteps)) {
            List<Path> out = folders("bad", 2);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SaeTrainer.trainAll(List.of(base, other), data(), out, OPTS, QUIET));
            String msg = e.getMessage();
            assertTrue(msg.contains("d_model, batch_size and steps"), msg);
            assertTrue(msg.contains(D + "/" + BATCH + "/" + STEPS), msg);
            assertTrue(msg.contains(other.dModel() + "/" + other.batchSize() + "/" + other.steps()), msg);
            for (Path p : out) {
                assertFalse(Files.exists(p), "nothing is created for a refused sweep: " + p);
            }
        }
    }

    @Test
    void duplicateOutputFoldersAreRefusedNamingThem() {
        List<SaeConfig> cfgs = configs();
        Path same = dir.resolve("same");
        List<Path> out = List.of(same, dir.resolve("other"), dir.resolve("x").resolve("..").resolve("same"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SaeTrainer.trainAll(cfgs, data(), out, OPTS, QUIET));
        assertTrue(e.getMessage().contains("distinct"), e.getMessage());
        assertTrue(e.getMessage().contains(same.toString()), e.getMessage());
        assertFalse(Files.exists(same), "nothing is created for a refused sweep");

        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> SaeTrainer.trainAll(cfgs, data(), out.subList(0, 2), OPTS, QUIET));
        assertTrue(count.getMessage().contains("3 configs and 2 folders"), count.getMessage());
    }
}
