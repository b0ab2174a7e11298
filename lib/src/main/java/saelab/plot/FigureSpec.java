package saelab.plot;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.nio.file.Path;
import java.util.List;
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
 * @param title    a one-line caption
 * @param outputs  output extensions, e.g. {@code ["png", "pdf", "csv"]}
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record FigureSpec(String id, String kind, String section, String notebook, String title, List<String> outputs) {

    private static final Pattern ID = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");
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
        require(id != null && ID.matcher(id).matches(), where, "id",
                "lower-case letters, digits and single dashes, got '" + id + "'");
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
