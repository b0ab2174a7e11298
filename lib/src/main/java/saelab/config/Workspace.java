package saelab.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where a saelab checkout keeps things: the repository root and, below it, the figure registry,
 * the data manifests and the per-profile figure folders.
 *
 * <p>The root is {@code SAELAB_HOME} when set (the launcher and the notebook kernel set it),
 * otherwise the nearest folder at or above the working directory that holds
 * {@code data-manifests/figures.json}.
 *
 * @param root the repository root (absolute)
 */
public record Workspace(Path root) {

    public static final String HOME_VAR = "SAELAB_HOME";
    static final String REGISTRY = "data-manifests/figures.json";

    /** Finds the workspace from this process's environment and working directory. */
    public static Workspace locate() {
        return locate(System.getenv(), Path.of("").toAbsolutePath());
    }

    /** Finds the workspace from the given environment and start folder. */
    public static Workspace locate(Map<String, String> env, Path start) {
        String home = env.get(HOME_VAR);
        if (home != null && !home.isBlank()) {
            Path root = Path.of(home).toAbsolutePath().normalize();
            if (!Files.isRegularFile(root.resolve(REGISTRY))) {
                throw new IllegalStateException("environment variable " + HOME_VAR + " is " + root
                        + ", but " + root.resolve(REGISTRY) + " does not exist; expected the root of a saelab checkout");
            }
            return new Workspace(root);
        }
        for (Path p = start.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve(REGISTRY))) {
                return new Workspace(p);
            }
        }
        throw new IllegalStateException("no saelab checkout found: neither " + HOME_VAR
                + " is set nor does " + start.toAbsolutePath() + " or a folder above it hold " + REGISTRY);
    }

    /** {@code data-manifests/figures.json}: the registry of every figure and table. */
    public Path figureRegistry() {
        return root.resolve(REGISTRY);
    }

    /** {@code data-manifests/}. */
    public Path manifests() {
        return root.resolve("data-manifests");
    }

    /** {@code figures/<profile>/}, where the figures of one profile are written. */
    public Path figures(Profile profile) {
        return root.resolve("figures").resolve(profile.id());
    }
}
