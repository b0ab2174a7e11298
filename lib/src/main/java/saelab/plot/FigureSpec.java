package saelab.plot;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One entry of the figure registry ({@code data-manifests/figures.json}): a figure or table of
 * the paper, the notebook that makes it, and the files it is written to
 * ({@code figures/<profile>/<id>.<ext>} for each output extension).
 *
 * @param id       file-name-safe identifier, lower-case letters, digits and dashes
 * @param kind     {@code figure} (a plot: png, pdf and csv) or {@code table} (csv, optionally html)
 * @param section  the paper section it belongs to, e.g. {@code "4.2 Feature interpretability"}
 * @param notebook the notebook under {@code notebooks/} that writes it
 * <p>An entry whose id ends in {@value #RUN} is written once per run of its kind (a control step, an SAE): the notebook
 * puts the run's name in its place ({@code s05-2-dose-{run}} becomes {@code s05-2-dose-clip-classify} on the demo and
 * {@code s05-2-dose-dinov2-cub-classify} on the paper plan), and {@code runs} lists the names a profile's run gives,
 * for the output check.
 *
 * @param title    a one-line caption
 * @param outputs  output extensions, e.g. {@code ["png", "pdf", "csv"]}
 * @param runs     for a per-run entry, profile id → the run names of that profile's plan (a profile not listed: at
 *                 least one run); null for an ordinary entry
 * @param profiles the profiles whose runs produce it, when not every profile's do (e.g. {@code ["demo"]} for what needs
 *                 the toy world's ground truth); null: all
 */
@JsonIgnoreProperties(ignoreUnknown = false)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FigureSpec(String id, String kind, String section, String notebook, String title, List<String> outputs,
                         Map<String, List<String>> runs, List<String> profiles) {

    /** The placeholder at the end of a per-run entry's id. */
    public static final String RUN = "{run}";

    private static final Pattern ID = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

    /** An ordinary (not per-run) entry that every profile produces. */
    public FigureSpec(String id, String kind, String section, String notebook, String title, List<String> outputs) {
        this(id, kind, section, notebook, title, outputs, null, null);
    }

    /** Whether a run of {@code profile} produces this entry ({@code profiles} null or listing it). */
    public boolean producedBy(String profile) {
        return profiles == null || profiles.contains(profile);
    }

    /** Whether the entry is written once per run ({@link #RUN}). */
    public boolean perRun() {
        return id != null && id.endsWith("-" + RUN);
    }

    /** A per-run entry's id before {@link #RUN}, e.g. {@code s05-2-dose-}. */
    public String prefix() {
        return id.substring(0, id.length() - RUN.length());
    }

    /** Whether {@code concrete} is an id this per-run entry writes: its prefix, then a run name. */
    public boolean writes(String concrete) {
        return perRun() && concrete.startsWith(prefix()) && ID.matcher(concrete.substring(prefix().length())).matches();
    }

    /** This per-run entry for one run (its id with the run's name in place of {@link #RUN}). */
    public FigureSpec forRun(String run) {
        return new FigureSpec(prefix() + run, kind, section, notebook, title, outputs, null, profiles);
    }
    static final Set<String> FIGURE_OUTPUTS = Set.of("png", "pdf", "svg", "csv");
    static final Set<String> TABLE_OUTPUTS = Set.of("csv", "html");

    /** Whether this entry is a plot (as opposed to a table). */
    public boolean isFigure() {
        return "figure".equals(kind);
    }

    /** The files this entry is written to, in {@code dir} (normally {@code figures/<profile>/}). */
    public List<Path> files(Path dir) {
        return outputs.stream().map(ext -> dir.resolve(id + "." + ext)).toList();
    }

    /**
     * Checks the entry's fields; {@code where} names the registry file and entry for the message.
     *
     * @throws IllegalArgumentException naming the field and what was expected
     */
    void validate(String where) {
        String plain = perRun() ? id.substring(0, id.length() - RUN.length() - 1) : id;
        require(plain != null && ID.matcher(plain).matches(), where, "id",
                "lower-case letters, digits and single dashes, optionally ending in -" + RUN + ", got '" + id + "'");
        require(runs == null || perRun(), where, "runs", "only on an entry whose id ends in -" + RUN);
        require(profiles == null || !profiles.isEmpty() && profiles.stream().allMatch(pr -> pr != null && ID.matcher(pr).matches()),
                where, "profiles", "a non-empty list of profile ids (e.g. [\"demo\"]), or no field for every profile");
        if (runs != null) {
            for (Map.Entry<String, List<String>> e : runs.entrySet()) {
                require(e.getValue() != null && !e.getValue().isEmpty() && e.getValue().stream().allMatch(r -> r != null && ID.matcher(r).matches()),
                        where, "runs." + e.getKey(), "a non-empty list of run names (lower-case letters, digits and dashes)");
            }
        }
        require("figure".equals(kind) || "table".equals(kind), where, "kind", "'figure' or 'table', got '" + kind + "'");
        require(section != null && !section.isBlank(), where, "section", "a paper section");
        require(notebook != null && notebook.endsWith(".ipynb") && !notebook.contains("/"), where, "notebook",
                "a notebook file name under notebooks/, got '" + notebook + "'");
        require(title != null && !title.isBlank(), where, "title", "a one-line caption");
        require(outputs != null && !outputs.isEmpty(), where, "outputs", "a non-empty list of file extensions");
        Set<String> allowed = isFigure() ? FIGURE_OUTPUTS : TABLE_OUTPUTS;
        for (String ext : outputs) {
            require(allowed.contains(ext), where, "outputs", "extensions from " + allowed + " for a " + kind + ", got '" + ext + "'");
        }
        require(Set.copyOf(outputs).size() == outputs.size(), where, "outputs", "no repeated extension");
        if (isFigure()) {
            require(outputs.containsAll(List.of("png", "pdf", "csv")), where, "outputs",
                    "a figure to list png, pdf and csv (the plotted numbers), got " + outputs);
        } else {
            require(outputs.contains("csv"), where, "outputs", "a table to list csv, got " + outputs);
        }
    }

    private static void require(boolean ok, String where, String field, String expected) {
        if (!ok) {
            throw new IllegalArgumentException(where + ": field '" + field + "': expected " + expected);
        }
    }
}
