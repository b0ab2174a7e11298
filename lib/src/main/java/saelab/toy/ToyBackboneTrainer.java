package saelab.toy;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import saelab.data.ToyWorld;
import saelab.io.FileTrees;
import saelab.io.Json;
import saelab.io.Progress;
import saelab.io.Sha256;

/**
 * Trains a toy backbone on the toy world and writes it as a Hugging Face model folder that
 * {@link saelab.model.ModelLoader} loads unchanged:
 * <pre>
 * OUT/config.json, model.safetensors, preprocessor_config.json                  the model
 * OUT/vocab.json, merges.txt, tokenizer_config.json, special_tokens_map.json    (CLIP only) the tokenizer
 * OUT/report.json                        spec, content hash, final loss, held-out checks with chance levels, timings
 * OUT/training/training-curve.csv                                               loss, learning rate and speed per step
 * </pre>
 * CLIP ({@link ToyBackboneKind#CLIP}) learns from image-caption pairs with the symmetric InfoNCE loss
 * ({@link ToyContrastiveObjective}); DINOv2 ({@link ToyBackboneKind#DINOV2}) from images alone by masked patch
 * prediction ({@link ToyMaskedPatchObjective}). Training scenes are {@code [0, trainImages)}, held-out scenes the
 * next {@code heldOutImages}; the held-out checks ({@link ToyEvaluation}) run on the saved folder.
 *
 * <p>Content-addressed: {@code report.json} holds the SHA-256 of the generator version, the spec and the world
 * ({@link #contentHash}); when it matches, {@link #train} returns the stored report without training. Otherwise
 * everything is written to a staging folder beside {@code OUT} and swapped in by renames, so {@code OUT} is always
 * either the previous complete model or the new one. The trainer owns {@code OUT}: it refuses a non-empty folder
 * without a report.
 *
 * <p>Reproducible: the same spec and world give bit-identical weights and loss curves on one machine (the
 * initialisation, batch order and masks come from {@link java.util.SplittableRandom}s; libtorch runs on
 * {@link #TORCH_THREADS} intra-op thread while training and evaluating, its previous setting restored afterwards).
 */
public final class ToyBackboneTrainer {

    /** Changes whenever the trainer's output for a given spec and world changes. */
    public static final String GENERATOR = "saelab-toy-backbone/2";
    /**
     * libtorch intra-op threads while training and evaluating: one, so that the arithmetic, and with it the weights
     * and the loss curve, does not depend on how many cores the machine has (another CPU model may still round
     * differently: libtorch picks kernels by instruction set). The price, measured on the 2-core machine
     * with the demo size: on an idle machine two threads take 120 ms per CLIP step and 101 ms per DINOv2 step
     * against 180 ms and 137 ms with one; under a load average of 5 (other builds running) one thread was the
     * faster, 272 ms per CLIP step against 316 ms.
     */
    static final int TORCH_THREADS = 1;
    /** The folder of the training curve inside the model folder. */
    static final String TRAINING_DIR = "training";

    private ToyBackboneTrainer() {}

