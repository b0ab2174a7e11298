package saelab.store;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Measures how fast activations come out of a cache, three ways over the same bytes:
 * <ol>
 *   <li>raw sequential read of the shard files (no conversion), a second pass so the files come from
 *       the page cache when they fit in memory: the ceiling;</li>
 *   <li>the sequential reader, patches of one layer with conversion to float32;</li>
 *   <li>the shuffled training stream over the same patches;</li>
 *   <li>the shuffled stream again, over the cache opened afresh without and with the integrity check
 *       ({@link ShardCheck}), side by side: first epoch (which carries the hashing) and rate after it.</li>
 * </ol>
 * Rates are rows (patch activations) per second and MB/s of stored bytes. Each is timed on a second
 * pass, after an untimed one, so all three read from the page cache and from memory maps that are
 * already set up: the steady state of a training run, which reads the cache many times.
 */
public final class LoaderBenchmark {

    /**
     * One measurement.
     *
     * @param what    what was measured
     * @param rows    activation rows delivered (for the raw read: the rows the bytes hold)
     * @param bytes   stored bytes covered
     * @param seconds wall time
     */
    public record Result(String what, long rows, long bytes, double seconds) {
        public double rowsPerSecond() {
            return rows / seconds;
        }

        public double megabytesPerSecond() {
            return bytes / 1e6 / seconds;
        }
    }

    private LoaderBenchmark() {}

    /**
     * Runs the three measurements and prints a table to {@code out}.
     *
     * @param maxRows rows of the shuffled stream to time (at most one epoch)
     */
    public static List<Result> run(ActivationCache cache, int layer, ShuffleOptions shuffle, long maxRows, PrintStream out)
            throws IOException {
        long rowBytes = (long) cache.dModel() * cache.dtype().bytes();
        long patchRows = cache.nImages() * cache.tokens().patches();
        long totalBytes = cache.shards().stream().mapToLong(ShardFile::bytes).sum();
        out.printf(Locale.ROOT, "loader benchmark: %s%n  %d images x %d patches, d_model %d, %s, %d layer(s), %.2f GB in %d shard(s)%n",
                cache.dir(), cache.nImages(), cache.tokens().patches(), cache.dModel(), cache.dtype().id(),
                cache.layers().size(), totalBytes / 1e9, cache.shards().size());
        List<Result> results = new ArrayList<>();

        rawRead(cache); // warm the page cache
        long t0 = System.nanoTime();
        long raw = rawRead(cache);
        results.add(new Result("raw sequential read (page cache, no conversion)", raw / rowBytes, raw, secs(t0)));
        print(out, results.getLast());

        int imagesPerBatch = Math.max(1, shuffle.batchSize() / Math.max(1, cache.tokens().patches()));
        long rows = 0;
        t0 = 0;
        for (int pass = 0; pass < 2; pass++) {
            t0 = System.nanoTime();
            rows = 0;
            Iterator<TokenBatch> seq = cache.sequential(layer, TokenKind.PATCHES, imagesPerBatch);
            while (seq.hasNext()) {
                rows += seq.next().rows();
            }
        }
        results.add(new Result("sequential reader, " + cache.dtype().id() + " -> f32", rows, rows * rowBytes, secs(t0)));
        print(out, results.getLast());

        long n = Math.min(maxRows, patchRows);
        Shuffled main = shuffledRun(cache, shuffle, patchRows, n);
        results.add(main.steady());
        print(out, results.getLast());
        Result s = results.getLast();
        out.printf(Locale.ROOT, "  shuffled stream = %.0f%% of the raw read rate, %.0f%% of the sequential reader%n",
                100 * s.megabytesPerSecond() / results.get(0).megabytesPerSecond(),
                100 * s.megabytesPerSecond() / results.get(1).megabytesPerSecond());
        integrity(cache, shuffle, patchRows, n, totalBytes, out);
        ShuffleQuality q = ShuffleQuality.measure(cache, shuffle.toBuilder().kind(TokenKind.PATCHES).build(), 20);
        out.printf(Locale.ROOT, "  shuffle quality over %d batches: %.1f distinct images per batch, %.3f of a perfect"
                + " shuffle's %.1f; same-image neighbours %.2f x the perfect rate%n",
                q.batches(), q.distinctPerBatch(), q.batchDiversity(), q.expectedDistinct(), q.neighbourRate());
        return results;
    }

