package saelab.demo;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs a graph of pipeline steps on one {@link StepRunner}, up to {@code jobs} at a time. A step starts once every step
 * it reads has finished; among the steps that may start, the one listed first goes first, so {@code jobs = 1} runs
 * them exactly in list order, as before. Steps are built ({@link Factory#build}) on the calling thread, with the
 * outcomes finished so far, and only their bodies run on the worker threads: nothing a step reads is shared with
 * another running step except the work folder, in which every step owns its own sub-folder. A step's output does not
 * depend on what runs beside it (its key, parameters and inputs are the same, and the pipeline's steps seed their own
 * random generators), so a run with two jobs writes the same outputs as a run with one, sooner when the steps leave a
 * core idle (small tensors, Java-side loops, file reads).
 *
 * <p>When a step fails, no further step starts; the ones already running finish (their outputs are complete and kept),
 * then the first failure is thrown. Trainings with autograd (the toy backbones, the toy VLM) run side by side like any
 * other step: they record gradients per thread ({@code saelab.toy.ThreadAutograd}). (Written by hand: a few dozen lines over
 * {@link ExecutorCompletionService}; the workflow engines we know of bring their own persistence, which the step runner
 * already is.)
 */
final class StepScheduler {

    /** Builds a step from the outcomes of the steps it reads (called on the scheduler's thread). */
    @FunctionalInterface
    interface Factory {
        Step build(Map<String, StepOutcome> done) throws IOException;
    }

    /**
     * One step of the graph.
     *
     * @param id      the step's id (its name in the plan)
     * @param after   the ids of the steps it reads (each listed before it)
     * @param factory how to build it once those have finished
     */
    record Node(String id, List<String> after, Factory factory) {
        Node {
            after = List.copyOf(after);
        }
    }

    private StepScheduler() {}

    /**
     * Runs every node.
     *
     * @param jobs the most steps that run at once (at least 1)
     * @return the outcome of every node, in list order
     * @throws IllegalArgumentException when a node reads a step that is not listed before it, or ids repeat
     */
    static Map<String, StepOutcome> run(List<Node> nodes, StepRunner runner, int jobs) throws IOException {
        if (jobs < 1) {
            throw new IllegalArgumentException("jobs must be at least 1, got " + jobs);
        }
        check(nodes);
        Map<String, StepOutcome> done = new LinkedHashMap<>();
        if (jobs == 1) {
            for (Node n : nodes) {
                done.put(n.id(), runner.run(n.factory().build(done)));
            }
            return done;
        }
        Engine.getInstance(); // loads libtorch here, so that its settings can be read and copied to the workers
        int intraOpThreads = perStepThreads(JniUtils.getNumThreads(), jobs);
        ExecutorService pool = Executors.newFixedThreadPool(jobs, r -> {
            Thread t = new Thread(r, "saelab-step");
            t.setDaemon(true);
            return t;
        });
        ExecutorCompletionService<Finished> finished = new ExecutorCompletionService<>(pool);
        List<Node> waiting = new ArrayList<>(nodes);
        Set<String> running = new HashSet<>();
        Throwable failure = null;
        try {
            while (!waiting.isEmpty() || !running.isEmpty()) {
                while (failure == null && running.size() < jobs) {
                    Node n = next(waiting, done.keySet());
                    if (n == null) {
                        break;
                    }
                    waiting.remove(n);
                    Step step;
                    try {
                        step = n.factory().build(done);
                    } catch (IOException | RuntimeException e) {
                        failure = e;
                        break;
                    }
                    running.add(n.id());
                    finished.submit(() -> {
                        // libtorch's grad mode and its OpenMP thread count are per thread: a new thread starts with grad
                        // mode on (the trainers' optimiser steps need it off) and one intra-op thread, where the thread
                        // that loaded the engine has it off and one thread per core; set both for each step (the thread
                        // count shared out among the jobs)
                        JniUtils.setGradMode(false);
                        JniUtils.setNumThreads(intraOpThreads);
                        return new Finished(n.id(), runner.run(step));
                    });
                }
                if (running.isEmpty()) {
                    break; // after a failure: nothing left to wait for
                }
                Future<Finished> f = finished.take();
                try {
                    Finished r = f.get();
                    running.remove(r.id());
                    done.put(r.id(), r.outcome());
                } catch (ExecutionException e) {
                    failure = failure == null ? e.getCause() : failure;
                    drain(finished, pool, done); // the steps still running finish and keep their outputs
                    running.clear();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = failure == null ? e : failure;
        } finally {
            pool.shutdown();
        }
        if (failure != null) {
            throw rethrow(failure);
        }
        Map<String, StepOutcome> ordered = new LinkedHashMap<>();
        for (Node n : nodes) {
            ordered.put(n.id(), done.get(n.id()));
        }
        return ordered;
    }

    private record Finished(String id, StepOutcome outcome) {}

    /**
     * libtorch intra-op threads for each running step: the main thread's count shared out among the jobs, at least one.
     * Two steps with two threads each on two cores oversubscribe them: measured on the demo's classification control step
     * alone, two threads took 88 s of wall time and 170 s of CPU, one thread 95 s and 102 s, with the same output.
     */
    static int perStepThreads(int threads, int jobs) {
        return Math.max(1, threads / jobs);
    }

    /**
     * The step to start next: the first listed among those whose inputs have finished. (Starting the trainings, the
     * run's longest chain, first was tried when they still took turns: on the demo it made the run slower, 642 s
     * against 586 s, by putting more steps beside the trainings.)
     */
    private static Node next(List<Node> waiting, Set<String> finished) {
        for (Node n : waiting) {
            if (finished.containsAll(n.after())) {
                return n;
            }
        }
        return null;
    }

    /** Waits for the steps still running after a failure, keeping the outcomes of those that finish. */
    private static void drain(ExecutorCompletionService<Finished> finished, ExecutorService pool, Map<String, StepOutcome> done)
            throws InterruptedException {
        pool.shutdown();
        while (!pool.isTerminated()) {
            Future<Finished> f = finished.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
            if (f != null) {
                try {
                    Finished r = f.get();
                    done.put(r.id(), r.outcome());
                } catch (ExecutionException ignored) {
                    // a second failure: the first one is reported
                }
            }
        }
    }

    private static void check(List<Node> nodes) {
        Set<String> seen = new HashSet<>();
        for (Node n : nodes) {
            for (String a : n.after()) {
                if (!seen.contains(a)) {
                    throw new IllegalArgumentException("step " + n.id() + " reads step " + a + ", which is not listed before it");
                }
            }
            if (!seen.add(n.id())) {
                throw new IllegalArgumentException("step " + n.id() + " is listed twice");
            }
        }
    }

    private static IOException rethrow(Throwable t) {
        if (t instanceof IOException io) {
            return io;
        }
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(t.getMessage(), t);
    }
}
