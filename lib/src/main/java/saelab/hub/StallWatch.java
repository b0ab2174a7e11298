package saelab.hub;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a download's body stream when no byte has arrived for the given time, so that a stalled
 * connection ends in an {@link IOException} (and a resumable retry) instead of a read that blocks
 * forever. {@link java.net.http.HttpClient}'s request timeout covers only the wait for the
 * response's headers, and its body streams have no read timeout of their own, hence this watch.
 */
final class StallWatch implements Closeable {

    /** One daemon thread for every watch of the process: a check costs a few nanoseconds. */
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "saelab-hub-stall-watch");
        t.setDaemon(true);
        return t;
    });

    private final Closeable body;
    private final long limitNanos;
    private final ScheduledFuture<?> check;
    private volatile long lastMove = System.nanoTime();
    private volatile boolean fired;

    StallWatch(Closeable body, Duration limit) {
        this.body = body;
        this.limitNanos = limit.toNanos();
        long period = Math.max(10, limit.toMillis() / 4);
        this.check = TIMER.scheduleAtFixedRate(this::checkNow, period, period, TimeUnit.MILLISECONDS);
    }

    /** Records that data arrived. */
    void moved() {
        lastMove = System.nanoTime();
    }

    /** Whether the watch closed the stream. */
    boolean fired() {
        return fired;
    }

    private void checkNow() {
        if (!fired && System.nanoTime() - lastMove > limitNanos) {
            fired = true;
            try {
                body.close();
            } catch (IOException | RuntimeException ignored) {
                // the reader sees the closed stream either way
            }
        }
    }

    @Override
    public void close() {
        check.cancel(false);
    }
}
