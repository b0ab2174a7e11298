package saelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.demo.DemoFixtures;

/**
 * {@code saelab demo} at the quick size with the golden DINOv2 fixture as the backbone (the quick plan over that folder, the
 * other backbones' steps left out, each named; a plumbing test: random weights): the step lines and times, a rerun that
 * skips everything, {@code --force}, and the errors of bad options.
 */
class DemoCliTest {

    @TempDir
    Path tmp;

    private static long count(String text, String needle) {
        return text.lines().filter(l -> l.contains(needle)).count();
    }

    @Test
    void plumbingRunRerunAndForceOfTheDemoCommand() throws Exception {
        Path model = DemoFixtures.dinov2(tmp.resolve("dinov2"));
        Path work = tmp.resolve("work");
        String[] base = {"demo", "--work", work.toString(), "--size", "quick", "--backbone", "dinov2=" + model, "--no-manifests"};
        CliRun.Result first = CliRun.run(base);
        assertEquals(0, first.code(), first.err() + first.out());
        assertEquals(15, count(first.out(), " built in "), first.out());
        assertTrue(first.out().contains("[1/15] world"), first.out());
        assertTrue(first.out().contains("plan quick: 15 steps, 15 built"), first.out());
        assertTrue(first.out().contains("left out: backbone-clip: its model source clip was not given with --backbone")
                && first.out().contains("left out: vlm-clip: it reads backbone-clip, which is left out"), first.out());
        assertTrue(Files.isRegularFile(work.resolve("demo.json")));

        CliRun.Result second = CliRun.run(base);
        assertEquals(0, second.code(), second.err());
        assertEquals(15, count(second.out(), "skipped (unchanged)"), second.out());

        String[] forced = java.util.Arrays.copyOf(base, base.length + 2);
        forced[base.length] = "--force";
        forced[base.length + 1] = "sae-dinov2-cls";
        CliRun.Result third = CliRun.run(forced);
        assertEquals(0, third.code(), third.err());
        assertEquals(4, count(third.out(), " rebuilt in "), "sae, eval, analyze and concepts of the CLS SAE:\n" + third.out());
        assertEquals(11, count(third.out(), "skipped (unchanged)"), "the control half reads the patch SAE only:\n" + third.out());
    }

    @Test
    void badOptionsAreOneSentenceErrors() throws Exception {
        CliRun.Result size = CliRun.run("demo", "--size", "huge", "--backbone", "x=" + tmp);
        assertEquals(2, size.code());
        assertTrue(size.err().contains("--size is 'huge'"), size.err());
        CliRun.Result shape = CliRun.run("demo", "--backbone", "nodir");
        assertEquals(2, shape.code());
        assertTrue(shape.err().contains("expected ID=MODEL_DIR"), shape.err());
        CliRun.Result missing = CliRun.run("demo", "--backbone", "x=" + tmp.resolve("absent"), "--no-manifests", "--work",
                tmp.resolve("w").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("config.json"), missing.err());
        Path model = DemoFixtures.dinov2(tmp.resolve("dinov2"));
        CliRun.Result force = CliRun.run("demo", "--work", tmp.resolve("w").toString(), "--no-manifests", "--size", "quick",
                "--backbone", "dinov2=" + model, "--force", "nonsense");
        assertEquals(2, force.code());
        assertTrue(force.err().contains("--force nonsense: no such step") && force.err().contains("capture-dinov2"), force.err());
        CliRun.Result unknown = CliRun.run("demo", "--work", tmp.resolve("w").toString(), "--no-manifests", "--size", "quick",
                "--backbone", "siglip=" + model);
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("--backbone siglip: plan quick has no model source 'siglip'; its model sources are [clip, dinov2,"
                + " clip-concept]") && unknown.err().strip().lines().count() == 1, unknown.err());
    }
}
