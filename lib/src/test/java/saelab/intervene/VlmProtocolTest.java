package saelab.intervene;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.analysis.AnalysisIndex;
import saelab.analysis.AnalysisResult;
import saelab.analysis.TopKLists;
import saelab.data.ToyWorld;
import saelab.data.ToyWorldColour;
import saelab.data.ToyWorldScene;
import saelab.image.Preprocessor;
import saelab.image.RgbImage;
import saelab.intervene.stats.DoseGrid;
import saelab.io.Json;
import saelab.lm.AnswerTally;
import saelab.lm.ChatTemplate;
import saelab.lm.GenerationOptions;
import saelab.lm.GenerationResult;
import saelab.lm.SamplingOptions;
import saelab.lm.TextTokenizer;
import saelab.lm.llava.LlavaModel;
import saelab.lm.llava.LlavaPrompt;
import saelab.sae.Sae;
import saelab.sae.SaeConfig;
import saelab.sae.SaeKind;
import saelab.toy.ToyBackboneKind;
import saelab.toy.ToyBackboneSpec;
import saelab.toy.ToyBackboneTrainer;
import saelab.toy.ToyQuestion;
import saelab.toy.ToyQuestionType;
import saelab.toy.ToyQuestions;
import saelab.toy.ToyVlmSpec;
import saelab.toy.ToyVlmTrainer;

/**
 * The VLM protocol's machinery on a quick toy VLM (a quick toy CLIP, a quick toy VLM over its block -2, the colour
 * questions of held-out scenes): with a random SAE spliced in and no edit the answers are the clean ones token for token
 * (the run would stop otherwise); a planted SAE whose colour latents fire on every token with a huge decoder row must
 * change every answer that differs from the answer to that row alone, while its frequency-matched random latents (which
 * never fire) change none; the folder holds the expected files and columns; the same seed gives the same files.
 */
class VlmProtocolTest {

    private static final ToyWorld WORLD = ToyWorld.withSeed(0);
    /** Six colour latents, then three frequency-matched partners of each colour latent. */
    private static final int D_SAE = 24;
    private static final int COLOURS = ToyWorldColour.values().length;

    @TempDir
    static Path shared;
    private static LlavaModel model;
    private static TextTokenizer tokenizer;
    private static List<float[]> images;
    private static List<VlmProtocol.Question> questions;
    private static List<String> classes;
    private static ConceptChoice concepts;
    private static AnalysisResult analysis;
    private static NDManager nd;

    @BeforeAll
    static void trainToyVlm() throws IOException {
        Path clip = shared.resolve("clip");
        ToyBackboneTrainer.train(ToyBackboneSpec.quick(ToyBackboneKind.CLIP), WORLD, clip, null);
        Path vlm = shared.resolve("vlm");
        ToyVlmSpec spec = ToyVlmSpec.quick();
        ToyVlmTrainer.train(spec, WORLD, clip, vlm, null);
        model = LlavaModel.load(vlm);
        tokenizer = TextTokenizer.load(vlm);
        nd = NDManager.newBaseManager();
        Preprocessor pre = Preprocessor.load(vlm);
        classes = Arrays.stream(ToyWorldColour.values()).map(ToyWorldColour::word).toList();
        images = new ArrayList<>();
        questions = new ArrayList<>();
        for (ToyQuestion q : ToyQuestions.range(WORLD, spec.trainImages(), 24, spec.seed())) {
            if (q.type() != ToyQuestionType.COLOUR) {
                continue;
            }
            ToyWorldScene scene = WORLD.scene(q.scene());
            questions.add(new VlmProtocol.Question(images.size(), q.question(), classes.indexOf(q.answer()), EditTokens.allPatches()));
            images.add(pre.apply(new RgbImage(scene.size(), scene.size(), scene.rgb())));
        }
        Path folder = shared.resolve("concepts");
        Files.createDirectories(folder);
        StringBuilder csv = new StringBuilder("class,name,best_f1_latent,best_f1,family\n");
        for (int c = 0; c < COLOURS; c++) { // latent c is colour c's
            csv.append(c + 1).append(',').append(classes.get(c)).append(',').append(c).append(",0.9,colour\n");
        }
        Files.writeString(folder.resolve("concepts.csv"), csv);
        concepts = ConceptChoice.read(folder, "colour", null, D_SAE).alignedTo(classes, "the colour words");
        analysis = analysis();
    }

