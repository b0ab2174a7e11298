package saelab.demo;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import saelab.analysis.RecordedLayer;
import saelab.heads.ClassificationHead;
import saelab.heads.HeadKind;
import saelab.heads.LinearHead;
import saelab.heads.SegmentationHead;
import saelab.heads.TaskHead;
import saelab.heads.ZeroShotHead;
import saelab.image.ImageDecoder;
import saelab.image.Preprocessor;
import saelab.image.RgbImage;
import saelab.intervene.EditOperation;
import saelab.intervene.EditSpec;
import saelab.intervene.EditTokens;
import saelab.intervene.ErrorPolicy;
import saelab.intervene.ImageIntervention;
import saelab.intervene.InterventionResult;
import saelab.intervene.LatentEdit;
import saelab.intervene.LatentMaxima;
import saelab.intervene.ProtocolImages;
import saelab.intervene.SpecificDose;
import saelab.intervene.SpliceForm;
import saelab.intervene.ValueUnit;
import saelab.intervene.VlmAsk;
import saelab.intervene.stats.RandomDirections;
import saelab.io.ConfinedPaths;
import saelab.io.Json;
import saelab.lm.ChatTemplate;
import saelab.lm.SamplingOptions;
import saelab.lm.TextTokenizer;
import saelab.lm.llava.AnswerSampling;
import saelab.lm.llava.LlavaModel;
import saelab.model.LoadOptions;
import saelab.model.LoadedModel;
import saelab.model.ModelLoader;
import saelab.sae.Sae;
import saelab.sae.SaeCheckpoint;
import saelab.store.TokenKind;

/**
 * One held-out example of each control run of a finished demo, for the paper's section-5 figures: the protocol's own
 * edit (the latent it chose for a class, read from the run's {@code edits/class-<id>.json}) applied to one image chosen
 * by a rule fixed here, never by looking at the outcome, beside the norm-matched random-direction control of the same
 * edit. The rules:
 * <ul>
 *   <li>dose: {@link SpecificDose} of the run's dose-response (the dose where the real edit beats both random controls by
 *       most); ablation when the run has no dose-response;</li>
 *   <li>segmentation: the run's first class (lowest id), and the first held-out image (dataset order) with at least
 *       {@link #MIN_PATCHES} patches of that class by ground truth; the edit covers those patches, as in the protocol;</li>
 *   <li>image heads (probe, zero-shot): the first held-out scene (dataset order) whose clean top-1 is its label, the
 *       largest object's colour; the edit covers the patches whose ground-truth label is the largest object's class
 *       (colour and shape), rather than every patch as in the protocol;</li>
 *   <li>VLM: the first question of the run's colour family that the clean model answered right (greedy); the protocol's
 *       swap (the answer class's latent set to 0, the next class's latent to its maximum, on every image token), with
 *       answers sampled at temperature 1 from a fixed seed.</li>
 * </ul>
 * The random direction's seed is the protocol's for draw 0 of that class and image
 * ({@code RandomDirections.seedFor(RandomDirections.seedFor(seed, class, 0), image, 0)}).
 */
public final class ControlExamples {

    /** Ground-truth patches of the class an image needs to be the segmentation example. */
    public static final int MIN_PATCHES = 3;

    /**
     * One image under one head: the real edit and its random-direction control.
     *
     * @param head            the head kind
     * @param image           the image's path relative to its dataset root
     * @param index           the image's position in the held-out dataset
     * @param rgb             the decoded image
     * @param preprocessor    the backbone's preprocessing (for drawing the image as the model saw it)
     * @param classId         the head's class whose latent is edited
     * @param className       its name
     * @param latent          the latent the protocol chose for it
     * @param dose            the dose (null: ablation)
     * @param tokens          the tokens edited
     * @param real            the real edit
     * @param randomDirection the same per-token norms along a random direction
     * @param latentMap       the latent's code on each patch of the image before the edit, {@code [gridH * gridW]} raster order
     */
    public record ImageExample(HeadKind head, String image, int index, RgbImage rgb, Preprocessor preprocessor, int classId, String className,
                               int latent, SpecificDose dose, EditTokens tokens, InterventionResult real, InterventionResult randomDirection,
                               float[] latentMap) {

        /** The edit in words, e.g. "latent 305 (red) set to -2 x max on 9 patches". */
        public String describe() {
            String op = dose == null ? "ablated" : "set to " + number(dose.dose()) + " × max";
            return "latent " + latent + " (" + className + ") " + op + " on " + real.editedTokens() + " patches";
        }
    }

