package saelab.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.io.Json;
import saelab.io.Verbosity;
import saelab.store.CacheManifest.ShardEntry;
import saelab.store.SaevFixture.ClassToken;
import saelab.store.SaevFixture.PatchLabels;

/** CacheVerifier on sound and damaged caches: every kind of damage is reported against the right file. */
class CacheVerifierTest {

    /** 2 layers x 5 tokens (CLS + 2x2 patches) x d 8 in f16 = 160 bytes per image. */
    private static final int IMAGES = 10;
    private static final int TOKENS = 5;
    private static final int D = 8;
    private static final int LAYERS = 2;
    private static final int PER_SHARD = 4;
    private static final long BYTES_PER_IMAGE = (long) LAYERS * TOKENS * D * 2;

    @TempDir
    Path tmp;

    /** A new, sound cache of 10 images in shards of 4, 4 and 2, with 3 patch label classes. */
    private Path freshCache(String name) throws IOException {
        Path dir = tmp.resolve(name);
        SyntheticCache.write(dir, IMAGES, TOKENS, D, StorageDtype.F16, LAYERS, 3, 99, PER_SHARD * BYTES_PER_IMAGE, Verbosity.QUIET);
        return dir;
    }

    private static List<CacheVerifier.Problem> verify(Path dir) {
        return CacheVerifier.verify(dir, line -> { });
    }

