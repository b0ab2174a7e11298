package saelab.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProfileTest {

    @Test
    void idsAreLowerCase() {
        assertEquals("demo", Profile.DEMO.id());
        assertEquals("paper", Profile.PAPER.id());
    }

    @Test
    void parseIgnoresCaseAndSurroundingSpace() {
        assertEquals(Profile.DEMO, Profile.parse("demo", "test"));
        assertEquals(Profile.DEMO, Profile.parse("DeMo", "test"));
        assertEquals(Profile.PAPER, Profile.parse("PAPER", "test"));
        assertEquals(Profile.PAPER, Profile.parse("  paper\t", "test"));
    }

    @Test
    void parseErrorNamesTheSourceTheValueAndTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Profile.parse("full", "option --profile"));
        String m = e.getMessage();
        assertTrue(m.contains("option --profile"), m);
        assertTrue(m.contains("'full'"), m);
        assertTrue(m.contains("demo, paper"), m);
    }

    @Test
    void emptyTextIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Profile.parse("", "somewhere"));
    }
}
