package saelab.toy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import saelab.data.ToyWorld;
import saelab.io.FileTrees;
import saelab.io.Json;
import saelab.io.Progress;
import saelab.io.Sha256;
import saelab.store.Permutations;

/**
 * Trains the toy VLM and writes it as a Hugging Face LLaVA folder ({@link ToyVlmFiles}) that
 * {@link saelab.lm.llava.LlavaModel#load} reads unchanged, plus {@code report.json} (spec, content hash, final loss,
 * held-out accuracy per kind of question against chance, timings) and {@code training/training-curve.csv}.
 *
 * <p>The vision tower is a toy CLIP folder's, frozen ({@link ToyVlmVision}): the selected features of the training
 * scenes are computed once. The projector and a small Llama decoder ({@link ToyVlmModel}) are trained from scratch
 * with next-token cross-entropy on the answer tokens of the questions ({@link ToyQuestions}) of scenes
 * {@code [0, trainImages)}, each texture question {@link ToyVlmSpec#textureRepeat} times, drawn without replacement in a
 * fresh random order each epoch, with AdamW
 * ({@link ToyAdamW}), global-norm clipping and the warmup + cosine schedule ({@link ToySchedule}). The held-out
 * accuracy ({@link ToyVlmEvaluation}) is measured on the questions of scenes {@code [trainImages, trainImages +
 * heldOutImages)}, through the saved folder.
 *
 * <p>Content-addressed and staged like {@link ToyBackboneTrainer}: the content hash covers the generator, the spec,
 * the world and the backbone's {@code config.json} and {@code model.safetensors}; a folder that already holds that
 * model is left alone; otherwise the new folder is built beside {@code OUT} and swapped in. Reproducible: libtorch runs
 * on one intra-op thread ({@link ToyBackboneTrainer#TORCH_THREADS}) while training and evaluating.
 */
public final class ToyVlmTrainer {

    /** Changes whenever the trainer's output for a given spec, world and backbone changes. */
    public static final String GENERATOR = "saelab-toy-vlm/2";
    /** Scenes whose features are computed at a time. */
    private static final int FEATURE_CHUNK = 128;
    /**
     * CPU time of the training thread: with one libtorch intra-op thread the arithmetic runs on the calling thread, so
     * this is the training's cost without the wait for cores that other processes hold.
     */
    private static final ThreadMXBean THREAD_CPU = ManagementFactory.getThreadMXBean();

    private ToyVlmTrainer() {}

