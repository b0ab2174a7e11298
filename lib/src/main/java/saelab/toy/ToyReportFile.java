package saelab.toy;

import static saelab.toy.ReportFields.integer;
import static saelab.toy.ReportFields.longInteger;
import static saelab.toy.ReportFields.number;
import static saelab.toy.ReportFields.object;
import static saelab.toy.ReportFields.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import saelab.data.ToyWorld;
import saelab.io.Json;

/**
 * The {@code report.json} of a trained toy backbone folder: what was trained (spec, world, architecture,
 * optimisation), its content hash, the final loss, the held-out checks with their chance levels, and timings.
 * Read back by the trainer to recognise a folder that already holds the requested model, and to return the
 * numbers as a {@link ToyBackboneReport}.
 */
final class ToyReportFile {

    /** The file name, inside the model folder (the model loader does not read it). */
    static final String NAME = "report.json";
    /** The final loss is the mean over this last fraction of the steps (at least one step). */
    static final double FINAL_LOSS_FRACTION = 0.05;

    /**
     * A report read back.
     *
     * @param contentSha256 the content hash it was written for
     * @param report        the numbers, with the curve's path resolved inside the folder
     */
    record Stored(String contentSha256, ToyBackboneReport report) {}

    /**
     * The held-out check of one kind.
     *
     * @param metric     its name
     * @param value      its value
     * @param chance     its value for a model that knows nothing
     * @param definition one sentence on how both are computed
     */
    record HeldOut(String metric, double value, double chance, String definition) {

        /** CLIP's caption retrieval. */
        static HeldOut retrieval(CaptionRetrieval.Tally t, int batch) {
            return new HeldOut("caption_retrieval_top1", t.rate(), t.chanceRate(), "image-to-caption top-1 inside consecutive batches of "
                    + batch + " held-out scenes; a hit when the picked caption's text equals the image's caption; chance = expected hit rate"
                    + " of a uniformly random pick among the same candidates; higher is better");
        }

        /** DINOv2's masked-patch loss. */
        static HeldOut maskedPatch(double loss, double zero) {
            return new HeldOut("masked_patch_mse", loss, zero, "mean squared error of the masked-patch prediction on the held-out scenes ("
                    + ToyMaskedPatchObjective.MASK_RATIO + " of the patches masked, masks fixed by the seed, per-patch-normalised pixel"
                    + " targets); chance = predicting the targets' mean, 0, everywhere; lower is better");
        }
    }

    /**
     * Wall times.
     *
     * @param training     the optimisation loop
     * @param evaluation   the held-out checks on the saved folder
     * @param total        the whole call
     * @param torchThreads libtorch intra-op threads while training
     */
    record Timings(double training, double evaluation, double total, int torchThreads) {}

    private ToyReportFile() {}

    /** The world's config as JSON (snake_case, fixed order). */
    static Map<String, Object> worldJson(ToyWorld world) {
        Map<String, Object> w = new LinkedHashMap<>();
        w.put("image_size", world.imageSize());
        w.put("min_objects", world.minObjects());
        w.put("max_objects", world.maxObjects());
        w.put("seed", world.seed());
        return w;
    }

