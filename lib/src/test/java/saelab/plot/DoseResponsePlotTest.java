package saelab.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** The dose-response plot is drawn from its table, so a notebook redraws a finished run from its CSV alone. */
class DoseResponsePlotTest {

    @TempDir
    Path tmp;

    private static Table table() {
        double nan = Double.NaN;
        return Table.create(DoseResponsePlot.ID,
                StringColumn.create("condition", "real", "real", "real", "random-latent", "random-latent", "random-latent"),
                // doses out of order within a condition: the curve is drawn in dose order
                DoubleColumn.create("dose", 2, -2, 0, -2, 0, 2),
                DoubleColumn.create("target_rate", 0.9, 0.8, 0.0, 0.1, 0.0, 0.05),
                DoubleColumn.create("target_lower", 0.85, 0.7, 0.0, nan, 0.0, 0.0),
                DoubleColumn.create("target_upper", 0.95, 0.9, 0.0, nan, 0.0, 0.1),
                DoubleColumn.create("off_target_rate", 0.05, 0.04, 0.0, 0.01, 0.0, nan),
                DoubleColumn.create("off_target_lower", 0.03, 0.02, 0.0, 0.0, 0.0, nan),
                DoubleColumn.create("off_target_upper", 0.07, 0.06, 0.0, 0.02, 0.0, nan));
    }

    @Test
    void theCsvReadBackDrawsTheSameCurves() throws Exception {
        ChartFigure f = DoseResponsePlot.figure(table(), "patch");
        XYChart chart = (XYChart) f.chart();
        assertEquals(new TreeSet<>(List.of("real target", "real off-target", "real target 95%", "real off-target 95%", "random-latent target",
                "random-latent off-target", "random-latent target 95%", "random-latent off-target 95%")), names(chart));
        double[] x = chart.getSeries("real target").getXData();
        assertEquals(List.of(-2.0, 0.0, 2.0), java.util.Arrays.stream(x).boxed().toList());
        assertEquals(List.of(0.8, 0.0, 0.9), java.util.Arrays.stream(chart.getSeries("real target").getYData()).boxed().toList());
        // the undefined off-target rate at dose 2 is left out of the line, not drawn as 0
        assertEquals(2, chart.getSeries("random-latent off-target").getXData().length);

        List<Path> files = f.write(tmp);
        assertTrue(files.stream().anyMatch(p -> p.toString().endsWith(".png")) && files.stream().anyMatch(p -> p.toString().endsWith(".pdf")));
        Table back = Table.read().csv(tmp.resolve(DoseResponsePlot.ID + ".csv").toFile());
        XYChart again = (XYChart) DoseResponsePlot.figure(back, "patch").chart();
        assertEquals(names(chart), names(again));
        assertEquals(java.util.Arrays.toString(chart.getSeries("random-latent target 95%").getYData()),
                java.util.Arrays.toString(again.getSeries("random-latent target 95%").getYData()));
    }

    private static TreeSet<String> names(XYChart chart) {
        TreeSet<String> out = new TreeSet<>();
        chart.getSeriesCollection().forEach(s -> out.add(s.getName()));
        return out;
    }

    @Test
    void aTableWithoutAColumnIsOneSentence() {
        Table t = table().removeColumns("off_target_upper");
        assertEquals("the dose-response table has no column 'off_target_upper'; expected the columns of dose-response-macro.csv",
                assertThrows(IllegalArgumentException.class, () -> DoseResponsePlot.figure(t, "patch")).getMessage());
    }
}
