package saelab.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A demo run's {@code demo.json} names step folders inside the work folder only. */
class DemoOutputsTest {

    @TempDir
    Path work;

    private DemoOutputs withDirs(String worldDir, String captureDir) throws IOException {
        Files.writeString(work.resolve(DemoPipeline.SUMMARY), """
                {"format": "%s", "size": "quick", "steps": {
                  "world": {"dir": "%s", "status": "built"},
                  "capture-clip": {"dir": "%s", "status": "built"}}}
                """.formatted(DemoPipeline.FORMAT, worldDir, captureDir));
        return DemoOutputs.open(work);
    }

    @Test
    void stepFoldersResolveInsideTheWorkFolder() throws IOException {
        DemoOutputs out = withDirs("steps/world-ab12", "steps/capture-clip-cd34");
        assertEquals(work.toAbsolutePath().normalize().resolve("steps/world-ab12"), out.dir("world"));
    }

    @Test
    void aStepFolderOutsideTheWorkFolderIsRefusedNamingTheFileAndField() throws IOException {
        DemoOutputs out = withDirs("../../etc", "/var/lib");
        for (String step : new String[] {"world", "capture-clip"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> out.dir(step));
            assertTrue(e.getMessage().contains(DemoPipeline.SUMMARY) && e.getMessage().contains("steps." + step + ".dir"),
                    e.getMessage());
        }
    }
}
