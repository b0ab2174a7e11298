package saelab.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import saelab.demo.BackboneProvider;
import saelab.demo.DemoFixtures;
import saelab.demo.DemoPipeline;
import saelab.demo.ModelFolderBackbone;

/**
 * A finished demo run for the dashboards' tests, built once per test JVM: the demo pipeline at the plumbing tests'
 * tiny size over the golden fixture backbones (random weights: the numbers mean nothing, every file is real). About
 * 15 s on two cores; deleted when the JVM exits.
 */
final class WebFixtures {

    private static Path work;

    private WebFixtures() {}

    /** The work folder of the run ({@code demo.json} inside). */
    static synchronized Path demoRun() throws IOException {
        if (work == null) {
            Path root = Files.createTempDirectory("saelab-web-fixture");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(root)));
            List<BackboneProvider> backbones = List.of(
                    new ModelFolderBackbone("dinov2", DemoFixtures.dinov2(root.resolve("fixtures/dinov2"))),
                    new ModelFolderBackbone("clip", DemoFixtures.clip(root.resolve("fixtures/clip"))));
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            Path w = root.resolve("work");
            DemoPipeline.run(new DemoPipeline.Options(w, DemoFixtures.tiny(), backbones, Set.of(), null, null,
                    new PrintStream(log, true, StandardCharsets.UTF_8)));
            work = w;
        }
        return work;
    }

    /** Where the tests' dashboard screenshots go: lib/target/dashboards-test (figures/ is the main command's). */
    static Path screenshots() {
        Path target = Path.of("target");
        return (Files.isDirectory(target) ? target : Path.of("lib/target")).resolve("dashboards-test");
    }

    private static void delete(Path root) {
        try (var files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort at exit
        }
    }
}
