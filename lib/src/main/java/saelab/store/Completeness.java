package saelab.store;

/**
 * Whether {@link ActivationCache#open(java.nio.file.Path, Completeness, ShardCheck)} accepts a cache
 * whose writer has not finished (a capture that was stopped and can be resumed).
 */
public enum Completeness {
    /** Refuse a cache whose manifest is not marked complete (the default: training and analysis need every image). */
    COMPLETE_ONLY,
    /** Also open an unfinished cache, reading the shards its writer completed ({@code cache info}, capture resume). */
    ALLOW_INCOMPLETE
}