    /** The report's content. */
    static Map<String, Object> content(String hash, ToyBackboneSpec spec, ToyWorld world, ToyArchitecture arch, long parameters,
                                       TrainingCurve curve, HeldOut heldOut, ToyEvaluation.Result ev, Timings timings) {
        boolean clip = spec.kind() == ToyBackboneKind.CLIP;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("generator", ToyBackboneTrainer.GENERATOR);
        r.put("content_sha256", hash);
        r.put("spec", spec.toJson());
        r.put("world", worldJson(world));
        r.put("architecture", arch.toJson());
        r.put("parameters", parameters);
        r.put("training", training(spec, clip));
        r.put("final_loss", curve.tailMean(FINAL_LOSS_FRACTION));
        r.put("final_loss_definition", "mean training loss over the last " + Math.round(100 * FINAL_LOSS_FRACTION) + "% of the steps");
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("metric", heldOut.metric());
        h.put("value", heldOut.value());
        h.put("chance", heldOut.chance());
        h.put("images", spec.heldOutImages());
        h.put("scenes", List.of(spec.trainImages(), spec.trainImages() + spec.heldOutImages()));
        h.put("definition", heldOut.definition());
        r.put("held_out", h);
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("cls", ev.probeCls());
        p.put("mean_patch", ev.probeMeanPatch());
        p.put("chance", ev.probeChance());
        p.put("train_images", ev.probeTrain());
        p.put("test_images", ev.probeTest());
        p.put("target", "image class: the largest object's colour_shape (" + (ToyWorld.labelCount() - 1) + " classes)");
        p.put("method", "multinomial logistic regression (Smile, L2 lambda " + LinearProbe.LAMBDA + ") on standardised frozen features: cls ="
                + " the pooled class token (" + (clip ? "post_layernorm(CLS)" : "final LayerNorm of CLS") + "), mean_patch = the mean of the"
                + (clip ? " last block's raw patch tokens" : " final-LayerNorm patch tokens") + "; fitted on the first train_images training"
                + " scenes, scored on the held-out scenes; chance = always answering the fitting split's majority class");
        Map<String, Object> attributes = new LinkedHashMap<>();
        for (ToyAttributeProbe a : ev.attributes()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("classes", a.classes());
            m.put("cls", a.cls());
            m.put("mean_patch", a.meanPatch());
            m.put("chance", a.chance());
            attributes.put(a.target(), m);
        }
        p.put("largest_object", attributes);
        p.put("largest_object_definition", "the same probes for one attribute of the largest object (most visible pixels) at a time:"
                + " its colour, shape and texture");
        r.put("probe", p);
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("training_seconds", timings.training());
        t.put("training_images_per_second", (double) spec.steps() * spec.batch() / timings.training());
        t.put("evaluation_seconds", timings.evaluation());
        t.put("total_seconds", timings.total());
        t.put("torch_threads", timings.torchThreads());
        t.put("cpus", Runtime.getRuntime().availableProcessors());
        r.put("timings", t);
        r.put("files", Map.of("curve_csv", ToyBackboneTrainer.TRAINING_DIR + "/" + TrainingCurve.ID + ".csv"));
        return r;
    }

    private static Map<String, Object> training(ToyBackboneSpec spec, boolean clip) {
        Map<String, Object> t = new LinkedHashMap<>();
        Map<String, Object> opt = new LinkedHashMap<>();
        opt.put("name", "AdamW");
        opt.put("betas", List.of(ToyAdamW.BETA1, ToyAdamW.BETA2));
        opt.put("eps", ToyAdamW.EPS);
        opt.put("weight_decay", ToyAdamW.WEIGHT_DECAY);
        opt.put("weight_decay_applies_to", "weight matrices (not biases, norms, embeddings, tokens, LayerScale, logit_scale)");
        opt.put("grad_clip_norm", ToyAdamW.CLIP_NORM);
        t.put("optimizer", opt);
        ToySchedule s = ToySchedule.of(spec.lr(), spec.steps());
        Map<String, Object> sched = new LinkedHashMap<>();
        sched.put("name", "linear warmup then cosine decay");
        sched.put("peak_lr", spec.lr());
        sched.put("warmup_steps", s.warmup());
        sched.put("final_lr_fraction", s.floor());
        t.put("schedule", sched);
        t.put("init", "truncated normal (at 2 sigma) of std 0.02 sqrt(768 / width) = " + ToyParameters.initStd(spec.width())
                + " for weights and embeddings, zero biases, unit LayerNorm scales");
        if (clip) {
            t.put("objective", "symmetric InfoNCE with learnable temperature (Radford et al. 2021); logit_scale starts at ln(1/0.07),"
                    + " clamped to [0, ln 100]");
        } else {
            t.put("objective", "masked patch prediction with per-patch-normalised pixel targets (SimMIM, Xie et al. 2022): "
                    + ToyMaskedPatchObjective.MASK_RATIO + " of the patches replaced by embeddings.mask_token, a linear head (not saved)"
                    + " on the final LayerNorm output, MSE on the masked patches; LayerScale starts at " + ToyArchitecture.LAYER_SCALE_INIT);
        }
        t.put("batch_order", "a fresh random permutation of the training scenes each epoch");
        return t;
    }

