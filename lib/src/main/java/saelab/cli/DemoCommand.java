package saelab.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import saelab.config.Workspace;
import saelab.demo.PlanKinds;
import saelab.demo.PlanRunner;
import saelab.plan.Plan;
import saelab.plan.PlanFiles;
import saelab.plan.PlanReader;

/**
 * {@code saelab demo}: the whole pipeline on the embedded toy world, as content-addressed steps: {@code saelab run demo}
 * (or {@code quick} with {@code --size quick}); with {@code --backbone ID=DIR}, the same plan over model folders of one's
 * own ({@link PlanRunner#withModelFolders}: the other backbones' steps and the toy VLM are left out).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs the demo pipeline on the toy world (the plan data-manifests/plans/demo.json, or quick.json with --size quick; the same as saelab run demo): world, backbones, capture, SAEs on patch and CLS tokens, eval,"
                + " feature analysis, ground truth and concept matching. Each step is skipped when its parameters and inputs are"
                + " unchanged; prints each step's status and time and writes WORK/demo.json.",
                "The outputs are recorded as data manifests of the demo profile (data-manifests/) when the work folder lies"
                        + " under the data root (SAELAB_DATA)."})
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--work", description = "work folder (default: <workspace root>/work/demo)")
    Path work;

    @Option(names = "--size", defaultValue = "demo", description = "quick or demo (default ${DEFAULT-VALUE})")
    String size;

    @Option(names = "--force", split = ",", paramLabel = "STEP",
            description = "rebuild a step and the steps after it: a step name, a kind such as capture or sae, or all (repeatable)")
    List<String> force = new ArrayList<>();

    @Option(names = "--backbone", paramLabel = "ID=DIR",
            description = "use an existing model folder (with preprocessor_config.json) as backbone ID (a model source of the plan:"
                    + " clip, dinov2, clip-concept) instead of its toy backbone; only the given backbones run (repeatable)")
    List<String> backbones = new ArrayList<>();

    @Option(names = "--no-manifests", description = "do not record data manifests")
    boolean noManifests;

    @Option(names = "--jobs", paramLabel = "N", description = "steps run at once when their inputs are ready (default 2 on a machine"
            + " with 2 or more cores, else 1; the plan runner only); the outputs are the same for any N")
    Integer jobs;

    @Override
    public Integer call() throws Exception {
        String name = size == null ? "" : size.strip().toLowerCase(java.util.Locale.ROOT);
        if (!name.equals("quick") && !name.equals("demo")) {
            throw new IllegalArgumentException("--size is '" + size + "'; expected quick or demo");
        }
        Workspace ws = Workspace.locate();
        Path file = PlanFiles.locate(name, ws.manifests().resolve(PlanFiles.FOLDER));
        Plan plan = PlanReader.read(file, PlanKinds.ALL); // the demo is its plan: data-manifests/plans/<size>.json
        if (!backbones.isEmpty()) {
            Map<String, Path> folders = new LinkedHashMap<>();
            for (String b : backbones) {
                int eq = b.indexOf('=');
                if (eq <= 0 || eq == b.length() - 1) {
                    throw new IllegalArgumentException("--backbone is '" + b + "'; expected ID=MODEL_DIR");
                }
                Path dir = CliPaths.requireFolder(Path.of(b.substring(eq + 1)), "a model folder (config.json and weights, with"
                        + " preprocessor_config.json)");
                if (folders.put(b.substring(0, eq), dir) != null) {
                    throw new IllegalArgumentException("--backbone " + b.substring(0, eq) + " is given twice; expected one folder per id");
                }
            }
            plan = PlanRunner.withModelFolders(plan, folders, System.out);
        }
        return RunCommand.run(plan, ws, work, force, false, null, noManifests, jobs, false);
    }
}
