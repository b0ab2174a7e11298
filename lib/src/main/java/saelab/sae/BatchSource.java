package saelab.sae;

/**
 * Training rows for an SAE, in a deterministic order that can be entered at any sample count
 * (for exact resume).
 */
public interface BatchSource extends AutoCloseable {

    /** Width of a row. */
    int dModel();

    /** Fills {@code dst[0 .. rows × d_model)} with the next {@code rows} rows. */
    void next(float[] dst, int rows);

    /** One line for provenance, e.g. the input file or cache and its checksum. */
    String describe();

    @Override
    default void close() {}
}
