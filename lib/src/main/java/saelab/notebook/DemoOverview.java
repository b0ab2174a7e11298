package saelab.notebook;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import saelab.analysis.AnalysisResult;
import saelab.demo.ControlExamples;
import saelab.demo.DemoOutputs;
import saelab.demo.OverviewExample;
import saelab.demo.RunSae;
import saelab.heads.HeadKind;
import saelab.image.Preprocessor;
import saelab.intervene.InterventionResult;
import saelab.plot.EditComparisonFigure;
import saelab.plot.FigureSpec;
import saelab.plot.LatentGridPlot;
import saelab.plot.LatentTiles;
import saelab.plot.ModelView;
import saelab.plot.OverviewFigure;
import saelab.store.ActivationCache;
import tech.tablesaw.api.Table;
import tech.tablesaw.io.csv.CsvReadOptions;

/**
 * Notebook one-liners for the paper's Figure 1 on a finished demo run: the example {@link OverviewExample} chooses by its
 * fixed rules (the best-matched concept the control protocol edited, the protocol's image rule and most specific dose),
 * drawn as one {@link OverviewFigure}: the held-out image with the latent's code, the latent's top training images
 * ({@link LatentTiles}, as the walkthrough's latent grids), and the edit beside its random-direction control.
 */
public final class DemoOverview {

    private DemoOverview() {}

    /**
     * Chooses the example of the demo's control run {@code control-<backbone>-<head>} and composes the figure (see
     * {@link #figure(DemoOutputs, String)}).
     */
    public static OverviewFigure figure(DemoOutputs d, String backbone, HeadKind head) throws IOException {
        return figure(d, "control-" + backbone + "-" + head.id());
    }

