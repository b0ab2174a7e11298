package saelab.notebook;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import saelab.analysis.AnalysisResult;
import saelab.demo.DemoOutputs;
import saelab.image.ImageDecoder;
import saelab.io.Json;
import saelab.plot.AnalysisPlots;
import saelab.plot.ChartFigure;
import saelab.plot.ImageGrid;
import saelab.plot.LatentGridPlot;
import saelab.plot.PaperStyle;
import saelab.store.TokenKind;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.Row;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Notebook one-liners over a finished demo run ({@code saelab demo}): the toy world's images, the backbones'
 * training curves and held-out checks, the SAEs' training curves and evaluation, and the ground-truth concept
 * table. {@link #open()} finds the run of the notebook's profile: {@code SAELAB_DEMO_WORK} when set, else
 * {@code <checkout>/work/<profile>} ({@code work/demo} for the demo, {@code work/paper} where {@code saelab run paper}
 * writes by default).
 */
public final class Demo {

    /** Environment variable naming the demo's work folder. */
    public static final String WORK_VAR = "SAELAB_DEMO_WORK";

    private Demo() {}

    /** The run of this checkout and profile (see the class comment), with its steps printed. */
    public static DemoOutputs open() {
        String env = System.getenv(WORK_VAR);
        Path work = env == null || env.isBlank() ? Notebook.workspace().root().resolve("work").resolve(Notebook.settings().profile().id())
                : Notebook.workspace().root().resolve(env).normalize();
        try {
            DemoOutputs d = DemoOutputs.open(work);
            System.out.print(d.describe());
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first {@code n} toy-world images with their class and caption. */
    public static ImageGrid worldSamples(DemoOutputs d, int n) throws IOException {
        List<ImageGrid.Cell> cells = new ArrayList<>();
        Path world = d.world();
        try (var lines = Files.lines(world.resolve("captions.jsonl"), StandardCharsets.UTF_8)) {
            for (String line : (Iterable<String>) lines.limit(n)::iterator) {
                JsonNode e = Json.mapper().readTree(line);
                cells.add(new ImageGrid.Cell(ImageDecoder.decode(world.resolve(e.path("file").asText())),
                        e.path("labels").path("class").asText(), e.path("caption").asText()));
            }
        }
        return new ImageGrid("Toy world: the first " + cells.size() + " scenes (class = largest object; caption)", cells, 8, 96);
    }

    /** The attributes of the largest object probed on their own (report.json: probe.largest_object). */
    private static final List<String> ATTRIBUTES = List.of("colour", "shape", "texture");

    /**
     * Per backbone: objective, final loss, the held-out check and the linear probes (the 36-way class, and the
     * largest object's colour, shape and texture on the mean patch), each with its chance level.
     */
    public static Table backbones(DemoOutputs d) throws IOException {
        Table t = Table.create("Toy backbones: held-out checks against chance",
                StringColumn.create("backbone"), StringColumn.create("held_out_metric"), DoubleColumn.create("held_out"),
                DoubleColumn.create("held_out_chance"), DoubleColumn.create("probe_cls"), DoubleColumn.create("probe_mean_patch"),
                DoubleColumn.create("probe_chance"), DoubleColumn.create("final_loss"), DoubleColumn.create("training_seconds"));
        for (String a : ATTRIBUTES) {
            t.addColumns(DoubleColumn.create(a + "_mean_patch"), DoubleColumn.create(a + "_chance"));
        }
        for (String b : d.backbones()) {
            JsonNode r = report(d, b);
            Row row = t.appendRow();
            row.setString("backbone", b);
            row.setString("held_out_metric", r.path("held_out").path("metric").asText());
            row.setDouble("held_out", r.path("held_out").path("value").asDouble());
            row.setDouble("held_out_chance", r.path("held_out").path("chance").asDouble());
            row.setDouble("probe_cls", r.path("probe").path("cls").asDouble());
            row.setDouble("probe_mean_patch", r.path("probe").path("mean_patch").asDouble());
            row.setDouble("probe_chance", r.path("probe").path("chance").asDouble());
            row.setDouble("final_loss", r.path("final_loss").asDouble());
            row.setDouble("training_seconds", r.path("timings").path("training_seconds").asDouble());
            for (String a : ATTRIBUTES) {
                JsonNode probe = r.path("probe").path("largest_object").path(a);
                row.setDouble(a + "_mean_patch", probe.path("mean_patch").asDouble(Double.NaN));
                row.setDouble(a + "_chance", probe.path("chance").asDouble(Double.NaN));
            }
        }
        return t;
    }

    private static JsonNode report(DemoOutputs d, String backbone) throws IOException {
        Path f = d.model(backbone).resolve("report.json");
        if (!Files.isRegularFile(f)) {
            throw new IOException(f + " is missing: backbone '" + backbone + "' was not trained by saelab's toy trainer");
        }
        return Json.mapper().readTree(f.toFile());
    }

    /**
     * The backbones' training losses against step, each divided by its first logged value so that the
     * contrastive and the masked-patch losses share one axis.
     */
    public static ChartFigure backboneCurves(DemoOutputs d) throws IOException {
        XYChart chart = PaperStyle.xyChart("Toy backbones: training loss", "step", "loss / first loss", PaperStyle.SINGLE_COLUMN);
        StringColumn bb = StringColumn.create("backbone");
        IntColumn step = IntColumn.create("step");
        DoubleColumn loss = DoubleColumn.create("loss");
        DoubleColumn rel = DoubleColumn.create("relative_loss");
        for (String b : d.backbones()) {
            JsonNode r = report(d, b);
            Path csv = d.model(b).resolve(r.path("files").path("curve_csv").asText());
            Table c = Table.read().csv(csv.toFile());
            double first = c.numberColumn("loss").getDouble(0);
            double[] x = new double[c.rowCount()];
            double[] y = new double[c.rowCount()];
            for (int i = 0; i < c.rowCount(); i++) {
                x[i] = c.numberColumn("step").getDouble(i);
                y[i] = c.numberColumn("loss").getDouble(i) / first;
                bb.append(b);
                step.append((int) x[i]);
                loss.append(c.numberColumn("loss").getDouble(i));
                rel.append(y[i]);
            }
            XYSeries s = chart.addSeries(b.equals("clip") ? "CLIP layout (contrastive)" : b.equals("dinov2")
                    ? "DINOv2 layout (masked patches)" : b, x, y);
            s.setMarker(SeriesMarkers.NONE);
        }
        return new ChartFigure("backbone-curves", chart, Table.create("backbone-curves", bb, step, loss, rel));
    }

    /** Every SAE's training curve (normalised MSE proxy: MSE relative to its first value, and L0) from {@code metrics.jsonl}. */
    public static ChartFigure saeCurves(DemoOutputs d) throws IOException {
        XYChart chart = PaperStyle.xyChart("SAE training: reconstruction error", "training tokens", "MSE / first MSE",
                PaperStyle.SINGLE_COLUMN);
        StringColumn name = StringColumn.create("sae");
        LongColumn tokens = LongColumn.create("tokens");
        DoubleColumn mse = DoubleColumn.create("mse");
        DoubleColumn l0 = DoubleColumn.create("l0");
        DoubleColumn dead = DoubleColumn.create("never_fired");
        for (String b : d.backbones()) {
            for (TokenKind k : List.of(TokenKind.PATCHES, TokenKind.CLS)) {
                String id = b + " " + kindName(k);
                List<String> lines = Files.readAllLines(d.saeDir(b, k).resolve("metrics.jsonl"), StandardCharsets.UTF_8);
                double[] x = new double[lines.size()];
                double[] y = new double[lines.size()];
                double first = Double.NaN;
                for (int i = 0; i < lines.size(); i++) {
                    JsonNode m = Json.mapper().readTree(lines.get(i));
                    if (i == 0) {
                        first = m.path("mse").asDouble();
                    }
                    x[i] = m.path("tokens").asDouble();
                    y[i] = m.path("mse").asDouble() / first;
                    name.append(id);
                    tokens.append(m.path("tokens").asLong());
                    mse.append(m.path("mse").asDouble());
                    l0.append(m.path("l0").asDouble());
                    dead.append(m.path("never_fired").asDouble());
                }
                chart.addSeries(id, x, y).setMarker(SeriesMarkers.NONE);
            }
        }
        return new ChartFigure("sae-curves", chart, Table.create("sae-curves", name, tokens, mse, l0, dead));
    }

    /** Per SAE: its evaluation on the captured tokens ({@code metrics.json} of the eval step). */
    public static Table saeEvaluation(DemoOutputs d) throws IOException {
        Table t = Table.create("SAEs on the toy backbones' activations", StringColumn.create("backbone"), StringColumn.create("tokens"),
                IntColumn.create("rows"), DoubleColumn.create("l0"), DoubleColumn.create("normalized_mse"),
                DoubleColumn.create("explained_variance"), IntColumn.create("dead"), IntColumn.create("dense"));
        for (String b : d.backbones()) {
            for (TokenKind k : List.of(TokenKind.PATCHES, TokenKind.CLS)) {
                JsonNode m = Json.mapper().readTree(d.eval(b, k).resolve("metrics.json").toFile());
                Row r = t.appendRow();
                r.setString("backbone", b);
                r.setString("tokens", kindName(k));
                r.setInt("rows", m.path("rows").asInt());
                r.setDouble("l0", m.path("l0").asDouble());
                r.setDouble("normalized_mse", m.path("normalized_mse").asDouble());
                r.setDouble("explained_variance", m.path("explained_variance").asDouble());
                r.setInt("dead", m.path("dead").asInt());
                r.setInt("dense", m.path("dense").asInt());
            }
        }
        return t;
    }

    /** The firing-frequency histogram of one SAE's latents. */
    public static ChartFigure frequencies(DemoOutputs d, String backbone, TokenKind kind) throws IOException {
        return AnalysisPlots.frequencyHistogram(backbone + "-" + kindName(kind) + "-frequency",
                AnalysisResult.read(d.analysis(backbone, kind)));
    }

    /**
     * The ground truth: per planted concept (every colour, shape, texture and background kind at patch level; the
     * object count at image level) the patch SAE's best latent by F1 and by AUROC, with the random-latent and
     * random-direction baselines computed the same way. Rows of the catch-all class {@code none} are left out.
     */
    public static Table groundTruth(DemoOutputs d, String backbone) throws IOException {
        Path csv = d.concepts(backbone, TokenKind.PATCHES).resolve("concepts.csv");
        Table all = Table.read().csv(csv.toFile());
        Table t = Table.create("Ground truth: " + backbone + " patch SAE", StringColumn.create("family"), StringColumn.create("unit"),
                StringColumn.create("concept"), IntColumn.create("positives"), IntColumn.create("best_f1_latent"),
                DoubleColumn.create("best_f1"), DoubleColumn.create("random_latent_f1"), DoubleColumn.create("random_direction_f1"),
                IntColumn.create("best_auroc_latent"), DoubleColumn.create("best_auroc"), DoubleColumn.create("random_latent_auroc"),
                DoubleColumn.create("random_direction_auroc"));
        for (Row r : all) {
            String family = r.getString("family");
            if (!PLANTED.containsKey(family) || "none".equals(r.getString("name"))) {
                continue;
            }
            Row o = t.appendRow();
            o.setString("family", family);
            o.setString("unit", r.getString("unit"));
            o.setString("concept", family.equals("count") ? r.getString("name") + " objects" : r.getString("name"));
            o.setInt("positives", (int) r.getNumber("positives"));
            o.setInt("best_f1_latent", (int) r.getNumber("best_f1_latent"));
            o.setDouble("best_f1", r.getNumber("best_f1"));
            o.setDouble("random_latent_f1", r.getNumber("random_latent_f1"));
            o.setDouble("random_direction_f1", r.getNumber("random_direction_f1"));
            o.setInt("best_auroc_latent", (int) r.getNumber("best_auroc_latent"));
            o.setDouble("best_auroc", r.getNumber("best_auroc"));
            o.setDouble("random_latent_auroc", r.getNumber("random_latent_auroc"));
            o.setDouble("random_direction_auroc", r.getNumber("random_direction_auroc"));
        }
        return t;
    }

    /** The planted concept families of the ground truth, with the unit each is scored on. */
    static final Map<String, String> PLANTED = Map.of("colour", "patch", "shape", "patch", "texture", "patch", "background", "patch",
            "count", "image");

    /** Bars of the ground truth (best latent's F1 against both baselines), one bar group per concept. */
    public static ChartFigure groundTruthBars(Table truth, String backbone) {
        List<AnalysisPlots.ConceptScore> scores = new ArrayList<>();
        for (Row r : truth) {
            scores.add(new AnalysisPlots.ConceptScore(r.getString("concept"), r.getInt("best_f1_latent"), r.getDouble("best_f1"),
                    r.getDouble("random_latent_f1"), r.getDouble("random_direction_f1")));
        }
        ChartFigure f = AnalysisPlots.conceptMatchBars(backbone + "-ground-truth", scores, "F1");
        // the legend inside the plot would cover the last bars
        ((org.knowm.xchart.CategoryChart) f.chart()).getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        return f;
    }

    /** The best-F1 latent of one concept in a ground-truth table. */
    public static int bestLatent(Table truth, String family, String concept) {
        for (Row r : truth) {
            if (r.getString("family").equals(family) && r.getString("concept").equals(concept)) {
                return r.getInt("best_f1_latent");
            }
        }
        throw new IllegalArgumentException("no concept '" + concept + "' of family '" + family + "' in the ground-truth table");
    }

    /** The top images of a latent of the patch SAE, as the model saw them, with the latent's patch heatmap over them. */
    public static LatentGridPlot topImages(DemoOutputs d, String backbone, int latent, int top) throws IOException {
        return Analyses.showLatent(d.analysis(backbone, TokenKind.PATCHES), latent, top, d.cache(backbone), d.world(),
                d.model(backbone));
    }

    /**
     * How many concepts of a ground-truth table the best latent detects clearly better than both baselines, by the
     * two fixed criteria of the project's test: best AUROC at least 0.1 above the better baseline AUROC, and best F1 at
     * least twice the better baseline F1.
     */
    public static String summary(Table truth) {
        int n = truth.rowCount();
        int auc = 0;
        int f1 = 0;
        for (Row r : truth) {
            if (r.getDouble("best_auroc") >= Math.max(r.getDouble("random_latent_auroc"), r.getDouble("random_direction_auroc")) + 0.1) {
                auc++;
            }
            if (r.getDouble("best_f1") >= 2 * Math.max(r.getDouble("random_latent_f1"), r.getDouble("random_direction_f1"))) {
                f1++;
            }
        }
        return String.format(Locale.ROOT, "%d of %d planted concepts have a latent with AUROC >= 0.1 above both random baselines;"
                + " %d of %d have one with F1 >= 2x both", auc, n, f1, n);
    }

    private static String kindName(TokenKind k) {
        return k == TokenKind.CLS ? "cls" : "patch";
    }
}
