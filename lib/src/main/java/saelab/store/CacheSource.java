package saelab.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything the readers need about a cache, whatever wrote it: saelab's own format
 * ({@link NativeFormat}) or the paper's Python tool ({@link SaevFormat}).
 *
 * @param dir      the cache folder
 * @param format   {@code saelab-cache/1}, {@code saev-2.1} or {@code saev-paper}
 * @param layers   recorded block indices (0-based)
 * @param tokens   stored token layout
 * @param dModel   width
 * @param dtype    storage type
 * @param nImages  images in the cache
 * @param shards   shard files in image order, contiguous
 * @param images   per-image records, shard by shard
 * @param labels   per-patch labels, or null
 * @param manifest the native manifest, or null for imported caches
 */
record CacheSource(Path dir, String format, List<Integer> layers, TokenLayout tokens, int dModel, StorageDtype dtype,
                   long nImages, List<ShardFile> shards, ImageIndexSource images, PatchLabelSource labels,
                   CacheManifest manifest) {

    /** Per-image records of one shard. */
    interface ImageIndexSource {
        List<ImageRecord> shardImages(int shard) throws IOException;
    }

    /** Patch labels of one shard, [images, patches], and the label classes. */
    interface PatchLabelSource {
        short[] shardLabels(int shard) throws IOException;

        List<String> classes();

        /** The background label, or -1. */
        int background();
    }
}
