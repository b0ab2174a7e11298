package saelab.intervene;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import saelab.analysis.ConceptSource;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.io.csv.CsvReadOptions;

/**
 * The latent chosen for each class, read from a concepts folder written by {@code saelab concepts} (or the demo's
 * concept step) on the training split. The frozen rule of the protocol: for a class of the head, the latent with the
 * best F1 (the {@code best_f1_latent} column of {@code concepts.csv}) of the row with the same class name in the chosen
 * label family, so the choice is made without looking at the held-out images it is tested on.
 *
 * <p>A {@code concepts.csv} may hold several label families (a {@code family} column, as the demo writes colour,
 * shape and the largest object's colour in one file); {@link #read(Path, String, String, int)} takes the rows of one.
 * Class ids differ between a concepts file and a head (an image-folder head numbers its classes by sorted folder
 * name, a segmentation head's class 0 is "background" where a concept family's is "none"), so
 * {@link #alignedTo} re-keys the rows by the head's class index, matching names exactly after trimming
 * (case-sensitive).
 *
 * <p>A folder for another SAE is refused: by the SAE checksum that {@code saelab concepts} records in
 * {@code source.json} ({@link ConceptSource}) (when present), and in any case when a chosen latent is outside the
 * SAE's latents. A class whose row has no latent (it had no positive unit in the training split) has no choice
 * ({@link #latent} says so in one sentence).
 */
public final class ConceptChoice {

    /**
     * One class's row.
     *
     * @param classId the class: its id in the concepts file, or the head's class index once {@link #alignedTo aligned}
     * @param name    its name in the concepts folder
     * @param latent  the best latent by F1, or −1 when the class had none
     * @param f1      its F1 on the training split (NaN when none)
     */
    public record Choice(int classId, String name, int latent, double f1) {}

    private final Path csv;
    private final String family;
    private final Map<Integer, Choice> rows;
    /** The head's class names once aligned (to name a class without a row), else null. */
    private final List<String> headClasses;

    private ConceptChoice(Path csv, String family, Map<Integer, Choice> rows, List<String> headClasses) {
        this.csv = csv;
        this.family = family;
        this.rows = rows;
        this.headClasses = headClasses;
    }

    /**
     * Reads {@code concepts.csv} of a concepts folder that holds one label family (or has no {@code family} column).
     *
     * @see #read(Path, String, String, int)
     */
    public static ConceptChoice read(Path folder, String saeSha256, int dSae) throws IOException {
        return read(folder, null, saeSha256, dSae);
    }

