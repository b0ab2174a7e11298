package saelab.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;

/**
 * The keys and values of every decoder layer for the positions decoded so far, so that each new step
 * attends to the past without recomputing it (the reference's {@code DynamicCache} in transformers
 * 4.45.2: the new keys and values are concatenated to the cached ones along the sequence axis). Keys
 * are stored after the rotary embedding, {@code [B, KV heads, S, head dim]}. The cache owns its arrays
 * (on its own manager); close it when the generation is done.
 */
public final class KvCache implements AutoCloseable {

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private long length;

    /**
     * An empty cache for a model of {@code layers} layers.
     *
     * @param parent the manager the cache's own manager is made under
     */
    public KvCache(int layers, NDManager parent) {
        this.manager = parent.newSubManager();
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
    }

    /** Positions held (0 for a new cache). */
    public long length() {
        return length;
    }

    /** Layers covered. */
    public int layers() {
        return keys.length;
    }

    /**
     * Appends a step's keys and values for {@code layer} and returns the whole sequence so far; the
     * returned arrays belong to the cache (do not close them). Call once per layer per forward, in layer
     * order; the length advances after the last layer.
     *
     * @param k {@code [B, KV, T, hd]}
     * @param v {@code [B, KV, T, hd]}
     * @return {@code [k, v]}, each {@code [B, KV, length + T, hd]}
     */
    NDList append(int layer, NDArray k, NDArray v) {
        keys[layer] = grow(keys[layer], k);
        values[layer] = grow(values[layer], v);
        if (layer == keys.length - 1) {
            length = keys[layer].getShape().get(2);
        }
        return new NDList(keys[layer], values[layer]);
    }

    private NDArray grow(NDArray old, NDArray step) {
        NDArray all = old == null ? step.duplicate() : NDArrays.concat(new NDList(old, step), 2);
        NDScope.unregister(all);
        all.attach(manager);
        if (old != null) {
            old.close();
        }
        return all;
    }

    @Override
    public void close() {
        manager.close();
    }
}
