package saelab.intervene;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import saelab.analysis.AnalysisResult;
import saelab.analysis.RecordedLayer;
import saelab.heads.ClassificationHead;
import saelab.heads.HeadKind;
import saelab.heads.HeadProvenance;
import saelab.heads.LinearHead;
import saelab.heads.SegmentationHead;
import saelab.heads.TaskHead;
import saelab.heads.ZeroShotHead;
import saelab.image.Preprocessor;
import saelab.intervene.stats.ClassMeanDifference;
import saelab.intervene.stats.DoseGrid;
import saelab.io.RequiredPaths;
import saelab.io.Safetensors;
import saelab.io.Sha256;
import saelab.model.LoadOptions;
import saelab.model.LoadedModel;
import saelab.model.ModelLoader;
import saelab.sae.Sae;
import saelab.sae.SaeCheckpoint;
import saelab.store.ActivationCache;
import saelab.store.CacheManifest;

/**
 * One run of the control protocol from files to an output folder: the entry point behind
 * {@code saelab control segment|classify|zeroshot} (and, later, the pipeline's control steps). It checks the
 * head's kind and model, reads the concepts folder (one label family, its rows matched to the head's classes by name,
 * {@link ConceptChoice}) and the analysis folder, loads the model and the SAE, computes the
 * class-mean control from a training cache when asked, runs {@link ControlProtocol} and writes its report
 * ({@link ProtocolReport}) with every input and checksum. Drawing belongs to {@code saelab.plot}, above this
 * package, so the dose-response plot is drawn by a function the caller passes in.
 */
public final class ControlRun {

    /** Draws the dose-response plot into the output folder and returns the files it wrote. */
    @FunctionalInterface
    public interface DoseDrawer {
        List<Path> draw(DoseResponse dose, String unitName, Path dir) throws IOException;
    }

    /**
     * What to run; build with {@link #builder}.
     *
     * @param headKind   the head the run needs: segment, classify (a linear probe) or zeroshot
     * @param modelId    the model's id as given (recorded)
     * @param model      the model folder
     * @param sae        the SAE checkpoint
     * @param head       the head file
     * @param dataset    the held-out images ({@code KIND:PATH} or {@code manifest:FILE})
     * @param split      the held-out split of a dataset spec
     * @param concepts   the concepts folder of {@code saelab concepts} on the training split
     * @param family     the label family of its {@code concepts.csv} to take the latents from, or null when it holds one
     * @param analysis   the analysis folder (latent maxima and frequencies)
     * @param trainCache a cache of the training split at the edit block, for the class-mean control, or null
     * @param out        the output folder
     * @param classes    the head's class ids, or null for every head class with a chosen latent
     * @param maxImages  held-out images used, in dataset order
     * @param slots      the controls
     * @param doses      the dose grid, or null for none
     * @param seed       the seed of every random choice
     * @param bootstrap  bootstrap replicates
     * @param tolerance  frequency-matching tolerance in decades
     * @param device     where the model runs
     */
    public record Request(HeadKind headKind, String modelId, Path model, Path sae, Path head, String dataset, String split,
                          Path concepts, String family, Path analysis, Path trainCache, Path out, List<Integer> classes, int maxImages,
                          ControlSlots slots, DoseGrid doses, long seed, int bootstrap, double tolerance, Device device,
                          boolean excludeConcepts) {

        /** The subcommand name of the head kind ({@code segment}, {@code classify}, {@code zeroshot}). */
        public String command() {
            return headKind.id();
        }

        ControlProtocol.Task task() {
            return headKind == HeadKind.SEGMENT ? ControlProtocol.Task.SEGMENT : ControlProtocol.Task.CLASSIFY;
        }

        /** A builder with the required files; the rest default as the command line does. */
        public static Builder builder(HeadKind headKind, String modelId, Path model, Path sae, Path head, String dataset, Path concepts,
                                      Path analysis, Path out) {
            return new Builder(headKind, modelId, model, sae, head, dataset, concepts, analysis, out);
        }
    }

    /** Builder of {@link Request}. */
    public static final class Builder {
        private final HeadKind headKind;
        private final String modelId;
        private final Path model;
        private final Path sae;
        private final Path head;
        private final String dataset;
        private final Path concepts;
        private final Path analysis;
        private final Path out;
        private String split = "val";
        private String family;
        private Path trainCache;
        private List<Integer> classes;
        private int maxImages = 500;
        private ControlSlots slots = new ControlSlots(3, 3, false);
        private DoseGrid doses;
        private long seed;
        private int bootstrap = 1000;
        private double tolerance = 0.1;
        private Device device = Device.cpu();
        private boolean excludeConcepts;

