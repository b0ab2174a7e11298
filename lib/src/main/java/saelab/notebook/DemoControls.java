package saelab.notebook;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.math3.stat.interval.ConfidenceInterval;
import org.apache.commons.math3.stat.interval.WilsonScoreInterval;
import saelab.demo.ControlExamples;
import saelab.demo.DemoOutputs;
import saelab.demo.ToyControlCriteria;
import saelab.heads.HeadKind;
import saelab.io.Json;
import saelab.plot.ChartFigure;
import saelab.intervene.ProtocolFlips;
import saelab.plot.DoseResponsePlot;
import saelab.plot.EditComparisonFigure;
import saelab.plot.ModelView;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Notebook one-liners over the control half of a finished run (demo or paper plan; control steps found by kind and head): the protocol table of every control step (the real
 * edit against each control, with 95% cluster-bootstrap intervals and the paired tests), the faithfulness figures, the
 * dose-response plot redrawn from its CSV, and the toy-world criteria ({@link ToyControlCriteria}).
 */
public final class DemoControls {

    private DemoControls() {}

    /**
     * One row per control step and condition: the macro target and off-target change rates (segmentation: patches whose
     * predicted class changes; classification: images whose top-1 changes) with their intervals, the paired difference
     * real − control of the target rate, and how many classes the Holm-adjusted sign-flip test rejects at 0.05.
     */
    public static Table protocol(DemoOutputs d) throws IOException {
        return protocol(d, HeadKind.values());
    }

    /** {@link #protocol(DemoOutputs)} of the control steps of the given head kinds only (a paper section's rows). */
    public static Table protocol(DemoOutputs d, HeadKind... heads) throws IOException {
        List<String> run = new ArrayList<>();
        List<String> condition = new ArrayList<>();
        List<String> target = new ArrayList<>();
        List<String> off = new ArrayList<>();
        List<String> diff = new ArrayList<>();
        List<Integer> rejected = new ArrayList<>();
        List<Integer> classes = new ArrayList<>();
        for (String step : controlSteps(d, heads)) {
            JsonNode s = summary(d.dir(step));
            boolean seg = "segment".equals(s.path("task").asText());
            String t = seg ? "target" : "target-flip";
            String o = seg ? "off-target" : "off-target-flip";
            for (var it = s.path("rates").fields(); it.hasNext(); ) {
                var e = it.next();
                run.add(runName(step));
                condition.add(e.getKey());
                target.add(interval(e.getValue().path(t).path("macro")));
                off.add(interval(e.getValue().path(o).path("macro")));
                JsonNode dm = s.path("differences").path("real-minus-" + e.getKey());
                diff.add(dm.isMissingNode() ? "" : interval(dm.path(t).path("macro")));
                rejected.add(dm.isMissingNode() ? null : dm.path("classes_rejected_holm_0.05").asInt());
                classes.add(s.path("classes").asInt());
            }
        }
        return Table.create("Control protocol on held-out images (macro over classes, 95% cluster-bootstrap intervals)",
                StringColumn.create("run", run), StringColumn.create("condition", condition),
                StringColumn.create("target change rate", target), StringColumn.create("off-target change rate", off),
                StringColumn.create("real - condition (target)", diff), IntColumn.create("classes rejected (Holm 0.05)",
                        rejected.stream().mapToInt(i -> i == null ? Integer.MIN_VALUE : i).toArray()),
                IntColumn.create("classes", classes.stream().mapToInt(Integer::intValue).toArray()));
    }

    /** One row per control step: the head's clean metric, the metric with the SAE's reconstruction spliced in, no-edit agreement. */
    public static Table faithfulness(DemoOutputs d) throws IOException {
        return faithfulness(d, HeadKind.values());
    }

    /** {@link #faithfulness(DemoOutputs)} of the control steps of the given head kinds only. */
    public static Table faithfulness(DemoOutputs d, HeadKind... heads) throws IOException {
        List<String> run = new ArrayList<>();
        List<String> metric = new ArrayList<>();
        List<String> clean = new ArrayList<>();
        List<String> recon = new ArrayList<>();
        List<String> agreement = new ArrayList<>();
        List<String> noEdit = new ArrayList<>();
        for (String step : controlSteps(d, heads)) {
            JsonNode f = summary(d.dir(step)).path("faithfulness");
            for (String key : List.of("miou", "patch_accuracy", "top1_accuracy")) {
                if (!f.has("clean_" + key)) {
                    continue;
                }
                run.add(runName(step));
                metric.add(key);
                clean.add(number(f.path("clean_" + key)));
                recon.add(number(f.path("reconstruction_" + key)));
                agreement.add(number(f.path("reconstruction_agreement_with_clean")));
                noEdit.add(number(f.path("no_edit_agreement")));
            }
        }
        return Table.create("Faithfulness before any edit (held-out images)", StringColumn.create("run", run),
                StringColumn.create("metric", metric), StringColumn.create("clean model", clean),
                StringColumn.create("SAE reconstruction spliced in", recon), StringColumn.create("reconstruction agrees with clean", agreement),
                StringColumn.create("no-edit splice agrees with clean", noEdit));
    }

