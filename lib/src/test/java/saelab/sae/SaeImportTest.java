package saelab.sae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.Pickler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import saelab.io.Json;
import saelab.io.Safetensors;
import saelab.io.Safetensors.Tensor;
import saelab.io.Sha256;

/**
 * The importers of saev's sae.pt and SAELens folders. The committed fixtures under
 * {@code src/test/resources/saelab/sae/import/} were written with real PyTorch by
 * {@code make_fixtures.py} there (which also computed {@code expected.json}); the archives built
 * here from scratch (Pyrolite's Pickler with torch's persistent ids, a stored zip) cover the same
 * structure and every bad input without Python.
 */
class SaeImportTest {

    private static final int D = 4;
    private static final int F = 8;
    private static final String PAPER_JSON = "{\"d_vit\": 4, \"exp_factor\": 2, \"sparsity_coeff\": 0.0004, \"n_reinit_samples\": 524288,"
            + " \"ghost_grads\": false, \"remove_parallel_grads\": true, \"normalize_w_dec\": true, \"seed\": 0}";

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

    // ------------------------------------------------------------------------------ fixtures

    private static Path fixture(String name) {
        URL u = SaeImportTest.class.getResource("/saelab/sae/import/" + name);
        assertNotNull(u, "test resource saelab/sae/import/" + name);
        try {
            return Path.of(u.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode expected() throws IOException {
        return Json.mapper().readTree(Files.readAllBytes(fixture("expected.json")));
    }

    private static float[] floats(JsonNode rows) {
        List<Float> v = new ArrayList<>();
        rows.forEach(r -> r.forEach(x -> v.add((float) x.asDouble())));
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.get(i);
        }
        return out;
    }

    /** The paper fixture's tensors, by make_fixtures.py's formulas (float32 arithmetic as torch's). */
    private static SaeCheckpoint.Arrays paperTensors() {
        float[] wEnc = new float[D * F];
        for (int i = 0; i < wEnc.length; i++) {
            wEnc[i] = (i - 12) / 10f;
        }
        float[] bEnc = new float[F];
        for (int i = 0; i < F; i++) {
            bEnc[i] = (i - 4) / 8f;
        }
        float[] wDec = new float[F * D];
        for (int i = 0; i < wDec.length; i++) {
            wDec[i] = (i % 7 - 3) / 4f;
        }
        return new SaeCheckpoint.Arrays(wEnc, bEnc, wDec, new float[] {0.5f, -0.25f, 0.125f, 1.0f}, null);
    }

    /** saev-strided.pt's storages: A = arange(40)/8 - 2, B = arange(16)/10 - 0.4, C = [9, .5, -.5, .25, -.25]. */
    private static float[] storageA() {
        float[] a = new float[40];
        for (int i = 0; i < a.length; i++) {
            a[i] = i / 8f - 2f;
        }
        return a;
    }

    private static float[] storageB() {
        float[] b = new float[16];
        for (int i = 0; i < b.length; i++) {
            b[i] = i / 10f - 0.4f;
        }
        return b;
    }

    private static final float[] STORAGE_C = {9f, 0.5f, -0.5f, 0.25f, -0.25f};

    private static SaeCheckpoint.Arrays stridedTensors() {
        float[] a = storageA();
        float[] wDec = Arrays.copyOfRange(a, 4, 36);
        float[] bEnc = new float[F];
        for (int i = 0; i < F; i++) {
            bEnc[i] = storageB()[2 * i];
        }
        return new SaeCheckpoint.Arrays(SaeCheckpoint.transpose(wDec, F, D), bEnc, wDec, Arrays.copyOfRange(STORAGE_C, 1, 5), null);
    }

    private static void assertSameArrays(SaeCheckpoint.Arrays want, SaeCheckpoint.Arrays got) {
        assertArrayEquals(want.wEnc(), got.wEnc(), "W_enc");
        assertArrayEquals(want.bEnc(), got.bEnc(), "b_enc");
        assertArrayEquals(want.wDec(), got.wDec(), "W_dec");
        assertArrayEquals(want.bDec(), got.bDec(), "b_dec");
        assertArrayEquals(want.threshold(), got.threshold(), "threshold");
    }

    // -------------------------------------------------------------- saev archives from scratch

    /** A torch storage: pickled as torch's persistent id, its bytes in data/KEY (float32 or, for tests, float64). */
    record Storage(String key, String type, double[] data) {
        static Storage of(String key, float[] v) {
            double[] d = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                d[i] = v[i];
            }
            return new Storage(key, "FloatStorage", d);
        }

        byte[] bytes() {
            boolean dbl = type.equals("DoubleStorage");
            ByteBuffer b = ByteBuffer.allocate(data.length * (dbl ? 8 : 4)).order(ByteOrder.LITTLE_ENDIAN);
            for (double x : data) {
                if (dbl) {
                    b.putDouble(x);
                } else {
                    b.putFloat((float) x);
                }
            }
            return b.array();
        }
    }

    /** A tensor: torch._utils._rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict()). */
    record View(Storage storage, long offset, long[] size, long[] stride) {
        static View of(Storage s, long... size) {
            long[] stride = new long[size.length];
            long st = 1;
            for (int i = size.length - 1; i >= 0; i--) {
                stride[i] = st;
                st *= size[i];
            }
            return new View(s, 0, size, stride);
        }
    }

    /** A Python global (a class or function), pickled as GLOBAL. */
    record PyGlobal(String module, String name) {}

    /** collections.OrderedDict(items). */
    record PyOrderedDict(List<Object[]> items) {}

    /** A call fn(*args), pickled as GLOBAL, args tuple, REDUCE. */
    record PyCall(PyGlobal fn, Object[] args) {}

    static {
        Pickler.registerCustomPickler(PyGlobal.class, (o, out, p) -> {
            PyGlobal g = (PyGlobal) o;
            out.write(Opcodes.GLOBAL);
            out.write((g.module() + "\n" + g.name() + "\n").getBytes(StandardCharsets.US_ASCII));
        });
        Pickler.registerCustomPickler(PyOrderedDict.class, (o, out, p) -> {
            p.save(new PyGlobal("collections", "OrderedDict"));
            p.save(new Object[] {new ArrayList<>(((PyOrderedDict) o).items())});
            out.write(Opcodes.REDUCE);
        });
        Pickler.registerCustomPickler(PyCall.class, (o, out, p) -> {
            p.save(((PyCall) o).fn());
            p.save(((PyCall) o).args());
            out.write(Opcodes.REDUCE);
        });
        Pickler.registerCustomPickler(View.class, (o, out, p) -> {
            View v = (View) o;
            p.save(new PyGlobal("torch._utils", "_rebuild_tensor_v2"));
            p.save(new Object[] {v.storage(), v.offset(), boxed(v.size()), boxed(v.stride()), false, new PyOrderedDict(List.of())});
            out.write(Opcodes.REDUCE);
        });
    }

    private static Object[] boxed(long[] v) {
        return Arrays.stream(v).boxed().toArray();
    }

    /** Pyrolite's Pickler with torch's persistent ids for storages. */
    static final class TorchPickler extends Pickler {
        private final Map<String, Long> declared;

        TorchPickler() {
            this(Map.of());
        }

        /** A pickler that declares {@code declared.get(key)} elements for those storages instead of their real length. */
        TorchPickler(Map<String, Long> declared) {
            this.declared = declared;
        }

        @Override
        protected Object persistentId(Object obj) {
            if (obj instanceof Storage s) {
                long numel = declared.getOrDefault(s.key(), (long) s.data().length);
                return new Object[] {"storage", new PyGlobal("torch", s.type()), s.key(), "cpu", numel};
            }
            return null;
        }
    }

    /** The zip entries torch.save writes for a state dict: archive/data.pkl, archive/data/KEY, archive/version. */
    static Map<String, byte[]> archive(Map<String, View> state) throws IOException {
        List<Object[]> items = new ArrayList<>();
        state.forEach((k, v) -> items.add(new Object[] {k, v}));
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("archive/data.pkl", new TorchPickler().dumps(new PyOrderedDict(items)));
        for (View v : state.values()) {
            entries.putIfAbsent("archive/data/" + v.storage().key(), v.storage().bytes());
        }
        entries.put("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        return entries;
    }

    /** A stored (uncompressed) zip, as torch writes. */
    static byte[] zip(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry ze = new ZipEntry(e.getKey());
                ze.setMethod(ZipEntry.STORED);
                ze.setSize(e.getValue().length);
                ze.setCompressedSize(e.getValue().length);
                CRC32 crc = new CRC32();
                crc.update(e.getValue());
                ze.setCrc(crc.getValue());
                z.putNextEntry(ze);
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private Path saevFile(String name, String json, byte[] zip) throws IOException {
        Path file = dir.resolve(name);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write((json + "\n").getBytes(StandardCharsets.UTF_8));
        b.write(zip);
        Files.write(file, b.toByteArray());
        return file;
    }

    private Path saevFile(String name, String json, Map<String, View> state) throws IOException {
        return saevFile(name, json, zip(archive(state)));
    }

    private static String currentJson(String activation) {
        return "{\"schema\":5,\"cfg\":{\"d_model\":4,\"d_sae\":8,\"activation\":" + activation
                + ",\"reinit_blend\":0.8,\"remove_parallel_grads\":true,\"normalize_w_dec\":true},\"commit\":\"test\",\"lib\":\"1.2.0\"}";
    }

    private static final String RELU = "{\"cls\":\"Relu\",\"params\":{\"key\":\"relu\"}}";
    private static final String TOPK = "{\"cls\":\"TopK\",\"params\":{\"key\":\"top-k\",\"top_k\":2}}";
    private static final String BATCHTOPK = "{\"cls\":\"BatchTopK\",\"params\":{\"key\":\"batch-top-k\",\"top_k\":2,\"momentum\":0.1}}";

    /** The paper fixture's tensors as a state dict of contiguous float32 storages (module order). */
    private static Map<String, View> paperState() {
        SaeCheckpoint.Arrays a = paperTensors();
        Map<String, View> s = new LinkedHashMap<>();
        s.put("W_enc", View.of(Storage.of("0", a.wEnc()), D, F));
        s.put("b_enc", View.of(Storage.of("1", a.bEnc()), F));
        s.put("W_dec", View.of(Storage.of("2", a.wDec()), F, D));
        s.put("b_dec", View.of(Storage.of("3", a.bDec()), D));
        return s;
    }

    // ------------------------------------------------------------------ same SAE, two formats

    @Test
    void paperSaePtAndSaeLensFolderImportToTheSameSae() throws IOException {
        SaeImport.Imported saev = SaeImport.readSaev(fixture("saev-paper-relu.pt"));
        SaeImport.Imported lens = SaeImport.readSaeLens(fixture("saelens-standard"));
        assertSameArrays(paperTensors(), saev.arrays());
        assertSameArrays(saev.arrays(), lens.arrays());
        assertEquals(SaeConfig.inference(SaeKind.RELU, D, F, 0, "centered"), saev.config());
        assertEquals(saev.config(), lens.config());
        assertFalse(saev.config().trainable());
    }

    @Test
    void currentTopKSaePtAndSaeLensFolderImportToTheSameSae() throws IOException {
        SaeImport.Imported saev = SaeImport.read(fixture("saev-topk.pt"));
        SaeImport.Imported lens = SaeImport.read(fixture("saelens-topk"));
        assertSameArrays(saev.arrays(), lens.arrays());
        assertEquals(SaeConfig.inference(SaeKind.TOPK, D, F, 2, "raw"), saev.config());
        assertEquals(saev.config(), lens.config());
        float[] wEnc = saev.arrays().wEnc();
        for (int i = 0; i < wEnc.length; i++) {
            assertEquals((float) Math.sin(i), wEnc[i], 1e-6f, "W_enc = sin(arange(32)) reshaped [4, 8]");
        }
    }

    @Test
    void handBuiltPaperArchiveMatchesTheTorchWrittenOne() throws IOException {
        Path built = saevFile("built-paper.pt", PAPER_JSON, paperState());
        SaeImport.Imported mine = SaeImport.readSaev(built);
        SaeImport.Imported torch = SaeImport.readSaev(fixture("saev-paper-relu.pt"));
        assertSameArrays(torch.arrays(), mine.arrays());
        assertEquals(torch.config(), mine.config());
    }

    // ------------------------------------------------------------------- views and strides

    @Test
    void nonContiguousViewsAreReadWithTheirOffsetsAndStrides() throws IOException {
        SaeImport.Imported im = SaeImport.readSaev(fixture("saev-strided.pt"));
        assertSameArrays(stridedTensors(), im.arrays());
        assertEquals(SaeConfig.inference(SaeKind.RELU, D, F, 0, "raw"), im.config());
    }

    @Test
    void handBuiltArchiveWithSharedStridedStoragesMatchesTheTorchWrittenOne() throws IOException {
        Storage a = Storage.of("0", storageA());
        Storage b = Storage.of("2", storageB());
        Storage c = Storage.of("1", STORAGE_C);
        Map<String, View> s = new LinkedHashMap<>();
        s.put("W_dec", new View(a, 4, new long[] {F, D}, new long[] {D, 1}));
        s.put("b_dec", new View(c, 1, new long[] {D}, new long[] {1}));
        s.put("W_enc", new View(a, 4, new long[] {D, F}, new long[] {1, D})); // W_dec.t(), sharing the storage
        s.put("b_enc", new View(b, 0, new long[] {F}, new long[] {2}));
        SaeImport.Imported mine = SaeImport.readSaev(saevFile("built-strided.pt", currentJson(RELU), s));
        SaeImport.Imported torch = SaeImport.readSaev(fixture("saev-strided.pt"));
        assertSameArrays(stridedTensors(), mine.arrays());
        assertSameArrays(torch.arrays(), mine.arrays());
        assertEquals(torch.config(), mine.config());
    }

    // ------------------------------------------------------------------------- BatchTopK

    @Test
    void batchTopKScalarThresholdIsBroadcast() throws IOException {
        SaeImport.Imported im = SaeImport.readSaev(fixture("saev-batchtopk.pt"));
        assertEquals(SaeConfig.inference(SaeKind.BATCHTOPK, D, F, 2, "raw"), im.config());
        float[] want = new float[F];
        Arrays.fill(want, 0.25f);
        assertArrayEquals(want, im.arrays().threshold());
        SaeCheckpoint.Arrays topk = SaeImport.readSaev(fixture("saev-topk.pt")).arrays();
        assertSameArrays(new SaeCheckpoint.Arrays(topk.wEnc(), topk.bEnc(), topk.wDec(), topk.bDec(), want), im.arrays());
    }

    @Test
    void batchTopKThresholdPerLatentIsKeptOrBecomesJumpRelu() throws IOException {
        Map<String, View> s = paperState();
        float[] uniform = new float[F];
        Arrays.fill(uniform, 0.5f);
        s.put("activation.threshold", View.of(Storage.of("4", uniform), F));
        SaeImport.Imported same = SaeImport.readSaev(saevFile("uniform.pt", currentJson(BATCHTOPK), s));
        assertEquals(SaeKind.BATCHTOPK, same.config().kind());
        assertArrayEquals(uniform, same.arrays().threshold());

        float[] perLatent = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f};
        s.put("activation.threshold", View.of(Storage.of("4", perLatent), F));
        SaeImport.Imported jump = SaeImport.readSaev(saevFile("per-latent.pt", currentJson(BATCHTOPK), s));
        assertEquals(SaeConfig.inference(SaeKind.JUMPRELU, D, F, 0, "raw"), jump.config());
        assertArrayEquals(perLatent, jump.arrays().threshold());
        assertTrue(jump.provenance().get("import_notes").toString().contains("jumprelu"), jump.provenance().toString());
    }

    // -------------------------------------------------------- checkpoint round trip and math

    /** Codes as each source tool defines them, from the imported (source) tensors, in double. */
    private static float[] directCodes(SaeImport.Imported im, float[] x, String rule) {
        SaeCheckpoint.Arrays a = im.arrays();
        int d = im.config().dModel();
        int f = im.config().dSae();
        int rows = x.length / d;
        float[] codes = new float[rows * f];
        for (int r = 0; r < rows; r++) {
            double[] pre = new double[f];
            for (int i = 0; i < f; i++) {
                double s = a.bEnc()[i];
                for (int j = 0; j < d; j++) {
                    double xj = x[r * d + j] - (im.config().centered() ? a.bDec()[j] : 0);
                    s += xj * a.wEnc()[j * f + i];
                }
                pre[i] = s;
            }
            for (int i = 0; i < f; i++) {
                double v = switch (rule) {
                    case "relu" -> Math.max(0, pre[i]);
                    case "saev-topk" -> {
                        int above = 0;
                        for (double p : pre) {
                            above += p > pre[i] ? 1 : 0;
                        }
                        yield above < im.config().k() ? pre[i] : 0;
                    }
                    case "threshold" -> pre[i] > a.threshold()[i] ? pre[i] : 0;
                    default -> throw new IllegalArgumentException(rule);
                };
                codes[r * f + i] = (float) v;
            }
        }
        return codes;
    }

    private static float[] directDecode(SaeImport.Imported im, float[] codes) {
        SaeCheckpoint.Arrays a = im.arrays();
        int d = im.config().dModel();
        int f = im.config().dSae();
        int rows = codes.length / f;
        float[] out = new float[rows * d];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < d; j++) {
                double s = a.bDec()[j];
                for (int i = 0; i < f; i++) {
                    s += (double) codes[r * f + i] * a.wDec()[i * d + j];
                }
                out[r * d + j] = (float) s;
            }
        }
        return out;
    }