    /**
     * Trains {@code spec} on {@code world} over the frozen tower of the toy CLIP folder {@code backbone} into {@code outDir},
     * or returns the stored report when the folder already holds exactly this model.
     *
     * @param log progress and a summary; null for none
     * @throws IllegalArgumentException for a null argument, a backbone that is not a toy CLIP folder of this world's image
     *                                  size, or an {@code outDir} that is a file or a foreign non-empty folder
     * @throws IllegalStateException    when training diverges
     */
    public static ToyVlmReport train(ToyVlmSpec spec, ToyWorld world, Path backbone, Path outDir, PrintStream log) throws IOException {
        if (spec == null || world == null || backbone == null || outDir == null) {
            throw new IllegalArgumentException("toy VLM: spec, world, backbone folder and output folder are required");
        }
        PrintStream out = log != null ? log : new PrintStream(OutputStream.nullOutputStream());
        Path dir = outDir.toAbsolutePath().normalize();
        Path tower = backbone.toAbsolutePath().normalize();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": is a file; expected a folder for the model (a new one, or one this trainer wrote)");
        }
        if (!Files.isRegularFile(tower.resolve("config.json")) || !Files.isRegularFile(tower.resolve("model.safetensors"))) {
            throw new IllegalArgumentException(tower + ": no config.json and model.safetensors; expected a toy CLIP folder (saelab toy"
                    + " backbone --kind clip)");
        }
        String hash = contentHash(spec, world, tower);
        if (Files.isRegularFile(dir.resolve(ToyVlmReportFile.NAME))) {
            ToyVlmReportFile.Stored stored = ToyVlmReportFile.read(dir);
            if (stored != null && hash.equals(stored.contentSha256()) && Files.isRegularFile(dir.resolve("model.safetensors"))) {
                out.println("toy vlm: " + dir + " already holds this model (content " + hash.substring(0, 12) + ")");
                return stored.report();
            }
        } else if (FileTrees.nonEmpty(dir)) {
            throw new IllegalArgumentException(dir + ": not empty and has no " + ToyVlmReportFile.NAME
                    + "; the toy VLM trainer replaces its whole folder, so give it an empty or new folder");
        }
        long start = System.nanoTime();
        Path staging = FileTrees.stageBeside(dir);
        try {
            TorchThreads threads = TorchThreads.set(ToyBackboneTrainer.TORCH_THREADS);
            try {
                trainInto(staging, spec, world, tower, hash, start, out);
            } finally {
                threads.restore();
            }
            FileTrees.replace(staging, dir);
        } finally {
            FileTrees.deleteTree(staging);
        }
        ToyVlmReportFile.Stored stored = ToyVlmReportFile.read(dir);
        return stored.report();
    }

    /** SHA-256 over the generator, the spec's canonical JSON, the world and the backbone's config and weights. */
    public static String contentHash(ToyVlmSpec spec, ToyWorld world, Path backbone) throws IOException {
        Map<String, Object> key = new LinkedHashMap<>();
        key.put("generator", GENERATOR);
        key.put("spec", spec.toJson());
        key.put("world", ToyReportFile.worldJson(world));
        key.put("backbone_config_sha256", Sha256.of(backbone.resolve("config.json")));
        key.put("backbone_weights_sha256", Sha256.of(backbone.resolve("model.safetensors")));
        try {
            return Sha256.of(Json.mapper().writeValueAsBytes(key));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The questions in the order given, each texture question {@code textureRepeat} times in a row (the epoch order shuffles them). */
    static List<ToyQuestion> trainingPool(List<ToyQuestion> questions, int textureRepeat) {
        List<ToyQuestion> pool = new ArrayList<>(questions.size());
        for (ToyQuestion q : questions) {
            for (int i = 0; i < (q.type() == ToyQuestionType.TEXTURE ? textureRepeat : 1); i++) {
                pool.add(q);
            }
        }
        return pool;
    }

    private static void trainInto(Path dir, ToyVlmSpec spec, ToyWorld world, Path backbone, String hash, long start, PrintStream out)
            throws IOException {
        TrainingCurve curve = new TrainingCurve();
        ToyVlmTokenizerFiles.Ids ids = ToyVlmTokenizerFiles.write(dir, ToyQuestions.words());
        List<ToyQuestion> training = trainingPool(ToyQuestions.range(world, 0, spec.trainImages(), spec.seed()), spec.textureRepeat());
        List<ToyQuestion> heldOut = ToyQuestions.range(world, spec.trainImages(), spec.heldOutImages(), spec.seed());
        ToyVlmArchitecture arch;
        long parameters;
        double featureSeconds;
        double trainingSeconds;
        double trainingCpuSeconds;
        try (NDManager manager = NDManager.newBaseManager(Device.cpu());
             ToyVlmVision vision = ToyVlmVision.open(backbone, world)) {
            arch = ToyVlmArchitecture.of(spec, vision.width(), vision.imageTokens(), ids.vocabSize());
            ToyVlmFiles.writeConfig(dir, arch, ids, vision);
            long t0 = System.nanoTime();
            NDArray features = vision.selected(0, spec.trainImages(), FEATURE_CHUNK, manager);
            featureSeconds = (System.nanoTime() - t0) / 1e9;
            try (ToyVlmModel model = new ToyVlmModel(arch, manager, spec.seed());
                 ToyVlmPrompts prompts = new ToyVlmPrompts(dir, ids, arch.imageTokens());
                 ToyAdamW optimiser = new ToyAdamW(model.parameters().arrays(), model.parameters().decays(), manager)) {
                parameters = model.parameters().count();
                out.printf(Locale.ROOT, "toy vlm: training width %d, %d layers, %d/%d heads (%,d parameters; vision tower of %s frozen, block"
                                + " %d) for %d steps of %d questions from a pool of %,d questions (texture questions %d times each) on scenes"
                                + " [0, %d) of toy world seed %d%n", spec.width(), spec.layers(), spec.heads(), spec.kvHeads(), parameters,
                        backbone.getFileName(), vision.block(), spec.steps(), spec.batch(), training.size(), spec.textureRepeat(),
                        spec.trainImages(), world.seed());
                ToySchedule schedule = ToySchedule.of(spec.lr(), spec.steps());
                SplittableRandom order = new SplittableRandom(spec.seed() ^ 0x0DDBA11L);
                int[] epoch = new int[0];
                int cursor = 0;
                int batch = Math.min(spec.batch(), training.size());
                long trainStart = System.nanoTime();
                long cpuStart = THREAD_CPU.getCurrentThreadCpuTime();
                Progress progress = new Progress("toy vlm training", "steps", spec.steps(), out, 2000);
                for (int step = 0; step < spec.steps(); step++) {
                    long s0 = System.nanoTime();
                    if (cursor + batch > epoch.length) {
                        epoch = Permutations.shuffled(training.size(), order);
                        cursor = 0;
                    }
                    List<ToyQuestion> qs = new ArrayList<>(batch);
                    for (int i = 0; i < batch; i++) {
                        qs.add(training.get(epoch[cursor + i]));
                    }
                    cursor += batch;
                    double loss = step(model, optimiser, features, prompts.trainingBatch(qs), ids.image(), schedule.at(step), step);
                    curve.add(step, loss, schedule.at(step), batch / ((System.nanoTime() - s0) / 1e9));
                    progress.advance(1);
                }
                progress.finish();
                trainingSeconds = (System.nanoTime() - trainStart) / 1e9;
                trainingCpuSeconds = (THREAD_CPU.getCurrentThreadCpuTime() - cpuStart) / 1e9;
                ToyVlmFiles.writeWeights(dir, backbone, model);
            }
        }
        long evalStart = System.nanoTime();
        List<ToyVlmScore> scores = ToyVlmEvaluation.run(dir, world, ids, training, heldOut);
        double evaluationSeconds = (System.nanoTime() - evalStart) / 1e9;
        curve.writeCsv(dir.resolve(ToyBackboneTrainer.TRAINING_DIR));
        double seconds = (System.nanoTime() - start) / 1e9;
        ToyVlmReportFile.write(dir, ToyVlmReportFile.content(hash, spec, world, backbone, arch, parameters, training.size(), heldOut.size(),
                curve, scores, new ToyVlmReportFile.Timings(featureSeconds, trainingSeconds, trainingCpuSeconds, evaluationSeconds, seconds)));
        out.printf(Locale.ROOT, "toy vlm: final loss %.4f; features %.1f s, training %.1f s (CPU %.1f s), evaluation %.1f s, total %.1f s%n",
                curve.tailMean(ToyReportFile.FINAL_LOSS_FRACTION), featureSeconds, trainingSeconds, trainingCpuSeconds, evaluationSeconds, seconds);
        for (ToyVlmScore s : scores) {
            out.printf(Locale.ROOT, "toy vlm: held-out %-18s accuracy %.3f (chance %.3f, %d questions)%n", s.type().id(), s.accuracy(),
                    s.chance(), s.questions());
        }
    }

    /**
     * One optimisation step on {@code batch}; returns its loss before the update.
     *
     * @throws IllegalStateException when the loss is not finite
     */
    static double step(ToyVlmModel model, ToyAdamW optimiser, NDArray features, ToyVlmBatch batch, long imageTokenId, double lr, int step) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            long[] scenes = new long[batch.size()];
            for (int r = 0; r < scenes.length; r++) {
                scenes[r] = batch.questions().get(r).scene();
            }
            NDArray selected = features.get(new NDIndex("{}", features.getManager().create(scenes)));
            float loss;
            try (ThreadAutograd autograd = ThreadAutograd.begin()) {
                NDArray l = model.loss(selected, batch, imageTokenId);
                autograd.backward(l);
                loss = l.getFloat();
            }
            if (!Float.isFinite(loss)) {
                throw new IllegalStateException("toy VLM training diverged at step " + step + " (loss " + loss + "); lower the learning rate");
            }
            List<NDArray> grads = new ArrayList<>();
            for (NDArray p : model.parameters().arrays()) {
                grads.add(p.getGradient());
            }
            ToyAdamW.clip(grads, ToyAdamW.CLIP_NORM);
            optimiser.step(grads, lr);
            for (NDArray g : grads) {
                g.subi(g);
            }
            return loss;
        }
    }
}
