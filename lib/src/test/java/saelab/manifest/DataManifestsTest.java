package saelab.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.io.Json;
import saelab.io.Sha256;
import saelab.io.Verbosity;
import saelab.store.CacheManifest;
import saelab.store.StorageDtype;
import saelab.store.SyntheticCache;

/** Registering a cache, reading and checking data manifests against a data root. */
class DataManifestsTest {

    private static final String SHA = "0123456789abcdef".repeat(4);

    @TempDir
    Path tmp;

    Path root;
    Path manifests;
    Path cacheDir;

    @BeforeEach
    void setUp() {
        root = tmp.resolve("data-root");
        manifests = tmp.resolve("workspace/data-manifests");
        cacheDir = root.resolve("caches/tiny");
    }

    /** Writes the cache under the data root: 6 images x 5 tokens x d 8 in f16, 4 images per shard (two shards). */
    private void writeCache() throws IOException {
        SyntheticCache.write(cacheDir, 6, 5, 8, StorageDtype.F16, 1, 2, 1, 4 * 5 * 8 * 2, Verbosity.QUIET);
    }

    /** Writes the cache and registers it as {@code tiny-cache}. */
    private Path register() throws IOException {
        writeCache();
        return DataManifests.registerCache(manifests, "tiny-cache", root, "caches/tiny", "a test cache");
    }

