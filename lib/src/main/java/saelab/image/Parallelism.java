package saelab.image;

/**
 * Whether image work is split over the common fork-join pool or kept on the calling thread. The
 * results are identical either way; only the threads that compute them differ.
 */
public enum Parallelism {
    /** Everything on the calling thread (the choice inside an already parallel pipeline). */
    SEQUENTIAL,
    /** Split into tasks on the common fork-join pool (for a single large image or batch, e.g. the CLI). */
    PARALLEL
}
