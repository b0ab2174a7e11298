package saelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.store.ActivationCache;

/**
 * {@code saelab capture} over a folder where one PNG declares 100000 x 100000 pixels among good images: the
 * decoder's pixel limit turns the bomb into an image problem, which the capture's policy handles like any
 * unreadable image: {@code --policy skip} completes without it and reports it, {@code --policy stop} stops
 * with exit code 2 and one sentence naming the file.
 */
class CaptureImageBombCliTest {

    @TempDir
    Path tmp;

    private Path model;
    private Path images;

    @BeforeEach
    void data() throws IOException {
        model = CliFixtures.captureModel(tmp.resolve("model"));
        images = Files.createDirectories(tmp.resolve("images"));
        Files.write(images.resolve("a_good.png"), CliFixtures.png(60, 70, 1));
        Files.write(images.resolve("b_bomb.png"), CliFixtures.pngDeclaring(100_000, 100_000));
        Files.write(images.resolve("c_good.png"), CliFixtures.png(75, 64, 2));
        Files.write(images.resolve("d_good.png"), CliFixtures.png(66, 80, 3));
    }

    private CliRun.Result capture(String policy, Path out) {
        return CliRun.run("capture", "--model", model.toString(), "--dataset", "folder:" + images, "--layers", "1", "--tokens", "cls",
                "--batch", "2", "--threads", "2", "--policy", policy, "--out", out.toString());
    }

    @Test
    void underSkipTheCaptureCompletesWithoutTheBombAndReportsIt() throws IOException {
        Path out = tmp.resolve("skip");
        CliRun.Result r = capture("skip", out);
        assertEquals(0, r.code(), r.err());
        String said = r.out() + r.err();
        assertTrue(said.contains("skipped b_bomb.png") && said.contains("100000 x 100000"), said);
        assertFalse(said.contains("OutOfMemoryError") || said.contains("at saelab."), said);
        try (ActivationCache c = ActivationCache.open(out)) {
            List<String> paths = new ArrayList<>();
            for (int i = 0; i < c.nImages(); i++) {
                paths.add(c.image(i).path());
            }
            assertEquals(List.of("a_good.png", "c_good.png", "d_good.png"), paths);
        }
    }

    @Test
    void underStopTheCaptureStopsWithOneSentenceNamingTheBomb() {
        CliRun.Result r = capture("stop", tmp.resolve("stop"));
        assertEquals(2, r.code(), r.err());
        List<String> errors = r.err().lines().filter(l -> l.startsWith("saelab capture: error: ")).toList();
        assertEquals(1, errors.size(), r.err());
        String line = errors.getFirst();
        assertTrue(line.contains("b_bomb.png") && line.contains("100000 x 100000"), line);
        assertFalse(r.err().contains("at saelab.") || r.err().contains("Exception"), r.err());
    }
}