    /** A shuffled-stream measurement: the first epoch (untimed before, timed here for the first-use cost) and the next rows. */
    private record Shuffled(double firstEpochSeconds, Result steady) {}

    private static Shuffled shuffledRun(ActivationCache cache, ShuffleOptions shuffle, long patchRows, long n) {
        long t0 = System.nanoTime();
        try (ShuffledStream stream = cache.shuffled(shuffle.toBuilder().kind(TokenKind.PATCHES).maxSamples(patchRows + n).build())) {
            long warm = 0;
            while (warm < patchRows) {
                warm += stream.next().rows(); // the first epoch: maps (and, if asked, hashes) every shard
            }
            double first = secs(t0);
            t0 = System.nanoTime();
            long got = warm - patchRows;
            while (stream.hasNext()) {
                got += stream.next().rows();
            }
            return new Shuffled(first, new Result(String.format(Locale.ROOT, "shuffled stream (%d threads, batch %d, reservoir %d rows)",
                    shuffle.threads(), shuffle.batchSize(), stream.reservoirRows()), got, got * cache.dtype().bytes() * (long) cache.dModel(),
                    secs(t0)));
        }
    }

    /**
     * The integrity check's cost, side by side in one run: the shuffled stream over the cache opened
     * afresh without ({@link ShardCheck#SKIP}) and with ({@link ShardCheck#VERIFY_ON_FIRST_USE}) the
     * SHA-256 check of each shard on first use; the first epoch carries the hashing, the rate after it
     * is the training loop's.
     */
    private static void integrity(ActivationCache cache, ShuffleOptions shuffle, long patchRows, long n, long totalBytes, PrintStream out) {
        if (cache.shards().stream().anyMatch(f -> f.sha256() == null)) {
            out.println("  integrity check: not available (this cache records no checksums; its sizes are checked at open)");
            return;
        }
        out.printf(Locale.ROOT, "  integrity check (SHA-256 of each shard on first use), cache opened afresh each time:%n");
        ShardCheck[] checks = {ShardCheck.SKIP, ShardCheck.VERIFY_ON_FIRST_USE};
        double[] first = new double[checks.length];
        for (int i = 0; i < checks.length; i++) {
            ShardCheck check = checks[i];
            try (ActivationCache c = ActivationCache.open(cache.dir(), Completeness.ALLOW_INCOMPLETE, check)) {
                Shuffled r = shuffledRun(c, shuffle, patchRows, n);
                first[i] = r.firstEpochSeconds();
                out.printf(Locale.ROOT, "    %-22s first epoch %6.2f s, then %10.0f rows/s %7.0f MB/s%n",
                        check == ShardCheck.SKIP ? "without (skip)" : "with (verify)", r.firstEpochSeconds(),
                        r.steady().rowsPerSecond(), r.steady().megabytesPerSecond());
            }
        }
        double extra = first[1] - first[0];
        out.printf(Locale.ROOT, "    the check added %.2f s to the first epoch for %.2f GB (%.2f s per GB), nothing afterwards%n",
                extra, totalBytes / 1e9, extra / (totalBytes / 1e9));
    }

    private static long rawRead(ActivationCache cache) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(16 << 20);
        long total = 0;
        for (ShardFile f : cache.shards()) {
            try (FileChannel ch = FileChannel.open(f.file(), StandardOpenOption.READ)) {
                for (int r; (r = ch.read(buf)) >= 0; ) {
                    total += r;
                    buf.clear();
                }
            }
        }
        return total;
    }

    private static void print(PrintStream out, Result r) {
        out.printf(Locale.ROOT, "  %-64s %12.0f rows/s %9.0f MB/s  (%d rows, %.2f s)%n", r.what(), r.rowsPerSecond(),
                r.megabytesPerSecond(), r.rows(), r.seconds());
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
