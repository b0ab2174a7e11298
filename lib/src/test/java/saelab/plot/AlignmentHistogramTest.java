package saelab.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.DoubleColumn;

/** The neuron-alignment histogram's binning and table, and the image-only export used for density.png/pdf. */
class AlignmentHistogramTest {

    @TempDir
    Path tmp;

    @Test
    void binsSharesAndCounts() {
        float[] dec = {0f, 0.011f, 0.5f, 0.999f, 1f, 1.0000001f};
        float[] rnd = {0.41f, 0.43f, 0.41f, 0.2f};
        ChartFigure f = AnalysisPlots.alignmentHistogram("alignment-histogram", dec, null, rnd);
        assertEquals(AnalysisPlots.ALIGN_BINS, f.data().rowCount());
        DoubleColumn decCount = f.data().doubleColumn("decoder_count");
        DoubleColumn rndShare = f.data().doubleColumn("random_share");
        assertEquals(2, decCount.get(0));            // 0 and 0.011
        assertEquals(1, decCount.get(25));           // 0.5
        assertEquals(3, decCount.get(49));           // 0.999, 1 and a rounding hair above 1 in the last bin
        assertEquals(6, decCount.sum(), 1e-12);
        assertEquals(0.5, rndShare.get(20), 1e-12);  // 0.41 twice of 4
        assertEquals(1.0, rndShare.sum(), 1e-12);
        assertEquals(0.02, f.data().doubleColumn("bin_high").get(0), 1e-12);
        assertTrue(f.data().doubleColumn("encoder_share").isMissing(3), "no encoder values given");
    }

    @Test
    void badInputIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AnalysisPlots.alignmentHistogram("a", new float[2], new float[3], new float[4]));
        assertTrue(e.getMessage().contains("2 decoder values but 3 encoder values"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AnalysisPlots.alignmentHistogram("a", new float[0], null, new float[4]));
    }

    @Test
    void imagesOnlyLeaveAnExistingCsvAlone() throws Exception {
        Files.writeString(tmp.resolve("density.csv"), "kept\n");
        ChartFigure f = AnalysisPlots.densityScatter("density", new int[] {0, 1}, new double[] {0.1, 0.01}, new double[] {1, 2},
                new double[] {0.5, Double.NaN}, "label entropy (nats)");
        List<Path> written = f.writeImages(tmp);
        assertEquals(List.of(tmp.resolve("density.png"), tmp.resolve("density.pdf")), written);
        for (Path p : written) {
            assertTrue(Files.size(p) > 0, p.toString());
        }
        assertEquals("kept\n", Files.readString(tmp.resolve("density.csv")));
        try (var files = Files.list(tmp)) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().contains(".tmp-")), "no temporary file is left");
        }
    }
}