        private Builder(HeadKind headKind, String modelId, Path model, Path sae, Path head, String dataset, Path concepts, Path analysis,
                        Path out) {
            this.headKind = Objects.requireNonNull(headKind);
            this.modelId = modelId;
            this.model = model;
            this.sae = sae;
            this.head = head;
            this.dataset = dataset;
            this.concepts = concepts;
            this.analysis = analysis;
            this.out = out;
        }

        public Builder split(String v) {
            split = v;
            return this;
        }

        /** The label family of concepts.csv to take the latents from, when it holds several (null: it holds one). */
        public Builder family(String v) {
            family = v;
            return this;
        }

        /** The training-split cache for the class-mean control (needed when the slots ask for it). */
        public Builder trainCache(Path v) {
            trainCache = v;
            return this;
        }

        public Builder classes(List<Integer> v) {
            classes = v;
            return this;
        }

        public Builder maxImages(int v) {
            maxImages = v;
            return this;
        }

        public Builder slots(ControlSlots v) {
            slots = v;
            return this;
        }

        /** The dose grid, or null for no dose-response. */
        public Builder doses(DoseGrid v) {
            doses = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder bootstrap(int v) {
            bootstrap = v;
            return this;
        }

        public Builder tolerance(double v) {
            tolerance = v;
            return this;
        }

        public Builder device(Device v) {
            device = v;
            return this;
        }

        /**
         * Whether the random-latent control leaves out the latents of the classes run (concept-step F1 at least
         * {@value ControlDrawConcepts#THRESHOLD}; {@link ControlDrawConcepts#conceptLatents}); default false.
         */
        public Builder excludeConcepts(boolean v) {
            excludeConcepts = v;
            return this;
        }

        public Request build() {
            return new Request(headKind, modelId, model, sae, head, dataset, split, concepts, family, analysis, trainCache, out, classes,
                    maxImages, slots, doses, seed, bootstrap, tolerance, device, excludeConcepts);
        }
    }

    /**
     * What a run reports back.
     *
     * @param result  the protocol's result
     * @param summary the {@code summary.json} written
     * @param classes the classes run
     * @param index   the {@code index.json} written (last)
     */
    public record Outcome(ControlProtocol.Result result, Map<String, Object> summary, List<Integer> classes, Path index) {}

    private ControlRun() {}

    /**
     * Runs the protocol of {@code q}, logging progress to {@code log}.
     *
     * @throws IllegalArgumentException naming the file or option for a head of another kind or model, a concepts folder of
     *                                  another SAE, a class-mean control without a training cache, and the like
     */
    public static Outcome run(Request q, DoseDrawer drawer, PrintStream log) throws IOException {
        if (q.slots().classMean() && q.trainCache() == null) {
            throw new IllegalArgumentException("--class-mean needs --train-cache, a cache of the training split at the edit block");
        }
        int block = RecordedLayer.resolve(q.sae(), null, "the edit block").layer();
        saelab.store.TokenKind saeTokens = RecordedLayer.tokensOf(q.sae()).orElse(null);
        requireHeadKind(q);
        ZeroShotHead zs = q.headKind() == HeadKind.ZEROSHOT ? ZeroShotHead.load(q.head()) : null;
        LinearHead linear = zs == null ? LinearHead.load(q.head()) : null;
        CacheManifest.ModelRef ref = HeadProvenance.modelOf(q.modelId(), q.model());
        (zs != null ? zs.provenance() : linear.provenance()).requireModel(ref, q.head(), "the model " + q.modelId());
        RequiredPaths.folder(q.analysis(), "an analysis folder (saelab analyze)");
        RequiredPaths.folder(q.concepts(), "a concepts folder (saelab concepts)");
        AnalysisResult an = AnalysisResult.read(q.analysis());
        String saeSha = Sha256.of(q.sae());
        Preprocessor pre = Preprocessor.load(q.model());
        boolean seg = q.task() == ControlProtocol.Task.SEGMENT;
        try (LoadedModel m = ModelLoader.load(q.model(), new LoadOptions(q.device(), DataType.FLOAT32, null));
             NDManager nd = NDManager.newBaseManager(q.device())) {
            TaskHead task = zs != null ? zs : seg ? SegmentationHead.of(linear, m.vision()) : ClassificationHead.of(linear);
            Sae s = SaeCheckpoint.read(q.sae(), nd);
            ConceptChoice family = ConceptChoice.read(q.concepts(), q.family(), saeSha, s.config().dSae());
            ConceptChoice choice = family.alignedTo(task.classes(), "the head " + q.head());
            ProtocolImages images = ProtocolImages.open(q.dataset(), q.split(), pre, m.vision(), seg, q.maxImages());
            List<Integer> ids = q.classes() != null ? q.classes() : defaultClasses(choice, seg ? images.ignoreLabel() : -1);
            ClassMeanDifference means = null;
            if (q.slots().classMean()) {
                RequiredPaths.folder(q.trainCache(), "an activation cache folder");
                try (ActivationCache c = ActivationCache.open(q.trainCache())) {
                    means = seg ? ClassMeanDifference.compute(c, block, 64) : ClassMeanDifference.computeByImage(c, block, 64);
                }
            }
            ControlProtocol.Options o = new ControlProtocol.Options(q.task(), ids, q.slots(), q.doses(), q.seed(), q.bootstrap(),
                    q.tolerance());
            List<String> runNames = ids.stream().map(c -> task.classes().get(c)).toList();
            int[] excluded = q.excludeConcepts() ? ControlDrawConcepts.conceptLatents(q.concepts(), family, runNames, s.config().dSae())
                    : new int[0];
            ControlProtocol.Result r = ControlProtocol.run(new ControlProtocol.Inputs(m.vision(), s, block, task, images, choice, an, means,
                    q.device(), saeTokens, excluded), o, log);
            List<Path> figures = r.dose() == null || drawer == null ? List.of() : drawer.draw(r.dose(), seg ? "patch" : "top-1", q.out());
            Map<String, Object> draws = ControlDrawConcepts.imageDraws(q.concepts(), family, r.names(), r.random(), s.config().dSae());
            Map<String, Object> summary = ProtocolReport.write(q.out(), r, "saelab control " + q.command(),
                    inputs(q, ref, block, saeSha, task, images, saeTokens, excluded), figures, draws);
            return new Outcome(r, summary, ids, q.out().resolve("index.json"));
        }
    }

