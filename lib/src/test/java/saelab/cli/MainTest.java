package saelab.cli;

import static saelab.cli.CliRun.capture;
import static saelab.cli.CliRun.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import saelab.cli.CliRun.Result;
import org.junit.jupiter.api.Test;
import saelab.BuildInfo;

class MainTest {

    /** Exit code and what a run printed. */
    /** Runs the CLI with System.out and System.err captured. */
    @Test
    void versionPrintsTheBuildLine() {
        Result r = run("--version");
        assertEquals(0, r.code(), r.err());
        String first = r.out().lines().findFirst().orElse("");
        assertTrue(first.startsWith("saelab 0.1.0"), first);
        assertEquals(BuildInfo.current().describe(), first);
    }

    @Test
    void noArgumentsPrintsUsage() {
        Result r = run();
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Usage: saelab"), r.out());
        assertTrue(r.out().contains("figures"), r.out());
        assertTrue(r.out().contains("info"), r.out());
    }

    @Test
    void unknownCommandIsAUsageError() {
        Result r = run("no-such-command");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("no-such-command"), r.err());
    }

    @Test
    void unknownOptionIsAUsageError() {
        assertEquals(2, run("figures", "--no-such-option").code());
    }

    @Test
    void badProfileIsAnInputErrorWithOneLine() {
        // the workspace is found by walking up from the working directory (lib/ under mvn test)
        Result r = run("figures", "--profile", "nonsense");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--profile"), r.err());
        assertTrue(r.err().contains("'nonsense'"), r.err());
        assertTrue(r.err().contains("demo, paper"), r.err());
        assertTrue(!r.err().contains("\tat "), "a user error should not print a stack trace: " + r.err());
    }

    @Test
    void figuresListsTheRealRegistry() {
        Result r = run("figures", "--profile", "demo");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("id"), r.out());
        assertTrue(r.out().contains("w00-superposition-readout"), r.out());
        assertTrue(r.out().contains("png,pdf,csv"), r.out());
    }

    @Test
    void figuresMarkdownPrintsATable() {
        Result r = run("figures", "--markdown", "--profile", "paper");
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().split("\\R");
        assertEquals("| notebook | paper section | id | kind | what it shows |", lines[0]);
        assertEquals("|---|---|---|---|---|", lines[1]);
        assertTrue(lines.length > 2);
        for (int i = 2; i < lines.length; i++) {
            assertTrue(lines[i].startsWith("| `notebooks/") && lines[i].endsWith(" |"), lines[i]);
        }
    }

    @Test
    void figuresHelpMentionsCheck() {
        Result r = run("figures", "--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("--check"), r.out());
    }
}
