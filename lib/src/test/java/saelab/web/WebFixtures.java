package saelab.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;

/**
 * A finished demo run for the dashboards' tests, built once per test JVM: the quick plan (toy backbones, SAEs, heads and
 * the toy VLM trained for a few dozen steps: every file is real, the numbers are rough). About half a minute on two idle
 * cores; deleted when the JVM exits.
 */
final class WebFixtures {

    private static Path work;

    private WebFixtures() {}

    /** The work folder of the run ({@code demo.json} inside). */
    static synchronized Path demoRun() throws IOException {
        String reuse = System.getProperty("saelab.web.fixture");
        if (work == null && reuse != null && Files.isRegularFile(Path.of(reuse, "demo.json"))) {
            work = Path.of(reuse); // a quick run built before (repeated runs of the browser tests, e.g. the 10-in-a-row check)
        }
        if (work == null) {
            Path root = Files.createTempDirectory("saelab-web-fixture");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(root)));
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            Path w = root.resolve("work");
            saelab.demo.PlanRunner.run(saelab.plan.PlanReader.read(saelab.config.Workspace.locate().manifests().resolve("plans/quick.json"),
                    saelab.demo.PlanKinds.ALL), new saelab.demo.PlanRunner.Options(w, Set.of(), null, null,
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