    /** Every input with its checksum, for {@code index.json}: a table can be regenerated from the folder alone. */
    private static Map<String, Object> inputs(Request q, CacheManifest.ModelRef ref, int block, String saeSha, TaskHead task,
                                              ProtocolImages images, saelab.store.TokenKind saeTokens, int[] excluded) throws IOException {
        Map<String, Object> inputs = new LinkedHashMap<>();
        inputs.put("model", q.modelId());
        inputs.put("model_sha256", ref.weightsSha256());
        inputs.put("block", block);
        inputs.put("sae", q.sae().toString());
        inputs.put("sae_sha256", saeSha);
        // where the faithfulness check splices the SAE's reconstruction in (the tokens the SAE was trained on)
        inputs.put("sae_tokens", saeTokens == null ? "all (not recorded in the SAE's provenance)" : saeTokens.id());
        inputs.put("head", q.head().toString());
        inputs.put("head_sha256", Sha256.of(q.head()));
        inputs.put("head_kind", task.kind().id());
        inputs.put("dataset", q.dataset());
        inputs.put("split", q.split());
        inputs.put("dataset_checksum", images.checksum());
        inputs.put("max_images", q.maxImages());
        inputs.put("concepts", q.concepts().toString());
        inputs.put("family", q.family());
        inputs.put("analysis", q.analysis().toString());
        inputs.put("train_cache", q.trainCache() == null ? null : q.trainCache().toString());
        inputs.put("random_latents_exclude", q.excludeConcepts() ? "the classes' concept latents (concept-step F1 >= "
                + ControlDrawConcepts.THRESHOLD + ")" : "none");
        inputs.put("excluded_latents", excluded);
        return inputs;
    }

    /** The head's kind must be the request's: a sentence naming the subcommand that takes it otherwise. */
    private static void requireHeadKind(Request q) throws IOException {
        HeadKind kind = LinearHead.provenance(q.head(), Safetensors.read(q.head()).metadata()).kind();
        if (kind != q.headKind()) {
            throw new IllegalArgumentException("the head " + q.head() + " is a " + kind.id() + " head, but control " + q.command()
                    + " needs a " + q.headKind().id() + " head; run 'saelab control " + kind.id() + "' with it");
        }
    }

    private static List<Integer> defaultClasses(ConceptChoice choice, int ignore) {
        List<Integer> out = new ArrayList<>();
        for (int c : choice.classes()) {
            if (c != ignore && choice.choice(c).latent() >= 0) {
                out.add(c);
            }
        }
        return out;
    }
}
