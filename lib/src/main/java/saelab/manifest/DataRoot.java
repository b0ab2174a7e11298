package saelab.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import saelab.io.Json;

/**
 * The one user setting that maps data manifests to local folders: the data root. It is the
 * environment variable {@code SAELAB_DATA} when set, else {@code data_root} in
 * {@code ~/.config/saelab/config.json} ({@code {"data_root": "/data/saelab"}}). A manifest's
 * {@code location} is resolved against it.
 */
public final class DataRoot {

    public static final String VAR = "SAELAB_DATA";

    private DataRoot() {}

    /** The configured data root, if any. */
    public static Optional<Path> find() {
        return find(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /** The data root from the given environment and home folder. */
    public static Optional<Path> find(Map<String, String> env, Path home) {
        String v = env.get(VAR);
        if (v != null && !v.isBlank()) {
            return Optional.of(Path.of(v).toAbsolutePath().normalize());
        }
        Path config = configFile(home);
        if (Files.isRegularFile(config)) {
            JsonNode n = Json.read(config, JsonNode.class, "saelab config");
            JsonNode root = n.get("data_root");
            if (root == null || !root.isTextual() || root.asText().isBlank()) {
                throw new IllegalArgumentException(config + ": field 'data_root': expected the path of your data folder");
            }
            String r = root.asText().strip();
            Path p = r.equals("~") ? home : r.startsWith("~/") ? home.resolve(r.substring(2)) : home.resolve(r);
            return Optional.of(p.toAbsolutePath().normalize());
        }
        return Optional.empty();
    }

    /** {@code ~/.config/saelab/config.json}. */
    public static Path configFile(Path home) {
        return home.resolve(".config").resolve("saelab").resolve("config.json");
    }
}