    /**
     * The control steps of the run whose head is one of {@code heads} (steps of kind {@code control}, by their {@code head}
     * parameter), in run order: {@code control-dinov2-segment} in a demo run, {@code control-dinov2-cub-classify} in a paper run.
     */
    public static List<String> controlSteps(DemoOutputs d, HeadKind... heads) throws IOException {
        List<String> out = new ArrayList<>();
        for (String step : d.ofKind("control")) {
            HeadKind head = d.head(step);
            for (HeadKind h : heads) {
                if (h == head) {
                    out.add(step);
                }
            }
        }
        return out;
    }

    /** The head kind a control step ran with (its {@code head} parameter). */
    public static HeadKind head(DemoOutputs d, String controlStep) throws IOException {
        return d.head(controlStep);
    }

    /**
     * The dose-response plot of one control step, redrawn from its {@code dose-response-macro.csv}, with the registry id of
     * its paper section: {@code s05-1-dose-<run>} for segmentation, {@code s05-2-dose-<run>} for the image heads, where
     * {@code <run>} is the step id without {@code control-} (e.g. {@code s05-1-dose-dinov2-segment}).
     */
    public static ChartFigure doseResponse(DemoOutputs d, String controlStep) throws IOException {
        Path csv = d.dir(controlStep).resolve(DoseResponsePlot.ID + ".csv");
        if (!Files.isRegularFile(csv)) {
            throw new IllegalArgumentException("control step " + controlStep + " has no " + csv.getFileName() + "; it ran without doses");
        }
        boolean seg = head(d, controlStep) == HeadKind.SEGMENT;
        Table t = Table.read().csv(csv.toFile());
        ChartFigure f = DoseResponsePlot.figure(t, seg ? "patch" : "top-1");
        return new ChartFigure("s05-" + (seg ? "1" : "2") + "-dose-" + runName(controlStep), f.chart(), f.data());
    }

    /**
     * Prints, per control step with one of {@code heads}, what its frequency-matched random latents encode (the summary's
     * {@code control_draws}, {@link saelab.intervene.ControlDrawConcepts#imageDraws}): how many draws are themselves latents
     * of the class they stand in for (concept-step F1 at least 0.5), and the highest such F1. One line per step; a step
     * whose concepts folder had no F1 table over every latent, or that ran before the protocol recorded it, says so.
     */
    public static void controlDraws(DemoOutputs d, HeadKind... heads) throws IOException {
        for (String step : controlSteps(d, heads)) {
            JsonNode c = summary(d.dir(step)).path("control_draws");
            if (c.isMissingNode()) {
                System.out.println(step + ": what the random latents encode is not recorded (no F1 table over every latent, or a run"
                        + " from before the protocol recorded it)");
                continue;
            }
            double best = 0;
            for (JsonNode row : c.path("random_latent_f1_for_class")) {
                for (JsonNode v : row) {
                    best = Math.max(best, v.asDouble());
                }
            }
            System.out.println(String.format(java.util.Locale.ROOT, "%s: %d of the %d random latents are themselves latents of the class"
                    + " they stand in for (F1 >= %.1f); the highest F1 of a draw for its class is %.2f", step,
                    c.path("draws_that_are_latents_of_their_class").asInt(), c.path("draws").asInt(), c.path("threshold").asDouble(), best));
        }
    }

    /** A control step's id without {@code control-}. */
    public static String runName(String controlStep) {
        return controlStep.startsWith("control-") ? controlStep.substring("control-".length()) : controlStep;
    }

