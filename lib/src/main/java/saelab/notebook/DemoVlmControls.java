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
import saelab.plot.VlmProtocolPlot;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Notebook one-liners over the VLM control step of a finished demo run ({@code control-vlm-<backbone>}): the protocol
 * table of both families (the real edit against each control, rates over questions with 95% cluster-bootstrap intervals
 * over images) and the toy criteria ({@link ToyVlmCriteria}).
 */
public final class DemoVlmControls {

    /** The families of the step, in order. */
    private static final List<String> FAMILIES = List.of("colour", "shape");

    private DemoVlmControls() {}

    /**
     * One row per family and measure (suppress: answer changed; swap: answer changed; swap: answer is the added class c'):
     * the questions, how many no-edit answers equal the clean ones token for token, the clean accuracy, and the rate of the
     * real edit and of each control as "rate [lower, upper]". A family the step could not run is left out.
     */
    public static Table protocol(DemoOutputs d, String backbone) throws IOException {
        List<String> family = new ArrayList<>();
        List<String> measure = new ArrayList<>();
        List<Integer> questions = new ArrayList<>();
        List<Integer> identical = new ArrayList<>();
        List<String> accuracy = new ArrayList<>();
        List<List<String>> rates = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        List<String> conditions = List.of("real", "random_latent", "random_direction");
        for (String f : FAMILIES) {
            Path file = d.vlmControl(backbone, f).resolve("summary.json");
            if (!Files.isRegularFile(file)) {
                continue;
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
        return Table.create("Toy VLM (" + backbone + " tower) under SAE edits, held-out world: rates over questions [95% interval]",
                StringColumn.create("family", family), StringColumn.create("measure", measure),
                IntColumn.create("questions", questions.stream().mapToInt(Integer::intValue).toArray()),
                IntColumn.create("no-edit identical", identical.stream().mapToInt(Integer::intValue).toArray()),
                StringColumn.create("clean accuracy", accuracy), StringColumn.create("real edit", rates.get(0)),
                StringColumn.create("random latent", rates.get(1)), StringColumn.create("random direction", rates.get(2)));
    }

    /**
     * Figure 6: the answers of the toy VLM to one held-out colour question before and after the protocol's swap
     * ({@link ControlExamples#vlm}: the first question the clean model answered right; the answer's latent set to 0 and the
     * next colour's to its maximum on every image token), {@code samples} answers sampled at temperature 1 from
     * {@code seed}, the top five of each run as paired bars. Shows the image and prints the question and the swap.
     */
    public static ChartFigure answers(DemoOutputs d, String backbone, int samples, long seed, String id) throws IOException {
        ControlExamples.VlmExample e = ControlExamples.vlm(d, backbone, samples, seed);
        Show.image(saelab.plot.InterventionFigure.toBuffered(e.rgb()));
        System.out.println(String.format(Locale.ROOT, "%s \"%s\" (expected %s): latent %d (%s) set to 0, latent %d (%s) to its maximum; %d of"
                + " %d paired answers changed", e.image(), e.question(), e.answer(), e.from(), e.answer(), e.to(), e.swapTo(), e.result().changedPairs(),
                samples));
        ChartFigure f = AnswerBarsPlot.figure("\"" + e.question() + "\": " + e.answer() + " swapped for " + e.swapTo() + " (" + samples
                + " samples, T = 1)", e.result().before(), e.result().after(), 5);
        return new ChartFigure(id, f.chart(), f.data());
    }

    /** The toy criteria of each family the step ran, printed and returned. */
    public static List<ToyVlmCriteria.Outcome> criteria(DemoOutputs d, String backbone) throws IOException {
        List<ToyVlmCriteria.Outcome> out = new ArrayList<>();
        for (String f : FAMILIES) {
            Path dir = d.vlmControl(backbone, f);
            if (Files.isRegularFile(dir.resolve("summary.json"))) {
                ToyVlmCriteria.Outcome o = ToyVlmCriteria.evaluate(f, dir);
                System.out.print(o.describe());
                out.add(o);
            }
        }
        return out;
    }
}
