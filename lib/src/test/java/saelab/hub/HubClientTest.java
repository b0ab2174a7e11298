package saelab.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.io.Sha256;

/** {@link HubClient} end to end against {@link FakeHub}: hub and CDN servers on 127.0.0.1. */
class HubClientTest {

    static final String REPO = "test/dinov2";
    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    static final byte[] CONFIG = Golden.bytes("dinov2", "config.json");
    static final byte[] MODEL = Golden.bytes("dinov2", "model.safetensors");

    @TempDir
    Path tmp;

    FakeHub hub;
    Path cache;

    @BeforeEach
    void start() throws IOException {
        hub = new FakeHub().repo(REPO, COMMIT, Map.of(
                "config.json", new FakeHub.Entry(CONFIG, false),
                "model.safetensors", new FakeHub.Entry(MODEL, true),
                "README.md", new FakeHub.Entry("# test\n".getBytes(), false)));
        cache = tmp.resolve("cache");
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    HubSettings settings() {
        return HubSettings.builder(cache).endpoint(hub.endpoint()).attempts(1, Duration.ZERO).build();
    }

    HubClient client(HubSettings s) {
        return new HubClient(s);
    }

    Path repoDir() {
        return cache.resolve("models--test--dinov2");
    }

    @Test
    void cleanDownloadBuildsTheSnapshotLayoutAndKeepsTheTokenOffTheCdn() throws IOException {
        Path dir;
        try (HubClient c = client(settings().toBuilder().token("hf_secret").build())) {
            dir = c.snapshot(REPO, null, List.of("config.json", "model.safetensors"));
        }
        assertEquals(repoDir().resolve("snapshots").resolve(COMMIT), dir);
        assertArrayEquals(CONFIG, Files.readAllBytes(dir.resolve("config.json")));
        assertArrayEquals(MODEL, Files.readAllBytes(dir.resolve("model.safetensors")));
        assertFalse(Files.exists(dir.resolve("README.md")), "not asked for");

        // snapshot entries are relative links to blobs named by sha256 (LFS) or the git blob hash
        String sha = Sha256.of(MODEL);
        String gitSha = new FakeHub.Entry(CONFIG, false).gitSha1();
        assertTrue(Files.isSymbolicLink(dir.resolve("model.safetensors")));
        assertEquals(Path.of("../../blobs/" + sha), Files.readSymbolicLink(dir.resolve("model.safetensors")));
        assertEquals(Path.of("../../blobs/" + gitSha), Files.readSymbolicLink(dir.resolve("config.json")));
        assertArrayEquals(MODEL, Files.readAllBytes(repoDir().resolve("blobs").resolve(sha)));
        assertEquals(COMMIT, Files.readString(repoDir().resolve("refs/main")));
        assertEquals(List.of(), leftovers());

        // the hub (same origin as the endpoint) got the token, the CDN (another origin) did not
        assertFalse(hub.requests("hub").isEmpty());
        hub.requests("hub").forEach(r -> assertEquals("Bearer hf_secret", r.authorization(), r.toString()));
        assertEquals(1, hub.requests("cdn").size());
        assertNull(hub.requests("cdn").get(0).authorization(), "Authorization must not be forwarded to another host");
        assertEquals("/lfs/" + sha, hub.requests("cdn").get(0).path());
        assertEquals(List.of("GET /api/models/test/dinov2/revision/main", "HEAD /test/dinov2/resolve/" + COMMIT + "/config.json",
                        "GET /test/dinov2/resolve/" + COMMIT + "/config.json", "HEAD /test/dinov2/resolve/" + COMMIT + "/model.safetensors"),
                hub.requests("hub").stream().map(r -> r.method() + " " + r.path()).toList());
    }

    @Test
    void aSecondCallIsServedFromTheCacheWithNoRequest() throws IOException {
        Path dir;
        Path config;
        try (HubClient c = client(settings())) {
            dir = c.snapshot(REPO, "main", List.of("*.json", "*.safetensors"));
            config = c.download(REPO, "main", "config.json");
        }
        hub.log.clear();
        try (HubClient c = client(settings())) {
            assertEquals(dir, c.snapshot(REPO, "main", List.of("*.json", "*.safetensors")));
            assertEquals(config, c.download(REPO, "main", "config.json"));
            assertEquals(dir.resolve("model.safetensors"), c.download(REPO, "main", "model.safetensors"));
            assertEquals(dir.resolve("model.safetensors"), c.download(REPO, COMMIT, "model.safetensors"));
            assertEquals(List.of("README.md", "config.json", "model.safetensors"), c.listFiles(REPO, "main").files());
        }
        assertEquals(List.of(), hub.log, "no request expected");

        // revalidating asks the hub again (HEAD) but downloads nothing it already has
        try (HubClient c = client(settings().toBuilder().revalidate(true).build())) {
            assertEquals(dir.resolve("model.safetensors"), c.download(REPO, "main", "model.safetensors"));
        }
        assertEquals(List.of("HEAD"), hub.log.stream().map(FakeHub.Request::method).toList());
    }

    @Test
    void offlineUsesTheCacheOnlyAndNamesWhatIsMissing() throws IOException {
        try (HubClient c = client(settings().toBuilder().offline(true).build())) {
            HubException e = assertThrows(HubException.class, () -> c.download(REPO, "main", "config.json"));
            assertEquals(HubException.Reason.NOT_CACHED, e.reason());
            assertTrue(e.getMessage().contains("test/dinov2 revision main file config.json"), e.getMessage());
            assertTrue(e.getMessage().contains("offline"), e.getMessage());
            HubException s = assertThrows(HubException.class, () -> c.snapshot(REPO, "v1.0"));
            assertTrue(s.getMessage().contains("test/dinov2 revision v1.0"), s.getMessage());
        }
        assertEquals(List.of(), hub.log);

        try (HubClient c = client(settings())) {
            c.download(REPO, "main", "config.json");
        }
        hub.log.clear();
        try (HubClient c = client(settings().toBuilder().offline(true).build())) {
            assertArrayEquals(CONFIG, Files.readAllBytes(c.download(REPO, "main", "config.json")));
            // the file list was never fetched: offline, the snapshot folder's files stand in for it
            Path dir = c.snapshot(REPO, "main");
            assertArrayEquals(CONFIG, Files.readAllBytes(dir.resolve("config.json")));
            HubException e = assertThrows(HubException.class, () -> c.download(REPO, "main", "model.safetensors"));
            assertTrue(e.getMessage().contains("test/dinov2 revision main file model.safetensors"), e.getMessage());
        }
        assertEquals(List.of(), hub.log);
    }

    @Test
    void aChecksumMismatchNamesBothHashesAndLeavesNothing() throws IOException {
        hub.corrupt = true;
        byte[] bad = MODEL.clone();
        bad[bad.length / 3] ^= 0x5a;
        try (HubClient c = client(settings())) {
            HubException e = assertThrows(HubException.class, () -> c.download(REPO, "main", "model.safetensors"));
            assertEquals(HubException.Reason.CHECKSUM_MISMATCH, e.reason());
            assertTrue(e.getMessage().contains("test/dinov2"), e.getMessage());
            assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
            assertTrue(e.getMessage().contains(Sha256.of(MODEL)), "expected hash in: " + e.getMessage());
            assertTrue(e.getMessage().contains(Sha256.of(bad)), "actual hash in: " + e.getMessage());
        }
        assertFalse(Files.exists(repoDir().resolve("snapshots").resolve(COMMIT).resolve("model.safetensors")));
        assertEquals(List.of(), files(repoDir().resolve("blobs")), "no blob and no partial data");
        assertFalse(Files.exists(repoDir().resolve("refs/main")));
    }

    @Test
    void anInterruptedDownloadResumesWithARangeRequest() throws IOException {
        hub.cutsLeft = 1;
        String sha = Sha256.of(MODEL);
        Path partial = repoDir().resolve("blobs").resolve(sha + ".incomplete");
        try (HubClient c = client(settings())) {
            HubException e = assertThrows(HubException.class, () -> c.download(REPO, "main", "model.safetensors"));
            assertEquals(HubException.Reason.INTERRUPTED, e.reason());
            assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
        }
        // the bytes that arrived before the cut are kept (the client may not see the last few before the reset)
        long have = Files.size(partial);
        assertTrue(have > 0 && have <= MODEL.length / 2, "partial data: " + have + " bytes");
        assertNull(hub.requests("cdn").get(0).range());

        hub.log.clear();
        Path got;
        try (HubClient c = client(settings())) {
            got = c.download(REPO, "main", "model.safetensors");
        }
        assertArrayEquals(MODEL, Files.readAllBytes(got));
        assertEquals(List.of("bytes=" + have + "-"), hub.requests("cdn").stream().map(FakeHub.Request::range).toList());
        assertFalse(Files.exists(partial));
    }

    @Test
    void aBrokenTransferIsRetriedWithinOneCallWhenAttemptsAllow() throws IOException {
        hub.cutsLeft = 2;
        try (HubClient c = client(settings().toBuilder().attempts(3, Duration.ZERO).build())) {
            assertArrayEquals(MODEL, Files.readAllBytes(c.download(REPO, "main", "model.safetensors")));
        }
        List<String> ranges = hub.requests("cdn").stream().map(FakeHub.Request::range).toList();
        assertEquals(3, ranges.size(), ranges.toString());
        assertNull(ranges.get(0));
        long second = Long.parseLong(ranges.get(1).replaceAll("bytes=(\\d+)-", "$1"));
        long third = Long.parseLong(ranges.get(2).replaceAll("bytes=(\\d+)-", "$1"));
        assertTrue(0 < second && second < third && third < MODEL.length, ranges.toString());
    }

    @Test
    void aBusyServerIsAskedAgainWhenAttemptsAllow() throws IOException {
        hub.busyLeft = 2;
        try (HubClient c = client(settings().toBuilder().attempts(3, Duration.ZERO).build())) {
            assertArrayEquals(MODEL, Files.readAllBytes(c.download(REPO, "main", "model.safetensors")));
        }
        assertEquals(3, hub.requests("cdn").size());
    }

    @Test
    void aBusyServerThatStaysBusyEndsInAClearError() throws IOException {
        hub.busyLeft = 5;
        try (HubClient c = client(settings().toBuilder().attempts(2, Duration.ZERO).build())) {
            HubException e = assertThrows(HubException.class, () -> c.download(REPO, "main", "model.safetensors"));
            assertEquals(HubException.Reason.INTERRUPTED, e.reason());
            assertTrue(e.getMessage().contains("HTTP 503"), e.getMessage());
        }
        assertEquals(2, hub.requests("cdn").size());
    }

    @Test
    void aStalledBodyIsDroppedAfterTheTimeoutAndResumed() throws IOException {
        hub.stallsLeft = 1;
        long t0 = System.nanoTime();
        try (HubClient c = client(settings().toBuilder().attempts(2, Duration.ZERO).timeout(Duration.ofMillis(400)).build())) {
            assertArrayEquals(MODEL, Files.readAllBytes(c.download(REPO, "main", "model.safetensors")));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(seconds < 4.5, "the stalled body was waited out for " + seconds + " s instead of being dropped");
        List<String> ranges = hub.requests("cdn").stream().map(FakeHub.Request::range).toList();
        assertEquals(2, ranges.size(), ranges.toString());
        assertNull(ranges.get(0));
        assertTrue(ranges.get(1) != null && ranges.get(1).startsWith("bytes="), "the second request resumes: " + ranges);
    }

    @Test
    void aServerThatIgnoresRangeIsReadFromTheStart() throws IOException {
        hub.cutsLeft = 1;
        try (HubClient c = client(settings())) {
            assertThrows(HubException.class, () -> c.download(REPO, "main", "model.safetensors"));
        }
        long have = Files.size(repoDir().resolve("blobs").resolve(Sha256.of(MODEL) + ".incomplete"));
        hub.ignoreRange = true;
        hub.log.clear();
        try (HubClient c = client(settings())) {
            assertArrayEquals(MODEL, Files.readAllBytes(c.download(REPO, "main", "model.safetensors")));
        }
        assertEquals(List.of("bytes=" + have + "-"), hub.requests("cdn").stream().map(FakeHub.Request::range).toList(),
                "asked to resume; got the whole file with 200");
        assertEquals(List.of(), leftovers());
    }

    @Test
    void concurrentCallersDownloadOnceAndLargeFilesReportProgress() throws Exception {
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        java.io.PrintStream progress = new java.io.PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8);
        try (HubClient c = client(settings().toBuilder().progress(progress, MODEL.length).build());
             var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
            List<java.util.concurrent.Future<Path>> got = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                got.add(pool.submit(() -> c.download(REPO, "main", "model.safetensors")));
            }
            for (var f : got) {
                assertArrayEquals(MODEL, Files.readAllBytes(f.get()));
            }
        }
        assertEquals(1, hub.requests("cdn").size(), "one transfer for four callers");
        String text = log.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(text.contains("downloading test/dinov2 revision main file model.safetensors: " + MODEL.length + "/" + MODEL.length), text);
        assertEquals(List.of(), leftovers());
    }

