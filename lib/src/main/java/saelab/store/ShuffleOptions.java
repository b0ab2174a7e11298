package saelab.store;

/**
 * Settings of a {@link ShuffledStream}. Build with {@link #of(int)} and the {@code with...} methods.
 *
 * @param layer           block index (0-based) to stream
 * @param kind            {@link TokenKind#PATCHES} or {@link TokenKind#CLS}
 * @param batchSize       rows per batch
 * @param seed            the stream is a pure function of the cache, these options and the seed
 * @param reservoirBytes  size of the shuffle window, in bytes of stored activations (default 1 GiB);
 *                        rows = reservoirBytes / (d_model × dtype bytes)
 * @param chunkBytes      bytes per read unit of consecutive images (default 4 MiB)
 * @param threads         threads that assemble batches (default: available processors)
 * @param prefetch        batches assembled ahead (default 2 × threads)
 * @param dropBackground  skip patches labelled with the cache's background label
 * @param withReplacement draw rows uniformly with replacement instead of once per epoch
 * @param startSample     number of rows to skip from the start (to resume training exactly)
 * @param maxSamples      total rows to deliver (default: endless)
 */
public record ShuffleOptions(int layer, TokenKind kind, int batchSize, long seed, long reservoirBytes, long chunkBytes,
                             int threads, int prefetch, boolean dropBackground, boolean withReplacement,
                             long startSample, long maxSamples) {

    public ShuffleOptions {
        if (kind != TokenKind.PATCHES && kind != TokenKind.CLS) {
            throw new IllegalArgumentException("a shuffled stream reads patches or cls tokens, not " + kind.id());
        }
        if (batchSize <= 0 || reservoirBytes <= 0 || chunkBytes <= 0 || threads <= 0 || prefetch <= 0
                || startSample < 0 || maxSamples <= 0) {
            throw new IllegalArgumentException("shuffle options need positive batch size, reservoir, chunk, threads, prefetch"
                    + " and max samples, and start sample >= 0; got " + this);
        }
    }

    /** Patches of {@code layer}, batches of 16,384 rows, seed 0, the defaults above. */
    public static ShuffleOptions of(int layer) {
        int cpus = Runtime.getRuntime().availableProcessors();
        return new ShuffleOptions(layer, TokenKind.PATCHES, 16_384, 0, 1L << 30, 4L << 20, cpus, 2 * cpus, false, false, 0,
                Long.MAX_VALUE);
    }

    public ShuffleOptions withKind(TokenKind k) {
        return new ShuffleOptions(layer, k, batchSize, seed, reservoirBytes, chunkBytes, threads, prefetch, dropBackground,
                withReplacement, startSample, maxSamples);
    }

    public ShuffleOptions withBatchSize(int b) {
        return new ShuffleOptions(layer, kind, b, seed, reservoirBytes, chunkBytes, threads, prefetch, dropBackground,
                withReplacement, startSample, maxSamples);
    }

    public ShuffleOptions withSeed(long s) {
        return new ShuffleOptions(layer, kind, batchSize, s, reservoirBytes, chunkBytes, threads, prefetch, dropBackground,
                withReplacement, startSample, maxSamples);
    }

    public ShuffleOptions withReservoirBytes(long r) {
        return new ShuffleOptions(layer, kind, batchSize, seed, r, chunkBytes, threads, prefetch, dropBackground,
                withReplacement, startSample, maxSamples);
    }

    public ShuffleOptions withChunkBytes(long c) {
        return new ShuffleOptions(layer, kind, batchSize, seed, reservoirBytes, c, threads, prefetch, dropBackground,
                withReplacement, startSample, maxSamples);
    }

    public ShuffleOptions withThreads(int t) {
        return new ShuffleOptions(layer, kind, batchSize, seed, reservoirBytes, chunkBytes, t, Math.max(prefetch, t),
                dropBackground, withReplacement, startSample, maxSamples);
    }

    public ShuffleOptions withDropBackground(boolean d) {
        return new ShuffleOptions(layer, kind, batchSize, seed, reservoirBytes, chunkBytes, threads, prefetch, d,
                withReplacement, startSample, maxSamples);
    }

    public ShuffleOptions withReplacement(boolean w) {
        return new ShuffleOptions(layer, kind, batchSize, seed, reservoirBytes, chunkBytes, threads, prefetch, dropBackground,
                w, startSample, maxSamples);
    }

    public ShuffleOptions withStartSample(long s) {
        return new ShuffleOptions(layer, kind, batchSize, seed, reservoirBytes, chunkBytes, threads, prefetch, dropBackground,
                withReplacement, s, maxSamples);
    }

    public ShuffleOptions withMaxSamples(long m) {
        return new ShuffleOptions(layer, kind, batchSize, seed, reservoirBytes, chunkBytes, threads, prefetch, dropBackground,
                withReplacement, startSample, m);
    }
}
