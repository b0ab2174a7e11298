package saelab.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import saelab.config.Profile;
import saelab.config.RunSettings;
import saelab.config.Workspace;
import saelab.plot.FigureRegistry;
import saelab.plot.FigureSpec;

/** {@code saelab figures}: lists the figure registry, or checks that a profile's outputs all exist. */
@Command(name = "figures", mixinStandardHelpOptions = true,
        description = "List the registered figures and tables, or check that every output file exists.")
final class FiguresCommand implements Callable<Integer> {

    @Option(names = "--profile", description = "demo or paper (default: SAELAB_PROFILE, else demo)")
    String profile;

    @Option(names = "--check", description = "exit 1 and list the files missing under figures/<profile>/")
    boolean check;

    @Option(names = "--markdown", description = "print the registry as the Markdown table of the README")
    boolean markdown;

    @Override
    public Integer call() {
        Workspace ws = Workspace.locate();
        FigureRegistry registry = FigureRegistry.load(ws.figureRegistry());
        Profile p = profile == null ? RunSettings.fromEnvironment().profile() : Profile.parse(profile, "--profile");
        Path dir = ws.figures(p);
        if (check) {
            List<Path> missing = registry.missingOutputs(dir, p.id());
            int total = registry.expectedOutputs(dir, p.id()).size();
            if (missing.isEmpty()) {
                long entries = registry.all().stream().filter(s -> s.producedBy(p.id())).count();
                System.out.println("all " + total + " files of the " + entries + " registered figures and tables of profile " + p.id()
                        + " are in " + ws.root().relativize(dir));
                return 0;
            }
            System.err.println(missing.size() + " of " + total + " registered output files are missing or empty:");
            missing.forEach(m -> System.err.println("  " + ws.root().relativize(m)));
            return 1;
        }
        if (markdown) {
            System.out.println("| notebook | paper section | id | kind | what it shows |");
            System.out.println("|---|---|---|---|---|");
            for (FigureSpec s : registry.all()) {
                String runs = (s.runs() == null ? "" : " (one per run; " + s.runs().entrySet().stream()
                        .map(e -> e.getKey() + ": " + String.join(", ", e.getValue())).collect(java.util.stream.Collectors.joining("; ")) + ")")
                        + (s.profiles() == null ? "" : " [" + String.join(", ", s.profiles()) + " only]");
                System.out.println("| `notebooks/" + s.notebook() + "` | " + s.section() + " | `" + s.id() + "` | "
                        + s.kind() + " | " + s.title().replace("|", "\\|") + runs + " |");
            }
            return 0;
        }
        System.out.printf("%-32s %-7s %-22s %-28s %s%n", "id", "kind", "notebook", "section", "outputs");
        for (FigureSpec s : registry.all()) {
            System.out.printf("%-32s %-7s %-22s %-28s %s%n", s.id(), s.kind(), s.notebook(), s.section(),
                    String.join(",", s.outputs()));
        }
        return 0;
    }
}
