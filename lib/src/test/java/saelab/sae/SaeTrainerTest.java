package saelab.sae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import saelab.data.PlantedDictionary;
import saelab.io.Json;
import saelab.io.Npy;
import saelab.io.Safetensors;
import saelab.io.Verbosity;

class SaeTrainerTest {

    private static final int D = 16;
    private static final int F = 32;
    private static final int BATCH = 64;
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @TempDir
    Path dir;

    private static final Npy.Matrix DATA;

    static {
        PlantedDictionary dict = PlantedDictionary.random(D, 40, 3);
        DATA = new Npy.Matrix(1000, D, dict.sample(1000, 3, PlantedDictionary.AtomFrequency.POWER_LAW, 0.01, 4).x());
    }

    private static SaeConfig config(SaeKind kind, long steps) {
        return SaeConfig.builder(kind, D, F).l1(1e-2).k(4).lr(3e-3).warmupSteps(5).schedule("cosine").l1WarmupSteps(3)
                .batchSize(BATCH).steps(steps).gradClip(1.0).seed(17).build();
    }

    private static LongFunction<BatchSource> plain(SaeConfig cfg) {
        return start -> new MatrixBatches(DATA, cfg.seed(), start, "planted");
    }

    /** A source that delegates to {@code inner} and throws on the {@code failAt}-th call of next (0-based). */
    private static BatchSource crashing(BatchSource inner, int failAt) {
        AtomicInteger calls = new AtomicInteger();
        return new BatchSource() {
            @Override
            public int dModel() {
                return inner.dModel();
            }

            @Override
            public void next(float[] dst, int rows) {
                if (calls.getAndIncrement() == failAt) {
                    throw new RuntimeException("simulated crash");
                }
                inner.next(dst, rows);
            }

            @Override
            public String describe() {
                return inner.describe();
            }
        };
    }

    private static List<Long> loggedSteps(Path metrics) throws IOException {
        List<Long> steps = new ArrayList<>();
        for (String line : Files.readAllLines(metrics)) {
            steps.add(Json.mapper().readTree(line).get("step").asLong());
        }
        return steps;
    }

    @ParameterizedTest
    @EnumSource(SaeKind.class)
    void resumeAfterACrashEndsWithTheSameWeights(SaeKind kind) throws IOException {
        long steps = 40;
        SaeConfig cfg = config(kind, steps);
        SaeTrainer.Options opts = new SaeTrainer.Options(10, 3, Verbosity.QUIET);

        Path a = dir.resolve("a");
        SaeTrainer.Result ra = SaeTrainer.train(cfg, plain(cfg), a, opts, QUIET);
        assertEquals(steps, ra.steps());
        assertEquals(steps * BATCH, ra.tokens());

        // b: crash while fetching the batch of step 26; the last checkpoint is after step 19
        Path b = dir.resolve("b");
        RuntimeException crash = assertThrows(RuntimeException.class,
                () -> SaeTrainer.train(cfg, start -> crashing(new MatrixBatches(DATA, cfg.seed(), start, "planted"), 26), b, opts,
                        QUIET));
        assertEquals("simulated crash", crash.getMessage());
        assertTrue(loggedSteps(b.resolve("metrics.jsonl")).contains(24L), "metrics were logged past the checkpoint");
        assertEquals(20, SaeCheckpoint.provenance(b.resolve("sae.safetensors")).get("steps").asLong());

        AtomicLong resumedAt = new AtomicLong(-1);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        SaeTrainer.Result rb = SaeTrainer.train(cfg, start -> {
            resumedAt.set(start);
            return new MatrixBatches(DATA, cfg.seed(), start, "planted");
        }, b, opts, new PrintStream(log, true, StandardCharsets.UTF_8));
        assertEquals(20L * BATCH, resumedAt.get(), "the source is re-entered at the checkpoint's sample count");
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("at step 20"), log.toString(StandardCharsets.UTF_8));
        assertEquals(ra.steps(), rb.steps());
        assertEquals(ra.tokens(), rb.tokens());