    @AfterAll
    static void free() {
        tokenizer.close();
        model.close();
        nd.close();
    }

    /**
     * Colour latent c fires on a share 0.5 / 2^c of the 64 patch tokens (0.3 decades apart, so no two colour latents
     * match at tolerance 0.1); latents 6 + 3c .. 8 + 3c at the same share are c's only frequency-matched partners.
     * Every maximum is 1.
     */
    private static AnalysisResult analysis() {
        List<Integer> latents = java.util.stream.IntStream.range(0, D_SAE).boxed().toList();
        AnalysisIndex ix = new AnalysisIndex(AnalysisIndex.FORMAT, "sae.safetensors", "relu", D_SAE, "cache", "saelab-cache/1", "model", 0, 1,
                latents, 4, 16, 4, 4, true, 64, 4, List.of(1e-3, 1.0), 1, 0, List.of());
        long[] fires = new long[D_SAE];
        for (int l = 0; l < D_SAE; l++) {
            fires[l] = 32 >> (l < COLOURS ? l : (l - COLOURS) / 3);
        }
        float[] max = new float[D_SAE];
        Arrays.fill(max, 1f);
        float[] values = new float[D_SAE];
        int[] idx = new int[D_SAE];
        return new AnalysisResult(ix, fires, new double[D_SAE], max, new long[D_SAE], new double[D_SAE], new float[D_SAE], new long[D_SAE],
                new TopKLists.Sorted(values, idx, idx), new TopKLists.Sorted(values, idx, idx), new TopKLists.Sorted(values, idx, idx));
    }

    private static int width() {
        return Math.toIntExact(model.projector().visionWidth());
    }

    /**
     * Colour latents 0..5 fire with code 1 on every token (zero encoder row, bias 1) and share the decoder row u; the other
     * latents never fire (bias −1). Ablating a colour latent with the error kept moves every token by −u.
     */
    private static Sae planted(float[] u, NDManager scope) {
        int d = width();
        float[] enc = new float[D_SAE * d];
        float[] bEnc = new float[D_SAE];
        float[] dec = new float[D_SAE * d];
        SplittableRandom rng = new SplittableRandom(3);
        for (int l = 0; l < D_SAE; l++) {
            bEnc[l] = l < COLOURS ? 1f : -1f;
            for (int j = 0; j < d; j++) {
                dec[l * d + j] = l < COLOURS ? u[j] : (float) rng.nextGaussian();
            }
        }
        return Sae.of(SaeConfig.builder(SaeKind.RELU, d, D_SAE).build(), scope, enc, bEnc, dec, new float[d]);
    }

    private static VlmProtocol.Options options(int latents, int directions, long seed) {
        return options(latents, directions, seed, null);
    }

    private static VlmProtocol.Options options(int latents, int directions, long seed, DoseGrid doses) {
        return new VlmProtocol.Options(classes, latents, directions, 4, ChatTemplate.LLAVA_1_5, seed, 200, 0.1, 1, doses);
    }

    private static VlmProtocol.Inputs inputs(Sae sae, List<VlmProtocol.Question> qs) {
        return new VlmProtocol.Inputs(model, tokenizer, sae, concepts, analysis, images, qs);
    }

