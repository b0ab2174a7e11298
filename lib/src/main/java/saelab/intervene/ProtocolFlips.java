package saelab.intervene;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.io.csv.CsvReadOptions;

/**
 * Where the real edit's top-1 flips go, read back from a classification control run's {@code transitions.csv}
 * ({@link ProtocolReport}: one row per edited class c, clean top-1 {@code from} and edited top-1 {@code to} over the
 * held-out images labelled c, with their count). Summed over the edited classes into one from → to matrix over the
 * head's class ids that occur; the diagonal holds the images whose top-1 stayed. Class names come from the file's
 * {@code (class, name)} pairs; an id that was never edited is named {@code class <id>}.
 *
 * @param ids    the class ids of the rows and columns, ascending
 * @param names  their names, index-aligned with {@code ids}
 * @param counts {@code [from][to]} counts, index-aligned with {@code ids}
 */
public record ProtocolFlips(List<Integer> ids, List<String> names, long[][] counts) {

    /** The file a classification control run writes. */
    public static final String FILE = "transitions.csv";

    /** The largest class id accepted: a bound on the matrix a hostile file can make this allocate. */
    static final int MAX_CLASS_ID = 100_000;

    /** The most distinct classes accepted (the matrix is classes²). */
    static final int MAX_CLASSES = 2_048;

    private static final List<String> COLUMNS = List.of("class", "name", "from", "to", "count");

    /**
     * Reads {@code <dir>/transitions.csv}.
     *
     * @throws IllegalArgumentException naming the file, row and field when it is missing, lacks a column, or holds a class id
     *                                  or count that is not a non-negative integer (ids at most 100,000, at most 2,048 classes)
     */
    public static ProtocolFlips read(Path dir) throws IOException {
        Path csv = dir.resolve(FILE);
        if (!Files.isRegularFile(csv)) {
            throw new IllegalArgumentException(dir + " has no " + FILE + "; expected the folder of a control classify or zeroshot run"
                    + " (a segmentation run records no transitions)");
        }
        Table t;
        try {
            t = Table.read().usingOptions(CsvReadOptions.builder(csv.toFile()).header(true).columnTypes(n -> ColumnType.STRING));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(csv + " is not a readable CSV file: " + e.getMessage(), e);
        }
        for (String col : COLUMNS) {
            if (!t.columnNames().contains(col)) {
                throw new IllegalArgumentException(csv + " has no column '" + col + "'; expected the columns " + String.join(",", COLUMNS));
            }
        }
        Map<Integer, String> names = new TreeMap<>();
        List<int[]> rows = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        for (int r = 0; r < t.rowCount(); r++) {
            int c = id(t, r, "class", csv);
            int from = id(t, r, "from", csv);
            int to = id(t, r, "to", csv);
            long n = count(t, r, csv);
            String name = t.stringColumn("name").get(r);
            names.put(c, name == null || name.isBlank() ? "class " + c : name);
            names.putIfAbsent(from, null);
            names.putIfAbsent(to, null);
            if (names.size() > MAX_CLASSES) {
                throw new IllegalArgumentException(csv + " names more than " + MAX_CLASSES + " classes; expected the transitions of one head");
            }
            rows.add(new int[] {from, to});
            counts.add(n);
        }
        List<Integer> ids = new ArrayList<>(names.keySet());
        List<String> labels = new ArrayList<>();
        for (int id : ids) {
            labels.add(names.get(id) == null ? "class " + id : names.get(id));
        }
        long[][] m = new long[ids.size()][ids.size()];
        for (int i = 0; i < rows.size(); i++) {
            m[ids.indexOf(rows.get(i)[0])][ids.indexOf(rows.get(i)[1])] += counts.get(i);
        }
        return new ProtocolFlips(List.copyOf(ids), List.copyOf(labels), m);
    }

    /** Images whose top-1 changed (the off-diagonal total). */
    public long flips() {
        long n = 0;
        for (int i = 0; i < counts.length; i++) {
            for (int j = 0; j < counts.length; j++) {
                n += i == j ? 0 : counts[i][j];
            }
        }
        return n;
    }

    /** Every image counted (the flips and the unchanged). */
    public long images() {
        long n = 0;
        for (long[] row : counts) {
            for (long v : row) {
                n += v;
            }
        }
        return n;
    }

    /**
     * The matrix as a table: a row per clean top-1 class ({@code from}), a column per edited top-1 class, and the row's
     * flips (its off-diagonal sum).
     */
    public Table table(String title) {
        Table t = Table.create(title, StringColumn.create("from (clean top-1)", names));
        for (int j = 0; j < ids.size(); j++) {
            int[] col = new int[ids.size()];
            for (int i = 0; i < ids.size(); i++) {
                col[i] = Math.toIntExact(counts[i][j]);
            }
            t.addColumns(IntColumn.create("to " + names.get(j), col));
        }
        int[] flipped = new int[ids.size()];
        for (int i = 0; i < ids.size(); i++) {
            for (int j = 0; j < ids.size(); j++) {
                flipped[i] += i == j ? 0 : Math.toIntExact(counts[i][j]);
            }
        }
        t.addColumns(IntColumn.create("flipped", flipped));
        return t;
    }

    private static int id(Table t, int r, String col, Path csv) {
        String v = t.stringColumn(col).get(r);
        try {
            int id = Integer.parseInt(v == null ? "" : v.strip());
            if (id >= 0 && id <= MAX_CLASS_ID) {
                return id;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(csv + ": row " + (r + 1) + ", field '" + col + "' is '" + v + "'; expected a class id in 0.."
                + MAX_CLASS_ID);
    }

    private static long count(Table t, int r, Path csv) {
        String v = t.stringColumn("count").get(r);
        try {
            long n = Long.parseLong(v == null ? "" : v.strip());
            if (n >= 0 && n <= Integer.MAX_VALUE) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(csv + ": row " + (r + 1) + ", field 'count' is '" + v + "'; expected a non-negative integer count");
    }
}