    private static void flipByte(Path file, long position) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(position);
            int b = f.read();
            f.seek(position);
            f.write(b ^ 0x01);
        }
    }

    /** Writes a manifest file for {@code kind} with the given JSON body and returns its path. */
    private Path manifestFile(String kind, String id, String json) throws IOException {
        Path f = DataManifests.folder(manifests, kind).resolve(id + ".json");
        Files.createDirectories(f.getParent());
        Files.writeString(f, json);
        return f;
    }

    private static String json(String id, String kind, String location, String files) {
        return "{\"id\": \"" + id + "\", \"kind\": \"" + kind + "\", \"location\": \"" + location + "\", \"files\": " + files
                + ", \"note\": null}";
    }

    private static String oneFile() {
        return "[{\"path\": \"a.bin\", \"bytes\": 3, \"sha256\": \"" + SHA + "\"}]";
    }

    private static void assertNames(IllegalArgumentException e, Path file, String field) {
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("'" + field + "'"), e.getMessage());
    }

    @Test
    void registerCacheWritesAManifestThatReadAccepts() throws IOException {
        Path file = register();
        assertEquals(manifests.resolve("caches/tiny-cache.json"), file);
        DataManifest m = DataManifests.read(file);
        assertEquals("tiny-cache", m.id());
        assertEquals("cache", m.kind());
        assertEquals("caches/tiny", m.location());
        assertEquals("a test cache", m.note());
        assertEquals(1, m.files().size());
        DataManifest.FileEntry f = m.files().getFirst();
        Path cacheManifest = cacheDir.resolve(CacheManifest.FILE_NAME);
        assertEquals(CacheManifest.FILE_NAME, f.path());
        assertEquals(Files.size(cacheManifest), f.bytes());
        assertEquals(Sha256.of(cacheManifest), f.sha256());
        assertEquals(List.of(file), DataManifests.list(manifests));
    }

    @Test
    void anIncompleteCacheIsNotRegistered() throws IOException {
        writeCache();
        Path mf = cacheDir.resolve(CacheManifest.FILE_NAME);
        Files.writeString(mf, Files.readString(mf).replace("\"complete\" : true", "\"complete\" : false"));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DataManifests.registerCache(manifests, "tiny-cache", root, "caches/tiny", null));
        assertTrue(e.getMessage().contains("incomplete"), e.getMessage());
        assertTrue(!Files.exists(manifests.resolve("caches/tiny-cache.json")));
    }

    @Test
    void anIntactCacheChecksOk() throws IOException {
        Path file = register();
        for (DataManifests.Depth depth : DataManifests.Depth.values()) {
            DataManifests.Check c = DataManifests.check(file, root, depth);
            assertEquals("ok", c.status(), c.problems().toString());
            assertEquals(List.of(), c.problems());
            assertEquals(cacheDir, c.local());
            assertEquals(file, c.file());
        }
    }

    @Test
    void aChangedCacheManifestIsDifferent() throws IOException {
        Path file = register();
        Path mf = cacheDir.resolve(CacheManifest.FILE_NAME);
        // same size, other content: caught by the checksum, which is always computed for small files
        String text = Files.readString(mf);
        String changed = text.replace("\"synthetic-6\"", "\"synthetic-X\"");
        assertTrue(!changed.equals(text));
        Files.writeString(mf, changed);
        DataManifests.Check c = DataManifests.check(file, root, DataManifests.Depth.QUICK);
        assertEquals("different", c.status());
        assertEquals(1, c.problems().size(), c.problems().toString());
        assertTrue(c.problems().getFirst().contains(mf.toString()) && c.problems().getFirst().contains("SHA-256"),
                c.problems().toString());

        // another size
        Files.writeString(mf, text + "\n");
        c = DataManifests.check(file, root, DataManifests.Depth.QUICK);
        assertEquals("different", c.status());
        assertTrue(c.problems().getFirst().contains("bytes"), c.problems().toString());
    }

    @Test
    void aDamagedShardIsFoundOnlyByADeepCheck() throws IOException {
        Path file = register();
        Path shard = cacheDir.resolve("shard-000001.bin");
        flipByte(shard, 5);
        assertEquals("ok", DataManifests.check(file, root, DataManifests.Depth.QUICK).status(),
                "a shallow check compares the listed files (the cache manifest) only");
        DataManifests.Check deep = DataManifests.check(file, root, DataManifests.Depth.DEEP);
        assertEquals("different", deep.status());
        assertEquals(1, deep.problems().size(), deep.problems().toString());
        assertTrue(deep.problems().getFirst().contains("shard-000001.bin"), deep.problems().toString());
        assertTrue(deep.problems().getFirst().contains("SHA-256"), deep.problems().toString());
    }

    @Test
    void aMissingFolderIsMissing() throws IOException {
        Path file = register();
        try (var files = Files.list(cacheDir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(cacheDir);
        DataManifests.Check c = DataManifests.check(file, root, DataManifests.Depth.DEEP);
        assertEquals("missing", c.status());
        assertTrue(c.problems().getFirst().contains(cacheDir.toString()), c.problems().toString());
    }

    @Test
    void aMissingListedFileIsDifferent() throws IOException {
        Path file = register();
        Files.delete(cacheDir.resolve(CacheManifest.FILE_NAME));
        DataManifests.Check c = DataManifests.check(file, root, DataManifests.Depth.QUICK);
        assertEquals("different", c.status());
        assertTrue(c.problems().getFirst().contains("missing"), c.problems().toString());
    }

    @Test
    void withoutADataRootTheStatusSaysSo() throws IOException {
        Path file = register();
        DataManifests.Check c = DataManifests.check(file, null, DataManifests.Depth.DEEP);
        assertEquals("no data root", c.status());
        assertNull(c.local());
        assertTrue(c.problems().getFirst().contains(DataRoot.VAR), c.problems().toString());
    }

    @Test
    void aDatasetManifestIsCheckedFileByFile() throws IOException {
        Path data = Files.createDirectories(root.resolve("datasets/small"));
        Files.write(data.resolve("a.bin"), new byte[] {1, 2, 3});
        Path f = manifestFile("dataset", "small", json("small", "dataset", "datasets/small",
                "[{\"path\": \"a.bin\", \"bytes\": 3, \"sha256\": \"" + Sha256.of(data.resolve("a.bin")) + "\"}]"));
        assertEquals("ok", DataManifests.check(f, root, DataManifests.Depth.QUICK).status());
        Files.write(data.resolve("a.bin"), new byte[] {1, 2, 4});
        assertEquals("different", DataManifests.check(f, root, DataManifests.Depth.QUICK).status());
    }

    @Test
    void aWrongIdIsRefusedNamingTheField() throws IOException {
        Path f = manifestFile("dataset", "good", json("other", "dataset", "d", oneFile()));
        assertNames(assertThrows(IllegalArgumentException.class, () -> DataManifests.read(f)), f, "id");
        Path g = manifestFile("dataset", "bad id", json("bad id", "dataset", "d", oneFile()));
        assertNames(assertThrows(IllegalArgumentException.class, () -> DataManifests.read(g)), g, "id");
    }

    @Test
    void aWrongKindIsRefusedNamingTheField() throws IOException {
        Path f = manifestFile("dataset", "x", json("x", "weights", "d", oneFile()));
        assertNames(assertThrows(IllegalArgumentException.class, () -> DataManifests.read(f)), f, "kind");
        // a valid kind in the wrong folder
        Path g = manifestFile("model", "y", json("y", "dataset", "d", oneFile()));
        assertNames(assertThrows(IllegalArgumentException.class, () -> DataManifests.read(g)), g, "kind");
    }

    @Test
    void aLocationOutsideTheDataRootIsRefusedNamingTheField() throws IOException {
        for (String loc : List.of("/abs/path", "../up", "a/../../b", " ")) {
            Path f = manifestFile("model", "m", json("m", "model", loc, oneFile()));
            assertNames(assertThrows(IllegalArgumentException.class, () -> DataManifests.read(f), loc), f, "location");
        }
    }

    @Test
    void badFileListsAreRefusedNamingTheField() throws IOException {
        Path empty = manifestFile("model", "e", json("e", "model", "m", "[]"));
        assertNames(assertThrows(IllegalArgumentException.class, () -> DataManifests.read(empty)), empty, "files");

        Path badSha = manifestFile("model", "s", json("s", "model", "m",
                "[{\"path\": \"a\", \"bytes\": 1, \"sha256\": \"" + SHA + "\"}, {\"path\": \"b\", \"bytes\": 1, \"sha256\": \"XYZ\"}]"));
        assertNames(assertThrows(IllegalArgumentException.class, () -> DataManifests.read(badSha)), badSha, "files[1]");

        Path negative = manifestFile("model", "n", json("n", "model", "m",
                "[{\"path\": \"a\", \"bytes\": -1, \"sha256\": \"" + SHA + "\"}]"));
        assertNames(assertThrows(IllegalArgumentException.class, () -> DataManifests.read(negative)), negative, "files[0]");

        Path escaping = manifestFile("model", "p", json("p", "model", "m",
                "[{\"path\": \"../secret\", \"bytes\": 1, \"sha256\": \"" + SHA + "\"}]"));
        assertNames(assertThrows(IllegalArgumentException.class, () -> DataManifests.read(escaping)), escaping, "files[0]");
    }

    @Test
    void anUnknownFieldIsRefusedNamingTheFile() throws IOException {
        Path f = manifestFile("model", "u", "{\"id\": \"u\", \"kind\": \"model\", \"location\": \"m\", \"files\": "
                + oneFile() + ", \"colour\": \"red\"}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataManifests.read(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("colour"), e.getMessage());
    }

    @Test
    void listFindsTheManifestsOfEveryKind() throws IOException {
        Path cache = register();
        Path dataset = manifestFile("dataset", "b-set", json("b-set", "dataset", "d", oneFile()));
        Path dataset2 = manifestFile("dataset", "a-set", json("a-set", "dataset", "d", oneFile()));
        Path model = manifestFile("model", "vit", json("vit", "model", "m", oneFile()));
        Files.writeString(DataManifests.folder(manifests, "model").resolve("README.md"), "not a manifest");
        Files.createDirectories(manifests.resolve("other"));
        Files.writeString(manifests.resolve("other/stray.json"), "{}");
        Files.writeString(manifests.resolve("figures.json"), "{}");
        assertEquals(List.of(dataset2, dataset, model, cache), DataManifests.list(manifests));
        for (Path p : DataManifests.list(manifests)) {
            DataManifests.read(p);
        }
    }

    @Test
    void listOfAFolderWithoutKindsIsEmpty() throws IOException {
        assertEquals(List.of(), DataManifests.list(tmp.resolve("nowhere")));
        Files.createDirectories(manifests);
        assertEquals(List.of(), DataManifests.list(manifests));
    }

    @Test
    void aRegisteredManifestRoundTripsThroughJson() throws IOException {
        Path file = register();
        DataManifest m = DataManifests.read(file);
        assertEquals(m, Json.read(file, DataManifest.class, "data manifest"));
    }

    @Test
    void registerRefusesAnIdThatIsNotAPlainNameBeforeWriting() throws IOException {
        writeCache();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DataManifests.registerCache(manifests, "../x", root, "caches/tiny", null));
        assertTrue(e.getMessage().contains("--id") && e.getMessage().contains("'../x'"), e.getMessage());
        assertFalse(Files.exists(manifests.resolve("x.json")), "nothing may be written outside data-manifests/caches/");
        assertFalse(Files.exists(manifests), "nothing may be written at all");
        assertThrows(IllegalArgumentException.class, () -> DataManifests.registerCache(manifests, "ok", root, "../elsewhere", null));
    }
}