    private static void assertClose(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-5 * (1 + Math.abs(want[i])), what + " [" + i + "]");
        }
    }

    /** Writes, reads back with SaeCheckpoint, and checks encode/decode against the direct formulas and torch's values. */
    private void assertCheckpointComputesLikeTheSource(String fixture, String rule) throws IOException {
        SaeImport.Imported im = SaeImport.read(fixture(fixture));
        Path out = dir.resolve(fixture.replace('.', '_') + ".safetensors");
        SaeCheckpoint.write(out, im.config(), im.arrays(), im.provenance());
        assertEquals(im.config(), SaeCheckpoint.config(out));
        JsonNode exp = expected();
        float[] x = floats(exp.get("x"));
        int rows = x.length / D;
        float[] codes;
        float[] recon;
        try (Sae sae = SaeCheckpoint.read(out, nd); NDManager m = nd.newSubManager()) {
            NDArray c = sae.encode(m.create(x, new Shape(rows, D)));
            codes = c.toFloatArray();
            recon = sae.decode(c).toFloatArray();
        }
        float[] direct = directCodes(im, x, rule);
        assertClose(direct, codes, fixture + " codes vs the direct formula");
        assertClose(directDecode(im, direct), recon, fixture + " reconstructions vs the direct formula");
        assertClose(floats(exp.get(fixture).get("codes")), codes, fixture + " codes vs torch");
        assertClose(floats(exp.get(fixture).get("recon")), recon, fixture + " reconstructions vs torch");
        boolean anyZero = false;
        boolean anyActive = false;
        for (float v : codes) {
            anyZero |= v == 0;
            anyActive |= v > 0;
        }
        assertTrue(anyZero && anyActive, "the rows exercise both sides of the activation: " + Arrays.toString(codes));
    }

    @Test
    void paperEraCheckpointEncodesWithCenteredInput() throws IOException {
        assertCheckpointComputesLikeTheSource("saev-paper-relu.pt", "relu");
    }

    @Test
    void currentEraTopKCheckpointEncodesWithRawInput() throws IOException {
        assertCheckpointComputesLikeTheSource("saev-topk.pt", "saev-topk");
    }

    @Test
    void currentEraBatchTopKCheckpointEncodesWithItsThreshold() throws IOException {
        assertCheckpointComputesLikeTheSource("saev-batchtopk.pt", "threshold");
    }

    @Test
    void stridedCheckpointEncodes() throws IOException {
        assertCheckpointComputesLikeTheSource("saev-strided.pt", "relu");
    }

    @Test
    void saeLensJumpReluCheckpointEncodesWithPerLatentThresholds() throws IOException {
        SaeImport.Imported im = SaeImport.read(fixture("saelens-jumprelu"));
        assertEquals(SaeConfig.inference(SaeKind.JUMPRELU, D, F, 0, "centered"), im.config());
        float[] want = new float[F];
        for (int i = 0; i < F; i++) {
            want[i] = (i + 1) / 16f;
        }
        assertSameArrays(new SaeCheckpoint.Arrays(paperTensors().wEnc(), paperTensors().bEnc(), paperTensors().wDec(),
                paperTensors().bDec(), want), im.arrays());
        assertCheckpointComputesLikeTheSource("saelens-jumprelu", "threshold");
    }

    // ------------------------------------------------------------------------- provenance

    @Test
    void provenanceNamesTheSourceItsFormatChecksumAndConfig() throws IOException {
        Path pt = fixture("saev-paper-relu.pt");
        SaeImport.Imported im = SaeImport.read(pt);
        Map<String, Object> p = im.provenance();
        assertEquals(pt.toAbsolutePath().normalize().toString(), p.get("imported_from"));
        assertEquals("saev-sae.pt", p.get("source_format"));
        assertEquals(Sha256.of(pt), p.get("source_sha256"));
        assertEquals(4, ((JsonNode) p.get("source_config")).get("d_vit").asInt());
        assertEquals(2, ((JsonNode) p.get("source_config")).get("exp_factor").asInt());
        assertEquals("paper (no schema)", p.get("source_era"));

        Path out = dir.resolve("sae.safetensors");
        SaeCheckpoint.write(out, im.config(), im.arrays(), im.provenance());
        JsonNode stored = SaeCheckpoint.provenance(out);
        assertEquals("saev-sae.pt", stored.get("source_format").asText());
        assertEquals(0.0004, stored.get("source_config").get("sparsity_coeff").asDouble());
        assertNotNull(stored.get("code_version"));

        Path lensDir = fixture("saelens-topk");
        SaeImport.Imported lens = SaeImport.read(lensDir);
        assertEquals("saelens", lens.provenance().get("source_format"));
        assertEquals(lensDir.toAbsolutePath().normalize().toString(), lens.provenance().get("imported_from"));
        assertEquals(Sha256.of(lensDir.resolve("sae_weights.safetensors")), lens.provenance().get("source_sha256"));
        assertEquals(Sha256.of(lensDir.resolve("cfg.json")), lens.provenance().get("source_config_sha256"));
        assertEquals("topk", ((JsonNode) lens.provenance().get("source_config")).get("architecture").asText());
        assertEquals("SAELens 6.5.1", lens.provenance().get("source_era"));
    }

    // ------------------------------------------------------------------ saev config variants

    @Test
    void schemaOneHeaderWithActivationClassIsCentredTopK() throws IOException {
        String json = "{\"schema\": 1, \"cfg\": {\"d_vit\": 4, \"exp_factor\": 2, \"top_k\": 3, \"seed\": 0}, \"cls\": \"TopK\","
                + " \"commit\": \"x\", \"lib\": \"0.1\"}";
        SaeImport.Imported im = SaeImport.readSaev(saevFile("schema1.pt", json, paperState()));
        assertEquals(SaeConfig.inference(SaeKind.TOPK, D, F, 3, "centered"), im.config());
    }

    @Test
    void activationKeyAndKAliasesAreUnderstoodAndTopKIsClampedToDSae() throws IOException {
        SaeImport.Imported im = SaeImport.readSaev(saevFile("aliases.pt",
                currentJson("{\"key\":\"top-k\",\"k\":20}"), paperState()));
        assertEquals(SaeConfig.inference(SaeKind.TOPK, D, F, F, "raw"), im.config());
        assertTrue(im.provenance().get("import_notes").toString().contains("min(top_k, d_sae)"));
    }

    // ----------------------------------------------------------------------- saev bad input

    private static void assertBad(Path file, Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        String m = String.valueOf(e.getMessage());
        assertTrue(m.contains(file.getFileName().toString()), "names the file: " + m);
        for (String p : parts) {
            assertTrue(m.contains(p), "mentions '" + p + "': " + m);
        }
    }

    @Test
    void truncatedJsonLineIsAnError() throws IOException {
        Path file = dir.resolve("cut-json.pt");
        Files.write(file, Arrays.copyOf(Files.readAllBytes(fixture("saev-topk.pt")), 40));
        assertBad(file, () -> SaeImport.readSaev(file), "JSON config line", "no newline");
    }

    @Test
    void jsonLineThatIsNotJsonIsAnError() throws IOException {
        Path file = saevFile("bad-json.pt", "{\"d_vit\": 4, \"exp_fac", paperState());
        assertBad(file, () -> SaeImport.readSaev(file), "first line", "not valid JSON");
    }

    @Test
    void missingJsonLineIsAnError() throws IOException {
        Path file = dir.resolve("plain-torch-save.pt");
        Files.write(file, zip(archive(paperState())));
        assertBad(file, () -> SaeImport.readSaev(file), "JSON config line", "zip archive");
        Path empty = dir.resolve("empty.pt");
        Files.write(empty, new byte[0]);
        assertBad(empty, () -> SaeImport.readSaev(empty), "empty", "JSON config line");
    }

    @Test
    void bytesAfterTheJsonLineThatAreNotAZipAreAnError() throws IOException {
        Path file = saevFile("not-zip.pt", PAPER_JSON, "this is not a zip archive at all".getBytes(StandardCharsets.US_ASCII));
        assertBad(file, () -> SaeImport.readSaev(file), "not a zip archive", "torch.save");
        Path nothing = saevFile("nothing.pt", PAPER_JSON, new byte[0]);
        assertBad(nothing, () -> SaeImport.readSaev(nothing), "torch.save zip archive is missing");
    }

    @Test
    void truncatedZipIsAnError() throws IOException {
        byte[] z = zip(archive(paperState()));
        Path file = saevFile("cut-zip.pt", PAPER_JSON, Arrays.copyOf(z, z.length * 2 / 3));
        assertBad(file, () -> SaeImport.readSaev(file), "zip archive", "truncated");
        byte[] real = Files.readAllBytes(fixture("saev-paper-relu.pt"));
        Path cut = dir.resolve("cut-real.pt");
        Files.write(cut, Arrays.copyOf(real, real.length - 30));
        assertBad(cut, () -> SaeImport.readSaev(cut), "truncated");
    }

    @Test
    void missingDataPklIsAnError() throws IOException {
        Map<String, byte[]> entries = archive(paperState());
        entries.remove("archive/data.pkl");
        Path file = saevFile("no-pkl.pt", PAPER_JSON, zip(entries));
        assertBad(file, () -> SaeImport.readSaev(file), "data.pkl");
    }

    @Test
    void missingOrTruncatedStorageIsAnError() throws IOException {
        Map<String, byte[]> entries = archive(paperState());
        entries.remove("archive/data/2");
        Path file = saevFile("no-storage.pt", PAPER_JSON, zip(entries));
        assertBad(file, () -> SaeImport.readSaev(file), "archive/data/2", "'W_dec'");
        entries = archive(paperState());
        entries.put("archive/data/2", Arrays.copyOf(entries.get("archive/data/2"), 20));
        Path cut = saevFile("short-storage.pt", PAPER_JSON, zip(entries));
        assertBad(cut, () -> SaeImport.readSaev(cut), "'W_dec'", "truncated");
    }

    @Test
    void missingTensorIsAnError() throws IOException {
        Map<String, View> s = paperState();
        s.remove("b_dec");
        Path file = saevFile("no-b-dec.pt", PAPER_JSON, s);
        assertBad(file, () -> SaeImport.readSaev(file), "'b_dec'", "W_enc");
        Path btk = saevFile("no-threshold.pt", currentJson(BATCHTOPK), paperState());
        assertBad(btk, () -> SaeImport.readSaev(btk), "'activation.threshold'");
    }

    @Test
    void wrongShapeNamesBothShapes() throws IOException {
        Map<String, View> s = paperState();
        s.put("W_enc", View.of(s.get("W_enc").storage(), F, D));
        Path file = saevFile("transposed.pt", PAPER_JSON, s);
        assertBad(file, () -> SaeImport.readSaev(file), "'W_enc'", "[8, 4]", "[4, 8]");
        Map<String, View> t = paperState();
        t.put("activation.threshold", View.of(Storage.of("4", new float[] {1, 2, 3}), 3));
        Path thr = saevFile("threshold-shape.pt", currentJson(BATCHTOPK), t);
        assertBad(thr, () -> SaeImport.readSaev(thr), "'activation.threshold'", "[3]", "[8]");
    }

    @Test
    void viewBeyondItsStorageIsAnError() throws IOException {
        Map<String, View> s = paperState();
        s.put("b_enc", new View(s.get("b_enc").storage(), 3, new long[] {F}, new long[] {1}));
        Path file = saevFile("overrun.pt", PAPER_JSON, s);
        assertBad(file, () -> SaeImport.readSaev(file), "'b_enc'", "storage");
    }

    @Test
    void dtypeOtherThanFloat32IsAnError() throws IOException {
        Map<String, View> s = paperState();
        double[] v = new double[D * F];
        s.put("W_enc", View.of(new Storage("0", "DoubleStorage", v), D, F));
        Path file = saevFile("double.pt", PAPER_JSON, s);
        assertBad(file, () -> SaeImport.readSaev(file), "'W_enc'", "float64", "float32");
        s.put("W_enc", View.of(new Storage("0", "BFloat16Storage", v), D, F));
        Path bf = saevFile("bf16.pt", PAPER_JSON, s);
        assertBad(bf, () -> SaeImport.readSaev(bf), "'W_enc'", "bfloat16");
    }

    @Test
    void unknownActivationIsAnError() throws IOException {
        Path file = saevFile("abs.pt", currentJson("{\"cls\":\"AbsBatchTopK\",\"params\":{\"top_k\":2}}"), paperState());
        assertBad(file, () -> SaeImport.readSaev(file), "cfg.activation.cls", "AbsBatchTopK", "Relu, TopK or BatchTopK");
        Path noK = saevFile("no-k.pt", currentJson("{\"cls\":\"TopK\",\"params\":{\"key\":\"top-k\"}}"), paperState());
        assertBad(noK, () -> SaeImport.readSaev(noK), "cfg.activation.params.top_k");
        Path noAct = saevFile("no-act.pt", "{\"schema\":5,\"cfg\":{\"d_model\":4,\"d_sae\":8}}", paperState());
        assertBad(noAct, () -> SaeImport.readSaev(noAct), "cfg.activation");
    }

    @Test
    void missingOrBadConfigFieldsAreErrors() throws IOException {
        Path noDVit = saevFile("no-dvit.pt", "{\"exp_factor\": 2}", paperState());
        assertBad(noDVit, () -> SaeImport.readSaev(noDVit), "'d_vit'");
        Path badExp = saevFile("bad-exp.pt", "{\"d_vit\": 4, \"exp_factor\": \"two\"}", paperState());
        assertBad(badExp, () -> SaeImport.readSaev(badExp), "'exp_factor'", "\"two\"");
        Path schema = saevFile("schema9.pt", "{\"schema\": 9, \"cfg\": {}}", paperState());
        assertBad(schema, () -> SaeImport.readSaev(schema), "'schema'", "9");
        Path noDModel = saevFile("no-dmodel.pt", currentJson(RELU).replace("\"d_model\":4,", ""), paperState());
        assertBad(noDModel, () -> SaeImport.readSaev(noDModel), "'cfg.d_model'");
    }

    @Test
    void nanInATensorIsAnErrorWithTheCount() throws IOException {
        Map<String, View> s = paperState();
        float[] wDec = paperTensors().wDec();
        wDec[1] = Float.NaN;
        wDec[5] = Float.NaN;
        wDec[30] = Float.NaN;
        s.put("W_dec", View.of(Storage.of("2", wDec), F, D));
        Path file = saevFile("nan.pt", PAPER_JSON, s);
        assertBad(file, () -> SaeImport.readSaev(file), "'W_dec'", "3 NaN");
    }

    private static long tempArchives() throws IOException {
        try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(f -> f.getFileName().toString().startsWith("saelab-import-")).count();
        }
    }

    @Test
    void stateDictPickleOfTheWrongShapeIsAnError() throws IOException {
        long temps = tempArchives();
        Map<String, byte[]> entries = archive(paperState());
        entries.put("archive/data.pkl", new TorchPickler().dumps(List.of(1, 2, 3)));
        Path file = saevFile("list.pt", PAPER_JSON, zip(entries));
        assertBad(file, () -> SaeImport.readSaev(file), "data.pkl", "not a state dict");
        entries.put("archive/data.pkl", Arrays.copyOf(archive(paperState()).get("archive/data.pkl"), 50));
        Path cut = saevFile("cut-pkl.pt", PAPER_JSON, zip(entries));
        assertBad(cut, () -> SaeImport.readSaev(cut), "data.pkl");
        entries.put("archive/data.pkl", new TorchPickler().dumps(new PyCall(new PyGlobal("os", "system"), new Object[] {"echo"})));
        Path evil = saevFile("global.pt", PAPER_JSON, zip(entries));
        assertBad(evil, () -> SaeImport.readSaev(evil), "data.pkl", "os.system");
        assertEquals(temps, tempArchives(), "the temporary copies of the archives are removed after an error");
    }

    // ------------------------------------------------------------------------------ SAELens

    private Path lens(String name, String cfg, Map<String, Tensor> tensors) throws IOException {
        Path folder = dir.resolve(name);
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("cfg.json"), cfg);
        Safetensors.write(folder.resolve("sae_weights.safetensors"), tensors, Map.of());
        return folder;
    }

    private static Map<String, Tensor> lensTensors(SaeCheckpoint.Arrays a) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("W_enc", new Tensor(new long[] {D, F}, a.wEnc().clone()));
        t.put("W_dec", new Tensor(new long[] {F, D}, a.wDec().clone()));
        t.put("b_enc", new Tensor(new long[] {F}, a.bEnc().clone()));
        t.put("b_dec", new Tensor(new long[] {D}, a.bDec().clone()));
        return t;
    }

    private static String v6(String architecture, String extra) {
        return "{\"d_in\": 4, \"d_sae\": 8, \"dtype\": \"float32\", \"device\": \"cpu\", \"apply_b_dec_to_input\": false,"
                + " \"normalize_activations\": \"none\", \"reshape_activations\": \"none\", \"metadata\": {\"sae_lens_version\": \"6.5.1\"},"
                + extra + " \"architecture\": \"" + architecture + "\"}";
    }

    @Test
    void saeLensOldTopKStandardAndLogThresholdAreRead() throws IOException {
        Path old = lens("old-topk", "{\"architecture\": \"standard\", \"d_in\": 4, \"d_sae\": 8, \"activation_fn_str\": \"topk\","
                + " \"activation_fn_kwargs\": {\"k\": 3}, \"apply_b_dec_to_input\": true, \"normalize_activations\": \"none\"}",
                lensTensors(paperTensors()));
        assertEquals(SaeConfig.inference(SaeKind.TOPK, D, F, 3, "centered"), SaeImport.readSaeLens(old).config());

        Map<String, Tensor> t = lensTensors(paperTensors());
        float[] log = new float[F];
        Arrays.fill(log, (float) Math.log(0.5));
        t.put("log_threshold", new Tensor(new long[] {F}, log));
        SaeImport.Imported im = SaeImport.readSaeLens(lens("log", v6("jumprelu", ""), t));
        assertEquals(SaeConfig.inference(SaeKind.JUMPRELU, D, F, 0, "raw"), im.config());
        for (float v : im.arrays().threshold()) {
            assertEquals(0.5f, v, 1e-6f);
        }
    }

    @Test
    void saeLensBatchTopKScalarThresholdIsBroadcast() throws IOException {
        Map<String, Tensor> t = lensTensors(paperTensors());
        t.put("topk_threshold", new Tensor(new long[] {}, new float[] {0.75f}));
        SaeImport.Imported im = SaeImport.readSaeLens(lens("btk", v6("batchtopk", " \"k\": 2,"), t));
        assertEquals(SaeConfig.inference(SaeKind.BATCHTOPK, D, F, 2, "raw"), im.config());
        float[] want = new float[F];
        Arrays.fill(want, 0.75f);
        assertArrayEquals(want, im.arrays().threshold());
    }

    @Test
    void saeLensDecoderNormRescalingIsFoldedWithoutChangingTheSae() throws IOException {
        SaeCheckpoint.Arrays a = paperTensors();
        SaeImport.Imported im = SaeImport.readSaeLens(lens("rescale", v6("topk", " \"k\": 2, \"rescale_acts_by_decoder_norm\": true,"),
                lensTensors(a)));
        float[] x = floats(expected().get("x"));
        int rows = x.length / D;
        // SAELens: pre = (x @ W_enc + b_enc) * |W_dec_i|; f = relu(topk(pre)); x_hat = (f / |W_dec_i|) @ W_dec + b_dec
        double[] norm = new double[F];
        for (int i = 0; i < F; i++) {
            for (int j = 0; j < D; j++) {
                norm[i] += (double) a.wDec()[i * D + j] * a.wDec()[i * D + j];
            }
            norm[i] = Math.sqrt(norm[i]);
        }
        float[] wantCodes = new float[rows * F];
        float[] wantRecon = new float[rows * D];
        for (int r = 0; r < rows; r++) {
            double[] pre = new double[F];
            for (int i = 0; i < F; i++) {
                double s = a.bEnc()[i];
                for (int j = 0; j < D; j++) {
                    s += x[r * D + j] * a.wEnc()[j * F + i];
                }
                pre[i] = s * norm[i];
            }
            for (int i = 0; i < F; i++) {
                int above = 0;
                for (double p : pre) {
                    above += p > pre[i] ? 1 : 0;
                }
                wantCodes[r * F + i] = above < 2 ? (float) Math.max(0, pre[i]) : 0;
            }
            for (int j = 0; j < D; j++) {
                double s = a.bDec()[j];
                for (int i = 0; i < F; i++) {
                    s += wantCodes[r * F + i] / norm[i] * a.wDec()[i * D + j];
                }
                wantRecon[r * D + j] = (float) s;
            }
        }
        Path out = dir.resolve("rescale.safetensors");
        SaeCheckpoint.write(out, im.config(), im.arrays(), im.provenance());
        try (Sae sae = SaeCheckpoint.read(out, nd); NDManager m = nd.newSubManager()) {
            NDArray c = sae.encode(m.create(x, new Shape(rows, D)));
            assertClose(wantCodes, c.toFloatArray(), "codes");
            assertClose(wantRecon, sae.decode(c).toFloatArray(), "reconstructions");
        }
        assertTrue(im.provenance().get("import_notes").toString().contains("rescale_acts_by_decoder_norm"));
    }

    @Test
    void saeLensFinetuningScalingFactorIsFoldedIntoTheDecoder() throws IOException {
        Map<String, Tensor> t = lensTensors(paperTensors());
        float[] s = {1, 2, 0.5f, 1, 1, 3, 1, 1};
        t.put("finetuning_scaling_factor", new Tensor(new long[] {F}, s));
        SaeImport.Imported im = SaeImport.readSaeLens(lens("ft", "{\"architecture\": \"standard\", \"d_in\": 4, \"d_sae\": 8,"
                + " \"activation_fn_str\": \"relu\", \"apply_b_dec_to_input\": true, \"finetuning_scaling_factor\": true}", t));
        float[] wDec = paperTensors().wDec();
        for (int i = 0; i < F; i++) {
            for (int j = 0; j < D; j++) {
                assertEquals(wDec[i * D + j] * s[i], im.arrays().wDec()[i * D + j], "W_dec[" + i + ", " + j + "]");
            }
        }
    }

    @Test
    void saeLensGatedIsRejectedNamingTheField() throws IOException {
        Path folder = lens("gated", "{\"architecture\": \"gated\", \"d_in\": 4, \"d_sae\": 8}", lensTensors(paperTensors()));
        Path cfg = folder.resolve("cfg.json");
        assertBad(cfg, () -> SaeImport.readSaeLens(folder), "gated", "'architecture'", folder.getFileName().toString());
        Path unknown = lens("transcoder", v6("transcoder", ""), lensTensors(paperTensors()));
        assertBad(unknown.resolve("cfg.json"), () -> SaeImport.readSaeLens(unknown), "'architecture'", "'transcoder'");
        Path tanh = lens("tanh", "{\"d_in\": 4, \"d_sae\": 8, \"activation_fn_str\": \"tanh-relu\"}", lensTensors(paperTensors()));
        assertBad(tanh.resolve("cfg.json"), () -> SaeImport.readSaeLens(tanh), "'activation_fn_str'", "'tanh-relu'");
    }

    @Test
    void saeLensInputNormalisationIsRejectedNamingTheValue() throws IOException {
        Path folder = lens("norm", v6("standard", "").replace("\"none\", \"reshape", "\"expected_average_only_in\", \"reshape"),
                lensTensors(paperTensors()));
        assertBad(folder.resolve("cfg.json"), () -> SaeImport.readSaeLens(folder), "'normalize_activations'",
                "expected_average_only_in");
        Path legacy = lens("norm-bool", "{\"d_in\": 4, \"d_sae\": 8, \"normalize_activations\": true}", lensTensors(paperTensors()));
        assertBad(legacy.resolve("cfg.json"), () -> SaeImport.readSaeLens(legacy), "'normalize_activations'", "true");
        Path ok = lens("norm-false", "{\"d_in\": 4, \"d_sae\": 8, \"normalize_activations\": false}", lensTensors(paperTensors()));
        assertEquals(SaeKind.RELU, SaeImport.readSaeLens(ok).config().kind());
    }

    @Test
    void saeLensMissingFilesTensorsAndBadShapesAreErrors() throws IOException {
        Path folder = lens("no-weights", v6("standard", ""), lensTensors(paperTensors()));
        Files.delete(folder.resolve("sae_weights.safetensors"));
        assertBad(folder.resolve("sae_weights.safetensors"), () -> SaeImport.readSaeLens(folder), "missing");

        Map<String, Tensor> t = lensTensors(paperTensors());
        t.remove("b_enc");
        Path noBEnc = lens("no-benc", v6("standard", ""), t);
        assertBad(noBEnc.resolve("sae_weights.safetensors"), () -> SaeImport.readSaeLens(noBEnc), "'b_enc'", "missing");

        t = lensTensors(paperTensors());
        t.put("W_enc", new Tensor(new long[] {F, D}, t.get("W_enc").values()));
        Path shape = lens("shape", v6("standard", ""), t);
        assertBad(shape.resolve("sae_weights.safetensors"), () -> SaeImport.readSaeLens(shape), "'W_enc'", "[8, 4]", "[4, 8]");

        Path noThreshold = lens("no-threshold", v6("jumprelu", ""), lensTensors(paperTensors()));
        assertBad(noThreshold.resolve("sae_weights.safetensors"), () -> SaeImport.readSaeLens(noThreshold), "'threshold'");

        Path noK = lens("no-k", v6("topk", ""), lensTensors(paperTensors()));
        assertBad(noK.resolve("cfg.json"), () -> SaeImport.readSaeLens(noK), "'activation_fn_kwargs.k'");

        Path badJson = lens("bad-json", "{\"d_in\": 4,", lensTensors(paperTensors()));
        assertBad(badJson.resolve("cfg.json"), () -> SaeImport.readSaeLens(badJson), "not valid JSON");
    }

    @Test
    void saeLensNanAndNonPositiveThresholdsAreErrors() throws IOException {
        Map<String, Tensor> t = lensTensors(paperTensors());
        float[] bEnc = t.get("b_enc").values();
        bEnc[2] = Float.NaN;
        bEnc[3] = Float.POSITIVE_INFINITY;
        Path nan = lens("nan", v6("standard", ""), t);
        assertBad(nan.resolve("sae_weights.safetensors"), () -> SaeImport.readSaeLens(nan), "'b_enc'", "1 NaN", "1 infinite");

        t = lensTensors(paperTensors());
        float[] theta = new float[F];
        Arrays.fill(theta, 0.1f);
        theta[6] = 0;
        t.put("threshold", new Tensor(new long[] {F}, theta));
        Path zero = lens("zero-threshold", v6("jumprelu", ""), t);
        assertBad(zero.resolve("sae_weights.safetensors"), () -> SaeImport.readSaeLens(zero), "'threshold'", "latent 6", "> 0");
    }

    // ----------------------------------------------------------------------------- dispatch

    @Test
    void readDispatchesOnTheLayoutAndRejectsAnythingElse() throws IOException {
        assertEquals("saev-sae.pt", SaeImport.read(fixture("saev-topk.pt")).provenance().get("source_format"));
        assertEquals("saelens", SaeImport.read(fixture("saelens-standard")).provenance().get("source_format"));

        Path txt = dir.resolve("weights.bin");
        Files.writeString(txt, "x");
        assertBad(txt, () -> SaeImport.read(txt), "sae.pt", "SAELens folder", "cfg.json");
        Path empty = dir.resolve("empty-folder");
        Files.createDirectories(empty);
        assertBad(empty, () -> SaeImport.read(empty), "sae.pt", "cfg.json");
        Path missing = dir.resolve("missing.pt");
        assertBad(missing, () -> SaeImport.read(missing), "does not exist");
        Path cfgFile = fixture("saelens-topk").resolve("cfg.json");
        assertBad(cfgFile, () -> SaeImport.read(cfgFile), "give the SAELens folder");
    }

    @Test
    void importedArraysHaveNoThresholdForKindsWithout() throws IOException {
        assertNull(SaeImport.read(fixture("saev-topk.pt")).arrays().threshold());
        assertNull(SaeImport.read(fixture("saelens-standard")).arrays().threshold());
    }

    @Test
    void storageDeclaringMoreElementsThanItsZipEntryHoldsIsRefusedBeforeAllocating() throws IOException {
        // W_dec's storage claims 2^31 - 10 floats (8 GiB) but its zip entry holds 128 bytes
        Map<String, View> state = paperState();
        List<Object[]> items = new ArrayList<>();
        state.forEach((k, v) -> items.add(new Object[] {k, v}));
        Map<String, byte[]> entries = archive(state);
        entries.put("archive/data.pkl", new TorchPickler(Map.of("2", (long) Integer.MAX_VALUE - 10)).dumps(new PyOrderedDict(items)));
        Path file = saevFile("vast-storage.pt", PAPER_JSON, zip(entries));
        assertBad(file, () -> SaeImport.readSaev(file), "'W_dec'", "archive/data/2", String.valueOf(Integer.MAX_VALUE - 10),
                "128 bytes");
        // and a view whose offset and strides overflow a long is a sentence, not an ArithmeticException
        Map<String, View> s = paperState();
        s.put("b_enc", new View(s.get("b_enc").storage(), 0, new long[] {F}, new long[] {Long.MAX_VALUE / 2}));
        Path strided = saevFile("stride-overflow.pt", PAPER_JSON, s);
        assertBad(strided, () -> SaeImport.readSaev(strided), "'b_enc'", "storage");
    }
}
