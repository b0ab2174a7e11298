package saelab.capture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.data.ImageProblems;
import saelab.data.ProblemPolicy;
import saelab.image.Preprocessor;
import saelab.model.LoadedModel;
import saelab.model.ModelLoader;
import saelab.model.VisionOutput;
import saelab.store.ActivationCache;
import saelab.store.StorageDtype;
import saelab.store.TokenLayout;

/** The cache a capture writes holds the model's activations of the preprocessed images; unreadable images are skipped or stop it. */
class CapturePipelineTest {

    @TempDir
    static Path shared;
    static Path model;
    static Path images;

    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp() throws Exception {
        model = CaptureTestData.model(shared.resolve("model"));
        images = shared.resolve("images");
        CaptureTestData.images(images, 12);
    }

    private static PrintStream sink(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }

    /** resid_post of the given blocks for the images, batched all at once: {@code block -> [n, 21, 32]} as flat arrays. */
    private static Map<Integer, float[]> reference(List<Path> files, Set<Integer> blocks) throws Exception {
        Preprocessor pre = Preprocessor.load(model);
        int per = 3 * 56 * 56;
        float[] px = new float[files.size() * per];
        for (int i = 0; i < files.size(); i++) {
            System.arraycopy(pre.apply(files.get(i)), 0, px, i * per, per);
        }
        try (LoadedModel m = ModelLoader.load(model); NDManager nd = NDManager.newBaseManager()) {
            NDArray x = nd.create(px, new Shape(files.size(), 3, 56, 56));
            VisionOutput out = m.vision().forward(x, blocks);
            Map<Integer, float[]> r = new java.util.HashMap<>();
            for (int b : blocks) {
                r.put(b, out.blocks().get(b).toFloatArray());
            }
            return r;
        }
    }

