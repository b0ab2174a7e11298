package saelab.store;

import java.nio.file.Path;

/**
 * One activation shard as readers see it, whatever format the cache is in.
 *
 * @param file       the raw activation file ([image, layer, token, dim] little-endian)
 * @param firstImage cache-wide index of its first image
 * @param nImages    images in it
 * @param bytes      expected file size
 * @param sha256     expected checksum, or null when the format records none (saev)
 * @param sha256Field where the checksum is recorded ({@code shards[i].sha256} of the manifest), for messages; null without one
 */
record ShardFile(Path file, long firstImage, int nImages, long bytes, String sha256, String sha256Field) {}
