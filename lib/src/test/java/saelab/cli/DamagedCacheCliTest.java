package saelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.io.Sha256;
import saelab.io.Verbosity;
import saelab.sae.Sae;
import saelab.sae.SaeCheckpoint;
import saelab.sae.SaeConfig;
import saelab.sae.SaeKind;
import saelab.store.CacheManifest;
import saelab.store.StorageDtype;
import saelab.store.SyntheticCache;

/**
 * {@code saelab eval} and {@code saelab analyze} on damaged caches: a shard whose bytes changed, and a
 * cache holding a NaN. Both exit 2 with one sentence naming the cache (and the shard, or the image and
 * token), and write nothing under the output name.
 */
class DamagedCacheCliTest {

    private static final int IMAGES = 40;
    private static final int TOKENS = 17;
    private static final int D = 16;

    @TempDir
    Path dir;

    Path cache;
    Path sae;

    @BeforeEach
    void setUp() throws IOException {
        cache = dir.resolve("cache");
        SyntheticCache.write(cache, IMAGES, TOKENS, D, StorageDtype.F32, 1, 3, 7, 1L << 20, Verbosity.QUIET); // 3 patch label classes, for concepts
        sae = dir.resolve("sae.safetensors");
        SaeConfig cfg = SaeConfig.builder(SaeKind.TOPK, D, 64).k(4).lr(1e-3).schedule("constant").batchSize(32).steps(10).seed(3).build();
        try (NDManager nd = NDManager.newBaseManager(); Sae s = Sae.initialise(cfg, nd)) {
            SaeCheckpoint.write(sae, s, Map.of());
        }
    }

    private CliRun.Result eval(Path out) {
        return CliRun.run("eval", "--sae", sae.toString(), "--cache", cache.toString(), "--out", out.toString());
    }

    private CliRun.Result concepts(Path out) {
        return CliRun.run("concepts", "--sae", sae.toString(), "--cache", cache.toString(), "--out", out.toString(), "--unit", "patch");
    }

    private CliRun.Result analyze(Path out) {
        return CliRun.run("analyze", "--sae", sae.toString(), "--cache", cache.toString(), "--out", out.toString(), "--k", "4",
                "--batch", "64");
    }

    /** Writes {@code value} as the float32 of (image, token 5, dim 3) of the only layer, in shard 0. */
    private void poke(int image, float value) throws IOException {
        Path shard = cache.resolve("shard-000000.bin");
        try (RandomAccessFile f = new RandomAccessFile(shard.toFile(), "rw")) {
            f.seek((((long) image * TOKENS + 5) * D + 3) * 4);
            f.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(value).array());
        }
    }

    /** Records the shard's new checksum in the manifest, as a writer that stored the value would have. */
    private void reseal() throws IOException {
        Path m = cache.resolve(CacheManifest.FILE_NAME);
        String old = saelab.store.ActivationCache.readManifest(cache).shards().getFirst().sha256();
        Files.writeString(m, Files.readString(m).replace(old, Sha256.of(cache.resolve("shard-000000.bin"))));
    }

    private static void assertRefused(CliRun.Result r, String command, Path out, String... parts) {
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("saelab " + command + ": error: "), r.err());
        for (String p : parts) {
            assertTrue(r.err().contains(p), "expected '" + p + "' in: " + r.err());
        }
        assertFalse(r.err().lines().anyMatch(l -> l.startsWith("\tat ")), "no stack trace: " + r.err());
        assertFalse(Files.exists(out), "a refused run makes no output folder: " + out);
    }

    @Test
    void aFlippedByteIsRefusedByEvalAndAnalyze() throws IOException {
        poke(2, 0.125f); // changes the bytes without fixing the checksum
        assertRefused(eval(dir.resolve("eval")), "eval", dir.resolve("eval"), "shard-000000.bin", "changed or damaged");
        assertRefused(analyze(dir.resolve("analysis")), "analyze", dir.resolve("analysis"), "shard-000000.bin", "changed or damaged");
    }

    @Test
    void aNaNActivationIsRefusedByEvalAndAnalyzeNamingImageAndToken() throws IOException {
        poke(2, Float.NaN);
        reseal();
        assertRefused(eval(dir.resolve("eval")), "eval", dir.resolve("eval"), cache.toString(), "non-finite", "image 2", "token 5");
        assertRefused(analyze(dir.resolve("analysis")), "analyze", dir.resolve("analysis"), cache.toString(), "non-finite", "image 2",
                "token 5");
        assertRefused(concepts(dir.resolve("concepts")), "concepts", dir.resolve("concepts"), cache.toString(), "non-finite", "image 2");
    }

    @Test
    void anInfiniteActivationIsRefusedToo() throws IOException {
        poke(7, Float.POSITIVE_INFINITY);
        reseal();
        assertRefused(eval(dir.resolve("eval")), "eval", dir.resolve("eval"), "non-finite", "image 7");
    }
}