    @Test
    void f32ActivationsEqualTheForwardPassForClsRegistersAndPatches() throws Exception {
        Path out = tmp.resolve("cache");
        CaptureOptions o = CaptureOptions.builder(model, "folder:" + images, null, List.of(0, 2), TokenSelection.parse("patches,registers,cls"),
                out).dtype(StorageDtype.F32).batch(5).threads(3).build();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        CaptureSummary s = CapturePipeline.run(o, sink(log));
        assertEquals(12, s.written());
        assertTrue(s.failures().isEmpty(), s.failures().toString());
        try (ActivationCache c = ActivationCache.open(out)) {
            assertEquals(12, c.nImages());
            assertEquals(List.of(0, 2), c.layers());
            assertEquals(new TokenLayout(true, 4, 4, 4), c.tokens());
            assertEquals(32, c.dModel());
            List<Path> files = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                assertEquals(i, c.image(i).datasetIndex());
                files.add(images.resolve(c.image(i).path()));
            }
            assertEquals("img_00.png", c.image(0).path());
            Map<Integer, float[]> ref = reference(files, Set.of(0, 2));
            double max = 0;
            for (int layer : List.of(0, 2)) {
                float[] want = ref.get(layer);
                for (int i = 0; i < 12; i++) {
                    for (int t = 0; t < 21; t++) { // all tokens stored: storage index = sequence index
                        float[] got = c.read(i, layer, t);
                        for (int k = 0; k < 32; k++) {
                            float w = want[(i * 21 + t) * 32 + k];
                            max = Math.max(max, Math.abs(w - got[k]));
                            if (!CaptureTestData.close(w, got[k])) {
                                fail("image " + i + ", block " + layer + ", token " + t + ", dim " + k + ": expected " + w + ", got " + got[k]);
                            }
                        }
                    }
                }
            }
            assertTrue(max < 1e-4, "max |diff| " + max);
        }
        String text = s.describe();
        assertTrue(text.contains("12 written") && text.contains("images/s"), text);
    }

    @Test
    void f16CaptureOfClsAndPatchesSkipsTheRegisters() throws Exception {
        Path out = tmp.resolve("cache16");
        CaptureOptions o = CaptureOptions.builder(model, "folder:" + images, null, List.of(1), TokenSelection.parse("cls,patches"), out)
                .batch(4).threads(2).limit(7).build();
        CapturePipeline.run(o, sink(new ByteArrayOutputStream()));
        try (ActivationCache c = ActivationCache.open(out)) {
            assertEquals(7, c.nImages());
            assertEquals(new TokenLayout(true, 0, 4, 4), c.tokens());
            assertEquals(StorageDtype.F16, c.dtype());
            List<Path> files = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                files.add(images.resolve(c.image(i).path()));
            }
            float[] want = reference(files, Set.of(1)).get(1);
            for (int i = 0; i < 7; i++) {
                for (int t = 0; t < 17; t++) {
                    int seq = t == 0 ? 0 : t + 4;
                    float[] got = c.read(i, 1, t);
                    for (int k = 0; k < 32; k++) {
                        float w = want[(i * 21 + seq) * 32 + k];
                        assertEquals(Float.float16ToFloat(Float.floatToFloat16(w)), got[k], 0f,
                                "image " + i + " token " + t + " dim " + k + " is the f16 rounding of the forward value");
                    }
                }
            }
        }
    }

    /** A folder with a corrupt JPEG, an empty file and an RGBA PNG besides good images. */
    private Path problemFolder() throws Exception {
        Path dir = tmp.resolve("mixed");
        CaptureTestData.images(dir, 3);
        byte[] jpeg = Files.readAllBytes(CaptureTestData.write(
                javax.imageio.ImageIO.read(images.resolve("img_05.png").toFile()), tmp.resolve("whole.jpg")));
        byte[] cut = java.util.Arrays.copyOf(jpeg, 200); // header, then nothing: truncated
        Files.write(dir.resolve("b_corrupt.jpg"), cut);
        Files.write(dir.resolve("c_empty.png"), new byte[0]);
        CaptureTestData.png(dir.resolve("d_rgba.png"), 70, 66, 9, true);
        return dir;
    }

    @Test
    void corruptAndEmptyFilesAreReportedAndSkippedAndRgbaIsConverted() throws Exception {
        Path dir = problemFolder();
        Path out = tmp.resolve("skip");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        CaptureOptions o = CaptureOptions.builder(model, "folder:" + dir, null, List.of(2), TokenSelection.parse("cls"), out)
                .dtype(StorageDtype.F32).batch(2).threads(2).build();
        CaptureSummary s = CapturePipeline.run(o, sink(log));
        List<String> failed = s.failures().stream().map(ImageProblems.Problem::path).toList();
        assertEquals(List.of("b_corrupt.jpg", "c_empty.png"), failed);
        String text = log.toString(StandardCharsets.UTF_8) + s.describe();
        assertTrue(text.contains("b_corrupt.jpg") && text.contains("c_empty.png"), text);
        assertEquals(4, s.written());
        assertEquals(6, s.processed());
        try (ActivationCache c = ActivationCache.open(out)) {
            List<String> paths = new ArrayList<>();
            for (int i = 0; i < c.nImages(); i++) {
                paths.add(c.image(i).path());
            }
            assertEquals(List.of("b_corrupt.jpg", "c_empty.png", "d_rgba.png", "img_00.png", "img_01.png", "img_02.png").stream()
                    .filter(p -> !failed.contains(p)).toList(), paths);
            assertEquals(3, c.image(1).datasetIndex(), "dataset indices count the skipped files");
            // the RGBA image went through the decoder's RGB conversion: same CLS as the reference path on that file
            float[] want = reference(List.of(dir.resolve("d_rgba.png")), Set.of(2)).get(2);
            float[] got = c.read(0, 2, 0);
            for (int k = 0; k < 32; k++) {
                assertTrue(CaptureTestData.close(want[k], got[k]), "dim " + k + ": " + want[k] + " vs " + got[k]);
            }
        }
    }

    @Test
    void theStrictPolicyStopsAtTheFirstUnreadableFileNamingIt() throws Exception {
        Path dir = problemFolder();
        CaptureOptions o = CaptureOptions.builder(model, "folder:" + dir, null, List.of(2), TokenSelection.parse("cls"), tmp.resolve("stop"))
                .policy(ProblemPolicy.STOP).batch(2).threads(2).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CapturePipeline.run(o, sink(new ByteArrayOutputStream())));
        assertTrue(e.getMessage().contains("b_corrupt.jpg") && e.getMessage().contains("STOP"), e.getMessage());
    }

    @Test
    void aResumeWithOtherSettingsIsAnErrorNamingTheField() throws Exception {
        Path out = tmp.resolve("c");
        CaptureOptions o = CaptureOptions.builder(model, "folder:" + images, null, List.of(1), TokenSelection.parse("cls"), out)
                .batch(2).threads(1).limit(4).build();
        CapturePipeline.run(o, sink(new ByteArrayOutputStream()));
        // make it look interrupted: a complete cache is not resumed
        Path m = out.resolve("manifest.json");
        Files.writeString(m, Files.readString(m).replace("\"complete\" : true", "\"complete\" : false"));
        IllegalStateException layers = assertThrows(IllegalStateException.class,
                () -> CapturePipeline.run(CaptureOptions.builder(o.modelDir(), o.dataset(), null, List.of(2), o.tokens(), out)
                        .model(o.model(), null).dtype(o.dtype()).batch(2).device(o.device()).limit(4).policy(o.policy()).threads(1)
                        .maxShardBytes(o.maxShardBytes()).build(), sink(new ByteArrayOutputStream())));
        assertTrue(layers.getMessage().contains("'layers'"), layers.getMessage());
        IllegalStateException batch = assertThrows(IllegalStateException.class,
                () -> CapturePipeline.run(o.toBuilder().batch(3).build(), sink(new ByteArrayOutputStream())));
        assertTrue(batch.getMessage().contains("'batch'"), batch.getMessage());
        IllegalStateException dataset = assertThrows(IllegalStateException.class,
                () -> CapturePipeline.run(o.toBuilder().limit(5).build(), sink(new ByteArrayOutputStream())));
        assertTrue(dataset.getMessage().contains("'limit'") || dataset.getMessage().contains("'dataset'"), dataset.getMessage());
    }

    @Test
    void tokenAndPartOptionsParse() {
        assertEquals(new TokenSelection(true, true, true), TokenSelection.parse("cls,registers,patches"));
        assertEquals("cls,patches", TokenSelection.parse(" patches , cls").id());
        assertThrows(IllegalArgumentException.class, () -> TokenSelection.parse("cls,tokens"));
        assertThrows(IllegalArgumentException.class, () -> TokenSelection.parse(""));
        assertEquals(new PartSpec(2, 5), PartSpec.parse("2/5", "--part"));
        assertThrows(IllegalArgumentException.class, () -> PartSpec.parse("5/5", "--part"));
        assertThrows(IllegalArgumentException.class, () -> PartSpec.parse("x", "--part"));
        assertEquals(new PartSpec(1, 3), PartSpec.fromEnvironment(Map.of(PartSpec.SLURM_ID, "1", PartSpec.SLURM_COUNT, "3")));
        assertEquals(null, PartSpec.fromEnvironment(Map.of()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PartSpec.fromEnvironment(Map.of(PartSpec.SLURM_ID, "3", PartSpec.SLURM_COUNT, "3")));
        assertTrue(e.getMessage().contains(PartSpec.SLURM_ID), e.getMessage());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6}, CapturePipeline.selectTokens(TokenSelection.parse("cls,registers,patches"),
                new TokenLayout(true, 4, 1, 2), Path.of("m")));
        assertArrayEquals(new int[] {0, 5, 6}, CapturePipeline.selectTokens(TokenSelection.parse("cls,patches"),
                new TokenLayout(true, 4, 1, 2), Path.of("m")));
        assertThrows(IllegalArgumentException.class, () -> CapturePipeline.selectTokens(TokenSelection.parse("registers"),
                new TokenLayout(true, 0, 1, 2), Path.of("m")));
    }
}
