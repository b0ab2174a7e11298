package saelab.plan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where plans are: a plan given by name ({@code demo}, {@code quick}, {@code paper}) is
 * {@code <plans folder>/<name>.json} (the workspace's {@code data-manifests/plans/}); anything else (a name ending in
 * {@code .json} or holding a path separator) is a path to a plan file.
 */
public final class PlanFiles {

    /** The folder of the named plans inside {@code data-manifests/}. */
    public static final String FOLDER = "plans";

    private static final Pattern NAME = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

    private PlanFiles() {}

    /**
     * The plan file of {@code nameOrPath}.
     *
     * @throws IllegalArgumentException when no such plan exists, listing the named plans
     */
    public static Path locate(String nameOrPath, Path plansDir) throws IOException {
        if (nameOrPath == null || nameOrPath.isBlank()) {
            throw new IllegalArgumentException("no plan given; expected a plan name " + names(plansDir) + " or a path to a plan file");
        }
        if (NAME.matcher(nameOrPath).matches()) {
            Path f = plansDir.resolve(nameOrPath + ".json");
            if (!Files.isRegularFile(f)) {
                throw new IllegalArgumentException("plan '" + nameOrPath + "': no file " + f + "; expected one of the plans "
                        + names(plansDir) + " or a path to a plan file");
            }
            return f;
        }
        Path f = Path.of(nameOrPath);
        if (!Files.isRegularFile(f)) {
            throw new IllegalArgumentException("plan file " + f + " does not exist; expected a plan file or one of the plans "
                    + names(plansDir));
        }
        return f;
    }

    /** The names of the plans in {@code plansDir}, sorted. */
    public static List<String> names(Path plansDir) throws IOException {
        if (!Files.isDirectory(plansDir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(plansDir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json"))
                    .map(n -> n.substring(0, n.length() - ".json".length())).filter(n -> NAME.matcher(n).matches()).sorted().toList();
        }
    }
}