        Safetensors.Contents ca = Safetensors.read(ra.checkpoint());
        Safetensors.Contents cb = Safetensors.read(rb.checkpoint());
        assertEquals(ca.tensors().keySet(), cb.tensors().keySet());
        for (String name : ca.tensors().keySet()) { // the threshold too, for the kinds with one
            assertArrayEquals(ca.tensors().get(name).shape(), cb.tensors().get(name).shape(), name);
            assertArrayEquals(ca.tensors().get(name).values(), cb.tensors().get(name).values(), name + " bit for bit");
        }
        assertEquals(ra.last().loss(), rb.last().loss(), "the same last step, bit for bit");
        assertEquals(Safetensors.read(a.resolve("train-state.safetensors")).metadata(),
                Safetensors.read(b.resolve("train-state.safetensors")).metadata(), "the same state metadata (BatchTopK's threshold)");

        List<Long> stepsA = loggedSteps(a.resolve("metrics.jsonl"));
        List<Long> stepsB = loggedSteps(b.resolve("metrics.jsonl"));
        List<Long> expected = new ArrayList<>();
        for (long s = 0; s < steps; s += 3) {
            expected.add(s);
        }
        if (expected.getLast() != steps - 1) {
            expected.add(steps - 1);
        }
        assertEquals(expected, stepsA);
        assertEquals(expected, stepsB, "one line per logged step, none duplicated by the resume");
        assertEquals(stepsB.size(), new HashSet<>(stepsB).size());
        List<String> linesA = Files.readAllLines(a.resolve("metrics.jsonl"));
        List<String> linesB = Files.readAllLines(b.resolve("metrics.jsonl"));
        for (int i = 0; i < linesA.size(); i++) {
            JsonNode la = Json.mapper().readTree(linesA.get(i));
            JsonNode lb = Json.mapper().readTree(linesB.get(i));
            assertEquals(la.get("tokens").asLong(), lb.get("tokens").asLong());
            assertEquals(la.get("loss").asDouble(), lb.get("loss").asDouble(), 1e-5 * Math.abs(la.get("loss").asDouble()));
        }
    }

    @Test
    void nonFiniteInputStopsTrainingAndNamesStepAndCount() throws IOException {
        SaeConfig cfg = config(SaeKind.RELU, 10);
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger closed = new AtomicInteger();
        LongFunction<BatchSource> data = start -> new BatchSource() {
            final MatrixBatches inner = new MatrixBatches(DATA, 1, start, "planted");

            @Override
            public int dModel() {
                return D;
            }

            @Override
            public void next(float[] dst, int rows) {
                inner.next(dst, rows);
                if (calls.getAndIncrement() == 2) {
                    dst[5 * D + 3] = Float.NaN;
                    dst[7 * D] = Float.POSITIVE_INFINITY;
                    dst[40 * D + 15] = Float.NaN;
                }
            }

            @Override
            public String describe() {
                return "with NaN";
            }

            @Override
            public void close() {
                closed.incrementAndGet();
            }
        };
        Path out = dir.resolve("nan");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SaeTrainer.train(cfg, data, out, new SaeTrainer.Options(0, 1, Verbosity.QUIET), QUIET));
        assertTrue(e.getMessage().contains("step 2"), e.getMessage());
        assertTrue(e.getMessage().contains("3 NaN or infinite"), e.getMessage());
        assertTrue(e.getMessage().contains("row 5, column 3"), e.getMessage());
        assertEquals(3, calls.get(), "no batch is fetched after the bad one");
        assertEquals(1, closed.get(), "the source is closed");
        assertFalse(Files.exists(out.resolve("sae.safetensors")), "no checkpoint of a model that saw the bad batch");
        assertEquals(List.of(0L, 1L), loggedSteps(out.resolve("metrics.jsonl")), "no step ran on the bad batch");
    }

    @Test
    void anotherConfigOnAnExistingRunIsRefused() throws IOException {
        SaeConfig cfg = config(SaeKind.RELU, 6);
        Path out = dir.resolve("run");
        SaeTrainer.train(cfg, plain(cfg), out, new SaeTrainer.Options(0, 0, Verbosity.QUIET), QUIET);
        byte[] before = Files.readAllBytes(out.resolve("sae.safetensors"));
        SaeConfig other = SaeConfig.builder(SaeKind.RELU, D, F).l1(1e-2).k(4).lr(1e-3).warmupSteps(5)
                .schedule("cosine").l1WarmupSteps(3).batchSize(BATCH).steps(6).gradClip(1.0).seed(17).build();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SaeTrainer.train(other, plain(other), out, new SaeTrainer.Options(0, 0, Verbosity.QUIET), QUIET));
        assertTrue(e.getMessage().contains(out.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("another config"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(out.resolve("sae.safetensors")), "the run is left alone");
    }

    @Test
    void inputWidthMustMatchTheConfig() {
        SaeConfig cfg = SaeConfig.builder(SaeKind.RELU, D + 1, F).l1(1e-2).k(4).lr(1e-3).batchSize(BATCH).steps(3).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SaeTrainer.train(cfg, plain(cfg), dir.resolve("w"), new SaeTrainer.Options(0, 0, Verbosity.QUIET), QUIET));
        assertTrue(e.getMessage().contains("width " + D) && e.getMessage().contains("d_model " + (D + 1)), e.getMessage());
    }

    @Test
    void finishedRunHasUnitDecoderRowsAndProvenance() throws IOException {
        SaeConfig cfg = config(SaeKind.TOPK, 12);
        Path out = dir.resolve("done");
        SaeTrainer.Result r = SaeTrainer.train(cfg, plain(cfg), out, new SaeTrainer.Options(5, 0, Verbosity.QUIET), QUIET);
        assertEquals(out.resolve("sae.safetensors"), r.checkpoint());
        assertTrue(Files.isRegularFile(out.resolve("train-state.safetensors")));
        assertFalse(Files.exists(out.resolve("metrics.jsonl")), "log-every 0 writes no metrics");
        float[] wDec = Safetensors.read(r.checkpoint()).require(r.checkpoint(), "W_dec", F, D).values();
        for (int i = 0; i < F; i++) {
            double n = 0;
            for (int c = 0; c < D; c++) {
                n += wDec[i * D + c] * wDec[i * D + c];
            }
            assertEquals(1.0, Math.sqrt(n), 1e-5, "decoder row " + i);
        }
        JsonNode prov = SaeCheckpoint.provenance(r.checkpoint());
        assertEquals(12, prov.get("steps").asLong());
        assertEquals(12L * BATCH, prov.get("tokens_seen").asLong());
        assertEquals("planted", prov.get("input").asText());
        assertTrue(prov.has("last_loss") && prov.has("last_mse") && prov.has("last_l0"), prov.toString());
        assertTrue(r.last().l0() <= cfg.k());
        assertTrue(r.deadLatents() >= 0 && r.deadLatents() <= F);
        assertTrue(Double.isFinite(r.last().loss()));
    }

    @Test
    void rerunningAFinishedRunKeepsItsWeightsAndProvenance() throws IOException {
        SaeConfig cfg = config(SaeKind.RELU, 8);
        Path out = dir.resolve("again");
        SaeTrainer.Result first = SaeTrainer.train(cfg, plain(cfg), out, new SaeTrainer.Options(0, 2, Verbosity.QUIET), QUIET);
        Safetensors.Contents before = Safetensors.read(first.checkpoint());
        List<String> metricsBefore = Files.readAllLines(out.resolve("metrics.jsonl"));
        SaeTrainer.Result again = SaeTrainer.train(cfg, plain(cfg), out, new SaeTrainer.Options(0, 2, Verbosity.QUIET), QUIET);
        assertEquals(8, again.steps());
        assertEquals(8L * BATCH, again.tokens());
        assertEquals(null, again.last(), "nothing was trained");
        assertEquals(first.deadLatents(), again.deadLatents());
        Safetensors.Contents after = Safetensors.read(again.checkpoint());
        for (String name : List.of("W_enc", "b_enc", "W_dec", "b_dec")) {
            assertArrayEquals(before.tensors().get(name).values(), after.tensors().get(name).values(), name);
        }
        assertEquals(metricsBefore, Files.readAllLines(out.resolve("metrics.jsonl")));
        JsonNode prov = SaeCheckpoint.provenance(again.checkpoint());
        assertTrue(prov.has("last_loss"), "provenance keeps the final metrics: " + prov);
    }
}
