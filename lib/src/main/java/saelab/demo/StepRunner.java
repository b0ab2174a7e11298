package saelab.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import saelab.BuildInfo;
import saelab.io.FileTrees;
import saelab.io.Json;

/**
 * Runs content-addressed steps ({@link Step}) in a work folder. Step {@code S} with key {@code K} owns
 * {@code <work>/S/<first 16 hex digits of K>/}:
 * <ul>
 *   <li>when that folder exists with a {@code step.json} naming the full key, the step is skipped and
 *       {@code skipped (unchanged)} is printed;</li>
 *   <li>otherwise the body runs in a staging folder {@code <work>/S/.<prefix>.staging-<random>/}, {@code step.json}
 *       (key, parameters, inputs, timings, summary) is written into it last, and the folder is renamed into place
 *       in one atomic step; a body that throws leaves nothing (the staging folder is deleted), and a process killed
 *       half-way leaves only a staging folder, which the next runner on the work folder removes;</li>
 *   <li>a forced step ({@code --force}) is rebuilt even when its output exists, and so is every step that reads a
 *       forced step's output; the old folder is swapped out only once the new one is complete.</li>
 * </ul>
 * Old outputs of other keys are kept (switching a parameter back finds its output again). One runner at a time
 * per work folder: the constructor takes an exclusive lock on {@code <work>/.lock}. Within it, {@link #run} may be called
 * from several threads at once for different steps ({@link StepScheduler}).
 */
public final class StepRunner implements AutoCloseable {

    /** The record of a finished step, inside its folder. */
    public static final String STEP_FILE = "step.json";
    /** Format of {@link #STEP_FILE}. */
    public static final String FORMAT = "saelab-step/1";
    /** Hex digits of the key used in folder names. */
    public static final int PREFIX = 16;

    private final Path work;
    private final Set<String> force;
    private final PrintStream log;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
    private int total;

    /**
     * Opens a work folder (created if missing), locks it and removes staging folders that killed runs left behind.
     *
     * @param force step names (or name prefixes before a dash, e.g. {@code capture} for {@code capture-dinov2}, or
     *              {@code all}) to rebuild even when their output exists
     * @throws IllegalStateException when another runner holds the work folder
     */
    public StepRunner(Path work, Set<String> force, PrintStream log) throws IOException {
        this.work = work.toAbsolutePath().normalize();
        this.force = Set.copyOf(force);
        this.log = log;
        Files.createDirectories(this.work);
        this.lockChannel = FileChannel.open(this.work.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null;
        }
        if (l == null) {
            lockChannel.close();
            throw new IllegalStateException(this.work + ": another saelab demo run is using this work folder (it holds "
                    + this.work.resolve(".lock") + "); wait for it to finish or use another --work folder");
        }
        this.lock = l;
        removeLeftovers();
    }

    /** The work folder. */
    public Path work() {
        return work;
    }

    /** Sets the number of steps of this run, for the {@code [i/n]} counter of the printed lines. */
    public void expect(int steps) {
        this.total = steps;
    }

    /** Whether {@code name} is matched by a {@code --force} entry. */
    public static boolean matches(Set<String> force, String name) {
        for (String f : force) {
            if (f.equals("all") || f.equals(name) || name.startsWith(f + "-")) {
                return true;
            }
        }
        return false;
    }

    /** The output folder of a step with this name and key. */
    public Path folder(String name, String key) {
        return folder(work, name, key);
    }

    /** The output folder of a step with this name and key in work folder {@code work} (without opening it). */
    public static Path folder(Path work, String name, String key) {
        return work.resolve(name).resolve(key.substring(0, PREFIX));
    }

    /** Whether {@code dir} holds a finished step's record of exactly {@code key} (what makes a run skip the step). */
    public static boolean hasOutput(Path dir, String key) {
        JsonNode rec = Files.isDirectory(dir) ? readRecord(dir) : null;
        return rec != null && key.equals(rec.path("key").asText());
    }