    @Test
    void notFoundNamesRepoRevisionAndFile() throws IOException {
        try (HubClient c = client(settings())) {
            HubException e = assertThrows(HubException.class, () -> c.download(REPO, "main", "missing.json"));
            assertEquals(HubException.Reason.NOT_FOUND, e.reason());
            assertTrue(e.getMessage().contains("test/dinov2 revision main file missing.json"), e.getMessage());
            assertTrue(e.getMessage().contains("does not exist"), e.getMessage());

            HubException repo = assertThrows(HubException.class, () -> c.download("test/nothing", "main", "config.json"));
            assertTrue(repo.getMessage().contains("test/nothing") && repo.getMessage().contains("repository does not exist"), repo.getMessage());

            HubException rev = assertThrows(HubException.class, () -> c.download(REPO, "v9", "config.json"));
            assertTrue(rev.getMessage().contains("revision v9") && rev.getMessage().contains("revision does not exist"), rev.getMessage());

            HubException none = assertThrows(HubException.class, () -> c.snapshot(REPO, "main", List.of("*.bin")));
            assertTrue(none.getMessage().contains("no file matches [*.bin]"), none.getMessage());
        }
        assertFalse(Files.exists(repoDir().resolve("snapshots")));
    }

    @Test
    void aPrivateRepoNeedsTheToken() throws IOException {
        hub.repo("test/private", COMMIT, Map.of("model.safetensors", new FakeHub.Entry(MODEL, true)), "hf_right");
        try (HubClient c = client(settings())) {
            HubException e = assertThrows(HubException.class, () -> c.download("test/private", "main", "model.safetensors"));
            assertEquals(HubException.Reason.ACCESS_DENIED, e.reason());
            assertTrue(e.getMessage().contains("HF_TOKEN"), e.getMessage());
        }
        try (HubClient c = client(settings().toBuilder().token("hf_right").build())) {
            assertArrayEquals(MODEL, Files.readAllBytes(c.download("test/private", "main", "model.safetensors")));
        }
        assertNull(hub.requests("cdn").get(0).authorization());
    }

