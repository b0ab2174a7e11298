package saelab.store;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;

/**
 * A batch of token activations with where each row came from.
 *
 * @param acts   activations [rows, dModel], row-major float32 (the array may be longer than rows × dModel)
 * @param rows   number of rows
 * @param dModel row width
 * @param image  cache-wide image index of each row (0-based)
 * @param token  storage token index of each row within its image (0-based; see {@link TokenLayout})
 * @param label  patch label of each row, or -1 (not a patch, or no labels in the cache)
 */
public record TokenBatch(float[] acts, int rows, int dModel, int[] image, int[] token, short[] label) {

    /** Copies the activations into a new NDArray [rows, dModel] owned by {@code manager}. */
    public NDArray toNDArray(NDManager manager) {
        return manager.create(FloatBuffer.wrap(acts, 0, rows * dModel), new Shape(rows, dModel));
    }

    /** Value {@code j} of row {@code r}. */
    public float get(int r, int j) {
        return acts[r * dModel + j];
    }
}