    /**
     * Runs (or skips) one step.
     *
     * @throws IllegalStateException when the body fails (the cause attached), naming the step
     */
    public StepOutcome run(Step step) throws IOException {
        String key = step.key();
        Path dir = folder(step.name(), key);
        boolean forced = matches(force, step.name())
                || step.inputs().stream().anyMatch(i -> i.status() == StepOutcome.Status.FORCED);
        int number = count.incrementAndGet();
        String tag = total > 0 ? String.format(Locale.ROOT, "[%d/%d] ", number, total) : "";
        if (!forced && Files.isDirectory(dir)) {
            JsonNode rec = readRecord(dir);
            if (rec != null && key.equals(rec.path("key").asText())) {
                double secs = rec.path("seconds").asDouble(0);
                Map<String, Object> summary = Json.mapper().convertValue(rec.path("summary"),
                        Json.mapper().getTypeFactory().constructMapType(LinkedHashMap.class, String.class, Object.class));
                log.printf(Locale.ROOT, "%s%-26s skipped (unchanged)  %s%n", tag, step.name(), work.relativize(dir));
                return new StepOutcome(step.name(), key, dir, StepOutcome.Status.SKIPPED, secs, summary);
            }
            log.printf(Locale.ROOT, "%s%-26s %s has no record of key %s; rebuilding it%n", tag, step.name(), dir, key);
        }
        log.printf(Locale.ROOT, "%s%-26s building%s%n", tag, step.name(), forced ? " (forced)" : "");
        Path staging = FileTrees.stageBeside(dir);
        long t0 = System.nanoTime();
        Instant started = Instant.now();
        Map<String, Object> summary;
        boolean done = false;
        try {
            try {
                summary = step.body().build(staging, log);
            } catch (IOException | RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("step " + step.name() + " failed: " + e.getMessage(), e);
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            Json.write(staging.resolve(STEP_FILE), record(step, key, started, secs, summary));
            FileTrees.replace(staging, dir);
            done = true;
            StepOutcome.Status status = forced ? StepOutcome.Status.FORCED : StepOutcome.Status.BUILT;
            log.printf(Locale.ROOT, "%s%-26s %s in %.1f s  %s%n", tag, step.name(), forced ? "rebuilt" : "built", secs,
                    work.relativize(dir));
            return new StepOutcome(step.name(), key, dir, status, secs, summary);
        } finally {
            if (!done) {
                FileTrees.deleteTree(staging);
            }
        }
    }

    private Map<String, Object> record(Step step, String key, Instant started, double secs, Map<String, Object> summary) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("step", step.name());
        m.put("key", key);
        m.put("version", step.version());
        m.put("params", step.params());
        List<Map<String, Object>> ins = new ArrayList<>();
        for (StepOutcome in : step.inputs()) {
            Map<String, Object> i = new LinkedHashMap<>();
            i.put("step", in.name());
            i.put("key", in.key());
            i.put("dir", work.relativize(in.dir()).toString());
            ins.add(i);
        }
        m.put("inputs", ins);
        m.put("started", started.toString());
        m.put("seconds", Math.round(secs * 1000) / 1000.0);
        m.put("code", BuildInfo.current().describe());
        m.put("summary", summary == null ? Map.of() : summary);
        return m;
    }

    private static JsonNode readRecord(Path dir) {
        Path f = dir.resolve(STEP_FILE);
        if (!Files.isRegularFile(f)) {
            return null;
        }
        try {
            return Json.mapper().readTree(Files.readAllBytes(f));
        } catch (IOException e) {
            return null; // unreadable record: the folder is rebuilt
        }
    }

    /** Removes {@code .*.staging-*} and {@code .*.old-*} folders under the step folders (left by killed runs). */
    private void removeLeftovers() throws IOException {
        try (Stream<Path> steps = Files.list(work)) {
            for (Path s : steps.filter(Files::isDirectory).toList()) {
                try (Stream<Path> entries = Files.list(s)) {
                    for (Path e : entries.toList()) {
                        if (FileTrees.isLeftover(e)) {
                            log.println("removing " + e + " (left by an interrupted run)");
                            FileTrees.deleteTree(e, work);
                        }
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot release " + work.resolve(".lock"), e);
        }
    }
}