    /**
     * Chooses the example of one control step of a run (a demo's or a plan's) and composes the figure; prints what was chosen
     * and what the edit and its control changed. The top images are the edited SAE's, from its analysis and capture.
     */
    public static OverviewFigure figure(DemoOutputs d, String controlStep) throws IOException {
        OverviewExample o = OverviewExample.choose(d, controlStep);
        ControlExamples.ImageExample e = o.example();
        OverviewExample.Candidate c = o.concept();
        System.out.println(String.format(Locale.ROOT, "concept '%s' (class %d, family %s): latent %d, training F1 %.3f, the best F1 of the"
                + " classes %s edited", c.name(), c.classId(), o.family(), c.latent(), c.f1(), controlStep));
        System.out.println(describe(e));
        RunSae sae = d.saes().stream().filter(s -> s.step().equals(d.input(controlStep, "sae"))).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("control step " + controlStep + " names no SAE step of this run"));
        LatentGridPlot top = topImages(d, sae, c.latent());
        var observation = new OverviewFigure.Observation("held-out image " + e.index() + ", " + Path.of(e.image()).getFileName(),
                ModelView.of(e.preprocessor(), e.rgb()), e.latentMap());
        boolean toy = d.isWorld(d.input(controlStep, "dataset"));
        var explanation = new OverviewFigure.Explanation(c.latent(), matchCaption(d, controlStep, o, toy), top);
        String dose = e.dose() == null ? " (the run has no dose-response: the protocol's ablation)" : String.format(Locale.ROOT,
                ", the protocol's most specific dose (over the held-out run, share of target patches changed at this dose: real %.2f,"
                + " random latent %.2f, random direction %.2f); beside it the same per-token norms along a random direction",
                e.dose().realRate(), e.dose().randomLatent(), e.dose().randomDirection());
        String title = "Figure 1 · observe, explain, test: latent " + c.latent() + " of the " + o.backbone() + " patch SAE and the concept '"
                + c.name() + "'" + (toy ? " (toy world)" : "");
        return new OverviewFigure(title, observation, explanation, e.describe() + dose,
                List.of(new EditComparisonFigure.Panel("real edit", e.real()), new EditComparisonFigure.Panel("random direction",
                        e.randomDirection())));
    }

    /**
     * Writes a registered Figure-1 composite ({@link OverviewFigure#write}) to the profile's figure folder and shows it
     * inline.
     *
     * @param id an id listed in {@code data-manifests/figures.json} with outputs png, pdf and csv
     */
    public static void save(String id, OverviewFigure figure) {
        FigureSpec spec = Notebook.registry().get(id);
        if (!spec.isFigure() || !spec.outputs().containsAll(List.of("png", "pdf", "csv")) || spec.outputs().size() != 3) {
            throw new IllegalArgumentException("'" + id + "' is registered with outputs " + spec.outputs() + "; Figure 1 writes exactly png,"
                    + " pdf and csv");
        }
        Path dir = Notebook.figureDir();
        List<Path> files;
        try {
            files = figure.write(dir, id);
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot write figure '" + id + "' to " + dir, ex);
        }
        Show.image(figure.render());
        Path root = Notebook.workspace().root();
        System.out.println("wrote " + files.stream().map(p -> root.relativize(p.toAbsolutePath()).toString()).collect(Collectors.joining(", ")));
    }

    /** What the edit and its control changed, in one line. */
    static String describe(ControlExamples.ImageExample e) {
        return String.format(Locale.ROOT, "held-out image %d (%s): %s; real edit: %s; random direction: %s", e.index(), e.image(), e.describe(),
                changes(e.real()), changes(e.randomDirection()));
    }

    /** "N patches changed class (M of the E edited, K others)" for a segmentation head, the top-1 before and after otherwise. */
    static String changes(InterventionResult r) {
        if (r.before().kind() != HeadKind.SEGMENT) {
            return "top-1 " + r.classes().get(r.before().top()) + " -> " + r.classes().get(r.after().top());
        }
        int first = r.layout().firstPatch();
        int[] a = r.before().mask();
        int[] b = r.after().mask();
        int edited = 0;
        int onEdited = 0;
        int off = 0;
        for (int p = 0; p < a.length; p++) {
            boolean e = r.edited()[first + p];
            edited += e ? 1 : 0;
            if (a[p] != b[p]) {
                onEdited += e ? 1 : 0;
                off += e ? 0 : 1;
            }
        }
        return String.format(Locale.ROOT, "%d patch%s changed class (%d of the %d edited, %d other%s)", onEdited + off,
                onEdited + off == 1 ? "" : "es", onEdited, edited, off, off == 1 ? "" : "s");
    }

    private static LatentGridPlot topImages(DemoOutputs d, RunSae sae, int latent) throws IOException {
        Path dir = sae.analysisDir(d);
        try (ActivationCache cache = ActivationCache.open(sae.cache(d))) {
            return LatentTiles.grid(dir, AnalysisResult.read(dir), latent, OverviewFigure.MAX_TILES, 0.6, 6,
                    new LatentTiles.Sources(cache, d.imageRoot(d.input(sae.capture(), "dataset")), Preprocessor.load(d.modelFolder(sae.model()))));
        }
    }

    /**
     * "matched to 'green' on the training world: F1 0.865 (random latent 0.033, random direction 0.181)", from the control
     * step's concepts folder (the row of the concept, in the run's family when the file has families).
     */
    private static String matchCaption(DemoOutputs d, String controlStep, OverviewExample o, boolean toy) throws IOException {
        String s = String.format(Locale.ROOT, "matched to '%s' on the %s: F1 %.3f", o.concept().name(), toy ? "training world" : "training split",
                o.concept().f1());
        Table t = Table.read().csv(CsvReadOptions.builder(d.dir(d.input(controlStep, "concepts")).resolve("concepts.csv").toFile())
                .header(true).build());
        boolean families = t.columnNames().contains("family");
        for (int i = 0; i < t.rowCount(); i++) {
            if ((!families || t.column("family").getString(i).equals(o.family())) && t.column("name").getString(i).equals(o.concept().name())
                    && t.column("best_f1_latent") instanceof tech.tablesaw.api.NumericColumn<?> bl && !bl.isMissing(i)
                    && (int) bl.getDouble(i) == o.concept().latent()
                    && t.column("random_latent_f1") instanceof tech.tablesaw.api.NumericColumn<?> rl
                    && t.column("random_direction_f1") instanceof tech.tablesaw.api.NumericColumn<?> rd) {
                return s + String.format(Locale.ROOT, " (random latent %.3f, random direction %.3f)", rl.getDouble(i), rd.getDouble(i));
            }
        }
        return s;
    }
}