    private static void flipByte(Path file, long position) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(position);
            int b = f.read();
            f.seek(position);
            f.write(b ^ 0x5a);
        }
    }

    private static void truncate(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }

    private static ObjectNode readTree(Path manifest) throws IOException {
        return (ObjectNode) Json.mapper().readTree(Files.readAllBytes(manifest));
    }

    private static void writeTree(Path manifest, ObjectNode tree) throws IOException {
        Files.write(manifest, Json.mapper().writeValueAsBytes(tree));
    }

    /** Exactly one problem, about {@code file}, whose message has every one of {@code words}. */
    private static void assertSingleProblem(List<CacheVerifier.Problem> problems, Path file, String... words) {
        assertEquals(1, problems.size(), "expected one problem, got " + problems);
        assertProblem(problems, file, words);
    }

    /** Some problem is about {@code file} and mentions every one of {@code words}. */
    private static void assertProblem(List<CacheVerifier.Problem> problems, Path file, String... words) {
        boolean found = problems.stream().anyMatch(p -> p.file().equals(file)
                && List.of(words).stream().allMatch(w -> p.message().contains(w)));
        assertTrue(found, "expected a problem about " + file + " mentioning " + List.of(words) + ", got " + problems);
    }

    @Test
    void aSoundCacheHasNoProblemsAndEveryFileIsReported() throws IOException {
        Path dir = freshCache("sound");
        CacheManifest m = ActivationCache.readManifest(dir);
        assertEquals(3, m.shards().size(), "the fixture should have several shards");
        assertTrue(m.shards().stream().allMatch(s -> s.labelsFile() != null), "the fixture should have patch labels");

        List<String> lines = new ArrayList<>();
        Consumer<String> progress = lines::add;
        assertEquals(List.of(), CacheVerifier.verify(dir, progress));
        // one line per checked file: activations, index and labels of each shard
        assertEquals(3 * m.shards().size(), lines.size(), lines.toString());
        for (ShardEntry s : m.shards()) {
            assertTrue(lines.stream().anyMatch(l -> l.contains(s.file())), lines.toString());
            assertTrue(lines.stream().anyMatch(l -> l.contains(s.indexFile())), lines.toString());
            assertTrue(lines.stream().anyMatch(l -> l.contains(s.labelsFile())), lines.toString());
        }
    }

    @Test
    void aFlippedByteInAShardIsAChecksumProblemOfThatShard() throws IOException {
        Path dir = freshCache("flipped");
        Path shard = dir.resolve("shard-000001.bin");
        flipByte(shard, 77);
        List<CacheVerifier.Problem> problems = verify(dir);
        assertSingleProblem(problems, shard, "SHA-256");
        assertTrue(problems.getFirst().toString().contains("shard-000001.bin"), problems.toString());
    }

    @Test
    void aTruncatedShardIsReportedAsTruncated() throws IOException {
        Path dir = freshCache("truncated");
        Path shard = dir.resolve("shard-000002.bin");
        truncate(shard, Files.size(shard) - 3);
        List<CacheVerifier.Problem> problems = verify(dir);
        assertSingleProblem(problems, shard, "truncated", String.valueOf(2 * BYTES_PER_IMAGE));
    }

    @Test
    void aShardWithExtraBytesIsReportedAsTooLong() throws IOException {
        Path dir = freshCache("long");
        Path shard = dir.resolve("shard-000000.bin");
        Files.write(shard, new byte[] {1, 2}, StandardOpenOption.APPEND);
        assertSingleProblem(verify(dir), shard, "too long");
    }

    @Test
    void aMissingShardIsReportedAsMissing() throws IOException {
        Path dir = freshCache("missing");
        Path shard = dir.resolve("shard-000000.bin");
        Files.delete(shard);
        assertSingleProblem(verify(dir), shard, "missing");
    }

    @Test
    void aDamagedIndexIsReportedAgainstTheIndexFile() throws IOException {
        Path dir = freshCache("index");
        Path index = dir.resolve("shard-000001.images.tsv");
        String text = Files.readString(index);
        Files.writeString(index, text.replace("synthetic/5.png", "synthetic/X.png"));
        assertSingleProblem(verify(dir), index, "SHA-256");
    }

    @Test
    void aMissingIndexIsReportedAsMissing() throws IOException {
        Path dir = freshCache("index-missing");
        Path index = dir.resolve("shard-000002.images.tsv");
        Files.delete(index);
        assertSingleProblem(verify(dir), index, "missing");
    }

    @Test
    void damagedPatchLabelsAreReportedAgainstTheLabelFile() throws IOException {
        Path dir = freshCache("labels");
        Path labels = dir.resolve("shard-000000.labels.bin");
        flipByte(labels, 3);
        assertSingleProblem(verify(dir), labels, "SHA-256");

        Path dir2 = freshCache("labels-short");
        Path labels2 = dir2.resolve("shard-000002.labels.bin");
        // 2 images x 4 patches x 2 bytes
        assertEquals(16, Files.size(labels2));
        truncate(labels2, 10);
        assertSingleProblem(verify(dir2), labels2, "truncated", "16");
    }

    @Test
    void severalDamagedFilesGiveOneProblemEach() throws IOException {
        Path dir = freshCache("several");
        flipByte(dir.resolve("shard-000000.bin"), 0);
        Files.delete(dir.resolve("shard-000001.labels.bin"));
        truncate(dir.resolve("shard-000002.bin"), 1);
        List<CacheVerifier.Problem> problems = verify(dir);
        assertEquals(3, problems.size(), problems.toString());
        assertProblem(problems, dir.resolve("shard-000000.bin"), "SHA-256");
        assertProblem(problems, dir.resolve("shard-000001.labels.bin"), "missing");
        assertProblem(problems, dir.resolve("shard-000002.bin"), "truncated");
    }

    @Test
    void aManifestWithoutDModelNamesTheField() throws IOException {
        Path dir = freshCache("no-d-model");
        Path manifest = dir.resolve(CacheManifest.FILE_NAME);
        ObjectNode tree = readTree(manifest);
        assertTrue(tree.has("d_model"));
        tree.remove("d_model");
        writeTree(manifest, tree);
        List<CacheVerifier.Problem> problems = verify(dir);
        assertFalse(problems.isEmpty());
        assertProblem(problems, manifest, "d_model", "missing");
    }

    @Test
    void aManifestWithoutAShardChecksumNamesTheField() throws IOException {
        Path dir = freshCache("no-sha");
        Path manifest = dir.resolve(CacheManifest.FILE_NAME);
        ObjectNode tree = readTree(manifest);
        ((ObjectNode) tree.withArray("shards").get(1)).remove("sha256");
        writeTree(manifest, tree);
        List<CacheVerifier.Problem> problems = verify(dir);
        assertFalse(problems.isEmpty());
        assertProblem(problems, manifest, "shards[1]", "sha256");
        assertTrue(problems.stream().allMatch(p -> p.file().equals(manifest)), problems.toString());
    }

    @Test
    void aManifestWithAnIllTypedImageCountNamesTheField() throws IOException {
        Path dir = freshCache("typed-n");
        Path manifest = dir.resolve(CacheManifest.FILE_NAME);
        ObjectNode tree = readTree(manifest);
        tree.put("n_images", "many");
        writeTree(manifest, tree);
        List<CacheVerifier.Problem> problems = verify(dir);
        assertFalse(problems.isEmpty());
        assertProblem(problems, manifest, "n_images");
    }

    @Test
    void aManifestWithIllTypedLayersNamesTheField() throws IOException {
        Path dir = freshCache("typed-layers");
        Path manifest = dir.resolve(CacheManifest.FILE_NAME);
        ObjectNode tree = readTree(manifest);
        tree.put("layers", "x");
        writeTree(manifest, tree);
        List<CacheVerifier.Problem> problems = verify(dir);
        assertFalse(problems.isEmpty());
        assertProblem(problems, manifest, "layers");
    }

    @Test
    void aManifestWhoseShardsDisagreeWithTheImageCountNamesTheField() throws IOException {
        Path dir = freshCache("count");
        Path manifest = dir.resolve(CacheManifest.FILE_NAME);
        ObjectNode tree = readTree(manifest);
        tree.put("n_images", 11);
        writeTree(manifest, tree);
        List<CacheVerifier.Problem> problems = verify(dir);
        assertEquals(1, problems.size(), problems.toString());
        assertProblem(problems, manifest, "'n_images'", "10", "11");
        // the file name is in Problem.file, not repeated at the start of the message
        assertFalse(problems.getFirst().message().startsWith(manifest.toString()), problems.toString());
    }

    @Test
    void aManifestThatIsNotJsonIsOneProblem() throws IOException {
        Path dir = freshCache("not-json");
        Path manifest = dir.resolve(CacheManifest.FILE_NAME);
        Files.writeString(manifest, "{ \"format\": ");
        List<CacheVerifier.Problem> problems = verify(dir);
        assertEquals(1, problems.size(), problems.toString());
        assertEquals(manifest, problems.getFirst().file());
    }

    @Test
    void aFolderWithoutAnyManifestIsOneProblem() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("empty"));
        List<CacheVerifier.Problem> problems = verify(dir);
        assertSingleProblem(problems, dir.resolve(CacheManifest.FILE_NAME), "missing");
    }

    @Test
    void anUnfinishedCacheIsReportedAsIncomplete() throws IOException {
        CacheSpec spec = CacheTestData.spec(StorageDtype.F32);
        Path dir = tmp.resolve("unfinished");
        try (CacheWriter w = CacheWriter.create(dir, spec, CacheTestData.shardBytesFor(spec, 2))) {
            CacheTestData.writeImages(w, spec, 5, 0, 5, 2); // two full shards, one image left in the open one
        }
        List<CacheVerifier.Problem> problems = verify(dir);
        assertSingleProblem(problems, dir.resolve(CacheManifest.FILE_NAME), "incomplete", "4 images");
    }

    @Test
    void aSaevCacheWithAShortShardNamesTheShard() throws IOException {
        SaevFixture.Data data = SaevFixture.random(8, List.of(3, 6), 4, ClassToken.FIRST, D, 7, PatchLabels.RANDOM);
        Path dir = tmp.resolve("saev");
        int perShard = SaevFixture.writeCurrent(dir, data, 3);
        assertEquals(3, perShard);
        assertEquals(List.of(), verify(dir), "an intact saev cache");

        Path shard = dir.resolve("acts000001.bin");
        truncate(shard, Files.size(shard) - 4);
        assertSingleProblem(verify(dir), shard, "truncated");
    }

    @Test
    void aSaevCacheWithAMissingShardNamesTheShard() throws IOException {
        SaevFixture.Data data = SaevFixture.random(9, List.of(1), 9, ClassToken.FIRST, D, 5, PatchLabels.NONE);
        Path dir = tmp.resolve("saev-paper");
        SaevFixture.writePaper(dir, data, 2);
        Path shard = dir.resolve("acts000002.bin");
        Files.delete(shard);
        assertSingleProblem(verify(dir), shard, "missing");
    }

    @Test
    void unreadableSaevMetadataIsAProblemOfTheMetadataFile() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("saev-bad"));
        Files.writeString(dir.resolve("metadata.json"), "{\"protocol\": \"2.1\", \"layers\": [1]}");
        List<CacheVerifier.Problem> problems = verify(dir);
        assertEquals(1, problems.size(), problems.toString());
        assertEquals(dir.resolve("metadata.json"), problems.getFirst().file());
        assertTrue(problems.getFirst().message().contains("content_tokens_per_example"), problems.toString());
    }

    // ---- CacheManifest.problems on hand-made manifests ----

    private static final String SHA_A = "a".repeat(64);
    private static final String SHA_B = "b".repeat(64);

    private static ShardEntry shard(int no, long first, int n, long bytes) {
        return new ShardEntry(String.format("shard-%06d.bin", no), first, n, bytes, SHA_A,
                String.format("shard-%06d.images.tsv", no), SHA_B, null, null);
    }

    private static CacheManifest manifest(long nImages, List<ShardEntry> shards) {
        // 1 layer x (CLS + 1x3 patches) x d 4 in f32 = 64 bytes per image, 2 images per shard
        boolean complete = true;
        return new CacheManifest(CacheManifest.FORMAT, new CacheManifest.ModelRef("m", null, null),
                new CacheManifest.DatasetRef("d", "train", null), null, List.of(0), new TokenLayout(true, 0, 1, 3), 4,
                "f32", 2, nImages, null, complete, shards, null);
    }

    @Test
    void aValidHandMadeManifestHasNoProblems() {
        CacheManifest m = manifest(5, List.of(shard(0, 0, 2, 128), shard(1, 2, 2, 128), shard(2, 4, 1, 64)));
        assertEquals(List.of(), m.problems(Path.of("m.json")));
    }

    @Test
    void shardsThatAreNotContiguousAreAProblemOfFirstImage() {
        CacheManifest m = manifest(5, List.of(shard(0, 0, 2, 128), shard(1, 3, 2, 128), shard(2, 4, 1, 64)));
        List<String> p = m.problems(Path.of("m.json"));
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.getFirst().startsWith("m.json: field 'shards[1].first_image'"), p.toString());
        assertTrue(p.getFirst().contains("expected 2") && p.getFirst().contains("got 3"), p.toString());
    }

    @Test
    void aShardOfTheWrongSizeIsAProblemOfBytes() {
        CacheManifest m = manifest(4, List.of(shard(0, 0, 2, 128), shard(1, 2, 2, 100)));
        List<String> p = m.problems(Path.of("m.json"));
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.getFirst().contains("'shards[1].bytes'") && p.getFirst().contains("128")
                && p.getFirst().contains("100"), p.toString());
    }

    @Test
    void aShortShardBeforeTheLastIsAProblemOfItsImageCount() {
        CacheManifest m = manifest(3, List.of(shard(0, 0, 1, 64), shard(1, 1, 2, 128)));
        List<String> p = m.problems(Path.of("m.json"));
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.getFirst().contains("'shards[0].n_images'"), p.toString());
    }

    @Test
    void repeatedShardFileNamesAreAProblem() {
        ShardEntry a = shard(0, 0, 2, 128);
        ShardEntry b = new ShardEntry(a.file(), 2, 2, 128, SHA_A, "other.tsv", SHA_B, null, null);
        List<String> p = manifest(4, List.of(a, b)).problems(Path.of("m.json"));
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.getFirst().contains("'shards[1].file'"), p.toString());
    }

    @Test
    void labelsWithoutPatchLabelInfoAreAProblem() {
        ShardEntry a = new ShardEntry("s.bin", 0, 1, 64, SHA_A, "s.tsv", SHA_B, "s.labels.bin", SHA_A);
        List<String> p = manifest(1, List.of(a)).problems(Path.of("m.json"));
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.getFirst().contains("labels_file"), p.toString());
    }

    @Test
    void wrongTopLevelFieldsAreEachNamed() {
        boolean complete = true;
        CacheManifest m = new CacheManifest("saelab-cache/9", new CacheManifest.ModelRef(" ", null, null),
                new CacheManifest.DatasetRef("d", null, null), null, List.of(1, 1), new TokenLayout(true, 0, 1, 3), 0,
                "f8", 0, 0, null, complete, List.of(), null);
        List<String> p = m.problems(Path.of("m.json"));
        for (String field : List.of("'format'", "'model.id'", "'layers'", "'d_model'", "'dtype'", "'images_per_shard'")) {
            assertTrue(p.stream().anyMatch(s -> s.contains(field)), field + " in " + p);
        }
        assertEquals(6, p.size(), p.toString());
    }

    @Test
    void aManifestWrittenBackUnchangedStillVerifies() throws IOException {
        // guards the helpers above: rewriting the tree without changes must not itself damage the cache
        Path dir = freshCache("rewrite");
        Path manifest = dir.resolve(CacheManifest.FILE_NAME);
        writeTree(manifest, readTree(manifest));
        assertEquals(List.of(), verify(dir));
        ArrayNode shards = readTree(manifest).withArray("shards");
        assertEquals(3, shards.size());
    }
}