    /** Writes {@code content} to {@code dir/report.json}, atomically. */
    static void write(Path dir, Map<String, Object> content) throws IOException {
        Json.write(dir.resolve(NAME), content);
    }

    /**
     * The {@code generator} of {@code dir/report.json}: which trainer version wrote the folder.
     *
     * @throws IllegalArgumentException naming the file when it is not valid JSON or not a toy backbone report
     */
    static String generator(Path dir) throws IOException {
        Path file = dir.resolve(NAME);
        String generator = text(root(file), file, "generator");
        if (!generator.startsWith("saelab-toy-backbone/")) {
            throw new IllegalArgumentException(file + ": field 'generator' is '" + generator + "'; expected a saelab toy backbone report");
        }
        return generator;
    }

    /**
     * Reads {@code dir/report.json}.
     *
     * @throws IllegalArgumentException naming the file and the field when it is not a toy backbone report
     */
    static Stored read(Path dir) throws IOException {
        Path file = dir.resolve(NAME);
        JsonNode root = root(file);
        generator(dir);
        JsonNode s = object(root, file, "spec");
        ToyBackboneSpec spec;
        try {
            spec = new ToyBackboneSpec(ToyBackboneKind.parse(text(s, file, "spec.kind")), integer(s, file, "spec.width"),
                    integer(s, file, "spec.layers"), integer(s, file, "spec.heads"), integer(s, file, "spec.train_images"),
                    integer(s, file, "spec.held_out_images"), integer(s, file, "spec.steps"), integer(s, file, "spec.batch"),
                    number(s, file, "spec.lr"), longInteger(s, file, "spec.seed"),
                    s.has("captions") ? saelab.data.ToyWorldCaption.Attributes.parse(text(s, file, "spec.captions")) : null);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": field 'spec': " + e.getMessage(), e);
        }
        JsonNode held = object(root, file, "held_out");
        JsonNode probe = object(root, file, "probe");
        JsonNode timings = object(root, file, "timings");
        JsonNode files = object(root, file, "files");
        ToyBackboneReport r = new ToyBackboneReport(spec, number(root, file, "final_loss"), text(held, file, "held_out.metric"),
                number(held, file, "held_out.value"), number(held, file, "held_out.chance"), number(probe, file, "probe.cls"),
                number(probe, file, "probe.mean_patch"), number(probe, file, "probe.chance"), attributes(probe, file),
                number(timings, file, "timings.total_seconds"),
                dir.resolve(text(files, file, "files.curve_csv")));
        return new Stored(text(root, file, "content_sha256"), r);
    }

    private static List<ToyAttributeProbe> attributes(JsonNode probe, Path file) {
        JsonNode attributes = object(probe, file, "probe.largest_object");
        List<ToyAttributeProbe> out = new java.util.ArrayList<>();
        for (String target : List.of("colour", "shape", "texture")) {
            JsonNode a = object(attributes, file, "probe.largest_object." + target);
            out.add(new ToyAttributeProbe(target, integer(a, file, "probe.largest_object." + target + ".classes"),
                    number(a, file, "probe.largest_object." + target + ".cls"), number(a, file, "probe.largest_object." + target + ".mean_patch"),
                    number(a, file, "probe.largest_object." + target + ".chance")));
        }
        return out;
    }

    private static JsonNode root(Path file) throws IOException {
        JsonNode root;
        try {
            root = Json.mapper().readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "toy backbone report does not exist");
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + Json.describe(e), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(file + ": expected a JSON object");
        }
        return root;
    }
}
