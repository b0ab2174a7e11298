package saelab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code saelab bench serve}'s three parts on a quick demo run and tiny sizes: every part prints its setup and its
 * figures, every figure is a positive finite number of milliseconds with the load average beside it, and each edit
 * figure counts the moves asked for. Never a timing threshold.
 */
class DashboardBenchmarkTest {

    private static final Pattern FIGURE = Pattern.compile(
            "  .+: median ([0-9.]+) ms, p95 ([0-9.]+) ms, mean ([0-9.]+) ms \\(n ([0-9]+)\\)  \\[load [0-9. ]+\\]");

    @Test
    void everyPartPrintsItsSetupAndPositiveFigures() throws Exception {
        DashboardBenchmark.Options o = new DashboardBenchmark.Options(EnumSet.allOf(DashboardBenchmark.Part.class), WebFixtures.demoRun(),
                4, 1, 2, Browser.CHROMIUM, 32, 2, 4, 28, 14, 64, 1, 5, 0, 3000, 16, 0, 7, 0);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<Figure> figures = DashboardBenchmark.run(o, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);

        // the configuration of each part
        assertTrue(out.lines().anyMatch(l -> l.matches("  segment: backbone [a-z0-9-]+, edit block [0-9]+, d_sae [0-9]+, .*latent [0-9]+ .*")), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("  classify: backbone [a-z0-9-]+, edit block [0-9]+, d_sae [0-9]+, .*latent [0-9]+ .*")), out);
        assertTrue(out.contains("model: DINOv2-shaped ViT, random weights: width 32, 2 blocks, 4 heads, patch 14, 28 px (2 x 2 patches + CLS);"
                + " ReLU SAE d_sae 64 on block 0's output (1 block(s) after it); linear segmentation head, 5 classes"), out);
        assertTrue(out.contains("page: 3000 latents drawn (PCA projection)"), out);
        assertTrue(out.contains("measured at the HTTP API") || out.contains("timed at the HTTP API"), out);

        // every printed figure is well formed, positive and finite, and the list returned is what was printed
        long printed = out.lines().filter(l -> l.contains(" ms, p95 ")).count();
        assertEquals(figures.size(), printed, out);
        for (String line : out.lines().filter(l -> l.contains(" ms, p95 ")).toList()) {
            Matcher m = FIGURE.matcher(line);
            assertTrue(m.matches(), line);
            for (int g = 1; g <= 3; g++) {
                double v = Double.parseDouble(m.group(g));
                assertTrue(v > 0 && Double.isFinite(v), line);
            }
        }
        for (Figure f : figures) {
            assertTrue(f.medianMs() > 0 && f.p95Ms() >= f.medianMs() && f.meanMs() > 0 && Double.isFinite(f.p95Ms()), f.toString());
            assertFalse(f.load().isBlank(), f.toString());
        }
        for (int part = 1; part <= 3; part++) {
            int p = part;
            assertTrue(figures.stream().anyMatch(f -> f.part() == p), "no figure of part " + part + ":\n" + out);
        }

        // the edit figures count the timed moves; the browser lines are there (Chromium is installed for these tests)
        for (String what : List.of("segment slider edit over HTTP", "classify slider edit over HTTP", "segment in Chromium, slider input to answer drawn",
                "classify in Chromium, slider input to answer drawn", "slider move in process")) {
            Figure f = figures.stream().filter(x -> x.what().startsWith(what)).findFirst().orElseThrow(() -> new AssertionError(what + "\n" + out));
            assertEquals(4, f.count(), what);
        }
        Figure redraws = figures.stream().filter(x -> x.what().startsWith("redraw at a zoom transform")).findFirst().orElseThrow();
        assertEquals(7, redraws.count(), out);
    }

    @Test
    void timingsSummariseByNearestRank() {
        Timings t = Timings.of(new double[] {5, 1, 4, 2, 3});
        assertEquals(3, t.median());
        assertEquals(5, t.p95());
        assertEquals(3, t.mean());
        Timings even = Timings.of(new double[] {1, 2, 3, 4});
        assertEquals(2.5, even.median());
        assertEquals(4, even.p95());
    }

    @Test
    void theSliderStepsThroughTheRangeThePageOffers() {
        assertEquals(-20, HttpEditBenchmark.sliderValue(0));
        assertEquals(20, HttpEditBenchmark.sliderValue(80));
        assertEquals(-20, HttpEditBenchmark.sliderValue(81));
        for (int i = 0; i < 200; i++) {
            double v = HttpEditBenchmark.sliderValue(i);
            assertTrue(Math.abs(v) <= EditRequest.MAX_VALUE && v * 2 == Math.rint(v * 2), "position " + i + ": " + v);
        }
    }
}
