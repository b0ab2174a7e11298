package saelab.capture;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongFunction;

/**
 * The producer side of the capture pipeline: loads the images of the capture-list range
 * {@code [from, to)} on a pool of {@code threads} threads and hands them out in batches, in list order
 * whatever the thread timing. Batch {@code k} is the range {@code [k*batch, (k+1)*batch)} of the list,
 * cut to {@code [from, to)}, so a resumed run or a part computes each image in the same batch as a full run.
 *
 * <p>Bounded: at most {@code window} images are being loaded or waiting, and at most {@code queued}
 * assembled batches wait for the consumer; a slow consumer therefore stops the loading instead of
 * filling the memory. An assembler thread takes the loads in order, passes each to {@code onLoaded}
 * (which applies the problem policy and may throw), and puts the batches on the queue. Close to stop
 * everything (also after an error of the consumer).
 */
final class OrderedBatches implements AutoCloseable {

    /**
     * One batch: the loads of a range of the list, in order (problems included).
     *
     * @param first  list position of the batch's first image
     * @param images the loaded images, in order
     */
    record Batch(long first, List<ExampleLoader.Loaded> images) {}

    /** Receives every load in list order on the assembler thread; throwing stops the run. */
    interface OnLoaded {
        void accept(ExampleLoader.Loaded loaded);
    }

    private static final Object END = new Object();

    private final ExecutorService pool;
    private final BlockingQueue<Object> out;
    private final Thread assembler;
    private volatile boolean closed;

    /**
     * Starts loading.
     *
     * @param from     first list position (inclusive)
     * @param to       end list position (exclusive)
     * @param batch    batch size; boundaries at multiples of it
     * @param threads  loader threads
     * @param window   images loading or loaded ahead of the assembler, at least 1
     * @param queued   assembled batches waiting for the consumer, at least 1
     * @param load     loads the image at a list position (called on the pool)
     * @param onLoaded sees each load in order (called on the assembler thread)
     */
    OrderedBatches(long from, long to, int batch, int threads, int window, int queued, LongFunction<ExampleLoader.Loaded> load,
                   OnLoaded onLoaded) {
        AtomicInteger n = new AtomicInteger();
        ThreadFactory tf = r -> {
            Thread t = new Thread(r, "capture-decode-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.pool = Executors.newFixedThreadPool(threads, tf);
        this.out = new ArrayBlockingQueue<>(Math.max(1, queued) + 1);
        this.assembler = new Thread(() -> assemble(from, to, batch, Math.max(1, window), load, onLoaded), "capture-assemble");
        this.assembler.setDaemon(true);
        this.assembler.start();
    }

    private void assemble(long from, long to, int batch, int window, LongFunction<ExampleLoader.Loaded> load, OnLoaded onLoaded) {
        try {
            ArrayDeque<Future<ExampleLoader.Loaded>> pending = new ArrayDeque<>();
            long submitted = from;
            List<ExampleLoader.Loaded> current = new ArrayList<>();
            long batchFirst = from;
            for (long next = from; next < to; next++) {
                while (submitted < to && submitted - next < window) {
                    long pos = submitted++;
                    pending.add(pool.submit(() -> load.apply(pos)));
                }
                ExampleLoader.Loaded l = pending.removeFirst().get();
                onLoaded.accept(l);
                current.add(l);
                if ((next + 1) % batch == 0 || next + 1 == to) {
                    out.put(new Batch(batchFirst, List.copyOf(current)));
                    current.clear();
                    batchFirst = next + 1;
                }
            }
            out.put(END);
        } catch (InterruptedException e) {
            // closed by the consumer
        } catch (ExecutionException e) {
            offerFailure(e.getCause());
        } catch (Throwable t) {
            offerFailure(t);
        }
    }

    private void offerFailure(Throwable t) {
        if (!closed) {
            out.clear(); // the consumer needs to see the error next, not the batches before it
            out.offer(t);
        }
    }

    /**
     * The next batch, or null after the last one.
     *
     * @throws RuntimeException the error that stopped the loading (a problem under the STOP policy, or a failure)
     */
    Batch next() throws InterruptedException {
        Object o = out.take();
        if (o == END) {
            out.put(END); // later calls see the end again
            return null;
        }
        if (o instanceof Throwable t) {
            out.offer(t);
            if (t instanceof RuntimeException r) {
                throw r;
            }
            if (t instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("loading images failed: " + t.getMessage(), t);
        }
        return (Batch) o;
    }

    @Override
    public void close() {
        closed = true;
        assembler.interrupt();
        pool.shutdownNow();
        try {
            assembler.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
