package saelab.plot;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import saelab.io.Json;

/**
 * The figure registry: every figure and table the notebooks produce, read from
 * {@code data-manifests/figures.json}. Writing a figure whose id is not registered is an error, so
 * the registry stays the complete list that the README table and the output checks rely on.
 *
 * <p>File format ({@code format} = {@value #FORMAT}):
 * <pre>{@code
 * { "format": "saelab-figures/1",
 *   "figures": [ { "id": "...", "kind": "figure", "section": "...", "notebook": "00-walkthrough.ipynb",
 *                  "title": "...", "outputs": ["png", "pdf", "csv"] },
 *                { "id": "s05-2-dose-{run}", ..., "runs": {"demo": ["clip-classify", "clip-zeroshot"]} } ] }
 * }</pre>
 * The second entry is written once per run ({@link FigureSpec#perRun()}).
 */
public final class FigureRegistry {

    public static final String FORMAT = "saelab-figures/1";

    private final Path file;
    private final Map<String, FigureSpec> byId;

    private FigureRegistry(Path file, Map<String, FigureSpec> byId) {
        this.file = file;
        this.byId = byId;
    }

    /** On-disk shape of the registry file. */
    record RegistryFile(String format, List<FigureSpec> figures) {}

    /**
     * Reads and validates a registry file.
     *
     * @throws IllegalArgumentException when the file is not valid JSON, has the wrong format tag, or an
     *     entry has a bad or repeated field; the message names the file, the entry and the field
     * @throws UncheckedIOException when the file cannot be read
     */
    public static FigureRegistry load(Path file) {
        RegistryFile parsed;
        try {
            ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
            parsed = json.readValue(Files.readAllBytes(file), RegistryFile.class);
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException("figure registry " + file + " does not exist", e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("figure registry " + file + " is not valid: " + Json.describe(e), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read figure registry " + file, e);
        }
        if (parsed == null || !FORMAT.equals(parsed.format())) {
            throw new IllegalArgumentException("figure registry " + file + ": field 'format': expected '" + FORMAT
                    + "', got " + (parsed == null ? "an empty file" : "'" + parsed.format() + "'"));
        }
        if (parsed.figures() == null) {
            throw new IllegalArgumentException("figure registry " + file + ": field 'figures': expected a list of entries");
        }
        Map<String, FigureSpec> byId = new LinkedHashMap<>();
        for (int i = 0; i < parsed.figures().size(); i++) {
            FigureSpec spec = parsed.figures().get(i);
            String where = "figure registry " + file + ", figures[" + i + "]";
            if (spec == null) {
                throw new IllegalArgumentException(where + ": expected an object, got null");
            }
            spec.validate(where);
            if (byId.putIfAbsent(spec.id(), spec) != null) {
                throw new IllegalArgumentException(where + ": field 'id': '" + spec.id() + "' is listed twice");
            }
        }
        for (FigureSpec perRun : byId.values()) { // a per-run entry would take another entry's files for runs of its own
            for (FigureSpec other : byId.values()) {
                if (other != perRun && !other.perRun() && perRun.writes(other.id())) {
                    throw new IllegalArgumentException("figure registry " + file + ": the per-run id '" + perRun.id() + "' also matches the"
                            + " id '" + other.id() + "', so the figure check would take that entry's files for a run; expected a prefix"
                            + " no other id starts with");
                }
            }
        }
        return new FigureRegistry(file, byId);
    }

    /** The registry file this was read from. */
    public Path file() {
        return file;
    }

    /** All entries, in file order. */
    public List<FigureSpec> all() {
        return List.copyOf(byId.values());
    }

    /** The entry with this id, if registered. */
    public Optional<FigureSpec> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /**
     * The entry with this id: a registered id, or a per-run entry's id with a run's name in place of
     * {@link FigureSpec#RUN} ({@link FigureSpec#forRun}); an error listing the known ids when neither.
     */
    public FigureSpec get(String id) {
        FigureSpec spec = byId.get(id);
        if (spec == null && id != null) {
            spec = byId.values().stream().filter(s -> s.writes(id)).findFirst().map(s -> s.forRun(id.substring(s.prefix().length())))
                    .orElse(null);
        }
        if (spec == null) {
            throw new IllegalArgumentException("figure id '" + id + "' is not in the figure registry " + file
                    + "; add an entry there first (known ids: " + String.join(", ", byId.keySet()) + ")");
        }
        return spec;
    }

    /** The entries made by one notebook (file name such as {@code 00-walkthrough.ipynb}). */
    public List<FigureSpec> byNotebook(String notebook) {
        return byId.values().stream().filter(s -> s.notebook().equals(notebook)).toList();
    }

    /**
     * The output files a profile's run should have written to {@code dir}, of the entries that profile produces
     * ({@link FigureSpec#producedBy}): every ordinary entry's, and a per-run entry's for
     * each run its {@code runs} lists for the profile. A per-run entry that lists no runs for the profile expects at least one
     * run: its files in {@code dir} when there are any, else the pattern ({@code <prefix>*.<ext>}, which never exists).
     */
    public List<Path> expectedOutputs(Path dir, String profile) {
        List<Path> out = new java.util.ArrayList<>();
        for (FigureSpec s : byId.values()) {
            if (!s.producedBy(profile)) {
                continue;
            }
            if (!s.perRun()) {
                out.addAll(s.files(dir));
                continue;
            }
            List<String> runs = s.runs() == null ? null : s.runs().get(profile);
            if (runs == null) {
                runs = runsIn(dir, s);
            }
            if (runs.isEmpty()) {
                s.outputs().forEach(ext -> out.add(dir.resolve(s.prefix() + "*." + ext)));
            }
            for (String r : runs) {
                out.addAll(s.forRun(r).files(dir));
            }
        }
        return out;
    }

    /** The run names of a per-run entry's files in {@code dir} (its first output's extension). */
    private static List<String> runsIn(Path dir, FigureSpec s) {
        String ext = "." + s.outputs().getFirst();
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(ext))
                    .map(n -> n.substring(0, n.length() - ext.length())).filter(s::writes).map(n -> n.substring(s.prefix().length()))
                    .sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The {@linkplain #expectedOutputs expected output files} that are missing or empty in {@code dir}. */
    public List<Path> missingOutputs(Path dir, String profile) {
        return expectedOutputs(dir, profile).stream()
                .filter(p -> {
                    try {
                        return !Files.isRegularFile(p) || Files.size(p) == 0;
                    } catch (IOException | java.nio.file.InvalidPathException e) {
                        return true;
                    }
                })
                .toList();
    }
}
