package saelab.intervene;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import saelab.analysis.ConceptSource;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.io.csv.CsvReadOptions;

/**
 * The latent chosen for each class, read from a concepts folder written by {@code saelab concepts} on the training
 * split: the frozen rule of the protocol is "the latent with the best F1 for that class" (the {@code best_f1_latent}
 * column of {@code concepts.csv}), so the choice is made without looking at the held-out images it is tested on.
 *
 * <p>A folder for another SAE is refused: by the SAE checksum that {@code saelab concepts} records in
 * {@code source.json} ({@link ConceptSource}) (when present), and in any case when a chosen latent is outside the SAE's latents. A class whose
 * row has no latent (it had no positive unit in the training split) has no choice ({@link #latent} says so in one
 * sentence).
 */
public final class ConceptChoice {

    /** The file in a concepts folder naming the SAE and cache it was made with. */

    /**
     * One class's row.
     *
     * @param classId the class (label value)
     * @param name    its name in the concepts folder
     * @param latent  the best latent by F1, or −1 when the class had none
     * @param f1      its F1 on the training split (NaN when none)
     */
    public record Choice(int classId, String name, int latent, double f1) {}

    private final Path folder;
    private final Map<Integer, Choice> rows;

    private ConceptChoice(Path folder, Map<Integer, Choice> rows) {
        this.folder = folder;
        this.rows = rows;
    }

    /**
     * Reads {@code concepts.csv} (one label family) of a concepts folder.
     *
     * @param saeSha256 the SHA-256 of the SAE the protocol runs with (checked against {@code source.json} ({@link ConceptSource}) when present)
     * @param dSae      its latent count
     * @throws IllegalArgumentException one sentence naming the file and what is wrong
     */
    public static ConceptChoice read(Path folder, String saeSha256, int dSae) throws IOException {
        Path csv = folder.resolve("concepts.csv");
        if (!Files.isRegularFile(csv)) {
            throw new IllegalArgumentException("the concepts folder " + folder + " has no concepts.csv; write one with 'saelab concepts' on"
                    + " the training split");
        }
        String sha = ConceptSource.read(folder).map(ConceptSource::saeSha256).orElse(null);
        if (sha != null && saeSha256 != null && !sha.equals(saeSha256)) {
            throw new IllegalArgumentException("the concepts folder " + folder + " was made with another SAE (sae_sha256 "
                    + sha.substring(0, Math.min(12, sha.length())) + " in " + ConceptSource.FILE + ", this SAE's is "
                    + saeSha256.substring(0, 12) + "); run 'saelab concepts' with this SAE");
        }
        Table t = table(csv);
        List<String> header = t.columnNames();
        if (header.isEmpty()) {
            throw new IllegalArgumentException(csv + " is empty; expected a header and one row per class");
        }
        StringColumn cClass = column(t, "class", csv);
        StringColumn cName = column(t, "name", csv);
        StringColumn cLatent = column(t, "best_f1_latent", csv);
        StringColumn cF1 = column(t, "best_f1", csv);
        StringColumn cFamily = header.contains("family") ? t.stringColumn("family") : null;
        String family = null;
        Map<Integer, Choice> rows = new LinkedHashMap<>();
        for (int r = 0; r < t.rowCount(); r++) {
            int line = r + 2; // the header is line 1 (concepts.csv has no blank lines nor line breaks within fields)
            if (cFamily != null) {
                if (family == null) {
                    family = cFamily.get(r);
                } else if (!family.equals(cFamily.get(r))) {
                    throw new IllegalArgumentException(csv + " holds more than one label family ('" + family + "' and '" + cFamily.get(r)
                            + "'); expected the classes of one family");
                }
            }
            int c = integer(cClass.get(r), csv, line, "class");
            int latent = cLatent.get(r).isBlank() ? -1 : integer(cLatent.get(r), csv, line, "best_f1_latent");
            if (latent >= dSae) {
                throw new IllegalArgumentException(csv + " chooses latent " + latent + " for class " + c + ", outside this SAE's d_sae=" + dSae
                        + " latents; the concepts folder was made for another SAE");
            }
            double f1 = cF1.get(r).isBlank() ? Double.NaN : decimal(cF1.get(r), csv, line, "best_f1");
            if (c < 0 || rows.put(c, new Choice(c, cName.get(r), latent, f1)) != null) {
                throw new IllegalArgumentException(csv + " line " + line + " repeats class " + c + " or has a negative class");
            }
        }
        return new ConceptChoice(folder, rows);
    }

    /** Matches Tablesaw's sentence for a row whose field count differs from the header's ("Row number 1 contains 2 columns. 3 expected."). */
    private static final Pattern RAGGED = Pattern.compile("Row number (\\d+) contains (\\d+) columns\\. (\\d+) expected");

    /**
     * The file as a table of text columns, parsed by Tablesaw's CSV reader (RFC 4180 quotes, as concepts.csv writes a
     * name with a comma); its errors for a ragged row or a repeated column name become one sentence.
     */
    private static Table table(Path csv) throws IOException {
        try {
            return Table.read().usingOptions(CsvReadOptions.builder(csv.toFile()).header(true).columnTypes(name -> ColumnType.STRING));
        } catch (RuntimeException e) {
            for (Throwable c = e; c != null; c = c.getCause()) {
                Matcher m = c.getMessage() == null ? null : RAGGED.matcher(c.getMessage());
                if (m != null && m.find()) {
                    throw new IllegalArgumentException(csv + " line " + (Long.parseLong(m.group(1)) + 1) + " has " + m.group(2) + " fields;"
                            + " expected " + m.group(3), e);
                }
                if (c.getMessage() != null && c.getMessage().startsWith("Cannot add column with duplicate name")) {
                    throw new IllegalArgumentException(csv + " repeats a column name in its header; expected the concepts.csv of"
                            + " 'saelab concepts'", e);
                }
            }
            throw new IllegalArgumentException(csv + " is not a readable CSV table (" + e.getMessage() + "); expected the concepts.csv of"
                    + " 'saelab concepts'", e);
        }
    }

    /** The classes with a row, in file order. */
    public List<Integer> classes() {
        return List.copyOf(rows.keySet());
    }

    /** The row of class c, or null. */
    public Choice choice(int c) {
        return rows.get(c);
    }

    /**
     * The chosen latent of class c.
     *
     * @throws IllegalArgumentException when the class has no row or no latent
     */
    public int latent(int c) {
        Choice ch = rows.get(c);
        if (ch == null || ch.latent() < 0) {
            throw new IllegalArgumentException("class " + c + (ch == null ? "" : " (" + ch.name() + ")") + " has no chosen latent in "
                    + folder.resolve("concepts.csv") + (ch == null ? " (no row)" : " (no positive unit in the training split)")
                    + "; leave it out of --classes");
        }
        return ch.latent();
    }

    private static StringColumn column(Table t, String name, Path csv) {
        if (!t.columnNames().contains(name)) {
            throw new IllegalArgumentException(csv + " has no column '" + name + "'; expected the concepts.csv of 'saelab concepts'");
        }
        return t.stringColumn(name);
    }

    private static int integer(String s, Path csv, int line, String field) {
        try {
            return Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(csv + " line " + line + ": " + field + " is '" + s + "'; expected a whole number", e);
        }
    }

    private static double decimal(String s, Path csv, int line, String field) {
        try {
            return Double.parseDouble(s.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(csv + " line " + line + ": " + field + " is '" + s + "'; expected a decimal number", e);
        }
    }
}
