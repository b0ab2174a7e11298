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
 * {@code data-manifests/figures.json}. Figures go to {@code <root>/figures/<profile>/} unless
 * {@code SAELAB_FIGURES} names another folder to use instead of {@code <root>/figures} (the test
 * command does this so quick runs never overwrite real figures).
 *
 * @param root        the repository root (absolute)
 * @param figuresRoot the folder holding one sub-folder of figures per profile
 */
public record Workspace(Path root, Path figuresRoot) {

    public static final String HOME_VAR = "SAELAB_HOME";
    public static final String FIGURES_VAR = "SAELAB_FIGURES";
    static final String REGISTRY = "data-manifests/figures.json";

    /** Finds the workspace from this process's environment and working directory. */
    public static Workspace locate() {
        return locate(System.getenv(), Path.of("").toAbsolutePath());
    }

    /** Finds the workspace from the given environment and start folder. */
    public static Workspace locate(Map<String, String> env, Path start) {
        Path root = findRoot(env, start);
        String figures = env.get(FIGURES_VAR);
        // a relative SAELAB_FIGURES is taken from the checkout root, so the CLI and a kernel started
        // in notebooks/ agree on the folder
        Path figuresRoot = figures == null || figures.isBlank() ? root.resolve("figures")
                : root.resolve(figures).normalize();
        return new Workspace(root, figuresRoot);
    }

    private static Path findRoot(Map<String, String> env, Path start) {
        String home = env.get(HOME_VAR);
        if (home != null && !home.isBlank()) {
            Path root = Path.of(home).toAbsolutePath().normalize();
            if (!Files.isRegularFile(root.resolve(REGISTRY))) {
                throw new IllegalStateException("environment variable " + HOME_VAR + " is " + root
                        + ", but " + root.resolve(REGISTRY) + " does not exist; expected the root of a saelab checkout");
            }
            return root;
        }
        for (Path p = start.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve(REGISTRY))) {
                return p;
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
        return figuresRoot.resolve(profile.id());
    }
}
