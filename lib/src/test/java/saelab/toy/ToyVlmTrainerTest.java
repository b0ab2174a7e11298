package saelab.toy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.data.ToyWorld;
import saelab.image.Preprocessor;
import saelab.lm.DecoderLm;
import saelab.lm.ImageTokenMerge;
import saelab.lm.LmConfig;
import saelab.lm.llava.LlavaModel;
import saelab.model.Checkpoint;
import saelab.model.ConfigFile;
import saelab.model.LoadedModel;
import saelab.model.ModelLoader;
import tech.tablesaw.api.Table;

/**
 * The toy VLM trainer: its own forward is the model the saved LLaVA folder loads as ({@link LlavaModel} end to end, and
 * the text side through {@link DecoderLm} and {@link ImageTokenMerge}) at atol 1e-4 + rtol 1e-4; the vision features are
 * the block the demo's patch SAE reads; a short run lowers the loss and answers colour questions above chance; a second
 * call finds the folder already trained; bad folders get one sentence.
 */
class ToyVlmTrainerTest {

    private static final ToyWorld WORLD = ToyWorld.withSeed(0);
    private static final double ATOL = 1e-4;
    private static final double RTOL = 1e-4;

    @TempDir
    static Path shared;
    private static Path backbone;

    @TempDir
    Path tmp;

    @BeforeAll
    static void trainBackbone() throws IOException {
        backbone = shared.resolve("clip");
        ToyBackboneTrainer.train(ToyBackboneSpec.quick(ToyBackboneKind.CLIP), WORLD, backbone, null);
    }

    private static void assertClose(String label, NDArray want, NDArray got) {
        assertArrayEquals(want.getShape().getShape(), got.getShape().getShape(), label + ": shape");
        float[] w = want.toFloatArray();
        float[] g = got.toFloatArray();
        double worst = 0;
        for (int i = 0; i < w.length; i++) {
            double diff = Math.abs((double) w[i] - g[i]);
            assertTrue(diff <= ATOL + RTOL * Math.abs(w[i]), label + ": element " + i + " differs by " + diff + " (" + w[i] + " vs " + g[i] + ")");
            worst = Math.max(worst, diff);
        }
        assertTrue(w.length > 0 && worst < ATOL, label);
    }

