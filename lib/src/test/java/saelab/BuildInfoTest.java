package saelab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BuildInfoTest {

    @Test
    void versionIsFilteredIn() {
        BuildInfo info = BuildInfo.current();
        assertNotNull(info.version());
        assertFalse(info.version().isBlank());
        assertFalse(info.version().contains("${"), info.version());
        assertFalse("${project.version}".equals(info.version()));
    }

    @Test
    void computeVersionsAreFilteredIn() {
        BuildInfo info = BuildInfo.current();
        assertNotNull(info.djlVersion());
        assertNotNull(info.pytorchVersion());
        assertTrue(info.djlVersion().matches("\\d+\\.\\d+\\.\\d+.*"), info.djlVersion());
        assertTrue(info.pytorchVersion().matches("\\d+\\.\\d+\\.\\d+.*"), info.pytorchVersion());
    }

    @Test
    void describeIsOneLineWithEveryVersion() {
        BuildInfo info = new BuildInfo("9.9.9", "0.1.2", "3.4.5");
        String line = info.describe();
        assertEquals("saelab 9.9.9 (Java " + Runtime.version().feature() + ", DJL 0.1.2, PyTorch 3.4.5)", line);
    }
}
