package saelab.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import saelab.analysis.DensityView;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** Multi-SAE plots: shared log bins, one curve per SAE, the density view with its low-density boundary. */
class SaePlotsTest {

    @Test
    void histogramsShareLogBinsAndCountZerosApart() {
        Map<String, double[]> v = new LinkedHashMap<>();
        v.put("a", new double[] {1e-3, 1.1e-3, 0.5, 0, 0});
        v.put("b", new double[] {0.02, 0.03, 0.5});
        ChartFigure f = SaePlots.logHistograms("h", "t", "x", v);
        Table t = f.data();
        // decades 1e-3 .. 1e0, 10 bins each, plus one row of zeros per SAE
        int bins = 3 * SaePlots.PER_DECADE;
        assertEquals(2 * (bins + 1), t.rowCount());
        for (String sae : v.keySet()) {
            Table s = t.where(t.stringColumn("sae").isEqualTo(sae));
            long positives = java.util.Arrays.stream(v.get(sae)).filter(x -> x > 0).count();
            assertEquals(positives, s.intColumn("latents").sum() - s.intColumn("latents").getInt(bins));
            assertEquals(0.0, s.doubleColumn("bin_high").getDouble(bins));
            assertEquals(v.get(sae).length - positives, s.intColumn("latents").getInt(bins));
        }
        // 1e-3 and 1.1e-3 sit in the first bin [1e-3, 10^-2.9); 0.5 in [10^-0.4, 10^-0.3)
        assertEquals(2, t.intColumn("latents").getInt(0));
        assertEquals(1e-3, t.doubleColumn("bin_low").getDouble(0), 1e-15);
        assertEquals(1, t.intColumn("latents").getInt(26));
        assertEquals(Math.pow(10, -0.4), t.doubleColumn("bin_low").getDouble(26), 1e-12);
        // the legend counts the latents at 0
        assertTrue(((XYChart) f.chart()).getSeries("a (2 at 0)") != null);
        assertTrue(((XYChart) f.chart()).getSeries("b") != null);
    }

    @Test
    void histogramsNeedAPositiveValue() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> SaePlots.logHistograms("h", "t", "x", Map.of("a", new double[] {0, 0})));
        assertTrue(e.getMessage().contains("no positive values"), e.getMessage());
    }

    @Test
    void curvesDrawOneLinePerSeriesAndDropNonPositiveValuesOnLogAxes() {
        Table log = Table.create("log", StringColumn.create("sae", "a", "a", "a", "b", "b"),
                DoubleColumn.create("tokens", 1, 2, 3, 1, 2), DoubleColumn.create("loss", 1, 0.5, 0, 2, 1));
        ChartFigure f = SaePlots.curves("c", "t", log, "sae", "tokens", "loss", "x", "y", true);
        XYChart chart = (XYChart) f.chart();
        assertEquals(2, chart.getSeriesCollection().size());
        assertArrayEquals(new double[] {1, 0.5}, chart.getSeries("a").getYData());
        assertEquals(5, f.data().rowCount());
        var e = assertThrows(IllegalArgumentException.class,
                () -> SaePlots.curves("c", "t", log, "sae", "step", "loss", "x", "y", false));
        assertTrue(e.getMessage().contains("'step'"), e.getMessage());
    }

    @Test
    void densityMarksTheLowDensityLatentsAndDrawsTheBoundary() {
        DensityView v = new DensityView(new int[] {0, 1, 2, 3}, new double[] {0, 5e-6, 3e-5, 0.02}, new double[] {0, 2, 3, 0.5},
                new double[] {Double.NaN, 0, 0.1, 1.3});
        ChartFigure f = SaePlots.density("d", "toy", v, 1e-4);
        assertArrayEquals(new int[] {0, 1, 1, 0}, f.data().intColumn("low_density").asIntArray());
        XYChart chart = (XYChart) f.chart();
        var line = chart.getSeries("f < 1e-04: 2 of 4");
        assertArrayEquals(new double[] {1e-4, 1e-4}, line.getXData());
        assertArrayEquals(new double[] {0.5, 3}, line.getYData());
    }
}
