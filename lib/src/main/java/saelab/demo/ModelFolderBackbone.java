package saelab.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import saelab.data.ToyWorld;
import saelab.io.Sha256;
import saelab.model.ModelFolder;

/**
 * A backbone that is an existing local model folder, copied as it is (the files at its top level). Its key
 * parameters are the SHA-256 of every file, so the pipeline reruns from the capture on when the folder's content
 * changes. Used for the plumbing tests (the golden fixture models) and for running the demo on a model of one's own
 * ({@code saelab demo --backbone ID=DIR}).
 */
public final class ModelFolderBackbone implements BackboneProvider {

    private static final Pattern ID = Pattern.compile("[a-z0-9]+");

    private final String id;
    private final Path dir;
    private final Map<String, String> files;
    private final boolean textTower;

    /**
     * @param id  the backbone id (lower-case letters and digits)
     * @param dir a model folder with {@code config.json} and {@code preprocessor_config.json}
     * @throws IllegalArgumentException for a bad id, or a folder without those files
     */
    public ModelFolderBackbone(String id, Path dir) throws IOException {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("backbone id '" + id + "': expected lower-case letters and digits");
        }
        this.id = id;
        this.dir = dir.toAbsolutePath().normalize();
        for (String need : List.of("config.json", "preprocessor_config.json")) {
            if (!Files.isRegularFile(this.dir.resolve(need))) {
                throw new IllegalArgumentException("backbone " + id + ": " + this.dir.resolve(need) + " is missing; expected a model"
                        + " folder with config.json, weights and preprocessor_config.json");
            }
        }
        Map<String, String> f = new TreeMap<>();
        try (Stream<Path> s = Files.list(this.dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                f.put(p.getFileName().toString(), Sha256.of(p));
            }
        }
        this.files = f;
        this.textTower = ModelFolder.detect(this.dir).towers() == ModelFolder.Towers.VISION_AND_TEXT;
    }

    @Override
    public boolean hasTextTower() {
        return textTower;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Map<String, Object> params() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", "model-folder");
        m.put("files", files);
        return m;
    }

    @Override
    public Map<String, Object> build(ToyWorld world, Path outDir, PrintStream log) throws IOException {
        Files.createDirectories(outDir);
        long bytes = 0;
        for (String name : files.keySet()) {
            Path src = dir.resolve(name);
            if (!Sha256.of(src).equals(files.get(name))) {
                throw new IllegalStateException("backbone " + id + ": " + src + " changed while the demo ran");
            }
            Files.copy(src, outDir.resolve(name));
            bytes += Files.size(src);
        }
        log.println("copied " + files.size() + " files of " + dir);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("files", files.size());
        summary.put("bytes", bytes);
        return summary;
    }
}
