package saelab.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.store.SaevFixture.ClassToken;
import saelab.store.SaevFixture.PatchLabels;

/**
 * Hostile and damaged caches: file names that lead outside the cache folder, a shard whose bytes
 * changed, saev metadata whose declared sizes do not match its files. Each is refused with a sentence
 * naming the file (and the field where one is to blame).
 */
class CacheHostileFilesTest {

    private static final long SEED = 23;

    @TempDir
    Path tmp;

    private static void assertMentions(Throwable e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(p), "expected '" + p + "' in the message: " + e.getMessage());
        }
    }

    /** A finished cache of {@code images} images, {@code perShard} per shard. */
    private Path finishedCache(String name, int images, int perShard) throws IOException {
        CacheSpec spec = CacheTestData.spec(StorageDtype.F16);
        Path dir = tmp.resolve(name);
        try (CacheWriter w = CacheWriter.create(dir, spec, CacheTestData.shardBytesFor(spec, perShard))) {
            CacheTestData.writeImages(w, spec, SEED, 0, images, 2);
            w.finish();
        }
        return dir;
    }

    /** A cache whose writer stopped after {@code images} images without finishing (a capture to resume). */
    private Path unfinishedCache(String name, int images, int perShard) throws IOException {
        CacheSpec spec = CacheTestData.spec(StorageDtype.F16);
        Path dir = tmp.resolve(name);
        try (CacheWriter w = CacheWriter.create(dir, spec, CacheTestData.shardBytesFor(spec, perShard))) {
            CacheTestData.writeImages(w, spec, SEED, 0, images, 2);
        }
        return dir;
    }

    /** Flips one bit of a byte in the middle of a file. */
    static void flipByte(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            long at = f.length() / 2;
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x10);
        }
    }

    private static void replaceInManifest(Path dir, String from, String to) throws IOException {
        Path m = dir.resolve(CacheManifest.FILE_NAME);
        String json = Files.readString(m);
        assertTrue(json.contains(from), json);
        Files.writeString(m, json.replace(from, to));
    }

    @Test
    void aFlippedByteIsRefusedByEveryReaderNamingTheShard() throws IOException {
        Path dir = finishedCache("flipped", 6, 2);
        flipByte(dir.resolve("shard-000001.bin"));
        try (ActivationCache c = ActivationCache.open(dir)) {
            // shard 0 is intact and reads normally; shard 1 is refused, every time
            assertArrayEquals(CacheTestData.expectedRow(CacheTestData.spec(StorageDtype.F16), SEED, 1, 0, 0), c.read(1, 2, 0));
            assertMentions(assertThrows(IllegalArgumentException.class, () -> c.read(2, 2, 0)), "shard-000001.bin",
                    "changed or damaged", "shards[1].sha256");
            assertMentions(assertThrows(IllegalArgumentException.class, () -> c.read(3, 2, 0)), "shard-000001.bin");
        }
        try (ActivationCache c = ActivationCache.open(dir)) {
            Iterator<TokenBatch> seq = c.sequential(2, TokenKind.PATCHES, 1);
            seq.next();
            seq.next();
            assertMentions(assertThrows(IllegalArgumentException.class, seq::next), "shard-000001.bin", "changed or damaged");
        }
        try (ActivationCache c = ActivationCache.open(dir);
             ShuffledStream s = c.shuffled(ShuffleOptions.builder(2).batchSize(200).threads(2).maxSamples(72).build())) {
            assertMentions(assertThrows(IllegalArgumentException.class, s::next), "shard-000001.bin", "changed or damaged");
        }
        // the benchmark's baseline can skip the check: then the damaged bytes are read as they are
        try (ActivationCache c = ActivationCache.open(dir, Completeness.COMPLETE_ONLY, ShardCheck.SKIP)) {
            c.read(2, 2, 0);
        }
    }

    @Test
    void aReaderInterruptedWhileMappingLeavesTheShardReadableForTheNext() throws IOException {
        Path dir = finishedCache("interrupted", 6, 2);
        try (ActivationCache c = ActivationCache.open(dir)) {
            // as when ShuffledStream.close() interrupts its prefetcher in the middle of mapping a shard
            Thread.currentThread().interrupt();
            try {
                assertThrows(RuntimeException.class, () -> c.read(2, 2, 0));
            } finally {
                Thread.interrupted();
            }
            assertArrayEquals(CacheTestData.expectedRow(CacheTestData.spec(StorageDtype.F16), SEED, 2, 0, 0), c.read(2, 2, 0));
        }
    }

    @Test
    void aSwappedShardIsRefused() throws IOException {
        Path dir = finishedCache("swapped", 6, 2);
        Path a = dir.resolve("shard-000000.bin");
        Path b = dir.resolve("shard-000001.bin");
        Path t = dir.resolve("swap.tmp");
        Files.move(a, t);
        Files.move(b, a);
        Files.move(t, b);
        try (ActivationCache c = ActivationCache.open(dir)) {
            assertMentions(assertThrows(IllegalArgumentException.class, () -> c.read(0, 2, 0)), "shard-000000.bin", "changed or damaged");
        }
    }

    @Test
    void resumingACacheWithADamagedShardIsRefusedBeforeWriting() throws IOException {
        Path dir = unfinishedCache("resume", 5, 2);
        flipByte(dir.resolve("shard-000000.bin"));
        Files.writeString(dir.resolve("shard-000009.bin.partial"), "left by a crash");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> CacheWriter.resume(dir)), "cannot resume",
                "shard-000000.bin", "changed or damaged");
        // refused before anything was touched: the crash's leftovers are still there
        assertTrue(Files.exists(dir.resolve("shard-000009.bin.partial")));
    }

    @Test
    void resumingACacheWithATruncatedShardIsRefused() throws IOException {
        Path dir = unfinishedCache("resume-short", 5, 2);
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("shard-000001.bin").toFile(), "rw")) {
            f.setLength(f.length() - 3);
        }
        assertMentions(assertThrows(IllegalArgumentException.class, () -> CacheWriter.resume(dir)), "shard-000001.bin", "truncated");
    }

    @Test
    void aShardNameLeavingTheFolderIsRefused() throws IOException {
        Path dir = finishedCache("dotdot", 4, 2);
        Files.copy(dir.resolve("shard-000001.bin"), tmp.resolve("outside.bin"));
        replaceInManifest(dir, "\"shard-000001.bin\"", "\"../outside.bin\"");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> ActivationCache.open(dir)), "manifest.json",
                "shards[1].file", "../outside.bin");
    }

    @Test
    void aLabelsFileLeavingTheFolderIsRefused() throws IOException {
        Path dir = finishedCache("dotdot-labels", 4, 2);
        Files.copy(dir.resolve("shard-000001.labels.bin"), tmp.resolve("outside.labels.bin"));
        replaceInManifest(dir, "\"shard-000001.labels.bin\"", "\"../outside.labels.bin\"");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> ActivationCache.open(dir)), "manifest.json",
                "shards[1].labels_file", "../outside.labels.bin");
    }

    @Test
    void anAbsoluteIndexFileIsRefused() throws IOException {
        Path dir = finishedCache("absolute", 4, 2);
        Path outside = tmp.resolve("elsewhere.tsv");
        Files.copy(dir.resolve("shard-000000.images.tsv"), outside);
        replaceInManifest(dir, "\"shard-000000.images.tsv\"", "\"" + outside + "\"");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> ActivationCache.open(dir)), "manifest.json",
                "shards[0].index_file", outside.toString());
    }

    @Test
    void aShardThatIsASymbolicLinkOutsideIsRefused() throws IOException {
        Path dir = finishedCache("symlink", 4, 2);
        Path outside = tmp.resolve("outside-shard.bin");
        Files.move(dir.resolve("shard-000001.bin"), outside);
        Files.createSymbolicLink(dir.resolve("shard-000001.bin"), outside);
        assertMentions(assertThrows(IllegalArgumentException.class, () -> ActivationCache.open(dir)), "manifest.json",
                "shards[1].file", "symbolic link");
        // a link that stays inside the folder is fine
        Files.delete(dir.resolve("shard-000001.bin"));
        Files.createDirectories(dir.resolve("data"));
        Files.move(outside, dir.resolve("data/s1.bin"));
        Files.createSymbolicLink(dir.resolve("shard-000001.bin"), Path.of("data/s1.bin"));
        try (ActivationCache c = ActivationCache.open(dir)) {
            c.read(3, 2, 0);
        }
    }

    @Test
    void anImagePathLeavingTheDatasetRootIsRefused() throws IOException {
        Path dir = finishedCache("imagepath", 4, 2);
        Path index = dir.resolve("shard-000000.images.tsv");
        String tsv = Files.readString(index);
        String first = tsv.lines().skip(1).findFirst().orElseThrow();
        String path = first.split("\t")[2];
        Files.writeString(index, tsv.replace("\t" + path + "\n", "\t../../etc/passwd\n"));
        // the index's checksum is not what readers check; the path itself is refused where it is read
        try (ActivationCache c = ActivationCache.open(dir)) {
            assertMentions(assertThrows(RuntimeException.class, () -> c.image(0)), "shard-000000.images.tsv", "'path'", "../../etc/passwd");
        }
    }

    @Test
    void saevMetadataWithAnAbsurdShardCountIsRefusedWithoutAllocating() throws IOException {
        SaevFixture.Data data = SaevFixture.random(3, java.util.List.of(6), 4, ClassToken.FIRST, 8, 10, PatchLabels.NONE);
        Path dir = tmp.resolve("saev");
        SaevFixture.writeCurrent(dir, data, 4);
        Files.delete(dir.resolve("shards.json"));
        Path meta = dir.resolve("metadata.json");
        // 2^40 examples, one per shard: the shard list alone would take terabytes
        String json = Files.readString(meta).replaceAll("\"n_examples\"\\s*:\\s*\\d+", "\"n_examples\": 1099511627776")
                .replaceAll("\"max_tokens_per_shard\"\\s*:\\s*\\d+", "\"max_tokens_per_shard\": 5");
        Files.writeString(meta, json);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ActivationCache.open(dir));
        assertMentions(e, "metadata.json");
        assertFalse(e.getMessage().isBlank());
    }

    @Test
    void saevShardSizesNotMatchingTheMetadataAreRefusedAtOpen() throws IOException {
        SaevFixture.Data data = SaevFixture.random(4, java.util.List.of(6), 4, ClassToken.FIRST, 8, 10, PatchLabels.NONE);
        Path dir = tmp.resolve("saev-size");
        SaevFixture.writeCurrent(dir, data, 4);
        Path meta = dir.resolve("metadata.json");
        Files.writeString(meta, Files.readString(meta).replaceAll("\"d_model\"\\s*:\\s*8", "\"d_model\": 4096"));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> ActivationCache.open(dir)), "acts000000.bin", "bytes");
    }

    @Test
    void aSaevShardThatIsASymbolicLinkOutsideIsRefused() throws IOException {
        SaevFixture.Data data = SaevFixture.random(5, java.util.List.of(6), 4, ClassToken.FIRST, 8, 10, PatchLabels.NONE);
        Path dir = tmp.resolve("saev-link");
        SaevFixture.writeCurrent(dir, data, 4);
        Path outside = tmp.resolve("acts-outside.bin");
        Files.move(dir.resolve("acts000001.bin"), outside);
        Files.createSymbolicLink(dir.resolve("acts000001.bin"), outside);
        assertMentions(assertThrows(IllegalArgumentException.class, () -> ActivationCache.open(dir)), "acts000001.bin", "symbolic link");
    }
}