    /**
     * One question to a VLM control step's model, answered before and after the protocol's swap.
     *
     * @param image       the image's path relative to the question file's image root
     * @param rgb         the decoded image
     * @param question    the question
     * @param answer      the expected answer (class c)
     * @param swapTo      the class c' the swap adds
     * @param from        c's latent, set to 0
     * @param to          c''s latent, set to its maximum
     * @param answeredRight whether the clean model's greedy answer named c (the rule's choice); false when no question was
     *                    answered right and the first question stands in
     * @param result      the sampled answers before and after
     */
    public record VlmExample(String image, RgbImage rgb, String question, String answer, String swapTo, int from, int to,
                             boolean answeredRight, VlmAsk.Result result) {}

    private ControlExamples() {}

    /**
     * The example of the demo's image control run {@code control-<backbone>-<head>}.
     *
     * @throws IllegalArgumentException when the run, its edits or a fitting held-out image are missing
     */
    public static ImageExample image(DemoOutputs d, String backbone, HeadKind kind) throws IOException {
        return image(d, ControlStep.name(backbone, kind), -1);
    }

    /**
     * The example of a toy-world image control run for one of its classes, chosen by a rule of the caller (e.g.
     * {@link OverviewExample}): the image rules of the class comment with that class in place of the run's first
     * (segmentation) or with scenes of that class only (image heads).
     *
     * @param classId the head's class whose latent is edited, one the run edited; −1 for the rule of the class comment
     * @throws IllegalArgumentException when the run, its edits, the class's edit or a fitting held-out image are missing
     */
    public static ImageExample image(DemoOutputs d, String backbone, HeadKind kind, int classId) throws IOException {
        return image(d, ControlStep.name(backbone, kind), classId);
    }

