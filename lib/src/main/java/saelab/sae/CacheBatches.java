package saelab.sae;

import saelab.store.ActivationCache;
import saelab.store.ShuffleOptions;
import saelab.store.ShuffledStream;
import saelab.store.TokenBatch;

/** Rows of an activation cache through its shuffled training stream. */
public final class CacheBatches implements BatchSource {

    private final ActivationCache cache;
    private final ShuffledStream stream;
    private final String what;
    private TokenBatch current;
    private int used;

    /** Streams {@code options} (layer, token kind, seed, ...) from {@code cache} starting at {@code startSample}. */
    public CacheBatches(ActivationCache cache, ShuffleOptions options, long startSample) {
        this.cache = cache;
        this.stream = cache.shuffled(options.toBuilder().startSample(startSample).build());
        this.what = "cache " + cache.dir() + " (" + cache.format() + "), layer " + options.layer() + ", "
                + options.kind().id() + ", seed " + options.seed();
    }

    @Override
    public int dModel() {
        return cache.dModel();
    }

    @Override
    public void next(float[] dst, int rows) {
        int d = cache.dModel();
        int r = 0;
        while (r < rows) {
            if (current == null || used == current.rows()) {
                current = stream.next();
                used = 0;
            }
            int n = Math.min(rows - r, current.rows() - used);
            System.arraycopy(current.acts(), used * d, dst, r * d, n * d);
            used += n;
            r += n;
        }
    }

    @Override
    public String describe() {
        return what;
    }

    @Override
    public void close() {
        stream.close();
    }
}
