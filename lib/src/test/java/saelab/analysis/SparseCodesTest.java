package saelab.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.io.Verbosity;
import saelab.sae.Sae;
import saelab.sae.SaeConfig;
import saelab.sae.SaeKind;
import saelab.store.ActivationCache;
import saelab.store.CacheManifest.DatasetRef;
import saelab.store.CacheManifest.ModelRef;
import saelab.store.CacheSpec;
import saelab.store.CacheWriter;
import saelab.store.ImageRecord;
import saelab.store.StorageDtype;
import saelab.store.SyntheticCache;
import saelab.store.TokenLayout;

/**
 * CSR codes written during the feature pass, read back with {@link SparseCodes} and compared with a dense
 * encode of every token ({@link Sae#encode} on the cache's rows) for a TopK SAE (libtorch's topk path) and a
 * ReLU SAE (the nonzero path); independent of the batch size; registers left out; and the failures of an
 * unfinished or damaged folder.
 */
class SparseCodesTest {

    static final int D = 16;
    static final int F = 64;
    static final int IMAGES = 30;
    static final int TOKENS = 17; // CLS + 4 x 4 patches
    static final int LAYER = 1;

    static NDManager nd;

    @TempDir
    static Path shared;

    static Path cache;

    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp() throws IOException {
        nd = NDManager.newBaseManager();
        cache = shared.resolve("cache");
        SyntheticCache.write(cache, IMAGES, TOKENS, D, StorageDtype.F16, 2, 4, 11, 1L << 16, Verbosity.QUIET);
    }

    @AfterAll
    static void tearDown() {
        nd.close();
    }

    static Sae randomSae(SaeKind kind, int k) {
        SaeConfig base = SaeConfig.inference(kind, D, F, k, "raw");
        Sae init = Sae.initialise(base, nd);
        // random directions, and encoder biases that make a ReLU code fire about half the time
        SplittableRandom rng = new SplittableRandom(kind.ordinal() + 1L);
        float[] wEnc = new float[D * F];
        float[] wDec = new float[F * D];
        for (int i = 0; i < wEnc.length; i++) {
            wEnc[i] = (float) rng.nextGaussian() / 4;
            wDec[i] = (float) rng.nextGaussian();
        }
        init.close();
        return Sae.of(base, nd, wEnc, new float[F], wDec, new float[D]);
    }

    /** Writes the codes of a pass over the cache with {@code batchRows} rows per batch. */
    static SparseCodes.Index write(Path dir, Sae sae, int batchRows) throws IOException {
        try (ActivationCache c = ActivationCache.open(cache); SparseCodesWriter w = SparseCodesWriter.create(dir, c, sae, "random", LAYER)) {
            FeaturePass.run(c, sae, "random", nd, new FeaturePass.Options(LAYER, 3, batchRows, new int[] {0, 5, 63}, Verbosity.QUIET), w);
            return w.finish();
        }
    }

    /** Dense codes [images x tokens, F] of every stored token through {@link Sae#encode}. */
    static float[] denseCodes(Sae sae) {
        float[] x = new float[IMAGES * TOKENS * D];
        try (ActivationCache c = ActivationCache.open(cache)) {
            for (int i = 0; i < IMAGES; i++) {
                for (int t = 0; t < TOKENS; t++) {
                    c.read(i, LAYER, t, x, (i * TOKENS + t) * D);
                }
            }
        }
        try (NDManager scope = nd.newSubManager()) {
            NDArray codes = sae.encode(scope.create(x, new Shape(IMAGES * TOKENS, D)));
            return codes.toFloatArray();
        }
    }

    static void assertRoundTrip(Path dir, Sae sae) throws IOException {
        float[] dense = denseCodes(sae);
        long positives = 0;
        for (float v : dense) {
            positives += v > 0 ? 1 : 0;
        }
        try (SparseCodes codes = SparseCodes.open(dir)) {
            assertEquals((long) IMAGES * TOKENS, codes.rows());
            assertEquals(positives, codes.nnz(), "stored codes = positive entries of the dense encode");
            for (int i = 0; i < IMAGES; i++) {
                for (int t = 0; t < TOKENS; t++) {
                    long row = codes.row(i, t);
                    assertEquals((long) i * TOKENS + t, row);
                    SparseCodes.Codes cs = codes.codes(row);
                    for (int e = 0; e < cs.latents().length; e++) {
                        assertTrue(cs.values()[e] > 0, "row " + row);
                        assertTrue(e == 0 || cs.latents()[e] > cs.latents()[e - 1], "latents ascending in row " + row);
                    }
                    float[] got = codes.dense(row);
                    for (int j = 0; j < F; j++) {
                        float want = dense[(int) row * F + j];
                        assertTrue(Math.abs(got[j] - want) <= 1e-4 + 1e-4 * Math.abs(want),
                                "image " + i + " token " + t + " latent " + j + ": " + got[j] + " vs dense " + want);
                    }
                }
            }
            assertArrayEquals(codes.codes(3, 1).latents(), codes.codes(codes.patchRow(3, 0)).latents());
        }
    }