    /**
     * The example of any control step of a run (a demo or a paper plan's), found through the step's inputs by role: its
     * SAE, analysis, head step, the model its {@code backbone} input names and its held-out {@code dataset}. On the toy world
     * the rules of the class comment apply; on a dataset, segmentation takes the first held-out image with
     * {@link #MIN_PATCHES} patches of the class, an image head the first held-out image of the class that the head classifies
     * right, with every patch edited (a dataset's image labels do not locate the object).
     *
     * @param classId the head's class whose latent is edited, one the run edited; −1 for the class with the lowest id
     * @throws IllegalArgumentException when the run, its edits, the class's edit or a fitting held-out image are missing
     */
    public static ImageExample image(DemoOutputs d, String controlStep, int classId) throws IOException {
        Path run = d.dir(controlStep);
        Map<Integer, Object[]> edits = chosenLatents(run);
        if (classId >= 0 && !edits.containsKey(classId)) {
            throw new IllegalArgumentException(run.resolve("edits") + " holds no class-" + classId + ".json; the control run edited classes "
                    + edits.keySet().stream().sorted().toList());
        }
        HeadKind kind = d.head(controlStep);
        SpecificDose dose = Files.isRegularFile(run.resolve(SpecificDose.FILE)) ? SpecificDose.of(run) : null;
        long seed = Json.mapper().readTree(run.resolve("index.json").toFile()).at("/parameters/seed").asLong(0);
        Path saeFile = d.dir(required(d, controlStep, "sae")).resolve(SaeStep.CHECKPOINT);
        Path analysis = d.dir(required(d, controlStep, "analysis"));
        int block = RecordedLayer.resolve(saeFile, null, "the edit block").layer();
        Path modelDir = d.modelFolder(required(d, controlStep, "backbone"));
        String dataset = required(d, controlStep, "dataset");
        boolean toy = d.steps().contains(dataset) && d.kind(dataset).equals("world"); // else a dataset source's name
        Preprocessor pre = Preprocessor.load(modelDir);
        Device cpu = Device.cpu();
        try (LoadedModel m = ModelLoader.load(modelDir, new LoadOptions(cpu, DataType.FLOAT32, null)); NDManager nd = NDManager.newBaseManager(cpu)) {
            Sae sae = SaeCheckpoint.read(saeFile, nd);
            LatentMaxima.read(analysis).requireDSae(sae.config().dSae());
            Path headFile = d.dir(required(d, controlStep, "heads")).resolve(kind.id() + ".safetensors");
            TaskHead head = switch (kind) {
                case SEGMENT -> SegmentationHead.of(LinearHead.load(headFile), m.vision());
                case CLASSIFY -> ClassificationHead.of(LinearHead.load(headFile));
                case ZEROSHOT -> ZeroShotHead.load(headFile);
            };
            String spec = toy ? d.heldOutDataset(kind) : d.datasetSpec(dataset);
            String split = toy ? d.heldOutSplit(kind) : d.datasetSplit(dataset);
            if (kind == HeadKind.SEGMENT) {
                int c = classId >= 0 ? classId : edits.keySet().stream().min(Integer::compare).orElseThrow();
                ProtocolImages images = ProtocolImages.open(spec, split, pre, m.vision(), true, Integer.MAX_VALUE);
                for (int i = 0; i < images.size(); i++) {
                    ProtocolImages.Image im = images.load(i);
                    if (im.problem() != null || count(im.patchLabels(), c) < MIN_PATCHES) {
                        continue;
                    }
                    return example(kind, images, im, pre, m, sae, block, head, c, edits.get(c), dose, EditTokens.ofClass(c), analysis, seed);
                }
                throw new IllegalArgumentException("no held-out image of " + spec + " has " + MIN_PATCHES + " patches of class "
                        + c + " (" + edits.get(c)[0] + ")");
            }
            if (!toy) {
                return datasetImageHead(kind, spec, split, classId, edits, pre, m, sae, block, head, dose, analysis, seed, nd);
            }
            // image heads: the full label maps (colour and shape per object) locate the largest object's patches
            Path world = d.heldOutWorld();
            Map<String, JsonNode> scenes = scenes(world);
            ProtocolImages images = ProtocolImages.open("ade20k:" + world, d.heldOutSplit(HeadKind.SEGMENT), pre, m.vision(), true,
                    Integer.MAX_VALUE);
            for (int i = 0; i < images.size(); i++) {
                ProtocolImages.Image im = images.load(i);
                JsonNode scene = scenes.get(Path.of(im.path()).getFileName().toString());
                if (im.problem() != null || scene == null) {
                    continue;
                }
                int c = head.classes().indexOf(scene.at("/labels/colour").asText());
                int largest = scene.at("/labels/label").asInt(-1);
                if (c < 0 || !edits.containsKey(c) || classId >= 0 && c != classId || largest < 0 || count(im.patchLabels(), largest) == 0) {
                    continue;
                }
                if (clean(m, pre, im, block, sae, head, images, nd) != c) {
                    continue;
                }
                return example(kind, images, im, pre, m, sae, block, head, c, edits.get(c), dose, EditTokens.ofClass(largest), analysis, seed);
            }
            throw new IllegalArgumentException("no held-out scene of " + world + (classId >= 0 ? " of class " + classId : "")
                    + " is classified right by the " + kind.id() + " head");
        }
    }

    /** An image head's example on a dataset: the first held-out image of an edited class (or of {@code classId}) classified right. */
    private static ImageExample datasetImageHead(HeadKind kind, String spec, String split, int classId, Map<Integer, Object[]> edits,
                                                 Preprocessor pre, LoadedModel m, Sae sae, int block, TaskHead head, SpecificDose dose,
                                                 Path analysis, long seed, NDManager nd) throws IOException {
        ProtocolImages images = ProtocolImages.open(spec, split, pre, m.vision(), false, Integer.MAX_VALUE);
        for (int i = 0; i < images.size(); i++) {
            ProtocolImages.Image im = images.load(i);
            int c = im.label();
            if (im.problem() != null || !edits.containsKey(c) || classId >= 0 && c != classId) {
                continue;
            }
            if (clean(m, pre, im, block, sae, head, images, nd) != c) {
                continue;
            }
            return example(kind, images, im, pre, m, sae, block, head, c, edits.get(c), dose, EditTokens.allPatches(), analysis, seed);
        }
        throw new IllegalArgumentException("no held-out image of " + spec + (classId >= 0 ? " of class " + classId : " of an edited class")
                + " is classified right by the " + kind.id() + " head");
    }

    /** The head's top-1 class of a loaded image, before any edit. */
    private static int clean(LoadedModel m, Preprocessor pre, ProtocolImages.Image im, int block, Sae sae, TaskHead head, ProtocolImages images,
                             NDManager nd) {
        try (ImageIntervention probe = ImageIntervention.ofResidual(m.vision(), sae, block, head, residual(m, pre, im, block, nd),
                m.vision().layout(images.imageSize().height(), images.imageSize().width()), im.patchLabels())) {
            return probe.clean().top();
        }
    }