    /** Rows {@code [0, upTo[r])} of {@code [B, T, V]} logits, concatenated: the positions before each row's right padding. */
    private static NDArray unpadded(NDArray logits, int[] upTo) {
        NDArray[] rows = new NDArray[upTo.length];
        for (int r = 0; r < upTo.length; r++) {
            rows[r] = logits.get(new NDIndex("{}, :{}, :", r, upTo[r]));
        }
        return ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(rows), 0);
    }

    @Test
    void trainerForwardEqualsTheSavedLlavaFolder() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("vlm"));
        ToyVlmSpec spec = ToyVlmSpec.quick();
        ToyVlmTokenizerFiles.Ids ids = ToyVlmTokenizerFiles.write(dir, ToyQuestions.words());
        List<ToyQuestion> questions = ToyQuestions.range(WORLD, 0, 6, spec.seed()); // every type, captions of several lengths
        long[] scenes = questions.stream().mapToLong(ToyQuestion::scene).toArray();
        try (NDManager m = NDManager.newBaseManager(); ToyVlmVision vision = ToyVlmVision.open(backbone, WORLD)) {
            ToyVlmArchitecture arch = ToyVlmArchitecture.of(spec, vision.width(), vision.imageTokens(), ids.vocabSize());
            ToyVlmFiles.writeConfig(dir, arch, ids, vision);
            NDArray features = vision.selected(0, 6, 4, m);
            try (ToyVlmModel model = new ToyVlmModel(arch, m, 3);
                 ToyVlmPrompts prompts = new ToyVlmPrompts(dir, ids, arch.imageTokens());
                 ToyAdamW opt = new ToyAdamW(model.parameters().arrays(), model.parameters().decays(), m)) {
                ToyVlmBatch batch = prompts.trainingBatch(questions);
                for (int s = 0; s < 3; s++) { // move every weight away from its initial value
                    ToyVlmTrainer.step(model, opt, features, batch, ids.image(), 3e-2, s);
                }
                ToyVlmFiles.writeWeights(dir, backbone, model);
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    NDArray selected = features.get(new NDIndex("{}", m.create(scenes)));
                    NDArray trainerLogits = unpadded(model.logits(selected, batch, ids.image()), batch.answerTo());
                    NDArray idArray = m.create(java.util.Arrays.stream(batch.ids()).flatMapToLong(java.util.Arrays::stream).toArray(),
                            new Shape(batch.size(), batch.length()));

                    // the text side: the saved decoder through DecoderLm, the trainer's projected features merged by ImageTokenMerge
                    LmConfig cfg = LmConfig.of(ConfigFile.read(dir.resolve("config.json")).section("text_config"), "llama");
                    try (Checkpoint ckpt = Checkpoint.single(dir.resolve("model.safetensors"));
                         DecoderLm lm = DecoderLm.fromCheckpoint(cfg, ckpt, "language_model.model.", "language_model.lm_head.weight")) {
                        NDArray embeds = ImageTokenMerge.merge(lm.embed(idArray), batch.ids(), ids.image(), model.project(selected));
                        assertClose("DecoderLm logits", trainerLogits, unpadded(lm.forward(embeds, null).logits(), batch.answerTo()));
                    }

                    // end to end: LlavaModel.load on the folder, pixels by the folder's own preprocessing
                    try (LlavaModel llava = LlavaModel.load(dir)) {
                        assertEquals(ids.image(), llava.config().imageTokenIndex());
                        assertEquals(arch.imageTokens(), llava.config().imageSeqLength());
                        ToyBatch b = new ToyData(WORLD, Preprocessor.load(dir)).batch(java.util.Arrays.stream(scenes).mapToInt(i -> (int) i)
                                .toArray());
                        NDArray pixels = m.create(b.pixels().values(), new Shape(b.pixels().shape()));
                        assertClose("selected features", selected, llava.selectedFeatures(pixels));
                        assertClose("LlavaModel logits", trainerLogits,
                                unpadded(llava.forward(pixels, idArray, null, DecoderLm.Keep.LOGITS).logits(), batch.answerTo()));

                        // the features are the patch tokens of the block the demo captures at block -2 (block 0 of this 2-block tower;
                        // block 1 of the demo's 3-block one): LLaVA's hidden_states[-2]
                        try (LoadedModel clip = ModelLoader.load(backbone)) {
                            int block = clip.vision().depth() - 2; // block -2, what the demo plan captures
                            assertEquals(clip.vision().depth() - 2, block);
                            assertEquals(block + 1, llava.selectedHiddenState());
                            NDArray captured = clip.vision().forward(pixels, Set.of(block)).blocks().get(block);
                            assertClose("demo block", captured.get(new NDIndex(":, 1:, :")), selected);
                        }
                    }
                }
            }
        }
    }

    @Test
    void shortRunLowersTheLossAnswersColourAboveChanceAndIsNotRepeated() throws IOException {
        Path out = tmp.resolve("vlm");
        ToyVlmReport r = ToyVlmTrainer.train(ToyVlmSpec.quick(), WORLD, backbone, out, null);
        Table curve = Table.read().csv(r.curveCsv().toFile());
        double first = curve.doubleColumn("loss").first(10).mean();
        double last = curve.doubleColumn("loss").last(10).mean();
        assertTrue(last < 0.6 * first, "loss " + first + " -> " + last);
        assertEquals(ToyQuestionType.values().length, r.scores().size());
        ToyVlmScore colour = r.score(ToyQuestionType.COLOUR);
        assertTrue(colour.accuracy() > colour.chance() + 0.05, "colour of the shape: " + colour);
        for (ToyVlmScore s : r.scores()) {
            assertTrue(s.questions() > 0 && s.chance() >= 0 && s.chance() <= 1, s.toString());
        }
        for (String f : List.of("config.json", "generation_config.json", "model.safetensors", "preprocessor_config.json", "tokenizer.json",
                "vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json", "report.json")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        // content-addressed: the same spec, world and backbone again leave the folder as it is
        long written = Files.getLastModifiedTime(out.resolve("model.safetensors")).toMillis();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ToyVlmReport again = ToyVlmTrainer.train(ToyVlmSpec.quick(), WORLD, backbone, out, new PrintStream(log, true, StandardCharsets.UTF_8));
        assertEquals(r, again);
        assertEquals(written, Files.getLastModifiedTime(out.resolve("model.safetensors")).toMillis());
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("already holds this model"), log.toString(StandardCharsets.UTF_8));
    }

    @Test
    void badFoldersGetOneSentence() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        IllegalArgumentException noModel = assertThrows(IllegalArgumentException.class,
                () -> ToyVlmTrainer.train(ToyVlmSpec.quick(), WORLD, empty, tmp.resolve("a"), null));
        assertTrue(noModel.getMessage().contains("expected a toy CLIP folder"), noModel.getMessage());

        Path dino = tmp.resolve("dino");
        Files.createDirectories(dino);
        Files.writeString(dino.resolve("config.json"), "{\"model_type\": \"dinov2\"}");
        Files.write(dino.resolve("model.safetensors"), Files.readAllBytes(backbone.resolve("model.safetensors")));
        IllegalArgumentException notClip = assertThrows(IllegalArgumentException.class,
                () -> ToyVlmTrainer.train(ToyVlmSpec.quick(), WORLD, dino, tmp.resolve("b"), null));
        assertTrue(notClip.getMessage().contains("config.json") && notClip.getMessage().contains("model_type"), notClip.getMessage());

        IllegalArgumentException otherSize = assertThrows(IllegalArgumentException.class,
                () -> ToyVlmTrainer.train(ToyVlmSpec.quick(), new ToyWorld(32, 1, 3, 0), backbone, tmp.resolve("c"), null));
        assertTrue(otherSize.getMessage().contains("image_size"), otherSize.getMessage());

        Path shallow = Files.createDirectories(tmp.resolve("shallow"));
        for (String f : List.of("model.safetensors", "preprocessor_config.json")) {
            Files.copy(backbone.resolve(f), shallow.resolve(f));
        }
        Files.writeString(shallow.resolve("config.json"), Files.readString(backbone.resolve("config.json"))
                .replace("\"num_hidden_layers\" : 2", "\"num_hidden_layers\" : 1"));
        IllegalArgumentException oneBlock = assertThrows(IllegalArgumentException.class,
                () -> ToyVlmTrainer.train(ToyVlmSpec.quick(), WORLD, shallow, tmp.resolve("d"), null));
        assertTrue(oneBlock.getMessage().contains("num_hidden_layers") && oneBlock.getMessage().contains("at least 2"), oneBlock.getMessage());

        Path foreign = Files.createDirectories(tmp.resolve("foreign"));
        Files.writeString(foreign.resolve("notes.txt"), "mine");
        IllegalArgumentException notOurs = assertThrows(IllegalArgumentException.class,
                () -> ToyVlmTrainer.train(ToyVlmSpec.quick(), WORLD, backbone, foreign, null));
        assertTrue(notOurs.getMessage().contains("not empty"), notOurs.getMessage());
        assertTrue(Files.isRegularFile(foreign.resolve("notes.txt")));

        IllegalArgumentException badSpec = assertThrows(IllegalArgumentException.class, () -> new ToyVlmSpec(30, 1, 4, 2, 8, 8, 1, 1, 1e-3, 0, 1));
        assertTrue(badSpec.getMessage().contains("width 30"), badSpec.getMessage());
    }

    @Test
    void theTrainingPoolHoldsEachTextureQuestionTextureRepeatTimesAndEveryOtherOnce() {
        List<ToyQuestion> questions = ToyQuestions.range(WORLD, 0, 40, 0);
        long textures = questions.stream().filter(q -> q.type() == ToyQuestionType.TEXTURE).count();
        assertTrue(textures > 0 && textures < questions.size(), "the scenes ask texture and other questions");
        assertEquals(questions, ToyVlmTrainer.trainingPool(questions, 1));
        List<ToyQuestion> pool = ToyVlmTrainer.trainingPool(questions, 5);
        assertEquals(questions.size() + 4 * textures, pool.size());
        for (ToyQuestion q : questions) {
            assertEquals(q.type() == ToyQuestionType.TEXTURE ? 5 : 1, pool.stream().filter(q::equals).count(), q.toString());
        }
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> new ToyVlmSpec(32, 1, 4, 2, 8, 8, 1, 1, 1e-3, 0, 0));
        assertEquals("toy VLM spec: field 'texture_repeat' must be a positive integer, got 0", zero.getMessage());
    }
}