    @Test
    void shardsNamedByAnIndexAreFetched() throws IOException {
        byte[] a = java.util.Arrays.copyOfRange(MODEL, 0, 1000);
        byte[] b = java.util.Arrays.copyOfRange(MODEL, 1000, 3000);
        String index = "{\"metadata\":{\"total_size\":3000},\"weight_map\":{\"w1\":\"model-00001-of-00002.safetensors\","
                + "\"w2\":\"model-00002-of-00002.safetensors\",\"w3\":\"model-00002-of-00002.safetensors\"}}";
        hub.repo("test/sharded", COMMIT, Map.of("config.json", new FakeHub.Entry(CONFIG, false),
                "model.safetensors.index.json", new FakeHub.Entry(index.getBytes(), false),
                "model-00001-of-00002.safetensors", new FakeHub.Entry(a, true),
                "model-00002-of-00002.safetensors", new FakeHub.Entry(b, true),
                "pytorch_model.bin", new FakeHub.Entry(new byte[] {1, 2, 3}, true)));
        Path dir;
        try (HubClient c = client(settings())) {
            dir = c.snapshot("test/sharded", "main");
        }
        assertEquals(List.of("config.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
                "model.safetensors.index.json"), files(dir));
        assertArrayEquals(b, Files.readAllBytes(dir.resolve("model-00002-of-00002.safetensors")));
    }

