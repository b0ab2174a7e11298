package saelab.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each analysis plot writes PNG, PDF and a CSV holding exactly the numbers given or binned. */
class AnalysisPlotsTest {

    @TempDir
    Path dir;

    private List<String> writeAndReadCsv(ChartFigure f) throws IOException {
        List<Path> files = f.write(dir);
        assertEquals(List.of(dir.resolve(f.id() + ".png"), dir.resolve(f.id() + ".pdf"), dir.resolve(f.id() + ".csv")), files);
        for (Path p : files) {
            assertTrue(Files.size(p) > 0, p + " is empty");
        }
        return Files.readAllLines(files.get(2));
    }

    @Test
    void logHistogramCountsLogSpacedBinsAndReportsZeros() throws IOException {
        List<String> csv = writeAndReadCsv(AnalysisPlots.logHistogram("freq-hist", new double[] {0, 1e-3, 1e-3, 0.1, 0.011},
                "Frequency", "frequency"));
        assertEquals("bin_low,bin_high,latents", csv.get(0));
        assertEquals(1 + AnalysisPlots.HIST_BINS + 1, csv.size());
        String[] first = csv.get(1).split(",");
        assertEquals(1e-3, Double.parseDouble(first[0]), 1e-12);
        assertEquals(2, Double.parseDouble(first[2]));
        String[] last = csv.get(AnalysisPlots.HIST_BINS).split(",");
        assertEquals(0.1, Double.parseDouble(last[1]), 1e-12);
        assertEquals(1, Double.parseDouble(last[2]));
        // 0.011: log10 = -1.9586, bin floor((−1.9586 + 3) / 0.05) = 20
        assertEquals(1, Double.parseDouble(csv.get(1 + 20).split(",")[2]));
        assertEquals(1, Double.parseDouble(csv.get(1 + AnalysisPlots.HIST_BINS).split(",")[2]), "latents at 0");
        double total = 0;
        for (int i = 1; i < csv.size(); i++) {
            total += Double.parseDouble(csv.get(i).split(",")[2]);
        }
        assertEquals(5, total);
    }

    @Test
    void densityScatterKeepsEveryLatentAndMarksTheUnshown() throws IOException {
        List<String> csv = writeAndReadCsv(AnalysisPlots.densityScatter("density", new int[] {3, 7, 9},
                new double[] {0.01, 0, 1e-5}, new double[] {2.5, 0, 40}, new double[] {0.3, Double.NaN, 2.1}, "label entropy"));
        assertEquals("latent,frequency,mean_when_firing,label_entropy,shown", csv.get(0));
        assertEquals(4, csv.size());
        assertTrue(csv.get(1).startsWith("3,0.01,2.5,0.3,1"), csv.get(1));
        assertTrue(csv.get(2).startsWith("7,0") && csv.get(2).endsWith(",0"), csv.get(2));
        assertTrue(csv.get(3).startsWith("9,1.0E-5,40"), csv.get(3));
    }

    @Test
    void conceptBarsWriteScoresAndBaselines() throws IOException {
        List<String> csv = writeAndReadCsv(AnalysisPlots.conceptMatchBars("concepts", List.of(
                new AnalysisPlots.ConceptScore("sky", 12, 0.91, 0.12, 0.1),
                new AnalysisPlots.ConceptScore("tree", 40, 0.75, 0.08, 0.09)), "F1"));
        assertEquals(List.of("class,best_latent,best,random_latents,random_directions", "sky,12,0.91,0.12,0.1",
                "tree,40,0.75,0.08,0.09"), csv);
    }

    @Test
    void mapScatterWritesCoordinatesAndValues() throws IOException {
        List<String> csv = writeAndReadCsv(AnalysisPlots.mapScatter("umap", "UMAP", new int[] {0, 1, 2},
                new double[] {0.5, -1, 2}, new double[] {1, 2, Double.NaN}, new double[] {1e-3, 1e-2, 1e-1}, "frequency"));
        assertEquals("latent,x,y,frequency,shown", csv.get(0));
        assertEquals("0,0.5,1.0,0.001,1", csv.get(1));
        assertTrue(csv.get(3).endsWith(",0"), csv.get(3));
    }

    @Test
    void mismatchedLengthsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AnalysisPlots.mapScatter("m", "PCA",
                new int[] {0, 1}, new double[] {0}, new double[] {0, 1}, new double[] {0, 1}, "v"));
        assertTrue(e.getMessage().contains("2 entries"), e.getMessage());
    }
}