    /**
     * Reads the rows of one label family from {@code concepts.csv} of a concepts folder.
     *
     * @param family    the {@code family} value whose rows are taken (compared after trimming), or null when the file
     *                  holds one family or has no {@code family} column
     * @param saeSha256 the SHA-256 of the SAE the protocol runs with (checked against {@code source.json} ({@link ConceptSource}) when present)
     * @param dSae      its latent count
     * @throws IllegalArgumentException one sentence naming the file and what is wrong
     */
    public static ConceptChoice read(Path folder, String family, String saeSha256, int dSae) throws IOException {
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
        String wanted = family == null ? null : family.strip();
        if (wanted != null) {
            requireFamily(csv, cFamily, wanted);
        }
        String seen = null;
        Map<Integer, Choice> rows = new LinkedHashMap<>();
        for (int r = 0; r < t.rowCount(); r++) {
            int line = r + 2; // the header is line 1 (concepts.csv has no blank lines nor line breaks within fields)
            if (wanted != null) {
                if (!wanted.equals(cFamily.get(r).strip())) {
                    continue;
                }
            } else if (cFamily != null) {
                if (seen == null) {
                    seen = cFamily.get(r);
                } else if (!seen.equals(cFamily.get(r))) {
                    throw new IllegalArgumentException(csv + " holds more than one label family ('" + seen + "' and '" + cFamily.get(r)
                            + "'); expected the classes of one family, or name one with --family");
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
        return new ConceptChoice(csv, wanted != null ? wanted : seen, rows, null);
    }

    /** A named family must be a value of the file's {@code family} column: one sentence listing the families present otherwise. */
    private static void requireFamily(Path csv, StringColumn cFamily, String wanted) {
        if (cFamily == null) {
            throw new IllegalArgumentException(csv + " has no 'family' column, so it holds one label family and --family '" + wanted
                    + "' cannot select rows; leave --family out");
        }
        Set<String> present = new LinkedHashSet<>();
        for (int r = 0; r < cFamily.size(); r++) {
            present.add(cFamily.get(r).strip());
        }
        if (!present.contains(wanted)) {
            throw new IllegalArgumentException(csv + " has no label family '" + wanted + "'; its families are " + quoted(present, 20));
        }
    }

    /**
     * This choice keyed by the head's class index: each row goes to the head class of the same name (exact match after
     * trimming, case-sensitive); rows whose name is not a head class (such as "none") are dropped, and a head class
     * without a row has no choice. The classes come in the head's order.
     *
     * @param headClasses     the head's class names, in the order of its logits
     * @param headDescription the head as a sentence names it (for instance "the head /path/head.safetensors")
     * @throws IllegalArgumentException when two rows share a name, a matched name is a class of the head twice, or no
     *                                  name matches at all
     */
    public ConceptChoice alignedTo(List<String> headClasses, String headDescription) {
        Map<String, Integer> headIndex = new HashMap<>();
        Set<String> ambiguous = new HashSet<>();
        for (int i = 0; i < headClasses.size(); i++) {
            if (headIndex.putIfAbsent(headClasses.get(i).strip(), i) != null) {
                ambiguous.add(headClasses.get(i).strip());
            }
        }
        Map<String, Choice> byName = new HashMap<>();
        TreeMap<Integer, Choice> aligned = new TreeMap<>();
        for (Choice ch : rows.values()) {
            String name = ch.name().strip();
            Choice before = byName.put(name, ch);
            if (before != null) {
                throw new IllegalArgumentException(source() + " has two rows named '" + name + "' (classes " + before.classId() + " and "
                        + ch.classId() + "); expected one row per class name to match the head's classes by name");
            }
            Integer h = headIndex.get(name);
            if (h == null) {
                continue;
            }
            if (ambiguous.contains(name)) {
                throw new IllegalArgumentException(headDescription + " names class '" + name + "' more than once, so the row of that name in "
                        + source() + " matches no single head class; expected distinct head class names");
            }
            aligned.put(h, new Choice(h, ch.name(), ch.latent(), ch.f1()));
        }
        if (aligned.isEmpty() && !rows.isEmpty()) {
            List<String> names = rows.values().stream().map(Choice::name).toList();
            throw new IllegalArgumentException("none of the class names in " + source() + " (" + quoted(names, 5) + ") is a class of "
                    + headDescription + " (" + quoted(headClasses, 5) + "); expected the concepts of the labels the head predicts, with"
                    + " the same names");
        }
        return new ConceptChoice(csv, family, new LinkedHashMap<>(aligned), List.copyOf(headClasses));
    }

    /** The label family of the rows (as chosen, or the file's only one), or null when the file has no {@code family} column. */
    public String family() {
        return family;
    }

    /** The file, with its family when one was chosen. */
    private String source() {
        return csv + (family == null ? "" : " (family '" + family + "')");
    }

    /** Up to {@code limit} names quoted and comma-separated, with how many more there are. */
    private static String quoted(Collection<String> names, int limit) {
        String shown = names.stream().limit(limit).map(n -> "'" + n + "'").collect(Collectors.joining(", "));
        return names.size() > limit ? shown + " and " + (names.size() - limit) + " more" : shown;
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

    /** The classes with a row, in file order (in the head's order once aligned). */
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
            String name = ch != null ? ch.name() : headClasses != null && c >= 0 && c < headClasses.size() ? headClasses.get(c) : null;
            String why = ch != null ? "no positive unit in the training split" : headClasses == null ? "no row" : "no row of that name";
            throw new IllegalArgumentException("class " + c + (name == null ? "" : " (" + name + ")") + " has no chosen latent in " + source()
                    + " (" + why + "); leave it out of --classes");
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
