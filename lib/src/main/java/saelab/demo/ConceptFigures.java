package saelab.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.style.Styler;
import saelab.analysis.ConceptMatching;
import saelab.analysis.FamilyMatching;
import saelab.plot.AnalysisPlots;
import saelab.plot.ChartFigure;

/**
 * The bar charts of a multi-family concept match ({@link FamilyMatching}): per unit kind (patch, image) and per
 * metric (AUROC, F1) one chart {@code concepts-<unit>-<metric>.{png,pdf,csv}} with, per concept
 * ({@code family:class}), the best latent's score beside the random-latent and random-direction baselines
 * ({@link AnalysisPlots#conceptMatchBars}). The {@code none} classes and classes without positives are left out
 * of the charts (they stay in {@code concepts.csv}).
 */
final class ConceptFigures {

    private ConceptFigures() {}

    /** Scores run 0..1; the legend goes below the bars and every concept gets its label (XChart thins crowded axes). */
    private static ChartFigure layout(ChartFigure f, int concepts) {
        if (f.chart() instanceof CategoryChart c) {
            c.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
            c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
            c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
            c.getStyler().setXAxisMaxLabelCount(concepts);
        }
        return f;
    }

    /** Writes the charts into {@code dir}; returns the files written. */
    static List<Path> write(Path dir, FamilyMatching.Result r) throws IOException {
        List<Path> files = new ArrayList<>();
        for (ConceptMatching.Unit unit : ConceptMatching.Unit.values()) {
            List<AnalysisPlots.ConceptScore> auc = new ArrayList<>();
            List<AnalysisPlots.ConceptScore> f1 = new ArrayList<>();
            for (int i = 0; i < r.families().size(); i++) {
                if (r.units().get(i) != unit) {
                    continue;
                }
                ConceptMatching.Result m = r.results().get(i);
                for (int c = 0; c < m.classes().size(); c++) {
                    String cls = m.classes().get(c);
                    if (cls.equals(ToyFamily.NONE) || Double.isNaN(m.bestAuc()[c]) || Double.isNaN(m.randomDirAuc()[c])) {
                        continue;
                    }
                    String name = r.families().get(i) + ":" + cls;
                    auc.add(new AnalysisPlots.ConceptScore(name, m.bestAucLatent()[c], m.bestAuc()[c], m.randomLatentAuc()[c],
                            m.randomDirAuc()[c]));
                    f1.add(new AnalysisPlots.ConceptScore(name, m.bestF1Latent()[c], m.bestF1()[c], m.randomLatentF1()[c],
                            m.randomDirF1()[c]));
                }
            }
            if (auc.isEmpty()) {
                continue;
            }
            String u = unit.name().toLowerCase(Locale.ROOT);
            files.addAll(layout(AnalysisPlots.conceptMatchBars("concepts-" + u + "-auroc", auc, "AUROC"), auc.size()).write(dir));
            files.addAll(layout(AnalysisPlots.conceptMatchBars("concepts-" + u + "-f1", f1, "F1"), f1.size()).write(dir));
        }
        return files;
    }
}