    /** The input of {@code role} of a control step, or one sentence naming the step and the role. */
    private static String required(DemoOutputs d, String step, String role) {
        String ref = d.input(step, role);
        if (ref == null) {
            throw new IllegalArgumentException(d.work().resolve(DemoPipeline.SUMMARY) + ": control step '" + step + "' has no input '" + role + "'");
        }
        return ref;
    }

    private static ImageExample example(HeadKind kind, ProtocolImages images, ProtocolImages.Image im, Preprocessor pre, LoadedModel m, Sae sae,
                                        int block, TaskHead head, int c, Object[] edit, SpecificDose dose, EditTokens tokens, Path analysis, long seed)
            throws IOException {
        RgbImage rgb = ImageDecoder.decode(ConfinedPaths.resolveLexically(images.root(), im.path(), "the held-out dataset", "path"));
        int latent = (Integer) edit[1];
        EditSpec.Builder b = EditSpec.builder(dose == null ? EditOperation.ABLATE : EditOperation.SET).block(block).tokens(tokens).latents(latent);
        if (dose != null) {
            b.value(dose.dose()).unit(ValueUnit.MAX).analysis(analysis.toString());
        }
        try (ImageIntervention iv = ImageIntervention.open(m.vision(), pre, sae, block, head, rgb, im.patchLabels(), Device.cpu())) {
            float[] codes = iv.session().codes(new int[] {latent}); // [1, T, 1]: every token, before any edit
            int first = iv.layout().firstPatch();
            float[] map = java.util.Arrays.copyOfRange(codes, first, first + iv.layout().patches());
            InterventionResult real = iv.apply(b.build());
            InterventionResult random = iv.applyRandomDirection(real, RandomDirections.seedFor(RandomDirections.seedFor(seed, c, 0), im.index(), 0));
            return new ImageExample(kind, im.path(), im.index(), rgb, pre, c, (String) edit[0], latent, dose, tokens, real, random, map);
        }
    }

    /** resid_post[block] of a loaded image, {@code [1, T, D]}. */
    private static NDArray residual(LoadedModel m, Preprocessor pre, ProtocolImages.Image im, int block, NDManager nd) {
        var size = pre.config().fixedOutputSize();
        NDArray pixels = nd.create(im.pixels(), new ai.djl.ndarray.types.Shape(1, 3, size.height(), size.width()));
        var out = m.vision().forwardBlocks(pixels, java.util.Set.of(block));
        return out.blocks().get(block);
    }