    @Test
    void noEditKeepsTheCleanAnswersAndTheFolderHasItsColumns() throws IOException {
        assertTrue(questions.size() >= 5, "held-out colour questions: " + questions.size());
        try (NDManager scope = nd.newSubManager(); Sae sae = RandomSaes.of(RandomSaes.Case.RELU, width(), D_SAE, scope)) {
            Path out = shared.resolve("run-a");
            Map<String, Object> summary = VlmProtocol.run(inputs(sae, questions), options(2, 2, 7), out, "test", Map.of(), null);
            @SuppressWarnings("unchecked")
            Map<String, Object> faith = (Map<String, Object>) summary.get("faithfulness");
            assertEquals(questions.size(), faith.get("no_edit_identical_tokens"));
            for (String f : List.of("per-class.csv", "answers.csv", "summary.json", "index.json")) {
                assertTrue(Files.isRegularFile(out.resolve(f)), f);
            }
            List<String> perClass = Files.readAllLines(out.resolve("per-class.csv"));
            assertEquals("operation,class,name,latent,target_class,target_name,target_latent,condition,draws,questions,images,change_rate,"
                    + "change_lower,change_upper,to_target_rate,to_target_lower,to_target_upper", perClass.getFirst());
            assertTrue(perClass.stream().anyMatch(l -> l.startsWith("swap,") && l.contains(",random_direction,2,")), perClass.toString());
            JsonNode s = Json.mapper().readTree(out.resolve("summary.json").toFile());
            for (String op : List.of("suppress", "swap")) {
                for (String c : List.of("real", "random_latent", "random_direction")) {
                    double rate = s.at("/operations/" + op + "/" + c + "/change_rate_micro/estimate").asDouble(-1);
                    assertTrue(rate >= 0 && rate <= 1, op + " " + c + ": " + rate);
                }
            }
            assertTrue(s.at("/operations/swap/real/to_target_rate_macro").isObject());
            assertEquals(6, s.get("tests").size(), "2 controls x (suppress change, swap change, swap to target)");
            JsonNode index = Json.mapper().readTree(out.resolve("index.json").toFile());
            assertEquals(List.of("per-class.csv", "answers.csv", "summary.json", "index.json"),
                    Json.mapper().convertValue(index.get("files"), List.class));
            assertEquals(1, index.at("/parameters/swap_targets/0").asInt(), "red's swap adds green, the next colour");

            Path again = shared.resolve("run-b");
            VlmProtocol.run(inputs(sae, questions), options(2, 2, 7), again, "test", Map.of(), null);
            for (String f : List.of("per-class.csv", "answers.csv", "summary.json")) {
                assertEquals(Files.readString(out.resolve(f)), Files.readString(again.resolve(f)), "same seed, same " + f);
            }
        }
    }