    /**
     * The toy VLM's held-out accuracy per question type with its 95% Wilson score interval (Wilson 1927; the interval Brown,
     * Cai and DasGupta 2001 recommend for a binomial proportion; commons-math3's {@code WilsonScoreInterval}) beside its
     * chance level (always the most frequent training answer), from the summary of the VLM step {@code vlmStep} (e.g.
     * {@code vlm-clip}) in {@code demo.json}. The interval treats the questions as independent draws; each scene asks at
     * most one question of a type, so within a type they are.
     */
    public static Table vlmAccuracy(DemoOutputs d, String vlmStep) {
        JsonNode s = d.step(vlmStep).path("summary");
        List<String> type = new ArrayList<>();
        List<Integer> questions = new ArrayList<>();
        List<String> accuracy = new ArrayList<>();
        List<String> interval = new ArrayList<>();
        List<String> chance = new ArrayList<>();
        for (var it = s.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getValue().isObject()) {
                continue;
            }
            int n = e.getValue().path("questions").asInt();
            double a = e.getValue().path("accuracy").asDouble(Double.NaN);
            type.add(e.getKey());
            questions.add(n);
            accuracy.add(number(e.getValue().path("accuracy")));
            interval.add(n > 0 && Double.isFinite(a) ? wilson(n, (int) Math.round(a * n)) : "");
            chance.add(number(e.getValue().path("chance")));
        }
        return Table.create("Toy VLM (" + vlmStep + "): held-out accuracy per question type, greedy answers",
                StringColumn.create("question", type), IntColumn.create("questions", questions.stream().mapToInt(Integer::intValue).toArray()),
                StringColumn.create("accuracy", accuracy), StringColumn.create("95% interval (Wilson)", interval),
                StringColumn.create("chance (majority answer)", chance));
    }

    /** The 95% Wilson score interval of {@code right} of {@code n}, as "[lower, upper]". */
    static String wilson(int n, int right) {
        ConfidenceInterval ci = new WilsonScoreInterval().createInterval(n, right, 0.95);
        return String.format(Locale.ROOT, "[%.3f, %.3f]", ci.getLowerBound(), ci.getUpperBound());
    }

    /**
     * The toy-world criteria ({@link ToyControlCriteria}) of the run's first segmentation control step on a toy world, printed
     * and returned; on a run without one (a paper run) says so and returns null.
     */
    public static ToyControlCriteria.Outcome criteria(DemoOutputs d) throws IOException {
        for (String step : controlSteps(d, HeadKind.SEGMENT)) {
            String dataset = d.input(step, "dataset");
            if (dataset != null && d.steps().contains(dataset) && d.kind(dataset).equals("world")) {
                ToyControlCriteria.Outcome o = ToyControlCriteria.evaluate(d.dir(step));
                System.out.print(o.describe());
                return o;
            }
        }
        System.out.println("no segmentation control step of this run edits the toy world, so the toy-world criteria do not apply");
        return null;
    }

    /**
     * The paper's intervention figure of one control step (Figure 4 for segmentation, Figure 5 for the probe): one held-out
     * image chosen by {@link ControlExamples}' fixed rules, the protocol's edit of the class's chosen latent at the most
     * specific dose ({@link saelab.intervene.SpecificDose}) beside the same per-token norms along a random direction.
     * Prints what was edited.
     */
    public static EditComparisonFigure editExample(DemoOutputs d, String controlStep) throws IOException {
        ControlExamples.ImageExample e = ControlExamples.image(d, controlStep, -1);
        String dose = e.dose() == null ? "ablation (the run has no dose-response)" : String.format(Locale.ROOT,
                "dose %s x max (real %.3f vs random latent %.3f, random direction %.3f macro target change)", e.dose().dose(),
                e.dose().realRate(), e.dose().randomLatent(), e.dose().randomDirection());
        System.out.println("held-out image " + e.index() + " (" + e.image() + "): " + e.describe() + "; " + dose);
        return new EditComparisonFigure(ModelView.of(e.preprocessor(), e.rgb()), e.describe(),
                List.of(new EditComparisonFigure.Panel("real edit", e.real()), new EditComparisonFigure.Panel("random direction", e.randomDirection())),
                6);
    }

    /**
     * Where the real ablation's top-1 flips go in a classification control step ({@code transitions.csv}, {@link ProtocolFlips}):
     * a row per clean top-1 class, a column per top-1 after the edit, and each row's flips. Prints the total.
     */
    public static Table flips(DemoOutputs d, String controlStep) throws IOException {
        ProtocolFlips f = ProtocolFlips.read(d.dir(controlStep));
        System.out.println(String.format(Locale.ROOT, "%d of %d held-out images changed their top-1 under the ablation of their class's latent",
                f.flips(), f.images()));
        return f.table("Where the flips go (" + runName(controlStep) + "): held-out images by clean top-1 (rows) and top-1 after ablating"
                + " their class's latent (columns)");
    }

    private static JsonNode summary(Path dir) throws IOException {
        return Json.mapper().readTree(dir.resolve("summary.json").toFile());
    }

    private static String interval(JsonNode m) {
        if (m.isMissingNode() || m.path("estimate").isNull()) {
            return "";
        }
        return String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", m.path("estimate").asDouble(), m.path("lower").asDouble(Double.NaN),
                m.path("upper").asDouble(Double.NaN));
    }

    private static String number(JsonNode n) {
        return n.isMissingNode() || n.isNull() ? "" : String.format(Locale.ROOT, "%.4f", n.asDouble());
    }
}
