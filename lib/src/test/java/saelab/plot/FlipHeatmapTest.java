package saelab.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.intervene.ProtocolFlips;

/** {@link FlipHeatmap}: every from → to pair in the table, the diagonal included, and a chart that renders to PNG and PDF. */
class FlipHeatmapTest {

    @TempDir
    Path dir;

    @Test
    void tableListsEveryPairAndTheChartRenders() throws Exception {
        ProtocolFlips flips = new ProtocolFlips(List.of(0, 1), List.of("blue", "green"), new long[][] {{10, 2}, {1, 7}});
        ChartFigure f = FlipHeatmap.figure("flips", "where the flips go", flips);
        assertEquals(List.of("blue", "blue", "green", "green"), f.data().stringColumn("from").asList());
        assertEquals(List.of("blue", "green", "blue", "green"), f.data().stringColumn("to").asList());
        assertEquals(List.of(10, 2, 1, 7), f.data().intColumn("images").asList());
        List<Path> files = f.write(dir);
        for (Path p : files) {
            assertTrue(Files.size(p) > 0, p.toString());
        }
        assertEquals(List.of("flips.png", "flips.pdf", "flips.csv"), files.stream().map(p -> p.getFileName().toString()).toList());
    }
}