    /**
     * A dose grid adds the swap at each dose with the swap's controls: dose 1 repeats the swap answer for answer (the same
     * edit, random latents and random directions), the protocol's own answers do not depend on the grid, and the folder
     * gains the curve's CSV, summary entry, answer columns and figure.
     */
    @Test
    void aDoseGridRepeatsTheSwapAtDoseOneAndWritesTheCurve() throws IOException {
        List<VlmProtocol.Question> few = questions.subList(0, 4);
        try (NDManager scope = nd.newSubManager(); Sae sae = RandomSaes.of(RandomSaes.Case.RELU, width(), D_SAE, scope)) {
            VlmProtocol.Result plain = VlmProtocol.measure(inputs(sae, few), options(1, 1, 3), null);
            VlmProtocol.Result dosed = VlmProtocol.measure(inputs(sae, few), options(1, 1, 3, DoseGrid.of(0, 1, 50)), null);
            for (int q = 0; q < few.size(); q++) {
                VlmProtocol.Outcome p = plain.outcomes().get(q);
                VlmProtocol.Outcome o = dosed.outcomes().get(q);
                assertEquals(0, p.doses().length, "no grid, no dose answers");
                assertEquals(3, o.doses().length);
                assertEquals(p.clean(), o.clean());
                assertTrue(Arrays.deepEquals(p.answers(), o.answers()), "the protocol's answers do not depend on the grid: " + p + " / " + o);
                assertArrayEquals(o.answers()[VlmProtocol.Operation.SWAP.ordinal()], o.doses()[1], "dose 1 is the swap: " + o);
            }
            Path out = shared.resolve("run-dosed");
            VlmProtocolReport.write(out, dosed, "test", Map.of(), (s, d) -> saelab.plot.VlmProtocolPlot.writeAll("test", s, d));
            List<String> csv = Files.readAllLines(out.resolve("dose-response.csv"));
            assertEquals("dose,condition,draws,questions,change_rate,change_lower,change_upper,to_target_rate,to_target_lower,to_target_upper",
                    csv.getFirst());
            assertEquals(1 + 3 * 3, csv.size(), "three doses x (real, random latent, random direction): " + csv);
            assertTrue(csv.get(1).startsWith("0,real,1,4,") && csv.get(9).startsWith("50,random_direction,1,4,"), csv.toString());
            JsonNode s = Json.mapper().readTree(out.resolve("summary.json").toFile());
            assertEquals(9, s.at("/dose_response/rows").size());
            assertEquals(s.at("/operations/swap/real/to_target_rate_micro/estimate").asDouble(),
                    s.at("/dose_response/rows/3/to_target_rate_micro/estimate").asDouble(), "dose 1, real: the swap's rate");
            String header = Files.readAllLines(out.resolve("answers.csv")).getFirst();
            assertTrue(header.endsWith(",swap_x0_real,swap_x0_random_latent_0,swap_x0_random_direction_0,swap_x1_real,swap_x1_random_latent_0,"
                    + "swap_x1_random_direction_0,swap_x50_real,swap_x50_random_latent_0,swap_x50_random_direction_0"), header);
            JsonNode index = Json.mapper().readTree(out.resolve("index.json").toFile());
            List<?> files = Json.mapper().convertValue(index.get("files"), List.class);
            assertTrue(files.containsAll(List.of("dose-response.csv", "vlm-protocol.png", "vlm-dose-response.png", "vlm-dose-response.csv")),
                    files.toString());
            assertEquals("0,1,50", index.at("/parameters/doses").asText());
        }
    }