    @Test
    void topkCodesMatchTheDenseEncodeWhateverTheBatch() throws IOException {
        try (Sae sae = randomSae(SaeKind.TOPK, 4)) {
            SparseCodes.Index ix = write(tmp.resolve("a"), sae, 40);
            assertEquals(SparseCodes.FORMAT, ix.format());
            assertEquals(TOKENS, ix.tokensPerImage());
            assertTrue(ix.cls());
            assertEquals(F, ix.dSae());
            assertTrue(ix.nnz() > 0 && ix.nnz() <= (long) IMAGES * TOKENS * 4, "k = 4 codes per token at most: " + ix.nnz());
            assertRoundTrip(tmp.resolve("a"), sae);
            write(tmp.resolve("b"), sae, 100_000);
            for (String f : List.of(SparseCodes.INDPTR, SparseCodes.INDICES, SparseCodes.VALUES)) {
                assertArrayEquals(Files.readAllBytes(tmp.resolve("a").resolve(f)), Files.readAllBytes(tmp.resolve("b").resolve(f)), f);
            }
        }
    }

    @Test
    void reluCodesMatchTheDenseEncode() throws IOException {
        try (Sae sae = randomSae(SaeKind.RELU, 0)) {
            SparseCodes.Index ix = write(tmp.resolve("relu"), sae, 64);
            assertTrue(ix.nnz() > (long) IMAGES * TOKENS * F / 4, "a ReLU code is dense: " + ix.nnz());
            assertRoundTrip(tmp.resolve("relu"), sae);
        }
    }

    @Test
    void theArraysAreStandardNpyFiles() throws IOException {
        try (Sae sae = randomSae(SaeKind.TOPK, 4)) {
            SparseCodes.Index ix = write(tmp.resolve("npy"), sae, 40);
            byte[] b = Files.readAllBytes(tmp.resolve("npy").resolve(SparseCodes.INDPTR));
            assertEquals((byte) 0x93, b[0]);
            assertEquals("NUMPY", new String(b, 1, 5, StandardCharsets.US_ASCII));
            int headerLen = (b[8] & 0xff) | (b[9] & 0xff) << 8;
            assertEquals(SparseCodesWriter.HEADER, 10 + headerLen);
            String header = new String(b, 10, headerLen, StandardCharsets.ISO_8859_1);
            assertTrue(header.startsWith("{'descr': '<i8', 'fortran_order': False, 'shape': (" + (ix.rows() + 1) + ",), }"), header);
            assertTrue(header.endsWith(" \n"), header);
            assertEquals(SparseCodesWriter.HEADER + 8 * (ix.rows() + 1), b.length);
            ByteBuffer data = ByteBuffer.wrap(b, SparseCodesWriter.HEADER, b.length - SparseCodesWriter.HEADER).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(0L, data.getLong(SparseCodesWriter.HEADER));
            assertEquals(ix.nnz(), data.getLong(b.length - 8));
            try (Stream<Path> files = Files.list(tmp.resolve("npy"))) {
                assertEquals(List.of("codes.json", "indices.npy", "indptr.npy", "values.npy"),
                        files.map(p -> p.getFileName().toString()).sorted().toList(), "no staging or temporary file is left");
            }
        }
    }

