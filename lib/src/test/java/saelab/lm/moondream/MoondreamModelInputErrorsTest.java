package saelab.lm.moondream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.image.ImageDecoder;
import saelab.io.Safetensors;

/**
 * Bad input to moondream2's text side and query, each refused in one sentence naming what is wrong: a
 * missing or misshapen text tensor (the reference loader would silently keep random weights), a question
 * longer than the context after the image, an id outside the vocabulary, a config without a query
 * template, and image features of the wrong shape; and the end-of-sequence stop.
 */
class MoondreamModelInputErrorsTest {

    @TempDir
    Path tmp;

    private static Map<String, Safetensors.Tensor> fixtureWeights() throws IOException {
        return new LinkedHashMap<>(Safetensors.read(MoondreamFixture.dir().resolve("model.safetensors")).tensors());
    }

    /** A copy of the fixture folder with {@code tensors} and the config edited by {@code edit}. */
    private Path folder(Map<String, Safetensors.Tensor> tensors, Consumer<ObjectNode> edit) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode cfg = (ObjectNode) json.readTree(MoondreamFixture.dir().resolve("config.json").toFile());
        edit.accept(cfg);
        json.writeValue(tmp.resolve("config.json").toFile(), cfg);
        Safetensors.write(tmp.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        return tmp;
    }

    private static String loadError(Path dir) {
        return assertThrows(IllegalArgumentException.class, () -> MoondreamModel.load(dir).close()).getMessage();
    }

    @Test
    void aMissingTextTensorNamesTheFileAndTheTensor() throws IOException {
        Map<String, Safetensors.Tensor> w = fixtureWeights();
        w.remove("model.text.blocks.1.mlp.fc2.bias");
        String m = loadError(folder(w, c -> {}));
        assertTrue(m.startsWith(tmp.resolve("model.safetensors") + ": tensor 'model.text.blocks.1.mlp.fc2.bias' is missing"), m);
    }

    @Test
    void aMisshapenQkvNamesBothShapes() throws IOException {
        Map<String, Safetensors.Tensor> w = fixtureWeights();
        w.put("model.text.blocks.0.attn.qkv.weight", new Safetensors.Tensor(new long[] {128, 64}, new float[128 * 64]));
        String m = loadError(folder(w, c -> {}));
        assertTrue(m.contains("tensor 'model.text.blocks.0.attn.qkv.weight' has shape [128, 64], expected [192, 64]"), m);
    }

    @Test
    void aQuestionLongerThanTheContextIsRefusedBeforeAnyWork() throws IOException {
        try (MoondreamModel m = MoondreamModel.load(MoondreamFixture.dir())) {
            // 2048 positions - 730 for bos and the image - 5 template tokens ([1, 15, 2] + [3] + [3])
            assertEquals(1313 + 5, m.promptIds(new long[1313]).length);
            String e = assertThrows(IllegalArgumentException.class,
                    () -> m.query(ImageDecoder.decode(MoondreamFixture.dir().resolve("image.png")), new long[1314], 4)).getMessage();
            assertEquals("the question has 1314 tokens; at most 1313 fit in the context (1318 positions after the image, less 5 template"
                    + " tokens)", e);
        }
    }

    @Test
    void aQuestionThatFillsTheContextGivesOneTokenAndStops() throws IOException {
        try (MoondreamModel m = MoondreamModel.load(MoondreamFixture.dir())) {
            MoondreamAnswer a = m.query(image(), new long[1313], new MoondreamQuery.Settings(Integer.MAX_VALUE,
                    saelab.lm.SamplingOptions.greedy(), true));
            assertEquals(1, a.ids().length);
            assertEquals(MoondreamAnswer.Stop.CONTEXT, a.stop());
            assertEquals(1, a.stepLogits().length);
        }
    }

    @Test
    void aQuestionIdOutsideTheVocabularyIsNamed() throws IOException {
        try (MoondreamModel m = MoondreamModel.load(MoondreamFixture.dir())) {
            String e = assertThrows(IllegalArgumentException.class, () -> m.promptIds(new long[] {17, 128})).getMessage();
            assertEquals("question token id 128 at index 1 is outside the vocabulary [0, 128)", e);
        }
    }

    @Test
    void aConfigWithoutAQueryTemplateCannotAnswer() throws IOException {
        Path dir = folder(fixtureWeights(), c -> ((ObjectNode) c.get("tokenizer").get("templates")).putNull("query"));
        try (MoondreamModel m = MoondreamModel.load(dir)) {
            String e = assertThrows(IllegalArgumentException.class, () -> m.promptIds(new long[] {17})).getMessage();
            assertTrue(e.contains("no query template (tokenizer.templates.query is null)"), e);
        }
    }

    @Test
    void aTemplateOfTheWrongTypeNamesTheField() throws IOException {
        Path dir = folder(fixtureWeights(), c -> ((ObjectNode) c.get("tokenizer").get("templates").get("query")).put("suffix", "3"));
        String m = loadError(dir);
        assertTrue(m.startsWith(dir.resolve("config.json") + ": field 'tokenizer.templates.query.suffix' is \"3\"; expected a list"), m);
    }

    @Test
    void imageFeaturesOfTheWrongShapeAreRefused() throws IOException {
        try (MoondreamModel m = MoondreamModel.load(MoondreamFixture.dir()); NDManager nd = NDManager.newBaseManager()) {
            String e1 = assertThrows(IllegalArgumentException.class, () -> m.encodeEmbeddings(nd.zeros(new Shape(728, 64)))).getMessage();
            assertEquals("image embeddings have shape [728, 64]; expected [729, 64] (one row per image token)", e1);
            var image = ImageDecoder.decode(MoondreamFixture.dir().resolve("image.png"));
            String e2 = assertThrows(IllegalArgumentException.class, () -> m.encodeImage(image, f -> f.pooled())).getMessage();
            assertTrue(e2.contains("expected [..., 24]"), e2);
            String e3 = assertThrows(IllegalArgumentException.class, () -> m.encodeImage(image, f -> null)).getMessage();
            assertTrue(e3.startsWith("the projection-input edit returned nothing"), e3);
        }
    }

    @Test
    void generationStopsAtTheEndOfSequenceToken() throws IOException {
        long[] greedy = MoondreamFixture.longs("outputs.safetensors", "generate.new_ids");
        long eos = greedy[2];
        int first = 0;
        while (greedy[first] != eos) {
            first++;
        }
        Path dir = folder(fixtureWeights(), c -> ((ObjectNode) c.get("tokenizer")).put("eos_id", eos));
        try (MoondreamModel m = MoondreamModel.load(dir)) {
            MoondreamAnswer a = m.query(image(), MoondreamQueryGoldenTest.QUESTION, 8);
            assertArrayEquals(Arrays.copyOf(greedy, first), a.ids());
            assertEquals(MoondreamAnswer.Stop.EOS, a.stop());
            assertEquals(first + 1, a.stepLogits().length);
        }
    }

    private static saelab.image.RgbImage image() throws IOException {
        return ImageDecoder.decode(MoondreamFixture.dir().resolve("image.png"));
    }
}
