package saelab.sae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.io.Json;
import saelab.io.Safetensors;
import saelab.io.Safetensors.Tensor;

class SaeCheckpointTest {

    private static final int D = 8;
    private static final int F = 16;

    private static NDManager nd;

    @TempDir
    Path dir;

    @BeforeAll
    static void open() {
        nd = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        nd.close();
    }

    private static SaeConfig config() {
        return SaeConfig.builder(SaeKind.TOPK, D, F).k(4).lr(3e-4).warmupSteps(7).schedule("cosine").batchSize(64).steps(123)
                .gradClip(1.5).seed(42).build();
    }

    private static float[] random(SplittableRandom rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rng.nextGaussian();
        }
        return v;
    }

    /** Internal-layout arrays W_enc rows [F, D], b_enc [F], W_dec [F, D], b_dec [D]. */
    private static float[][] arrays(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        return new float[][] {random(rng, F * D), random(rng, F), random(rng, F * D), random(rng, D)};
    }

    private static String message(Throwable t) {
        return String.valueOf(t.getMessage());
    }

    private Path writeCheckpoint(float[][] a) throws IOException {
        Path file = dir.resolve("sae.safetensors");
        try (Sae sae = Sae.of(config(), nd, a[0], a[1], a[2], a[3])) {
            SaeCheckpoint.write(file, sae, Map.of("input", "unit test", "steps", 5));
        }
        return file;
    }

    /** Metadata of a valid checkpoint for hand-built files. */
    private static Map<String, String> validMetadata() throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", SaeCheckpoint.FORMAT);
        meta.put("config", Json.mapper().writeValueAsString(config()));
        return meta;
    }

    private static Map<String, Tensor> validTensors(float[][] a) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("W_enc", new Tensor(new long[] {D, F}, SaeCheckpoint.transpose(a[0], F, D)));
        t.put("b_enc", new Tensor(new long[] {F}, a[1]));
        t.put("W_dec", new Tensor(new long[] {F, D}, a[2]));
        t.put("b_dec", new Tensor(new long[] {D}, a[3]));
        return t;
    }

    @Test
    void writeThenReadGivesTheSameSae() throws IOException {
        float[][] a = arrays(1);
        Path file = writeCheckpoint(a);
        try (Sae back = SaeCheckpoint.read(file, nd)) {
            assertEquals(config(), back.config());
            List<float[]> params = back.params().stream().map(p -> p.toFloatArray()).toList();
            for (int i = 0; i < 4; i++) {
                assertArrayEquals(a[i], params.get(i), "parameter " + i);
            }
            SaeCheckpoint.Arrays exported = back.exportArrays();
            assertArrayEquals(SaeCheckpoint.transpose(a[0], F, D), exported.wEnc());
            assertArrayEquals(a[2], exported.wDec());
            assertEquals(null, exported.threshold(), "topk has no threshold");
        }
    }

    @Test
    void fileHoldsTheDocumentedTensorsAndMetadata() throws IOException {
        float[][] a = arrays(2);
        Path file = writeCheckpoint(a);
        Safetensors.Contents c = Safetensors.read(file);
        assertEquals(List.of("W_enc", "b_enc", "W_dec", "b_dec"), List.copyOf(c.tensors().keySet()));
        assertArrayEquals(new long[] {D, F}, c.tensors().get("W_enc").shape());
        assertArrayEquals(new long[] {F}, c.tensors().get("b_enc").shape());
        assertArrayEquals(new long[] {F, D}, c.tensors().get("W_dec").shape());
        assertArrayEquals(new long[] {D}, c.tensors().get("b_dec").shape());
        // W_enc is stored [d_model, d_sae]: element (c, i) is encoder row i, column c
        float[] wEnc = c.tensors().get("W_enc").values();
        for (int i = 0; i < F; i++) {
            for (int col = 0; col < D; col++) {
                assertEquals(a[0][i * D + col], wEnc[col * F + i], "W_enc[" + col + ", " + i + "]");
            }
        }
        assertArrayEquals(a[1], c.tensors().get("b_enc").values());
        assertArrayEquals(a[2], c.tensors().get("W_dec").values());
        assertArrayEquals(a[3], c.tensors().get("b_dec").values());

        assertEquals(java.util.Set.of("format", "config", "provenance"), c.metadata().keySet());
        assertEquals("saelab-sae/1", c.metadata().get("format"));
        JsonNode cfg = Json.mapper().readTree(c.metadata().get("config"));
        assertEquals(D, cfg.get("d_model").asInt());
        assertEquals(F, cfg.get("d_sae").asInt());
        assertEquals(config(), Json.mapper().treeToValue(cfg, SaeConfig.class));
        JsonNode prov = SaeCheckpoint.provenance(file);
        assertEquals("unit test", prov.get("input").asText());
        assertEquals(5, prov.get("steps").asInt());
        assertTrue(prov.hasNonNull("code_version"), prov.toString());
        assertEquals(prov, Json.mapper().readTree(c.metadata().get("provenance")));
    }

    @Test
    void missingTensorNamesFileAndTensor() throws IOException {
        Map<String, Tensor> t = validTensors(arrays(3));
        t.remove("W_dec");
        Path file = dir.resolve("no-wdec.safetensors");
        Safetensors.write(file, t, validMetadata());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SaeCheckpoint.read(file, nd));
        assertTrue(message(e).contains(file.toString()), message(e));
        assertTrue(message(e).contains("'W_dec'"), message(e));
        assertTrue(message(e).contains("missing"), message(e));
    }

    @Test
    void wrongShapeNamesBothShapes() throws IOException {
        float[][] a = arrays(4);
        Map<String, Tensor> t = validTensors(a);
        // the internal row layout [d_sae, d_model] instead of the checkpoint's [d_model, d_sae]
        t.put("W_enc", new Tensor(new long[] {F, D}, a[0]));
        Path file = dir.resolve("rows.safetensors");
        Safetensors.write(file, t, validMetadata());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SaeCheckpoint.read(file, nd));
        assertTrue(message(e).contains(file.toString()), message(e));
        assertTrue(message(e).contains("'W_enc'"), message(e));
        assertTrue(message(e).contains("[" + F + ", " + D + "]"), message(e));
        assertTrue(message(e).contains("[" + D + ", " + F + "]"), message(e));
    }

    @Test
    void missingConfigNamesTheField() throws IOException {
        Map<String, String> meta = validMetadata();
        meta.remove("config");
        Path file = dir.resolve("no-config.safetensors");
        Safetensors.write(file, validTensors(arrays(5)), meta);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SaeCheckpoint.read(file, nd));
        assertTrue(message(e).contains(file.toString()), message(e));
        assertTrue(message(e).contains("'config'"), message(e));

        Path bare = dir.resolve("no-metadata.safetensors");
        Safetensors.write(bare, validTensors(arrays(5)), Map.of());
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> SaeCheckpoint.read(bare, nd));
        assertTrue(message(e2).contains(bare.toString()) && message(e2).contains("'config'"), message(e2));
    }

    @Test
    void invalidConfigNamesTheField() throws IOException {
        Map<String, String> meta = validMetadata();
        meta.put("config", "{\"kind\": \"RELU\", \"d_model\": -1}");
        Path file = dir.resolve("bad-config.safetensors");
        Safetensors.write(file, validTensors(arrays(6)), meta);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SaeCheckpoint.read(file, nd));
        assertTrue(message(e).contains(file.toString()), message(e));
        assertTrue(message(e).contains("'config'"), message(e));
    }

    @Test
    void dataStartsEightByteAligned() throws IOException {
        // header lengths vary with the provenance text; every one must be padded to a multiple of 8
        float[][] a = arrays(7);
        for (int extra = 0; extra < 9; extra++) {
            Path file = dir.resolve("aligned-" + extra + ".safetensors");
            try (Sae sae = Sae.of(config(), nd, a[0], a[1], a[2], a[3])) {
                SaeCheckpoint.write(file, sae, Map.of("input", "x".repeat(extra)));
            }
            byte[] bytes = Files.readAllBytes(file);
            long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertEquals(0, (8 + n) % 8, "data offset " + (8 + n) + " for extra " + extra);
            assertEquals(bytes.length, 8 + n + 4L * (2 * F * D + F + D));
        }
    }

    @Test
    void nanOrInfinityInATensorIsRefusedNamingTensorAndIndex() throws IOException {
        float[][] a = arrays(4);
        Map<String, Tensor> nan = validTensors(a);
        float[] wDec = a[2].clone();
        wDec[37] = Float.NaN;
        wDec[40] = Float.NaN;
        nan.put("W_dec", new Tensor(new long[] {F, D}, wDec));
        Path nanFile = dir.resolve("nan.safetensors");
        Safetensors.write(nanFile, nan, validMetadata());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SaeCheckpoint.read(nanFile, nd));
        assertTrue(message(e).contains(nanFile.toString()) && message(e).contains("'W_dec'") && message(e).contains("NaN")
                && message(e).contains("index 37"), message(e));

        Map<String, Tensor> inf = validTensors(a);
        float[] bEnc = a[1].clone();
        bEnc[3] = Float.POSITIVE_INFINITY;
        inf.put("b_enc", new Tensor(new long[] {F}, bEnc));
        Path infFile = dir.resolve("inf.safetensors");
        Safetensors.write(infFile, inf, validMetadata());
        IllegalArgumentException i = assertThrows(IllegalArgumentException.class, () -> SaeCheckpoint.readArrays(infFile, config()));
        assertTrue(message(i).contains(infFile.toString()) && message(i).contains("'b_enc'") && message(i).contains("infinite")
                && message(i).contains("index 3"), message(i));
    }
}