    @Test
    void registersAreNotEncoded() throws IOException {
        TokenLayout layout = new TokenLayout(true, 2, 2, 3);
        int t = layout.tokens();
        int d = 4;
        Path dir = tmp.resolve("regs");
        CacheSpec spec = new CacheSpec(new ModelRef("test/regs", null, null), new DatasetRef("regs", null, null), null, List.of(0),
                layout, d, StorageDtype.F32, null, null);
        SplittableRandom rng = new SplittableRandom(3);
        float[][] acts = new float[5][t * d];
        try (CacheWriter w = CacheWriter.create(dir, spec, 1L << 20)) {
            for (int i = 0; i < 5; i++) {
                for (int q = 0; q < t * d; q++) {
                    acts[i][q] = (rng.nextInt(8) - 4) * 0.5f;
                }
                w.append(List.of(new ImageRecord(i, "img" + i + ".png", -1)), acts[i], null);
            }
            w.finish();
        }
        float[] eye = new float[d * d];
        for (int i = 0; i < d; i++) {
            eye[i * d + i] = 1f;
        }
        Path out = tmp.resolve("analysis");
        try (Sae sae = Sae.of(SaeConfig.inference(SaeKind.RELU, d, d, 0, "raw"), nd, eye, new float[d], eye.clone(), new float[d]);
             ActivationCache c = ActivationCache.open(dir);
             SparseCodesWriter w = SparseCodesWriter.create(out.resolve(SparseCodes.FOLDER), c, sae, "identity", 0)) {
            FeaturePass.run(c, sae, "identity", nd, new FeaturePass.Options(0, 2, 8, new int[] {0, 1, 2, 3}, Verbosity.QUIET), w);
            w.finish();
        }
        try (SparseCodes codes = SparseCodes.open(out)) { // the analysis folder: its codes/ is found
            assertEquals(7, codes.index().tokensPerImage());
            assertEquals(2, codes.index().registersSkipped());
            assertEquals(35, codes.rows());
            assertTrue(codes.index().rowOrder().contains("register"), codes.index().rowOrder());
            for (int i = 0; i < 5; i++) {
                for (int k = 0; k < 7; k++) {
                    int storage = k == 0 ? 0 : layout.firstPatch() + k - 1;
                    float[] want = new float[d];
                    for (int j = 0; j < d; j++) {
                        want[j] = Math.max(0, acts[i][storage * d + j]);
                    }
                    assertArrayEquals(want, codes.dense(codes.row(i, k)), "image " + i + " token " + k);
                }
            }
        }
    }

    @Test
    void unfinishedAndDamagedFoldersAreRefused() throws IOException {
        Path dir = tmp.resolve("codes");
        try (Sae sae = randomSae(SaeKind.TOPK, 4)) {
            // a write that never finishes leaves neither an index nor staging files
            try (ActivationCache c = ActivationCache.open(cache); SparseCodesWriter w = SparseCodesWriter.create(dir, c, sae, "x", LAYER)) {
                FeaturePass.run(c, sae, "x", nd, new FeaturePass.Options(LAYER, 3, 40, new int[] {0}, Verbosity.QUIET), w);
            }
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(List.of(), files.toList());
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SparseCodes.open(dir));
            assertTrue(e.getMessage().contains("codes.json"), e.getMessage());
            // finishing without every row is refused
            try (ActivationCache c = ActivationCache.open(cache); SparseCodesWriter w = SparseCodesWriter.create(dir, c, sae, "x", LAYER)) {
                IllegalStateException s = assertThrows(IllegalStateException.class, w::finish);
                assertTrue(s.getMessage().contains("0 rows"), s.getMessage());
            }
            assertFalse(Files.exists(dir.resolve(SparseCodes.INDEX)));

            write(dir, sae, 40);
            Path values = dir.resolve(SparseCodes.VALUES);
            byte[] good = Files.readAllBytes(values);
            Files.write(values, Arrays.copyOf(good, good.length - 4));
            e = assertThrows(IllegalArgumentException.class, () -> SparseCodes.open(dir));
            assertTrue(e.getMessage().contains(values.toString()) && e.getMessage().contains("data bytes"), e.getMessage());
            Files.write(values, good);
            Path json = dir.resolve(SparseCodes.INDEX);
            String text = Files.readString(json);
            Files.writeString(json, text.replace("\"format\" : \"saelab-codes/1\"", "\"format\" : \"other\""));
            e = assertThrows(IllegalArgumentException.class, () -> SparseCodes.open(dir));
            assertTrue(e.getMessage().contains(json.toString()) && e.getMessage().contains("'format'"), e.getMessage());
            Files.writeString(json, text);
            try (SparseCodes codes = SparseCodes.open(dir)) {
                assertThrows(IllegalArgumentException.class, () -> codes.codes(codes.rows()));
                assertThrows(IllegalArgumentException.class, () -> codes.row(IMAGES, 0));
                assertThrows(IllegalArgumentException.class, () -> codes.row(0, TOKENS));
            }
        }
    }
}
