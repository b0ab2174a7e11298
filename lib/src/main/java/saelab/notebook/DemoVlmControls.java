package saelab.notebook;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import saelab.demo.ControlExamples;
import saelab.demo.DemoOutputs;
import saelab.demo.ToyVlmCriteria;
import saelab.io.Json;
import saelab.plot.AnswerBarsPlot;
import saelab.plot.ChartFigure;
import saelab.plot.VlmDosePlot;
import saelab.plot.VlmProtocolPlot;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Notebook one-liners over a VLM control step of a finished run (the demo's {@code control-vlm-<backbone>} on the toy world,
 * a plan's {@code vlm-control} step on a dataset): the protocol table of its question families (the real edit against
 * each control, rates over questions with 95% cluster-bootstrap intervals over images), Figure 6, and on the toy world the
 * criteria ({@link ToyVlmCriteria}).
 */
public final class DemoVlmControls {

    private DemoVlmControls() {}

    /**
     * One row per family and measure (suppress: answer changed; swap: answer changed; swap: answer is the added class c'):
     * the questions, how many no-edit answers equal the clean ones token for token, the clean accuracy, and the rate of the
     * real edit and of each control as "rate [lower, upper]". A family the step could not run is left out.
     */
    public static Table protocol(DemoOutputs d, String step) throws IOException {
        List<String> family = new ArrayList<>();
        List<String> measure = new ArrayList<>();
        List<Integer> questions = new ArrayList<>();
        List<Integer> identical = new ArrayList<>();
        List<String> accuracy = new ArrayList<>();
        List<List<String>> rates = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        List<String> conditions = List.of("real", "random_latent", "random_direction");
        double swapDose = 1;
        for (String f : d.vlmFamilies(step)) {
            Path file = d.vlmProtocol(step, f).resolve("summary.json");
            if (!Files.isRegularFile(file)) {
                continue;
            }
            Path index = d.vlmProtocol(step, f).resolve("index.json");
            if (Files.isRegularFile(index)) {
                swapDose = Json.mapper().readTree(index.toFile()).at("/parameters/swap_dose").asDouble(1);
            }
            Map<String, Object> s = Json.mapper().readValue(file.toFile(), new TypeReference<Map<String, Object>>() { });
            JsonNode node = Json.mapper().valueToTree(s);
            Table t = VlmProtocolPlot.table(s);
            for (String m : new java.util.LinkedHashSet<>(t.stringColumn("measure").asList())) {
                family.add(f);
                measure.add(m);
                questions.add(node.path("questions").asInt());
                identical.add(node.at("/faithfulness/no_edit_identical_tokens").asInt());
                accuracy.add(String.format(Locale.ROOT, "%.3f", node.path("clean_accuracy").asDouble()));
                for (int c = 0; c < conditions.size(); c++) {
                    String cell = "";
                    for (int r = 0; r < t.rowCount(); r++) {
                        if (t.stringColumn("measure").get(r).equals(m) && t.stringColumn("condition").get(r).equals(conditions.get(c))) {
                            cell = String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", t.doubleColumn("rate").get(r), t.doubleColumn("lower").get(r),
                                    t.doubleColumn("upper").get(r));
                        }
                    }
                    rates.get(c).add(cell);
                }
            }
        }
        String dose = swapDose == 1 ? "" : ", the swap at " + saelab.intervene.stats.DoseGrid.format(swapDose) + " x the added latent's maximum";
        return Table.create(d.input(step, "vlm") + " under SAE edits (" + step + dose + "): rates over questions [95% interval]",
                StringColumn.create("family", family), StringColumn.create("measure", measure),
                IntColumn.create("questions", questions.stream().mapToInt(Integer::intValue).toArray()),
                IntColumn.create("no-edit identical", identical.stream().mapToInt(Integer::intValue).toArray()),
                StringColumn.create("clean accuracy", accuracy), StringColumn.create("real edit", rates.get(0)),
                StringColumn.create("random latent", rates.get(1)), StringColumn.create("random direction", rates.get(2)));
    }

    /**
     * The swap's dose-response of every family the step ran with a dose grid: one row per family and dose, the rate of
     * answering the added class c' (and, after a slash, of any changed answer) of the real edit and of each control as
     * "rate [lower, upper] / rate". Empty when the step ran no dose grid (said in one line).
     */
    public static Table doseResponse(DemoOutputs d, String step) throws IOException {
        List<String> family = new ArrayList<>();
        List<String> dose = new ArrayList<>();
        List<List<String>> cells = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        List<String> conditions = List.of("real", "random_latent", "random_direction");
        for (String f : d.vlmFamilies(step)) {
            Map<String, Object> s = summary(d, step, f);
            if (s == null || s.get("dose_response") == null) {
                continue;
            }
            Table t = VlmDosePlot.table(s);
            for (double x : new java.util.TreeSet<>(t.doubleColumn("dose").asList())) {
                family.add(f);
                dose.add(saelab.intervene.stats.DoseGrid.format(x));
                for (int c = 0; c < conditions.size(); c++) {
                    String cell = "";
                    for (int r = 0; r < t.rowCount(); r++) {
                        if (t.doubleColumn("dose").get(r) == x && t.stringColumn("condition").get(r).equals(conditions.get(c))) {
                            cell = String.format(Locale.ROOT, "%.3f [%.3f, %.3f] / %.3f", t.doubleColumn("target_rate").get(r),
                                    t.doubleColumn("target_lower").get(r), t.doubleColumn("target_upper").get(r), t.doubleColumn("off_target_rate").get(r));
                        }
                    }
                    cells.get(c).add(cell);
                }
            }
        }
        if (family.isEmpty()) {
            System.out.println(step + " ran no dose grid (params.doses is empty)");
        }
        return Table.create(d.input(step, "vlm") + " under the swap at each dose (" + step + "): answer is c' [95% interval] / answer changed",
                StringColumn.create("family", family), StringColumn.create("dose (x max)", dose), StringColumn.create("real edit", cells.get(0)),
                StringColumn.create("random latent", cells.get(1)), StringColumn.create("random direction", cells.get(2)));
    }

    /**
     * The swap's dose-response curve of one family ({@link VlmDosePlot}), or null when that family ran no dose grid (said in
     * one line).
     */
    public static ChartFigure doseFigure(DemoOutputs d, String step, String family, String id) throws IOException {
        Map<String, Object> s = summary(d, step, family);
        if (s == null || s.get("dose_response") == null) {
            System.out.println(step + ", " + family + ": no dose-response");
            return null;
        }
        ChartFigure f = VlmDosePlot.figure(d.input(step, "vlm") + ", " + family + " questions: swap dose-response", VlmDosePlot.table(s));
        return new ChartFigure(id, f.chart(), f.data());
    }

    /**
     * Prints, per family, what the swap's frequency-matched random latents encode ({@code control_draws} of the summary,
     * {@link saelab.intervene.ControlDrawConcepts}): how many added draws are themselves a latent of the added class c'
     * (concept-step F1 at least 0.5) and how often the control answered c' with those draws and with the others. One line
     * per family; a family without the diagnostic (no F1 table) says so.
     */
    public static void controlDraws(DemoOutputs d, String step) throws IOException {
        for (String f : d.vlmFamilies(step)) {
            Map<String, Object> s = summary(d, step, f);
            if (s == null) {
                continue;
            }
            JsonNode c = Json.mapper().valueToTree(s).path("control_draws");
            if (c.isMissingNode()) {
                System.out.println(step + ", " + f + ": the concepts folder has no F1 table over every latent, so the draws are not described");
                continue;
            }
            int draws = 0;
            int target = 0;
            for (JsonNode row : c.path("swap_added_draw_f1_for_target")) {
                for (JsonNode v : row) {
                    draws++;
                    target += v.asDouble() >= c.path("threshold").asDouble() ? 1 : 0;
                }
            }
            JsonNode in = c.path("swap_to_target_when_draw_is_target_latent");
            JsonNode out = c.path("swap_to_target_when_draw_is_not");
            System.out.println(String.format(Locale.ROOT, "%s, %s: %d of the %d random latents the swap control adds %s latents of c'"
                    + " (F1 >= %.1f); the control answered c' in %d of %d answers with those and %d of %d (%.3f) with the others", step, f, target,
                    draws, target == 1 ? "is itself one of the" : "are themselves", c.path("threshold").asDouble(), in.path("to_target").asInt(),
                    in.path("answers").asInt(), out.path("to_target").asInt(), out.path("answers").asInt(), out.path("rate").asDouble(Double.NaN)));
        }
    }

    /** A family's protocol summary, or null when the step could not run it. */
    private static Map<String, Object> summary(DemoOutputs d, String step, String family) throws IOException {
        Path file = d.vlmProtocol(step, family).resolve("summary.json");
        return Files.isRegularFile(file) ? Json.mapper().readValue(file.toFile(), new TypeReference<Map<String, Object>>() { }) : null;
    }

    /**
     * Figure 6: the answers of a VLM control step's model to one held-out question before and after the protocol's swap
     * ({@link ControlExamples#vlm}: the first question of the first family the clean model answered right; the answer's
     * latent set to 0 and the next class's to its maximum on every image token), {@code samples} answers sampled at
     * temperature 1 from {@code seed}, the top five of each run as paired bars. Shows the image and prints the question and
     * the swap, and says so when no question was answered right and the first one stands in.
     */
    public static ChartFigure answers(DemoOutputs d, String step, int samples, long seed, String id) throws IOException {
        ControlExamples.VlmExample e = ControlExamples.vlm(d, step, samples, seed);
        Show.image(saelab.plot.InterventionFigure.toBuffered(e.rgb()));
        if (!e.answeredRight()) {
            System.out.println("the clean model answered no question right; the first question stands in");
        }
        System.out.println(String.format(Locale.ROOT, "%s \"%s\" (expected %s): latent %d (%s) set to 0, latent %d (%s) to its maximum; %d of"
                + " %d paired answers changed", e.image(), e.question(), e.answer(), e.from(), e.answer(), e.to(), e.swapTo(), e.result().changedPairs(),
                samples));
        String q = e.question().length() <= 48 ? e.question() : e.question().substring(0, 47) + "…"; // the title fits the column
        ChartFigure f = AnswerBarsPlot.figure("\"" + q + "\": " + e.answer() + " swapped for " + e.swapTo() + " (" + samples
                + " samples, T = 1)", e.result().before(), e.result().after(), 5);
        return new ChartFigure(id, f.chart(), f.data());
    }

    /**
     * The toy criteria of each family the step ran, printed and returned; none on a dataset step, which has no ground truth
     * of what a latent encodes (said in one line).
     */
    public static List<ToyVlmCriteria.Outcome> criteria(DemoOutputs d, String step) throws IOException {
        List<ToyVlmCriteria.Outcome> out = new ArrayList<>();
        if (!d.isWorld(d.input(step, "dataset"))) {
            System.out.println(step + " ran on a dataset: no pre-registered criteria, the rates above are the result");
            return out;
        }
        for (String f : d.vlmFamilies(step)) {
            Path dir = d.vlmProtocol(step, f);
            if (Files.isRegularFile(dir.resolve("summary.json"))) {
                ToyVlmCriteria.Outcome o = ToyVlmCriteria.evaluate(f, dir);
                System.out.print(o.describe());
                out.add(o);
            }
        }
        return out;
    }
}
