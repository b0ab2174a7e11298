package saelab.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Number and duration formatting of Progress, and the lines it prints. */
class ProgressTest {

    @Test
    void humanKeepsSmallNumbersWithOneDecimal() {
        assertEquals("0.0", Progress.human(0));
        assertEquals("7.0", Progress.human(7));
        assertEquals("12.3", Progress.human(12.34));
        assertEquals("999.0", Progress.human(999));
    }

    @Test
    void humanUsesThousandsAndMillions() {
        assertEquals("1.0k", Progress.human(1000));
        assertEquals("1.5k", Progress.human(1500));
        assertEquals("250.0k", Progress.human(250_000));
        assertEquals("1.00M", Progress.human(1_000_000));
        assertEquals("2.35M", Progress.human(2_345_678));
        assertEquals("1500.00M", Progress.human(1.5e9));
    }

    @Test
    void humanDoesNotDependOnTheDefaultLocale() {
        java.util.Locale saved = java.util.Locale.getDefault();
        try {
            java.util.Locale.setDefault(java.util.Locale.GERMANY);
            assertEquals("1.5k", Progress.human(1500));
            assertEquals("12.3", Progress.human(12.34));
        } finally {
            java.util.Locale.setDefault(saved);
        }
    }

    @Test
    void durationInSecondsMinutesAndHours() {
        assertEquals("0 s", Progress.duration(0));
        assertEquals("0 s", Progress.duration(0.4));
        assertEquals("1 s", Progress.duration(0.6));
        assertEquals("59 s", Progress.duration(59.4));
        assertEquals("1m00s", Progress.duration(59.6));
        assertEquals("1m05s", Progress.duration(65));
        assertEquals("59m59s", Progress.duration(3599));
        assertEquals("1h00m", Progress.duration(3600));
        assertEquals("1h01m", Progress.duration(3661));
        assertEquals("26h03m", Progress.duration(26 * 3600 + 3 * 60 + 59));
    }

    private static List<String> lines(ByteArrayOutputStream bytes) {
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void everyAdvancePrintsALineWhenTheIntervalIsZero() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Progress p = new Progress("writing cache", "images", 10, out, 0);
        p.advance(3);
        p.advance(4);
        List<String> l = lines(bytes);
        assertEquals(2, l.size(), l.toString());
        assertTrue(l.get(0).startsWith("writing cache: 3/10 (30%) images, "), l.get(0));
        assertTrue(l.get(0).contains("/s"), l.get(0));
        assertTrue(l.get(1).startsWith("writing cache: 7/10 (70%) images, "), l.get(1));
        assertTrue(l.get(1).contains("/s"), l.get(1));

        p.finish();
        l = lines(bytes);
        assertEquals(3, l.size(), l.toString());
        String last = l.get(2);
        assertTrue(last.startsWith("writing cache: 7/10 (70%) images, "), last);
        assertTrue(last.matches(".*/s, \\d+\\.\\d s"), "the final line ends with the elapsed time: " + last);
        assertTrue(!last.contains("left"), last);
    }

    @Test
    void aLongIntervalPrintsOnlyTheFinalLine() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Progress p = new Progress("scan", "rows", 100, out, 3_600_000);
        for (int i = 0; i < 100; i++) {
            p.advance(1);
        }
        assertEquals(List.of(), lines(bytes));
        p.finish();
        List<String> l = lines(bytes);
        assertEquals(1, l.size(), l.toString());
        assertTrue(l.getFirst().startsWith("scan: 100/100 (100%) rows, "), l.getFirst());
    }

    @Test
    void anUnknownTotalPrintsTheCountOnly() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Progress p = new Progress("reading", "files", -1, out, 0);
        p.advance(5);
        p.finish();
        List<String> l = lines(bytes);
        assertEquals(2, l.size(), l.toString());
        assertTrue(l.get(0).startsWith("reading: 5 files, "), l.get(0));
        assertTrue(l.get(0).contains("/s") && !l.get(0).contains("left") && !l.get(0).contains("%"), l.get(0));
        assertTrue(l.get(1).startsWith("reading: 5 files, "), l.get(1));
    }

    @Test
    void theRateStartsAtZeroAndIsNeverNegative() {
        Progress p = new Progress("x", "y", 5, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), 0);
        assertEquals(0.0, p.rate());
        p.advance(5);
        assertTrue(p.rate() >= 0);
    }
}
