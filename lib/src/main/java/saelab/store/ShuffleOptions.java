package saelab.store;

/**
 * Settings of a {@link ShuffledStream}. Build with {@link #builder(int)} (or {@link #toBuilder()} to vary some).
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
        return builder(layer).build();
    }

    /** A builder starting from the defaults of {@link #of(int)}. */
    public static Builder builder(int layer) {
        return new Builder(layer);
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        Builder b = new Builder(layer);
        b.kind = kind;
        b.batchSize = batchSize;
        b.seed = seed;
        b.reservoirBytes = reservoirBytes;
        b.chunkBytes = chunkBytes;
        b.threads = threads;
        b.prefetch = prefetch;
        b.dropBackground = dropBackground;
        b.withReplacement = withReplacement;
        b.startSample = startSample;
        b.maxSamples = maxSamples;
        return b;
    }

    /** Builder of {@link ShuffleOptions}; each setter names its field (see the record's parameters). */
    public static final class Builder {
        private final int layer;
        private TokenKind kind = TokenKind.PATCHES;
        private int batchSize = 16_384;
        private long seed;
        private long reservoirBytes = 1L << 30;
        private long chunkBytes = 4L << 20;
        private int threads = Runtime.getRuntime().availableProcessors();
        private int prefetch = 2 * threads;
        private boolean dropBackground;
        private boolean withReplacement;
        private long startSample;
        private long maxSamples = Long.MAX_VALUE;

        private Builder(int layer) {
            this.layer = layer;
        }

        public Builder kind(TokenKind v) {
            kind = v;
            return this;
        }

        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder reservoirBytes(long v) {
            reservoirBytes = v;
            return this;
        }

        public Builder chunkBytes(long v) {
            chunkBytes = v;
            return this;
        }

        /** Assembling threads; raises the prefetch to at least as many batches. */
        public Builder threads(int v) {
            threads = v;
            prefetch = Math.max(prefetch, v);
            return this;
        }

        public Builder prefetch(int v) {
            prefetch = v;
            return this;
        }

        /** Skip patches labelled with the cache's background label. */
        public Builder dropBackground() {
            dropBackground = true;
            return this;
        }

        /** Draw rows uniformly with replacement instead of once per epoch. */
        public Builder withReplacement() {
            withReplacement = true;
            return this;
        }

        public Builder startSample(long v) {
            startSample = v;
            return this;
        }

        public Builder maxSamples(long v) {
            maxSamples = v;
            return this;
        }

        /** @throws IllegalArgumentException when a setting is out of range (see {@link ShuffleOptions}) */
        public ShuffleOptions build() {
            return new ShuffleOptions(layer, kind, batchSize, seed, reservoirBytes, chunkBytes, threads, prefetch, dropBackground,
                    withReplacement, startSample, maxSamples);
        }
    }
}
