package saelab.heads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.io.Safetensors;
import saelab.store.ActivationCache;
import saelab.store.RecordedLayer;

/** Bad head files and caches that cannot feed a head get one sentence naming the file and what was expected. */
class HeadInputsTest {

    @TempDir
    static Path tmp;
    static Path cache;
    static Path headFile;
    static LinearHead head;

    @BeforeAll
    static void setUp() throws Exception {
        cache = PlantedCaches.write(tmp.resolve("cache"), 40, 1, false, "model-a");
        try (ActivationCache c = ActivationCache.open(cache)) {
            head = HeadTrainer.train(c, HeadKind.CLASSIFY, new HeadTraining(1, 0.01, 8, 0, 0.25), Device.cpu(),
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        }
        headFile = tmp.resolve("head.safetensors");
        head.save(headFile);
    }

    private static Path rewrite(String name, Map<String, Safetensors.Tensor> tensors) throws Exception {
        Path f = tmp.resolve(name);
        Safetensors.write(f, tensors, Safetensors.read(headFile).metadata());
        return f;
    }

    @Test
    void missingTensorIsNamed() throws Exception {
        Path f = rewrite("no-bias.safetensors", Map.of(LinearHead.WEIGHT, new Safetensors.Tensor(new long[] {4, 16}, head.weight())));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LinearHead.load(f));
        assertEquals(f + ": tensor 'bias' is missing; the file has [weight]", e.getMessage());
    }

    @Test
    void wrongShapeIsNamed() throws Exception {
        Map<String, Safetensors.Tensor> t = new LinkedHashMap<>();
        t.put(LinearHead.WEIGHT, new Safetensors.Tensor(new long[] {16, 4}, head.weight()));
        t.put(LinearHead.BIAS, new Safetensors.Tensor(new long[] {4}, head.bias()));
        Path f = rewrite("transposed.safetensors", t);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LinearHead.load(f));
        assertEquals(f + ": tensor 'weight' has shape [16, 4], expected [4, 16]", e.getMessage());
    }

    @Test
    void aFileWithoutProvenanceIsNotAHead() throws Exception {
        Path f = tmp.resolve("plain.safetensors");
        Safetensors.write(f, Map.of("weight", new Safetensors.Tensor(new long[] {1}, new float[] {1})), Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LinearHead.load(f));
        assertTrue(e.getMessage().startsWith(f + " is not a saelab head"), e.getMessage());
    }

    @Test
    void aHeadTrainedOnAnotherModelIsRefused() throws Exception {
        Path other = PlantedCaches.write(tmp.resolve("other-model"), 8, 2, false, "model-b");
        try (ActivationCache c = ActivationCache.open(other)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> HeadEvaluation.evaluateToFolder(headFile, c, tmp.resolve("eval"), Device.cpu()));
            assertEquals("the head " + headFile + " was trained on model 'model-a', but the cache " + other
                    + " comes from model 'model-b'; train a head on this model's features", e.getMessage());
        }
    }

    @Test
    void aCacheWithoutTheLayerOrLabelsIsOneSentence() throws Exception {
        Path blocks = PlantedCaches.write(tmp.resolve("blocks-only"), 4, 3, false, "model-a", List.of(5), true);
        Path unlabelled = PlantedCaches.write(tmp.resolve("unlabelled"), 4, 3, false, "model-a",
                List.of(RecordedLayer.FINAL, RecordedLayer.POOLED), false);
        try (ActivationCache b = ActivationCache.open(blocks); ActivationCache u = ActivationCache.open(unlabelled)) {
            assertEquals("the cache " + blocks + " does not record the final layer (it has [5]); capture it with --layers final for a"
                    + " segmentation head", assertThrows(IllegalArgumentException.class, () -> CachedFeatures.of(b, HeadKind.SEGMENT)).getMessage());
            assertEquals("the cache " + blocks + " does not record the pooled layer (it has [5]); capture it with --layers pooled for a"
                    + " classification probe", assertThrows(IllegalArgumentException.class, () -> CachedFeatures.of(b, HeadKind.CLASSIFY)).getMessage());
            assertEquals("the cache " + unlabelled + " has no patch labels; a segmentation head needs a capture of a dataset with label"
                    + " maps (e.g. ADE20K)", assertThrows(IllegalArgumentException.class, () -> CachedFeatures.of(u, HeadKind.SEGMENT)).getMessage());
            assertEquals("the cache " + unlabelled + " has no image labels (every image's label is -1); a classification probe needs a"
                    + " capture of a labelled dataset", assertThrows(IllegalArgumentException.class, () -> CachedFeatures.of(u, HeadKind.CLASSIFY)).getMessage());
        }
    }

    @Test
    void evaluationOnTheTrainingCacheScoresTheHeldOutImagesAndWritesBothFiles() throws Exception {
        Path out = tmp.resolve("eval-same");
        try (ActivationCache c = ActivationCache.open(cache)) {
            var json = HeadEvaluation.evaluateToFolder(headFile, c, out, Device.cpu());
            assertEquals(10, json.get("n_images").asInt());
            assertEquals(head.provenance().metrics().get("val").toString(), json.get("metrics").toString());
        }
        String csv = java.nio.file.Files.readString(out.resolve("per-class.csv"));
        assertTrue(csv.startsWith("class,name,top1,top5,images\n0,class-0,"), csv);
        assertTrue(java.nio.file.Files.readString(out.resolve("metrics.json")).contains("\"top1\""));
    }
}
