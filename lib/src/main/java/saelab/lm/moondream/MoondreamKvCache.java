package saelab.lm.moondream;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The keys and values of moondream2's text blocks for the positions decoded so far, as the reference's
 * {@code KVCache} ({@code moondream/torch/moondream.py}, github.com/vikhyat/moondream at 44146f1): per
 * block two preallocated {@code [1, KV heads, capacity, head dim]} arrays written in place at the new
 * positions (keys after the rotary embedding), so a step copies only its own row. The reference
 * allocates the whole context (2048); here the capacity is what the query needs, and
 * {@link #copy(int, NDManager)} starts a query from an encoded image's prefix without recomputing it
 * (the reference's {@code load_encoded_image}). The cache owns its arrays; close it when done.
 */
public final class MoondreamKvCache implements AutoCloseable {

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private final int capacity;
    private int length;

    /**
     * An empty cache.
     *
     * @param layers   text blocks
     * @param kvHeads  key/value heads
     * @param headDim  head width
     * @param capacity the most positions it will hold
     * @param parent   the manager the cache's own manager is made under
     */
    public MoondreamKvCache(int layers, int kvHeads, int headDim, int capacity, NDManager parent) {
        if (layers < 1 || kvHeads < 1 || headDim < 1 || capacity < 1) {
            throw new IllegalArgumentException("a KV cache needs positive sizes, got " + layers + " layers, " + kvHeads + " heads of "
                    + headDim + ", capacity " + capacity);
        }
        this.manager = parent.newSubManager();
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
        this.capacity = capacity;
        Shape shape = new Shape(1, kvHeads, capacity, headDim);
        for (int l = 0; l < layers; l++) {
            keys[l] = manager.zeros(shape, DataType.FLOAT32);
            values[l] = manager.zeros(shape, DataType.FLOAT32);
            NDScope.unregister(keys[l], values[l]); // owned by the cache, not by a caller's scope
        }
    }

    /** Positions held. */
    public int length() {
        return length;
    }

    /** The most positions this cache holds. */
    public int capacity() {
        return capacity;
    }

    /** Blocks covered. */
    public int layers() {
        return keys.length;
    }

    /**
     * Writes a forward's keys and values for {@code layer} at positions {@code length .. length + T - 1} and
     * returns views of every position so far (temporaries: close them, or leave them to a scope). Call
     * once per block per forward, in block order; the length advances after the last block.
     *
     * @param k {@code [1, KV, T, hd]}
     * @param v {@code [1, KV, T, hd]}
     * @return {@code [k, v]}, each {@code [1, KV, length + T, hd]}
     * @throws IllegalArgumentException when the new positions pass the capacity
     */
    NDList append(int layer, NDArray k, NDArray v) {
        long t = k.getShape().get(2);
        if (length + t > capacity) {
            throw new IllegalArgumentException("the KV cache holds " + capacity + " positions; " + length + " cached + " + t
                    + " new do not fit");
        }
        NDIndex rows = new NDIndex(":, :, {}:{}, :", length, length + t);
        keys[layer].set(rows, k);
        values[layer].set(rows, v);
        NDIndex upTo = new NDIndex(":, :, :{}, :", length + t);
        NDList out = new NDList(keys[layer].get(upTo), values[layer].get(upTo));
        if (layer == keys.length - 1) {
            length += (int) t;
        }
        return out;
    }

    /**
     * A new cache of {@code newCapacity} positions holding a copy of this one's positions (this cache is
     * unchanged), made under {@code parent}.
     *
     * @throws IllegalArgumentException when {@code newCapacity} is below the length
     */
    public MoondreamKvCache copy(int newCapacity, NDManager parent) {
        if (newCapacity < length) {
            throw new IllegalArgumentException("a copy of a KV cache of " + length + " positions needs a capacity of at least " + length
                    + ", got " + newCapacity);
        }
        Shape s = keys[0].getShape();
        MoondreamKvCache c = new MoondreamKvCache(keys.length, (int) s.get(1), (int) s.get(3), newCapacity, parent);
        if (length > 0) {
            NDIndex upTo = new NDIndex(":, :, :{}, :", length);
            for (int l = 0; l < keys.length; l++) {
                try (NDArray k = keys[l].get(upTo); NDArray v = values[l].get(upTo)) {
                    c.keys[l].set(upTo, k);
                    c.values[l].set(upTo, v);
                }
            }
        }
        c.length = length;
        return c;
    }

    @Override
    public void close() {
        manager.close();
    }
}
