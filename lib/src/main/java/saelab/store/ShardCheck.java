package saelab.store;

/**
 * Whether {@link ActivationCache} checks each shard's bytes against the SHA-256 of its manifest
 * before the shard is first read.
 *
 * <p>Why a whole-shard SHA-256 on first use rather than a per-chunk CRC: the checksum is already in
 * every manifest (caches written before this check are covered without a format change); it catches
 * any change of the bytes (flipped bits, overwritten or zeroed ranges, a shard swapped for another
 * shard of the same size, whose checksum differs), and truncation is caught before by the size check;
 * it runs once per shard and per opened cache, on the thread that first needs the shard, so the
 * steady-state read loops (the shuffled stream, the sequential reader) pay nothing per row; and the
 * pass leaves the shard in the page cache, where the reads that follow find it. The cost is one
 * sequential hash of every shard that is used, once per process: measured on the 2-core development
 * VM (JDK 25, SHA-NI, page cache warm), 0.5 to 0.7 GB/s per thread ({@code cache verify}); in
 * {@code saelab bench loader} on a 2 GB cache of two shards (hashed in parallel) the first epoch grew
 * by 0.7 to 0.9 s per GB and the rate after it was unchanged within run-to-run noise.
 * Saev caches record no checksums; for them only the sizes are checked.
 */
public enum ShardCheck {
    /** Hash every shard on its first use and refuse one whose SHA-256 differs from the manifest's (the default). */
    VERIFY_ON_FIRST_USE,
    /** Trust the bytes (benchmark baselines, tools that verify by other means such as {@code cache verify}). */
    SKIP
}
