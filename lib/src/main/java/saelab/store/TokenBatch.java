package saelab.store;


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

    /**
     * Refuses a batch whose first {@code rows} rows hold a NaN or infinite value, naming the cache,
     * the image and the token (a cache holds finite values only, see {@code lib/CACHE-FORMAT.md}; a
     * non-finite one means the file was damaged or the model overflowed, and would turn every metric
     * computed from it into NaN). One pass over the floats, small next to the SAE that reads them.
     *
     * @param source the cache, for the message
     * @param layer  the block index read, for the message
     * @throws IllegalArgumentException at the first non-finite value
     */
    public void requireFinite(int rows, Object source, int layer) {
        int n = Math.min(rows, this.rows) * dModel;
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(acts[i])) {
                int r = i / dModel;
                throw new IllegalArgumentException("the cache " + source + " holds a non-finite activation (" + acts[i] + ") at image "
                        + image[r] + ", token " + token[r] + ", layer " + layer + ", dimension " + (i % dModel)
                        + "; expected finite values (the cache is damaged, or the model overflowed at this dtype)");
            }
        }
    }

    /** Value {@code j} of row {@code r}. */
    public float get(int r, int j) {
        return acts[r * dModel + j];
    }
}
