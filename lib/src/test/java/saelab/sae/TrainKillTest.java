package saelab.sae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.data.PlantedDictionary;
import saelab.io.Json;
import saelab.io.Npy;
import saelab.io.Safetensors;

/**
 * A training process killed with SIGKILL part-way through, then run again on the same folder, ends
 * with the checkpoint and metrics of an uninterrupted run.
 */
class TrainKillTest {

    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @TempDir
    Path tmp;

    private static Process startChild(Path npy, Path out, long pauseMillis, Path log) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // the JVM flags of the tests (parent pom's saelab.jvm.flags): native access for DJL, no network
        return new ProcessBuilder(java, "-Xmx256m", "--enable-native-access=ALL-UNNAMED", "-Dai.djl.offline=true",
                "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"), KillableTrainerMain.class.getName(),
                npy.toString(), out.toString(), Long.toString(pauseMillis))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** The step of the training state in {@code out}, or -1 while there is none (or it cannot be read yet). */
    private static long savedStep(Path out) {
        Path state = out.resolve(SaeTrainer.STATE);
        if (!Files.isRegularFile(state)) {
            return -1;
        }
        try {
            return Long.parseLong(Safetensors.read(state).metadata().get("step"));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
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

    private static List<Long> loggedSteps(Path metrics) throws IOException {
        List<Long> steps = new ArrayList<>();
        for (String line : Files.readAllLines(metrics)) {
            steps.add(Json.mapper().readTree(line).get("step").asLong());
        }
        return steps;
    }

    @Test
    void trainerKilledWithSigkillResumesToTheUninterruptedRun() throws Exception {
        PlantedDictionary dict = PlantedDictionary.random(KillableTrainerMain.D, 48, 11);
        Npy.Matrix x = new Npy.Matrix(800, KillableTrainerMain.D, dict.sample(800, 3, PlantedDictionary.AtomFrequency.POWER_LAW, 0.01, 12).x());
        Path npy = tmp.resolve("rows.npy");
        Npy.writeFloatMatrix(npy, x.rows(), x.cols(), x.values());
        SaeConfig cfg = KillableTrainerMain.config();
        long steps = KillableTrainerMain.STEPS;

        Path reference = tmp.resolve("reference");
        SaeTrainer.Result ref = SaeTrainer.train(cfg, KillableTrainerMain.data(Npy.readFloatMatrix(npy), 0), reference,
                KillableTrainerMain.OPTIONS, QUIET);
        assertEquals(steps, ref.steps());

        Path out = tmp.resolve("killed");
        Path log1 = tmp.resolve("child1.log");
        Process child = startChild(npy, out, 10, log1);
        long killedAfter;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                if (!child.isAlive()) {
                    fail("the trainer exited (" + child.exitValue() + ") before it was killed; its output:\n" + Files.readString(log1));
                }
                if (System.nanoTime() > deadline) {
                    fail("the trainer saved no state within 60 s; its output:\n" + Files.readString(log1));
                }
                long s = savedStep(out);
                if (s > 0) {
                    killedAfter = s;
                    break;
                }
                Thread.sleep(5);
            }
            child.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no finally blocks
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        } finally {
            if (child.isAlive()) {
                child.destroyForcibly();
                child.waitFor();
            }
        }
        assertTrue(child.exitValue() != 0, "a killed process has a non-zero exit status");
        assertFalse(Files.readString(log1).contains("finished"), "the trainer finished before the kill:\n" + Files.readString(log1));
        long stoppedAt = savedStep(out);
        assertTrue(stoppedAt >= killedAfter && stoppedAt < steps, "state after the kill at step " + stoppedAt);
        assertEquals(0, stoppedAt % KillableTrainerMain.OPTIONS.checkpointEvery());

        Path log2 = tmp.resolve("child2.log");
        Process rerun = startChild(npy, out, 0, log2);
        try {
            assertTrue(rerun.waitFor(60, TimeUnit.SECONDS), "the rerun did not finish within 60 s");
        } finally {
            if (rerun.isAlive()) {
                rerun.destroyForcibly();
                rerun.waitFor();
            }
        }
        String rerunLog = Files.readString(log2);
        assertEquals(0, rerun.exitValue(), rerunLog);
        assertTrue(rerunLog.contains("resuming " + out + " at step " + stoppedAt), rerunLog);
        assertTrue(rerunLog.contains("finished " + steps), rerunLog);

        assertSameTensors(reference.resolve(SaeTrainer.CHECKPOINT), out.resolve(SaeTrainer.CHECKPOINT));
        assertSameTensors(reference.resolve(SaeTrainer.STATE), out.resolve(SaeTrainer.STATE));
        assertEquals(Safetensors.read(reference.resolve(SaeTrainer.STATE)).metadata(),
                Safetensors.read(out.resolve(SaeTrainer.STATE)).metadata());

        List<Long> expected = new ArrayList<>();
        int every = KillableTrainerMain.OPTIONS.logEvery();
        for (long s = 0; s < steps; s += every) {
            expected.add(s);
        }
        if (expected.getLast() != steps - 1) {
            expected.add(steps - 1);
        }
        List<Long> logged = loggedSteps(out.resolve(SaeTrainer.METRICS));
        assertEquals(logged.size(), new HashSet<>(logged).size(), "no step logged twice: " + logged);
        assertEquals(expected, logged, "every logged step once, in order");
        assertEquals(Files.readAllLines(reference.resolve(SaeTrainer.METRICS)), Files.readAllLines(out.resolve(SaeTrainer.METRICS)));
    }
}
