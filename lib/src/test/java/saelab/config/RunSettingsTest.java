package saelab.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class RunSettingsTest {

    @Test
    void emptyEnvironmentGivesDemoAndFullSizes() {
        RunSettings s = RunSettings.from(Map.of());
        assertEquals(Profile.DEMO, s.profile());
        assertFalse(s.quick());
    }

    @Test
    void blankValuesCountAsUnset() {
        RunSettings s = RunSettings.from(Map.of(RunSettings.PROFILE_VAR, "  ", RunSettings.QUICK_VAR, ""));
        assertEquals(new RunSettings(Profile.DEMO, false), s);
    }

    @Test
    void profileIsReadFromItsVariable() {
        assertEquals(Profile.PAPER, RunSettings.from(Map.of("SAELAB_PROFILE", "Paper")).profile());
        assertEquals(Profile.DEMO, RunSettings.from(Map.of("SAELAB_PROFILE", "demo")).profile());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "true", "TRUE", "yes", "on", " 1 "})
    void quickFlagOn(String value) {
        assertTrue(RunSettings.from(Map.of("SAELAB_QUICK", value)).quick());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "false", "False", "no", "off"})
    void quickFlagOff(String value) {
        assertFalse(RunSettings.from(Map.of("SAELAB_QUICK", value)).quick());
    }

    @ParameterizedTest
    @ValueSource(strings = {"2", "maybe", "enabled", "-1"})
    void badQuickValueNamesTheVariable(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RunSettings.from(Map.of("SAELAB_QUICK", value)));
        assertTrue(e.getMessage().contains("SAELAB_QUICK"), e.getMessage());
        assertTrue(e.getMessage().contains("'" + value + "'"), e.getMessage());
    }

    @Test
    void badProfileValueNamesTheVariable() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RunSettings.from(Map.of("SAELAB_PROFILE", "huge")));
        assertTrue(e.getMessage().contains("SAELAB_PROFILE"), e.getMessage());
        assertTrue(e.getMessage().contains("demo, paper"), e.getMessage());
    }

    @Test
    void sizePicksTheQuickOrTheFullValue() {
        assertEquals(10, new RunSettings(Profile.DEMO, true).size(10, 1000));
        assertEquals(1000, new RunSettings(Profile.DEMO, false).size(10, 1000));
        assertEquals(7, new RunSettings(Profile.PAPER, true).size(7, 3));
    }
}
