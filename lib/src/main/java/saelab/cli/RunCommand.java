package saelab.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import saelab.config.Workspace;
import saelab.demo.PlanDryRun;
import saelab.demo.PlanKinds;
import saelab.demo.PlanRunner;
import saelab.hub.HubSettings;
import saelab.manifest.DataRoot;
import saelab.plan.Plan;
import saelab.plan.PlanFiles;
import saelab.plan.PlanReader;

/** {@code saelab run PLAN}: runs a plan of data-manifests/plans (or a plan file), or with {@code --dry-run} says what it needs. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Runs a plan: data-manifests/plans/PLAN.json (demo, quick, paper, ...) or a plan file. Each step is skipped"
                + " when its parameters and inputs are unchanged; prints each step's status and time and writes WORK/demo.json.",
                "--dry-run builds nothing: it lists every step with its inputs, whether the runner can build it yet, the data and"
                        + " weights it reads and whether they are present, whether its output exists (it would be skipped) and the"
                        + " disk its output takes; exit 0 when everything can run and is present, 1 otherwise."})
final class RunCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "PLAN", description = "a plan name in data-manifests/plans, or a path to a plan file")
    String plan;

    @Option(names = "--work", description = "work folder (default: <workspace root>/work/demo for the demo and quick plans,"
            + " work/<plan name> for the others)")
    Path work;

    @Option(names = "--force", split = ",", paramLabel = "STEP",
            description = "rebuild a step and the steps after it: a step id, a kind such as capture or sae, or all (repeatable)")
    List<String> force = new ArrayList<>();

    @Option(names = "--dry-run", description = "build nothing; report what each step needs and whether it is present")
    boolean dryRun;

    @Option(names = "--data-root", paramLabel = "DIR",
            description = "the data root (default: " + DataRoot.VAR + " or data_root in ~/.config/saelab/config.json)")
    Path dataRoot;

    @Option(names = "--no-manifests", description = "do not record data manifests")
    boolean noManifests;

    @Option(names = "--skip-blocked", description = "leave out the steps the runner cannot build yet, and the steps that read them,"
            + " and run the rest (one line names each step left out)")
    boolean skipBlocked;

    @Option(names = "--jobs", paramLabel = "N", description = "steps run at once when their inputs are ready (default 2 on a machine"
            + " with 2 or more cores, else 1); the outputs are the same for any N")
    Integer jobs;

    @Override
    public Integer call() throws Exception {
        Workspace ws = Workspace.locate();
        Path file = PlanFiles.locate(plan, ws.manifests().resolve(PlanFiles.FOLDER));
        Plan p = PlanReader.read(file, PlanKinds.ALL);
        return run(p, ws, work, force, dryRun, dataRoot, noManifests, jobs, skipBlocked);
    }

    /** Runs or dry-runs {@code p}; shared with {@code saelab demo}. */
    static int run(Plan p, Workspace ws, Path work, List<String> force, boolean dryRun, Path dataRoot, boolean noManifests,
                   Integer jobs, boolean skipBlocked) throws Exception {
        if (jobs != null && jobs < 1) {
            throw new IllegalArgumentException("--jobs is " + jobs + "; expected at least 1");
        }
        Path dir = work != null ? work : ws.root().resolve("work")
                .resolve(p.name().equals("quick") || p.name().equals("demo") ? "demo" : p.name());
        Path root = dataRoot != null ? dataRoot.toAbsolutePath().normalize() : DataRoot.find().orElse(null);
        Set<String> f = new LinkedHashSet<>();
        for (String x : force) {
            if (!x.isBlank()) {
                f.add(x.trim());
            }
        }
        if (dryRun) {
            PlanDryRun.Report r = PlanDryRun.of(p, dir, f, root, HubSettings.fromEnvironment());
            System.out.print(r.describe());
            return r.ready() ? 0 : 1;
        }
        if (skipBlocked) {
            p = PlanRunner.withoutBlocked(p, System.out);
        }
        if (!noManifests && root == null) {
            System.out.println("manifests: not recorded: no data root is set (" + DataRoot.VAR
                    + " or data_root in ~/.config/saelab/config.json)");
        }
        PlanRunner.run(p, new PlanRunner.Options(dir, f, noManifests ? null : ws.manifests(), root, System.out,
                jobs == null ? PlanRunner.defaultJobs() : jobs));
        return 0;
    }
}
