package saelab.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.io.Safetensors;
import saelab.model.Checkpoint;
import saelab.model.ConfigFile;
import saelab.model.Golden;

/**
 * Bad inputs to the decoder get one sentence naming the file and the field or tensor: a missing tensor, a
 * missing untied head, an unknown {@code model_type}, an unsupported RoPE scaling, an input longer than
 * {@code max_position_embeddings}, embeddings of the wrong width, a mask that is not 0/1, ids outside the
 * vocabulary, and a prompt whose image tokens do not match the feature rows. Also the position ids of a
 * left-padded row.
 */
class LmInputErrorsTest {

    @TempDir
    Path tmp;

    /** The fixture's config.json with text_config.{field} set to {@code value}, in {@code tmp}. */
    private Path configWith(String fixture, String field, Object value) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(Golden.dir(fixture).resolve("config.json").toFile());
        ((ObjectNode) root.get("text_config")).putPOJO(field, value);
        Path file = tmp.resolve("config.json");
        json.writeValue(file.toFile(), root);
        return file;
    }

    private static LmConfig textConfig(Path configJson) throws IOException {
        return LmConfig.of(ConfigFile.read(configJson).section("text_config"), "llama");
    }

    /** The fixture's weights without {@code drop}, in {@code tmp}. */
    private Path weightsWithout(String fixture, String drop) throws IOException {
        Map<String, Safetensors.Tensor> t = new LinkedHashMap<>(Safetensors.read(Golden.dir(fixture).resolve("model.safetensors")).tensors());
        assertTrue(t.remove(drop) != null, drop);
        Path file = tmp.resolve("model.safetensors");
        Safetensors.write(file, t, Map.of("format", "pt"));
        return file;
    }

    @Test
    void aMissingTensorNamesTheFileAndTheTensor() throws IOException {
        LmConfig cfg = LmConfig.of(ConfigFile.read(Golden.dir("llava_qwen2").resolve("config.json")).section("text_config"), "llama");
        Path file = weightsWithout("llava_qwen2", "language_model.model.layers.1.self_attn.k_proj.bias");
        try (Checkpoint ckpt = Checkpoint.single(file)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> DecoderLm.fromCheckpoint(cfg, ckpt, "language_model.model.", "language_model.lm_head.weight"));
            assertTrue(e.getMessage().startsWith(file + ": tensor 'language_model.model.layers.1.self_attn.k_proj.bias' is missing"),
                    e.getMessage());
        }
    }

    @Test
    void anUntiedModelWithoutItsHeadSaysSo() throws IOException {
        Path config = Golden.dir("llava_llama").resolve("config.json");
        LmConfig cfg = textConfig(config);
        Path file = weightsWithout("llava_llama", "language_model.lm_head.weight");
        try (Checkpoint ckpt = Checkpoint.single(file)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> DecoderLm.fromCheckpoint(cfg, ckpt, "language_model.model.", "language_model.lm_head.weight"));
            assertEquals(file + ": tensor 'language_model.lm_head.weight' is missing, and " + config + " (text_config) has"
                    + " tie_word_embeddings false; expected the output head [320, 64]", e.getMessage());
        }
    }

    @Test
    void anUnknownModelTypeIsOneSentence() throws IOException {
        Path config = configWith("llava_llama", "model_type", "mistral");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> textConfig(config));
        assertEquals(config + ": field 'text_config.model_type' is 'mistral'; expected \"llama\" or \"qwen2\" (the decoder language"
                + " models saelab runs)", e.getMessage());
        Path plain = tmp.resolve("plain.json");
        Files.writeString(plain, "{\"hidden_size\": 64}");
        assertEquals(plain + ": field 'model_type' is missing; expected \"llama\" or \"qwen2\"",
                assertThrows(IllegalArgumentException.class, () -> LmConfig.read(plain)).getMessage());
    }

    @Test
    void scaledRopeIsRefused() throws IOException {
        Path config = configWith("llava_llama", "rope_scaling", Map.of("rope_type", "llama3", "factor", 8.0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> textConfig(config));
        assertTrue(e.getMessage().startsWith(config + ": field 'text_config.rope_scaling' is {"), e.getMessage());
        assertTrue(e.getMessage().endsWith("; expected null or rope_type \"default\" (saelab has no scaled RoPE variants)"), e.getMessage());
    }

    @Test
    void absentFieldsTakeTheDefaultsOfTheModelType() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("d"));
        Path llama = dir.resolve("llama.json");
        Files.writeString(llama, "{\"model_type\": \"llama\", \"num_attention_heads\": 8}");
        LmConfig l = LmConfig.read(llama);
        assertEquals(32000, l.vocabSize());
        assertEquals(8, l.kvHeads()); // num_attention_heads
        assertEquals(512, l.headDim());
        assertEquals(2048, l.maxPositions());
        assertEquals(1e-6f, l.rmsNormEps());
        assertTrue(!l.qkvBias() && !l.tieWordEmbeddings());
        Path qwen = dir.resolve("qwen.json");
        Files.writeString(qwen, "{\"model_type\": \"qwen2\", \"num_attention_heads\": 64}");
        LmConfig q = LmConfig.read(qwen);
        assertEquals(151936, q.vocabSize());
        assertEquals(32, q.kvHeads()); // Qwen2Config's own default, not num_attention_heads
        assertEquals(32768, q.maxPositions());
        assertTrue(q.qkvBias() && !q.outputBias() && !q.mlpBias());
    }

    @Test
    void anInputLongerThanTheContextIsOneSentence() throws IOException {
        try (LlavaTextFixture f = new LlavaTextFixture("llava_qwen2"); NDManager m = f.nd.newSubManager()) {
            NDArray long129 = m.zeros(new Shape(1, 129, 64));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.lm.forward(long129, null));
            assertEquals("the input has 129 positions (0 cached + 129 new), more than max_position_embeddings 128 of "
                    + f.dir.resolve("config.json") + " (text_config)", e.getMessage());
            NDArray narrow = m.zeros(new Shape(1, 4, 32));
            assertEquals("inputs_embeds has shape (1, 4, 32); expected [batch, tokens, 64] for " + f.dir.resolve("config.json")
                    + " (text_config)", assertThrows(IllegalArgumentException.class, () -> f.lm.forward(narrow, null)).getMessage());
            NDArray ok = m.zeros(new Shape(1, 3, 64));
            NDArray mask = m.create(new long[] {0, 2, 1}, new Shape(1, 3));
            assertEquals("attention_mask[0][1] is 2; expected 0 (pad) or 1 (token)",
                    assertThrows(IllegalArgumentException.class, () -> f.lm.forward(ok, mask)).getMessage());
            NDArray ids = m.create(new long[] {5, 352}, new Shape(1, 2));
            assertEquals("input_ids[0][1] = 352 is outside the vocabulary [0, 352) of " + f.dir.resolve("config.json") + " (text_config)",
                    assertThrows(IllegalArgumentException.class, () -> f.lm.embed(ids)).getMessage());
        }
    }

    @Test
    void imageTokensMustMatchTheFeatureRows() throws IOException {
        try (LlavaTextFixture f = new LlavaTextFixture("llava_llama"); NDManager m = f.nd.newSubManager()) {
            NDArray features = f.out("image_features"); // [2, 16, 64]: 32 rows
            long[][] ids = f.rows("input_ids");
            ids[1][10] = 5; // one image token fewer
            NDArray embeds = m.zeros(new Shape(2, 44, 64));
            assertEquals("the prompt holds 31 image tokens (id 300) but there are 32 image feature rows; expected one image token per"
                    + " feature row", assertThrows(IllegalArgumentException.class,
                    () -> ImageTokenMerge.merge(embeds, ids, f.imageTokenId, features)).getMessage());
        }
    }

    @Test
    void theMergeFillsImageTokensInRowMajorOrder() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray embeds = m.arange(0f, 12f).reshape(2, 3, 2); // token rows 0..5
            NDArray features = m.arange(100f, 106f).reshape(3, 2); // three feature rows
            long[][] ids = {{9, 7, 7}, {7, 9, 9}};
            NDArray merged = ImageTokenMerge.merge(embeds, ids, 7, features);
            assertArrayEquals(new float[] {0, 1, 100, 101, 102, 103, 104, 105, 8, 9, 10, 11}, merged.toFloatArray());
        }
    }

    @Test
    void leftPadPositionsFollowTheMask() {
        assertArrayEquals(new long[][] {{1, 1, 0, 1, 2}, {0, 1, 2, 3, 4}},
                PaddedBatch.positionIds(new long[][] {{0, 0, 1, 1, 1}, {1, 1, 1, 1, 1}}));
    }
}