    /**
     * The example of a VLM control step: in its first question family, the first question the clean model answered right
     * (its greedy answer names the expected class), else the first question with a swap (a model with random weights answers
     * none right; the example says so).
     *
     * @param step    the VLM control step
     * @param samples answers sampled before and after
     * @param seed    the sampling seed
     * @throws IllegalArgumentException when the step or its files are missing, or no question has a swap
     */
    public static VlmExample vlm(DemoOutputs d, String step, int samples, long seed) throws IOException {
        Path dir = d.vlmProtocol(step, d.vlmFamilies(step).getFirst());
        JsonNode index = Json.mapper().readTree(dir.resolve("index.json").toFile());
        JsonNode p = index.path("parameters");
        List<String> classes = strings(p.path("classes"));
        int[] latents = ints(p.path("chosen_latents"));
        int[] targets = ints(p.path("swap_targets"));
        if (classes.isEmpty() || latents.length != classes.size() || targets.length != classes.size()) {
            throw new IllegalArgumentException(dir.resolve("index.json") + ": fields parameters.classes, chosen_latents and swap_targets must have"
                    + " one entry per class");
        }
        List<JsonNode> questions = new ArrayList<>();
        try (Stream<String> lines = Files.lines(dir.getParent().resolve("questions.jsonl"), StandardCharsets.UTF_8)) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (!line.isBlank()) {
                    questions.add(Json.mapper().readTree(line));
                }
            }
        }
        var answers = tech.tablesaw.api.Table.read().usingOptions(tech.tablesaw.io.csv.CsvReadOptions.builder(dir.resolve("answers.csv").toFile())
                .header(true).columnTypes(n -> tech.tablesaw.api.ColumnType.STRING));
        for (int pass = 0; pass < 2; pass++) {
            for (int r = 0; r < answers.rowCount(); r++) {
                boolean right = "true".equals(answers.stringColumn("clean_correct").get(r));
                int q = Integer.parseInt(answers.stringColumn("question").get(r));
                int c = classes.indexOf(answers.stringColumn("name").get(r));
                if ((pass == 0 && !right) || q < 0 || q >= questions.size() || c < 0 || targets[c] < 0 || latents[c] < 0) {
                    continue;
                }
                return ask(d, step, d.imageRoot(d.input(step, "dataset")), questions.get(q), classes, c, latents[c], latents[targets[c]], targets[c], pass == 0, samples, seed,
                        p.path("max_new_tokens").asInt(4), ChatTemplate.parse(p.path("chat_template").asText("llava-1.5")));
            }
        }
        throw new IllegalArgumentException(dir.resolve("answers.csv") + " holds no question whose class has a swap");
    }

    private static VlmExample ask(DemoOutputs d, String step, Path root, JsonNode question, List<String> classes, int c, int from, int to,
                                  int target, boolean right, int samples, long seed, int maxTokens, ChatTemplate template) throws IOException {
        Path folder = d.vlmFolder(step);
        String image = question.path("image").asText();
        RgbImage rgb = ImageDecoder.decode(ConfinedPaths.resolveLexically(root, image, "questions.jsonl", "image"));
        Preprocessor pre = Preprocessor.load(folder);
        try (TextTokenizer tok = TextTokenizer.load(folder); LlavaModel m = LlavaModel.load(folder);
             NDManager nd = NDManager.newBaseManager(m.languageModel().device())) {
            Sae sae = SaeCheckpoint.read(d.dir(d.input(step, "sae")).resolve(SaeStep.CHECKPOINT), nd);
            LatentMaxima maxima = LatentMaxima.read(d.dir(d.input(step, "analysis"))).requireDSae(sae.config().dSae());
            LatentEdit swap = new LatentEdit(null, EditTokens.allPatches(), new int[] {from, to}, EditOperation.SET,
                    new float[] {0f, maxima.of(to)}, ErrorPolicy.KEEP);
            AnswerSampling.Options options = new AnswerSampling.Options(samples, new SamplingOptions(1.0, 0, 1.0, seed), maxTokens, samples);
            VlmAsk.Result r = VlmAsk.ask(m, tok, VlmAsk.pixels(m, pre, rgb, nd), template, question.path("question").asText(), options, sae, swap,
                    SpliceForm.DELTA, null);
            return new VlmExample(image, rgb, question.path("question").asText(), classes.get(c), classes.get(target), from, to, right, r);
        }
    }

    /** Per edited class id: {name, latent}, from {@code edits/class-<id>.json}. */
    static Map<Integer, Object[]> chosenLatents(Path run) throws IOException {
        Path dir = run.resolve("edits");
        Map<Integer, Object[]> out = new HashMap<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(f -> f.getFileName().toString().matches("class-\\d+\\.json")).toList()) {
                    JsonNode e = Json.mapper().readTree(f.toFile());
                    JsonNode latents = e.at("/real/latents");
                    if (!e.path("class").canConvertToInt() || !latents.isArray() || latents.size() != 1 || !latents.get(0).canConvertToInt()) {
                        throw new IllegalArgumentException(f + ": fields 'class' and 'real.latents' must hold a class id and one latent id");
                    }
                    out.put(e.path("class").asInt(), new Object[] {e.path("name").asText("class " + e.path("class").asInt()),
                            latents.get(0).asInt()});
                }
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(dir + " holds no class-<id>.json; expected the edits of a finished control run");
        }
        return out;
    }

    /** The held-out world's scenes by the file name of their ADE20K image. */
    private static Map<String, JsonNode> scenes(Path world) throws IOException {
        Map<String, JsonNode> out = new HashMap<>();
        try (Stream<String> lines = Files.lines(world.resolve("captions.jsonl"), StandardCharsets.UTF_8)) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (!line.isBlank()) {
                    JsonNode e = Json.mapper().readTree(line);
                    out.put(Path.of(e.path("ade_image").asText()).getFileName().toString(), e);
                }
            }
        }
        return out;
    }

    private static int count(int[] labels, int c) {
        int n = 0;
        if (labels != null) {
            for (int l : labels) {
                n += l == c ? 1 : 0;
            }
        }
        return n;
    }

    private static List<String> strings(JsonNode a) {
        List<String> out = new ArrayList<>();
        a.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt(-1);
        }
        return out;
    }

    private static String number(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
