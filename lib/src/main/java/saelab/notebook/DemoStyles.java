package saelab.notebook;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import saelab.analysis.AnalysisResult;
import saelab.analysis.SampleComparison;
import saelab.analysis.StyleSpan;
import saelab.demo.DemoOutputs;
import saelab.demo.ToyFamily;
import saelab.demo.TruthFile;
import saelab.io.Npy;
import saelab.plot.ChartFigure;
import saelab.plot.LatentGridPlot;
import saelab.plot.LatentTiles;
import saelab.plot.PaperStyle;
import saelab.store.ActivationCache;
import saelab.store.TokenKind;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Row;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Section 4 of the paper on the toy world (notebooks {@code 04-1-dinov2-vs-clip} and {@code 04-2-clip-vs-bioclip}): the
 * style span of concept latents ({@link StyleSpan}) and its test ({@link SampleComparison}), the cross-model matching
 * summaries of the plan's compare steps, the concepts with a dedicated latent in one model only, and top images side by
 * side. Every choice is a fixed rule written here, before the run's numbers were looked at:
 * <ul>
 *   <li>a latent's concept is its best class (highest patch F1 of concept matching) over the colour, shape and texture
 *       classes of the ground truth; it is a <em>concept latent</em> (section 4.1) when that class is a colour or a shape
 *       with F1 at least {@link #CONCEPT_F1};</li>
 *   <li>its top examples are its top {@code k} images (the analysis's image list), each at the patch where the latent
 *       is largest; an example counts when that patch lies on an object (it then has a texture, the toy world's style);
 *       a latent with fewer than {@link #MIN_EXAMPLES} such examples is left out;</li>
 *   <li>a concept has a <em>dedicated latent</em> in a model (section 4.2) when the best patch F1 of any latent for it is
 *       at least {@link #DEDICATED_F1}.</li>
 * </ul>
 */
public final class DemoStyles {

    /** Patch F1 from which a latent whose best class is a colour or shape counts as a concept latent. */
    public static final double CONCEPT_F1 = 0.3;
    /** Patch F1 from which a concept counts as having a dedicated latent. */
    public static final double DEDICATED_F1 = 0.5;
    /** Fewest usable top examples for a style span. */
    public static final int MIN_EXAMPLES = 8;
    /** Random draws of each latent's null. */
    public static final int NULL_DRAWS = 500;
    /** Bootstrap replicates of the comparison. */
    public static final int BOOTSTRAP = 10_000;
    /** Correlation below which a live latent has no counterpart (one of {@code CrossModelOutputs.THRESHOLDS}). */
    public static final double NO_COUNTERPART = 0.5;

    private static final List<ToyFamily> FAMILIES = List.of(ToyFamily.COLOUR, ToyFamily.SHAPE, ToyFamily.TEXTURE);

    private DemoStyles() {}

    /** A latent's concept: its best class over the colour, shape and texture families. */
    record Concept(int latent, ToyFamily family, int label, String name, double f1) {}

    /** Every latent's best class over the colour, shape and texture classes ({@code none} excluded), by patch F1. */
    static List<Concept> concepts(DemoOutputs d, String backbone) throws IOException {
        Path dir = d.concepts(backbone, TokenKind.PATCHES);
        Map<ToyFamily, float[]> tables = new EnumMap<>(ToyFamily.class);
        Map<ToyFamily, Integer> classes = new EnumMap<>(ToyFamily.class);
        int latents = -1;
        for (ToyFamily f : FAMILIES) {
            int n = f.classes(saelab.data.ToyWorld.withSeed(0)).size();
            float[] t = Npy.readFloats(dir.resolve("concept_f1_" + f.id() + ".npy"), n, -1);
            latents = t.length / n;
            tables.put(f, t);
            classes.put(f, n);
        }
        List<Concept> out = new ArrayList<>();
        for (int l = 0; l < latents; l++) {
            Concept best = null;
            for (ToyFamily f : FAMILIES) {
                List<String> names = f.classes(saelab.data.ToyWorld.withSeed(0));
                for (int c = 1; c < classes.get(f); c++) {
                    double v = tables.get(f)[c * latents + l];
                    if (best == null || v > best.f1()) {
                        best = new Concept(l, f, c, names.get(c), v);
                    }
                }
            }
            out.add(best);
        }
        return out;
    }

    /**
     * Section 4.1: the style span of every concept latent of a backbone's patch SAE, one row each: latent, family,
     * concept, f1, examples, distinct, entropy, null_distinct, null_entropy, excess (entropy − null_entropy).
     */
    public static Table styleSpans(DemoOutputs d, String backbone) throws IOException {
        TruthFile.Labels truth = TruthFile.read(d.dir("truth-" + backbone).resolve(TruthFile.FILE));
        short[] texture = truth.labels().get(ToyFamily.TEXTURE);
        int styles = truth.classes().get(ToyFamily.TEXTURE).size() - 1;
        int patches = truth.gridH() * truth.gridW();
        Path analysis = d.analysis(backbone, TokenKind.PATCHES);
        AnalysisResult r = AnalysisResult.read(analysis);
        int k = r.index().k();
        Table t = Table.create(backbone + " style spans", StringColumn.create("model"), IntColumn.create("latent"),
                StringColumn.create("family"), StringColumn.create("concept"), DoubleColumn.create("f1"), IntColumn.create("examples"),
                IntColumn.create("distinct"), DoubleColumn.create("entropy"), DoubleColumn.create("null_distinct"),
                DoubleColumn.create("null_entropy"), DoubleColumn.create("excess"));
        Map<String, int[]> pools = new java.util.HashMap<>();
        for (Concept c : concepts(d, backbone)) {
            if (c.family() == ToyFamily.TEXTURE || !(c.f1() >= CONCEPT_F1)) {
                continue;
            }
            int row = r.rowOf(c.latent());
            List<Integer> top = new ArrayList<>();
            for (int rank = 0; rank < k; rank++) {
                int image = r.topImages().images()[row * k + rank];
                if (image < 0) {
                    break;
                }
                float[] map = r.patchMap(analysis, row, rank);
                int at = 0;
                for (int p = 1; p < map.length; p++) {
                    at = map[p] > map[at] ? p : at;
                }
                int style = texture[image * patches + at];
                if (style > 0) {
                    top.add(style - 1);
                }
            }
            if (top.size() < MIN_EXAMPLES) {
                continue;
            }
            int[] pool = pools.computeIfAbsent(c.family().id() + "/" + c.label(), key -> pool(truth, c.family(), c.label()));
            StyleSpan.Span s = StyleSpan.of(top.stream().mapToInt(Integer::intValue).toArray(), pool, styles, NULL_DRAWS,
                    new Random(c.latent()));
            Row x = t.appendRow();
            x.setString("model", backbone);
            x.setInt("latent", c.latent());
            x.setString("family", c.family().id());
            x.setString("concept", c.name());
            x.setDouble("f1", c.f1());
            x.setInt("examples", s.examples());
            x.setInt("distinct", s.distinct());
            x.setDouble("entropy", s.entropy());
            x.setDouble("null_distinct", s.nullDistinct());
            x.setDouble("null_entropy", s.nullEntropy());
            x.setDouble("excess", s.excess());
        }
        return t;
    }

    /** The style (texture label − 1) of every patch whose {@code family} label is {@code label}. */
    private static int[] pool(TruthFile.Labels truth, ToyFamily family, int label) {
        short[] f = truth.labels().get(family);
        short[] tex = truth.labels().get(ToyFamily.TEXTURE);
        int n = 0;
        for (int i = 0; i < f.length; i++) {
            n += f[i] == label && tex[i] > 0 ? 1 : 0;
        }
        int[] out = new int[n];
        int at = 0;
        for (int i = 0; i < f.length; i++) {
            if (f[i] == label && tex[i] > 0) {
                out[at++] = tex[i] - 1;
            }
        }
        return out;
    }

    /**
     * The two models' style spans compared: per model the concept latents, mean entropy, mean null entropy and mean
     * excess; then the difference of mean excess A − B with its 95% bootstrap interval and the Mann-Whitney p-value of
     * the excesses, and the same for the entropies themselves.
     */
    public static Table styleSpanTest(Table a, Table b) {
        Table t = Table.create("style span: " + name(a) + " vs " + name(b), StringColumn.create("statistic"), StringColumn.create("model"),
                IntColumn.create("latents"), DoubleColumn.create("mean"), DoubleColumn.create("ci_low"), DoubleColumn.create("ci_high"),
                DoubleColumn.create("mann_whitney_p"));
        for (String col : List.of("entropy", "null_entropy", "excess")) {
            for (Table s : List.of(a, b)) {
                double[] v = s.doubleColumn(col).asDoubleArray();
                Row r = t.appendRow();
                r.setString("statistic", col);
                r.setString("model", name(s));
                r.setInt("latents", v.length);
                r.setDouble("mean", v.length == 0 ? Double.NaN : java.util.Arrays.stream(v).average().orElse(Double.NaN));
                r.setDouble("ci_low", Double.NaN);
                r.setDouble("ci_high", Double.NaN);
                r.setDouble("mann_whitney_p", Double.NaN);
            }
            if (a.rowCount() > 0 && b.rowCount() > 0 && !col.equals("null_entropy")) {
                SampleComparison.Result c = SampleComparison.of(a.doubleColumn(col).asDoubleArray(), b.doubleColumn(col).asDoubleArray(),
                        BOOTSTRAP, 0.95, 0);
                Row r = t.appendRow();
                r.setString("statistic", col + " difference");
                r.setString("model", name(a) + " - " + name(b));
                r.setInt("latents", c.nA() + c.nB());
                r.setDouble("mean", c.diff());
                r.setDouble("ci_low", c.lo());
                r.setDouble("ci_high", c.hi());
                r.setDouble("mann_whitney_p", c.p());
            }
        }
        return t;
    }

    private static String name(Table spans) {
        return spans.rowCount() == 0 ? spans.name().replace(" style spans", "") : spans.stringColumn("model").get(0);
    }

    /**
     * Per concept latent of both models, its excess (style entropy of its top images − its concept's null), one column of
     * points per model (spread sideways by rank so that none hides another); 0 is a latent as mixed in style as its
     * concept, below 0 one that keeps to fewer styles.
     */
    public static ChartFigure styleSpanFigure(String id, Table a, Table b) {
        XYChart chart = PaperStyle.xyChart("Style span of concept latents", "one column per model", "entropy - null entropy",
                PaperStyle.SINGLE_COLUMN);
        chart.addSeries("null", new double[] {0.5, 2.5}, new double[] {0, 0}).setMarker(SeriesMarkers.NONE)
                .setLineColor(Color.GRAY);
        List<Table> sides = List.of(a, b);
        for (int m = 0; m < 2; m++) {
            Table s = sides.get(m);
            if (s.rowCount() == 0) {
                continue;
            }
            double[] y = s.doubleColumn("excess").asDoubleArray();
            Integer[] order = new Integer[y.length];
            for (int i = 0; i < y.length; i++) {
                order[i] = i;
            }
            java.util.Arrays.sort(order, Comparator.comparingDouble(i -> y[i]));
            double[] x = new double[y.length];
            for (int r = 0; r < y.length; r++) {
                x[order[r]] = m + 1 + (y.length == 1 ? 0 : 0.5 * ((double) r / (y.length - 1) - 0.5));
            }
            chart.addSeries(name(s), x, y).setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        }
        chart.getStyler().setXAxisMin(0.5).setXAxisMax(2.5).setXAxisTicksVisible(false);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS)
                .setLegendLayout(org.knowm.xchart.style.Styler.LegendLayout.Horizontal);
        return new ChartFigure(id, chart, a.copy().append(b));
    }

    /**
     * The run's comparison of paper section {@code section} ({@code 4.1} or {@code 4.2}): the compare step whose plan note
     * names it ({@link DemoOutputs#forSection}); on the demo {@code compare-clip-concept-dinov2} and
     * {@code compare-clip-clip-concept}, on the paper plan {@code compare-dinov2-clip-in1k} and {@code compare-clip-bioclip-inat21}.
     */
    public static String compareStep(DemoOutputs d, String section) {
        return d.forSection("compare", section);
    }

    /**
     * Whether the run has the toy world's ground truth (its {@code truth} steps: colour, shape and texture per patch), which
     * the style spans and dedicated-latent tables need; a dataset's labels name no style, so a paper run has none.
     */
    public static boolean hasGroundTruth(DemoOutputs d) {
        return !d.ofKind("truth").isEmpty();
    }

    /** The summary of a compare step: per side its latents, live latents, shares without a counterpart, mutual pairs. */
    public static Table matchingSummary(DemoOutputs d, String compareStep) throws IOException {
        var s = saelab.io.Json.mapper().readTree(d.dir(compareStep).resolve("summary.json").toFile());
        Table t = Table.create("cross-model matching " + compareStep, StringColumn.create("side"), StringColumn.create("sae"),
                IntColumn.create("latents"), IntColumn.create("live"), DoubleColumn.create("no_counterpart_0.3"),
                DoubleColumn.create("no_counterpart_0.5"), DoubleColumn.create("no_counterpart_0.7"), IntColumn.create("mutual_pairs"),
                IntColumn.create("units"));
        for (String side : List.of("a", "b")) {
            var n = s.get(side);
            Row r = t.appendRow();
            r.setString("side", side);
            r.setString("sae", n.get("name").asText());
            r.setInt("latents", n.get("latents").asInt());
            r.setInt("live", n.get("live").asInt());
            for (String th : List.of("0.3", "0.5", "0.7")) {
                r.setDouble("no_counterpart_" + th, n.get("no_counterpart_share").get(th).asDouble());
            }
            r.setInt("mutual_pairs", s.get("mutual_pairs").asInt());
            r.setInt("units", s.get("units").asInt());
        }
        return t;
    }

    /** One row of a compare step's {@code matches-a.csv} or {@code matches-b.csv}. */
    public record Match(int latent, long fires, int best, double r, boolean mutual) {}

    /** Side {@code a} or {@code b} of a compare step, by latent. */
    public static List<Match> matches(DemoOutputs d, String compareStep, String side) throws IOException {
        List<Match> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(d.dir(compareStep).resolve("matches-" + side + ".csv"));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            out.add(new Match(Integer.parseInt(f[0]), Long.parseLong(f[1]), Integer.parseInt(f[2]),
                    f[3].isEmpty() ? Double.NaN : Double.parseDouble(f[3]), f[5].equals("1")));
        }
        return out;
    }

    /**
     * Section 4.2: for every colour, shape and texture of the ground truth, each model's best latent and its patch F1,
     * whether that is a dedicated latent ({@link #DEDICATED_F1}), and in which model only ({@code a}, {@code b},
     * {@code both}, {@code neither}).
     */
    public static Table dedicated(DemoOutputs d, String a, String b) throws IOException {
        Map<String, double[]> fa = bestF1(d, a);
        Map<String, double[]> fb = bestF1(d, b);
        Table t = Table.create("dedicated latents " + a + " vs " + b, StringColumn.create("family"), StringColumn.create("concept"),
                IntColumn.create("latent_" + a), DoubleColumn.create("f1_" + a), IntColumn.create("latent_" + b),
                DoubleColumn.create("f1_" + b), StringColumn.create("dedicated_in"));
        for (Map.Entry<String, double[]> e : fa.entrySet()) {
            double[] x = e.getValue();
            double[] y = fb.get(e.getKey());
            String[] key = e.getKey().split("/", 2);
            Row r = t.appendRow();
            r.setString("family", key[0]);
            r.setString("concept", key[1]);
            r.setInt("latent_" + a, (int) x[0]);
            r.setDouble("f1_" + a, x[1]);
            r.setInt("latent_" + b, (int) y[0]);
            r.setDouble("f1_" + b, y[1]);
            boolean inA = x[1] >= DEDICATED_F1;
            boolean inB = y[1] >= DEDICATED_F1;
            r.setString("dedicated_in", inA && inB ? "both" : inA ? a + " only" : inB ? b + " only" : "neither");
        }
        return t;
    }

    /** family/concept → {best latent, best F1} from a backbone's patch {@code concepts.csv} (colour, shape, texture). */
    private static Map<String, double[]> bestF1(DemoOutputs d, String backbone) throws IOException {
        Map<String, double[]> out = new java.util.LinkedHashMap<>();
        Table c = Table.read().csv(d.concepts(backbone, TokenKind.PATCHES).resolve("concepts.csv").toFile());
        for (Row r : c) {
            String family = r.getString("family");
            if (FAMILIES.stream().anyMatch(f -> f.id().equals(family)) && !r.getString("name").equals(ToyFamily.NONE)) {
                out.put(family + "/" + r.getString("name"), new double[] {r.getInt("best_f1_latent"), r.getDouble("best_f1")});
            }
        }
        return out;
    }

    /** Best patch F1 per concept in both models, with the dedicated-latent threshold in the title. */
    public static ChartFigure dedicatedFigure(String id, Table dedicated, String a, String b) {
        var chart = PaperStyle.barChart("Best latent per concept (dedicated: F1 >= " + DEDICATED_F1 + ")", "concept", "patch F1",
                PaperStyle.DOUBLE_COLUMN);
        List<String> names = new ArrayList<>();
        for (Row r : dedicated) {
            names.add(r.getString("concept"));
        }
        chart.addSeries(a, names, dedicated.doubleColumn("f1_" + a).asList());
        chart.addSeries(b, names, dedicated.doubleColumn("f1_" + b).asList());
        chart.getStyler().setXAxisLabelRotation(90);
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
        return new ChartFigure(id, chart, dedicated);
    }

    /** One row of a side-by-side figure: a title and one or two latents' top images. */
    public record Pair(String title, LatentGridPlot left, LatentGridPlot right) {}

    /**
     * Rows of top images side by side (the left latent's grid, then the right one's, if any), painted as one raster
     * figure for {@link Notebook#saveRasterFigure}.
     */
    public record SideBySide(List<Pair> rows) {
        private static final int GAP = 16;
        private static final int TITLE = 22;

        public int width() {
            int w = 1;
            for (Pair p : rows) {
                w = Math.max(w, p.left().layout().width() + (p.right() == null ? 0 : GAP + p.right().layout().width()));
            }
            return w;
        }

        public int height() {
            int h = 0;
            for (Pair p : rows) {
                h += TITLE + Math.max(p.left().layout().height(), p.right() == null ? 0 : p.right().layout().height());
            }
            return Math.max(h, 1);
        }

        public void paint(Graphics2D g) {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width(), height());
            int y = 0;
            for (Pair p : rows) {
                g.setColor(Color.BLACK);
                g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
                g.drawString(p.title(), 4, y + 16);
                y += TITLE;
                Graphics2D c = (Graphics2D) g.create(0, y, p.left().layout().width(), p.left().layout().height());
                p.left().paint(c);
                c.dispose();
                if (p.right() != null) {
                    int x = p.left().layout().width() + GAP;
                    c = (Graphics2D) g.create(x, y, p.right().layout().width(), p.right().layout().height());
                    p.right().paint(c);
                    c.dispose();
                }
                y += Math.max(p.left().layout().height(), p.right() == null ? 0 : p.right().layout().height());
            }
        }

        public String csv() {
            StringBuilder sb = new StringBuilder("row,title,side,");
            sb.append("rank,image,dataset_index,path,label,caption,value\n");
            for (int i = 0; i < rows.size(); i++) {
                Pair p = rows.get(i);
                for (LatentGridPlot g : p.right() == null ? List.of(p.left()) : List.of(p.left(), p.right())) {
                    for (LatentGridPlot.Tile t : g.tiles()) {
                        sb.append(i).append(',').append(saelab.io.CsvField.of(p.title())).append(',').append(g == p.left() ? "left" : "right")
                                .append(',').append(t.rank()).append(',').append(t.image()).append(',').append(t.datasetIndex()).append(',')
                                .append(saelab.io.CsvField.of(t.path())).append(',').append(t.label()).append(',')
                                .append(saelab.io.CsvField.of(t.caption())).append(',').append(t.value()).append('\n');
                    }
                }
            }
            return sb.toString();
        }
    }

    /** A latent's top {@code top} images with its heatmap, as the model saw them. */
    public static LatentGridPlot grid(DemoOutputs d, String backbone, int latent, int top) throws IOException {
        Path dir = d.analysis(backbone, TokenKind.PATCHES);
        try (ActivationCache c = ActivationCache.open(d.cache(backbone))) {
            return LatentTiles.grid(dir, AnalysisResult.read(dir), latent, top, 0.6, top,
                    new LatentTiles.Sources(c, d.world(), saelab.image.Preprocessor.load(d.model(backbone))));
        }
    }

    /**
     * Section 4.1's examples by fixed rules: the {@code pairs} concept latents of side A (the style-span table of A)
     * whose best match in B is mutual with the highest correlations, A's top images beside B's; then, for each side, the
     * {@code unmatched} concept latents with the lowest best correlation (below {@link #NO_COUNTERPART}: no counterpart),
     * alone.
     */
    public static SideBySide matchedAndUnmatched(DemoOutputs d, String compareStep, Table spansA, Table spansB, int pairs,
                                                 int unmatched, int top) throws IOException {
        String a = name(spansA);
        String b = name(spansB);
        List<Match> ma = matches(d, compareStep, "a");
        List<Match> mb = matches(d, compareStep, "b");
        List<Pair> rows = new ArrayList<>();
        List<Match> mutual = new ArrayList<>();
        for (int l : spansA.intColumn("latent").asList()) {
            Match m = ma.get(l);
            if (m.mutual()) {
                mutual.add(m);
            }
        }
        mutual.sort(Comparator.comparingDouble(Match::r).reversed());
        for (Match m : mutual.subList(0, Math.min(pairs, mutual.size()))) {
            rows.add(new Pair(String.format(Locale.ROOT, "matched: %s latent %d (%s) and %s latent %d, r = %.2f", a, m.latent(),
                    conceptOf(spansA, m.latent()), b, m.best(), m.r()), grid(d, a, m.latent(), top), grid(d, b, m.best(), top)));
        }
        for (Object[] side : List.of(new Object[] {a, spansA, ma}, new Object[] {b, spansB, mb})) {
            Table spans = (Table) side[1];
            @SuppressWarnings("unchecked")
            List<Match> m = (List<Match>) side[2];
            List<Match> lonely = new ArrayList<>();
            for (int l : spans.intColumn("latent").asList()) {
                if (m.get(l).r() < NO_COUNTERPART) {
                    lonely.add(m.get(l));
                }
            }
            lonely.sort(Comparator.comparingDouble(Match::r));
            for (Match x : lonely.subList(0, Math.min(unmatched, lonely.size()))) {
                rows.add(new Pair(String.format(Locale.ROOT, "no counterpart: %s latent %d (%s), best r = %.2f", side[0], x.latent(),
                        conceptOf(spans, x.latent()), x.r()), grid(d, (String) side[0], x.latent(), top), null));
            }
        }
        return new SideBySide(rows);
    }

    private static String conceptOf(Table spans, int latent) {
        for (Row r : spans) {
            if (r.getInt("latent") == latent) {
                return r.getString("concept");
            }
        }
        return "?";
    }

    /**
     * Section 4.2's examples: for every concept with a dedicated latent in one model only (the {@link #dedicated} table,
     * at most {@code limit}, largest F1 gap first), that model's latent beside its best match in the other model (side
     * {@code a} or {@code b} of the compare step, whose sides are the two models in the table's order).
     */
    public static SideBySide oneModelOnly(DemoOutputs d, String compareStep, Table dedicated, String a, String b, int limit, int top)
            throws IOException {
        List<Match> ma = matches(d, compareStep, "a");
        List<Match> mb = matches(d, compareStep, "b");
        List<Integer> only = new ArrayList<>(); // row numbers: Tablesaw's row iterator reuses one cursor
        for (int i = 0; i < dedicated.rowCount(); i++) {
            if (dedicated.stringColumn("dedicated_in").get(i).endsWith(" only")) {
                only.add(i);
            }
        }
        only.sort(Comparator.comparingDouble((Integer i) -> -Math.abs(dedicated.doubleColumn("f1_" + a).get(i)
                - dedicated.doubleColumn("f1_" + b).get(i))));
        List<Pair> rows = new ArrayList<>();
        for (int i : only.subList(0, Math.min(limit, only.size()))) {
            Row r = dedicated.row(i);
            boolean inA = r.getString("dedicated_in").equals(a + " only");
            String model = inA ? a : b;
            String other = inA ? b : a;
            int latent = r.getInt("latent_" + model);
            Match m = (inA ? ma : mb).get(latent);
            rows.add(new Pair(String.format(Locale.ROOT, "%s: %s %d (F1 %.2f); best match %s %d, r = %.2f",
                    r.getString("concept"), model, latent, r.getDouble("f1_" + model), other, m.best(), m.r()),
                    grid(d, model, latent, top), m.best() < 0 ? null : grid(d, other, m.best(), top)));
        }
        return new SideBySide(rows);
    }
}
