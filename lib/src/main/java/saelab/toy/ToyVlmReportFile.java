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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import saelab.data.ToyWorld;
import saelab.io.Json;

/**
 * The {@code report.json} of a toy VLM folder: what was trained (spec, world, backbone, architecture, optimisation), its
 * content hash, the final loss, the held-out accuracy per kind of question with its chance level, and timings. Read
 * back by the trainer to recognise a folder that already holds the requested model.
 */
final class ToyVlmReportFile {

    /** The file name, inside the model folder (the LLaVA loader does not read it). */
    static final String NAME = "report.json";

    /**
     * A report read back.
     *
     * @param contentSha256 the content hash it was written for
     * @param report        the numbers, with the curve's path resolved inside the folder
     */
    record Stored(String contentSha256, ToyVlmReport report) {}

    /**
     * Wall times in seconds.
     *
     * @param features   the frozen tower's features of the training scenes
     * @param training   the optimisation loop
     * @param trainingCpu the CPU time of the training thread during the loop (libtorch on one thread runs on it)
     * @param evaluation the held-out accuracy on the saved folder
     * @param total      the whole call
     */
    record Timings(double features, double training, double trainingCpu, double evaluation, double total) {}

    private ToyVlmReportFile() {}

    /** The report's content. */
    static Map<String, Object> content(String hash, ToyVlmSpec spec, ToyWorld world, Path backbone, ToyVlmArchitecture arch, long parameters,
                                       int trainingQuestions, int heldOutQuestions, TrainingCurve curve, List<ToyVlmScore> scores,
                                       Timings timings) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("generator", ToyVlmTrainer.GENERATOR);
        r.put("content_sha256", hash);
        r.put("spec", spec.toJson());
        r.put("world", ToyReportFile.worldJson(world));
        r.put("backbone", backbone.getFileName().toString());
        r.put("architecture", arch.toJson());
        r.put("parameters", parameters);
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("objective", "next-token cross-entropy on the answer tokens and the closing </s> only, averaged per question, then over the"
                + " batch; prompt: <s>USER: <image>\\n{question} ASSISTANT: with <image> expanded to " + arch.imageTokens() + " image tokens");
        t.put("frozen", "the vision tower (its selected features computed once)");
        t.put("optimiser", "AdamW, betas (" + ToyAdamW.BETA1 + ", " + ToyAdamW.BETA2 + "), eps " + ToyAdamW.EPS + ", weight decay "
                + ToyAdamW.WEIGHT_DECAY + " on weight matrices, global gradient-norm clip " + ToyAdamW.CLIP_NORM);
        t.put("schedule", "linear warmup over 5% of the steps, cosine decay to 1% of the peak");
        t.put("initialisation", "truncated normal (2 sigma), std " + ToyParameters.initStd(arch.width()) + "; RMSNorm weights 1, biases 0");
        t.put("training_questions", trainingQuestions);
        t.put("scenes", List.of(0, spec.trainImages()));
        r.put("training", t);
        r.put("final_loss", curve.tailMean(ToyReportFile.FINAL_LOSS_FRACTION));
        r.put("final_loss_definition", "mean training loss over the last 5% of the steps");
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("scenes", List.of(spec.trainImages(), spec.trainImages() + spec.heldOutImages()));
        h.put("questions", heldOutQuestions);
        h.put("definition", "greedy decoding of the saved folder (LlavaModel) until </s>; right when the normalised answer (trimmed,"
                + " lower-cased, trailing punctuation dropped) equals the ground truth; chance = always giving the most frequent answer of the"
                + " training questions of that type; scenes never trained on");
        Map<String, Object> by = new LinkedHashMap<>();
        for (ToyVlmScore s : scores) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("questions", s.questions());
            m.put("accuracy", s.accuracy());
            m.put("chance", s.chance());
            m.put("majority_answer", s.majorityAnswer());
            by.put(s.type().id(), m);
        }
        h.put("by_type", by);
        r.put("held_out", h);
        Map<String, Object> tm = new LinkedHashMap<>();
        tm.put("feature_seconds", timings.features());
        tm.put("training_seconds", timings.training());
        tm.put("training_cpu_seconds", timings.trainingCpu());
        tm.put("load_average_at_end", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        tm.put("training_questions_per_second", (double) spec.steps() * spec.batch() / timings.training());
        tm.put("evaluation_seconds", timings.evaluation());
        tm.put("total_seconds", timings.total());
        tm.put("torch_threads", ToyBackboneTrainer.TORCH_THREADS);
        r.put("timings", tm);
        Map<String, Object> files = new LinkedHashMap<>();
        files.put("curve_csv", ToyBackboneTrainer.TRAINING_DIR + "/" + TrainingCurve.ID + ".csv");
        r.put("files", files);
        return r;
    }

    /** Writes {@code dir/report.json} atomically. */
    static void write(Path dir, Map<String, Object> content) throws IOException {
        Json.write(dir.resolve(NAME), content);
    }

    /**
     * Reads {@code dir/report.json}; null when it is a report of another generator (the folder is then replaced).
     *
     * @throws IllegalArgumentException naming the file and the field when it is not a toy VLM report
     */
    static Stored read(Path dir) throws IOException {
        Path file = dir.resolve(NAME);
        JsonNode root;
        try {
            root = Json.mapper().readTree(Files.readAllBytes(file));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + Json.describe(e), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(file + ": expected a JSON object");
        }
        String generator = text(root, file, "generator");
        if (!generator.startsWith("saelab-toy-vlm/")) {
            throw new IllegalArgumentException(file + ": field 'generator' is '" + generator + "'; expected a saelab toy VLM report");
        }
        if (!generator.equals(ToyVlmTrainer.GENERATOR)) {
            return null;
        }
        JsonNode s = object(root, file, "spec");
        ToyVlmSpec spec;
        try {
            spec = new ToyVlmSpec(integer(s, file, "spec.width"), integer(s, file, "spec.layers"), integer(s, file, "spec.heads"),
                    integer(s, file, "spec.kv_heads"), integer(s, file, "spec.train_images"), integer(s, file, "spec.held_out_images"),
                    integer(s, file, "spec.steps"), integer(s, file, "spec.batch"), number(s, file, "spec.lr"),
                    longInteger(s, file, "spec.seed"), integer(s, file, "spec.texture_repeat"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": field 'spec': " + e.getMessage(), e);
        }
        JsonNode by = object(object(root, file, "held_out"), file, "held_out.by_type");
        List<ToyVlmScore> scores = new ArrayList<>();
        for (ToyQuestionType type : ToyQuestionType.values()) {
            JsonNode n = by.get(type.id());
            if (n != null) {
                String f = "held_out.by_type." + type.id();
                scores.add(new ToyVlmScore(type, integer(n, file, f + ".questions"), number(n, file, f + ".accuracy"),
                        number(n, file, f + ".chance"), text(n, file, f + ".majority_answer")));
            }
        }
        JsonNode timings = object(root, file, "timings");
        ToyVlmReport r = new ToyVlmReport(spec, number(root, file, "final_loss"), scores, number(timings, file, "timings.training_seconds"),
                number(timings, file, "timings.total_seconds"), dir.resolve(text(object(root, file, "files"), file, "files.curve_csv")));
        return new Stored(text(root, file, "content_sha256"), r);
    }
}