    @Test
    void aPreSeededPythonCacheIsReadAndNeverWritten() throws IOException {
        Path py = tmp.resolve("huggingface/hub");
        Path repo = py.resolve("models--test--dinov2");
        String gitSha = new FakeHub.Entry(CONFIG, false).gitSha1();
        Files.createDirectories(repo.resolve("blobs"));
        Files.write(repo.resolve("blobs").resolve(gitSha), CONFIG);
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), COMMIT);
        Path snap = repo.resolve("snapshots").resolve(COMMIT);
        Files.createDirectories(snap);
        Files.createSymbolicLink(snap.resolve("config.json"), Path.of("../../blobs/" + gitSha));
        Map<String, String> before = tree(py);

        try (HubClient c = client(settings().toBuilder().pythonCache(py).build())) {
            Path got = c.download(REPO, "main", "config.json");
            assertEquals(snap.resolve("config.json"), got);
            assertEquals(got, c.download(REPO, COMMIT, "config.json"));
        }
        assertEquals(List.of(), hub.log, "served from the Python cache with no request");

        try (HubClient c = client(settings().toBuilder().pythonCache(py).offline(true).build())) {
            Path dir = c.snapshot(REPO, "main");
            assertEquals(repoDir().resolve("snapshots").resolve(COMMIT), dir);
            assertArrayEquals(CONFIG, Files.readAllBytes(dir.resolve("config.json")));
        }
        // online, the missing weights are downloaded into saelab's cache; the Python cache stays as it was
        try (HubClient c = client(settings().toBuilder().pythonCache(py).build())) {
            Path dir = c.snapshot(REPO, "main");
            assertArrayEquals(MODEL, Files.readAllBytes(dir.resolve("model.safetensors")));
            assertArrayEquals(CONFIG, Files.readAllBytes(dir.resolve("config.json")));
        }
        assertEquals(1, hub.requests("cdn").size());
        assertEquals(before, tree(py));
    }

    /** Every path under a folder with its size and modification time. */
    private static Map<String, String> tree(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                out.put(root.relativize(p).toString(), Files.isSymbolicLink(p) ? "link " + Files.readSymbolicLink(p)
                        : Files.size(p) + " " + Files.getLastModifiedTime(p));
            }
        }
        return out;
    }

    /** Regular files (following links) under a folder, relative, sorted; empty when it is missing. */
    private static List<String> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    /** Partial downloads and temporary files anywhere in the cache. */
    private List<String> leftovers() throws IOException {
        try (Stream<Path> s = Files.walk(cache)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".incomplete") || n.contains(".tmp-")).toList();
        }
    }
}