    @Test
    void aPlantedEditChangesEveryAnswerItMustAndItsSilentControlsNone() {
        int d = width();
        float[] u = new float[d];
        SplittableRandom rng = new SplittableRandom(5);
        for (int j = 0; j < d; j++) {
            u[j] = (float) (1000 * rng.nextGaussian());
        }
        // The answer to features that are −u on every token: ablating a colour latent gives x − u ≈ −u, whatever the image.
        Map<String, String> floor = new java.util.HashMap<>();
        List<VlmProtocol.Question> must = new ArrayList<>();
        try (NDManager scope = nd.newSubManager(); Sae sae = planted(u, scope)) {
            VlmProtocol.Result clean = VlmProtocol.measure(inputs(sae, questions), options(1, 1, 1), null);
            for (VlmProtocol.Outcome o : clean.outcomes()) {
                if (!o.clean().equals(floor.computeIfAbsent(o.question().text(), t -> answerTo(u, t)))) {
                    must.add(o.question());
                }
            }
            assertFalse(must.isEmpty(), "every clean answer is the answer to -u: " + floor);
            VlmProtocol.Result r = VlmProtocol.measure(inputs(sae, must), options(2, 1, 1), null);
            for (VlmProtocol.Outcome o : r.outcomes()) {
                assertTrue(o.changed(VlmProtocol.Operation.SUPPRESS, 0), "suppress: " + o);
                assertTrue(o.changed(VlmProtocol.Operation.SWAP, 0), "swap: " + o);
                for (int k = 1; k <= 2; k++) { // random latents 6..23 never fire, so ablating them changes nothing
                    assertFalse(o.changed(VlmProtocol.Operation.SUPPRESS, k), "random latent " + k + ": " + o);
                }
            }
            var real = VlmProtocolReport.counts(r, VlmProtocol.Operation.SUPPRESS, VlmProtocolReport.Condition.REAL,
                    VlmProtocolReport.Measure.CHANGED, -1);
            assertEquals(1.0, real.microRate());
            assertEquals(1.0, real.macroRate());
            assertEquals(0.0, VlmProtocolReport.counts(r, VlmProtocol.Operation.SUPPRESS, VlmProtocolReport.Condition.RANDOM_LATENT,
                    VlmProtocolReport.Measure.CHANGED, -1).microRate());
            assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, r.latents());
        }
    }

    /**
     * Red and green share latent 0 (as several shapes can share a generic "object" latent): red's swap must add blue's latent,
     * the next class with another latent, since adding the latent just ablated is no swap (and one latent cannot be edited
     * twice in one edit).
     */
    @Test
    void aSwapSkipsTheNextClassWhenItSharesTheLatent() throws IOException {
        Path folder = shared.resolve("shared-latent");
        Files.createDirectories(folder);
        StringBuilder csv = new StringBuilder("class,name,best_f1_latent,best_f1,family\n");
        for (int c = 0; c < COLOURS; c++) {
            csv.append(c + 1).append(',').append(classes.get(c)).append(',').append(c == 1 ? 0 : c).append(",0.9,colour\n");
        }
        Files.writeString(folder.resolve("concepts.csv"), csv);
        ConceptChoice sharing = ConceptChoice.read(folder, "colour", null, D_SAE).alignedTo(classes, "the colour words");
        VlmProtocol.Question red = new VlmProtocol.Question(0, questions.getFirst().text(), 0, EditTokens.allPatches());
        try (NDManager scope = nd.newSubManager(); Sae sae = RandomSaes.of(RandomSaes.Case.RELU, width(), D_SAE, scope)) {
            VlmProtocol.Result r = VlmProtocol.measure(new VlmProtocol.Inputs(model, tokenizer, sae, sharing, analysis, images, List.of(red)),
                    options(1, 1, 1), null);
            assertEquals(2, r.swapTarget()[0], "red's swap skips green (same latent) for blue");
            assertEquals(1, r.outcomes().size());
        }
    }

    @Test
    void aClassWithoutALatentIsOneSentence() {
        try (NDManager scope = nd.newSubManager(); Sae sae = RandomSaes.of(RandomSaes.Case.RELU, width(), D_SAE, scope)) {
            VlmProtocol.Question q = new VlmProtocol.Question(0, questions.getFirst().text(), 9, EditTokens.allPatches());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> VlmProtocol.measure(inputs(sae, List.of(q)), options(1, 1, 1), null));
            assertTrue(e.getMessage().contains("class 9") && e.getMessage().contains("0..5"), e.getMessage());
        }
    }

    /** The greedy answer of the model to {@code question} when every image token's feature is −u. */
    private static String answerTo(float[] u, String question) {
        int size = model.config().visionConfig().integer("image_size", 224);
        try (NDManager scope = nd.newSubManager()) {
            NDArray clean = model.selectedFeatures(scope.create(images.getFirst(), new Shape(1, 3, size, size)));
            long n = clean.getShape().get(1);
            NDArray minusU = scope.create(u, new Shape(1, 1, u.length)).neg().repeat(1, n);
            LlavaPrompt p = LlavaPrompt.build(model.config(), tokenizer, ChatTemplate.LLAVA_1_5, question, (int) n, 4);
            int[] stops = model.config().stopTokenIds().stream().mapToInt(Integer::intValue).toArray();
            GenerationOptions g = new GenerationOptions(4, SamplingOptions.greedy(), stops, model.config().padTokenId(), false);
            try (GenerationResult r = model.generateFromFeatures(minusU, scope.create(p.ids(), new Shape(1, p.ids().length)), null, g)) {
                long[] row = r.newIds()[0];
                int end = 0;
                while (end < row.length && !g.stops(row[end])) {
                    end++;
                }
                return AnswerTally.normalise(tokenizer.decode(Arrays.copyOf(row, end), true));
            }
        }
    }
}