    /**
     * Trains {@code spec} on {@code world} into the model folder {@code outDir}, or returns the stored report when the
     * folder already holds exactly this model.
     *
     * @param log progress (rate and time left) and a summary line; null for none
     * @throws IllegalArgumentException for a null argument, an {@code outDir} that is a file or a foreign non-empty
     *                                  folder, or a world whose image side is not a multiple of the patch size
     * @throws IllegalStateException    when training diverges
     */
    public static ToyBackboneReport train(ToyBackboneSpec spec, ToyWorld world, Path outDir, PrintStream log) throws IOException {
        if (spec == null || world == null || outDir == null) {
            throw new IllegalArgumentException("toy backbone: spec, world and output folder are required, got "
                    + (spec == null ? "no spec" : world == null ? "no world" : "no output folder"));
        }
        PrintStream out = log != null ? log : new PrintStream(OutputStream.nullOutputStream());
        Path dir = outDir.toAbsolutePath().normalize();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": is a file; expected a folder for the model (a new one, or one this trainer wrote)");
        }
        ToyArchitecture.of(spec, world, 0, 0); // checks the world's image size before any work
        String hash = contentHash(spec, world);
        if (Files.isRegularFile(dir.resolve(ToyReportFile.NAME))) {
            // a folder written by an older trainer version is replaced; one of this version is checked field by field
            if (ToyReportFile.generator(dir).equals(GENERATOR)) {
                ToyReportFile.Stored stored = ToyReportFile.read(dir);
                if (hash.equals(stored.contentSha256()) && Files.isRegularFile(dir.resolve("model.safetensors"))
                        && Files.isRegularFile(dir.resolve("config.json"))) {
                    out.println("toy " + spec.kind().id() + ": " + dir + " already holds this model (content " + hash.substring(0, 12) + ")");
                    return stored.report();
                }
            }
        } else if (FileTrees.nonEmpty(dir)) {
            throw new IllegalArgumentException(dir + ": not empty and has no " + ToyReportFile.NAME
                    + "; the toy backbone trainer replaces its whole folder, so give it an empty or new folder");
        }
        long start = System.nanoTime();
        Path staging = FileTrees.stageBeside(dir);
        try {
            trainInto(staging, spec, world, hash, start, out);
            FileTrees.replace(staging, dir);
        } finally {
            FileTrees.deleteTree(staging);
        }
        return ToyReportFile.read(dir).report();
    }

    /** The content hash of a trained model: SHA-256 over the generator, the spec's canonical JSON and the world. */
    public static String contentHash(ToyBackboneSpec spec, ToyWorld world) {
        Map<String, Object> key = new LinkedHashMap<>();
        key.put("generator", GENERATOR);
        key.put("spec", spec.toJson());
        key.put("world", ToyReportFile.worldJson(world));
        try {
            return Sha256.of(Json.mapper().writeValueAsBytes(key));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Trains into {@code dir}, evaluates the saved model there and writes the curve and the report, with libtorch on
     * {@link #TORCH_THREADS} thread throughout (the previous setting restored afterwards).
     */
    private static void trainInto(Path dir, ToyBackboneSpec spec, ToyWorld world, String hash, long start, PrintStream out) throws IOException {
        TorchThreads threads = TorchThreads.set(TORCH_THREADS);
        try {
            TrainingCurve curve = new TrainingCurve();
            ToyReportFile.HeldOut heldOut = null;
            double trainingSeconds;
            long parameters;
            ToyArchitecture arch;
            ToyData data;
            try (NDManager manager = NDManager.newBaseManager(Device.cpu());
                 ToySetup setup = ToySetup.prepare(dir, spec, world, manager);
                 ToyTrainingLoop loop = new ToyTrainingLoop(setup.model(), setup.objective(), spec, manager)) {
                arch = setup.arch();
                data = setup.data();
                parameters = setup.model().parameters().count();
                out.printf(Locale.ROOT, "toy %s: training width %d, %d layers, %d heads (%,d parameters) for %d steps of %d images from scenes"
                                + " [0, %d) of toy world seed %d%n", spec.kind().id(), spec.width(), spec.layers(), spec.heads(), parameters,
                        spec.steps(), spec.batch(), spec.trainImages(), world.seed());
                long trainStart = System.nanoTime();
                Progress progress = new Progress("toy " + spec.kind().id() + " training", "steps", spec.steps(), out, 2000);
                for (int step = 0; step < spec.steps(); step++) {
                    long t0 = System.nanoTime();
                    ToyBatch batch = data.batch(loop.nextIndices());
                    double loss = loop.step(step, batch);
                    curve.add(step, loss, loop.lr(step), spec.batch() / ((System.nanoTime() - t0) / 1e9));
                    progress.advance(1);
                }
                progress.finish();
                trainingSeconds = (System.nanoTime() - trainStart) / 1e9;
                if (setup.objective() instanceof ToyMaskedPatchObjective masked) {
                    double[] eval = masked.evaluate(manager, data, spec.trainImages(), spec.heldOutImages(), spec.batch(), spec.seed() ^ 0xE7A1L);
                    heldOut = ToyReportFile.HeldOut.maskedPatch(eval[0], eval[1]);
                }
                setup.saveWeights(dir);
            }
            long evalStart = System.nanoTime();
            ToyEvaluation.Result ev = ToyEvaluation.run(dir, data, spec);
            double evaluationSeconds = (System.nanoTime() - evalStart) / 1e9;
            if (ev.retrieval() != null) {
                heldOut = ToyReportFile.HeldOut.retrieval(ev.retrieval(), spec.batch());
            }
            curve.writeCsv(dir.resolve(TRAINING_DIR));
            double seconds = (System.nanoTime() - start) / 1e9;
            ToyReportFile.write(dir, ToyReportFile.content(hash, spec, world, arch, parameters, curve, heldOut, ev,
                    new ToyReportFile.Timings(trainingSeconds, evaluationSeconds, seconds, TORCH_THREADS)));
            out.printf(Locale.ROOT, "toy %s: final loss %.4f; held-out %s %.4f (chance %.4f); probe accuracy CLS %.3f, mean patch %.3f (chance"
                            + " %.3f); training %.1f s, total %.1f s%n", spec.kind().id(), curve.tailMean(ToyReportFile.FINAL_LOSS_FRACTION),
                    heldOut.metric(), heldOut.value(), heldOut.chance(), ev.probeCls(), ev.probeMeanPatch(), ev.probeChance(), trainingSeconds,
                    seconds);
            for (ToyAttributeProbe a : ev.attributes()) {
                out.printf(Locale.ROOT, "toy %s: largest object's %s probe CLS %.3f, mean patch %.3f (chance %.3f)%n", spec.kind().id(),
                        a.target(), a.cls(), a.meanPatch(), a.chance());
            }
        } finally {
            threads.restore();
        }
    }
}
