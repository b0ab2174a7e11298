package saelab.intervene;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import saelab.io.AtomicFiles;
import saelab.io.Json;
import saelab.lm.AnswerTally;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.Table;
import tech.tablesaw.io.csv.CsvReadOptions;

/**
 * The questions of the VLM control protocol ({@link VlmProtocol}) as a file, so that any image set with known answers can
 * be measured, not only the toy world: one question per row, each with three fields,
 * <ul>
 *   <li>{@code image}: the image file, a path relative to the image root ({@code /}-separated, never leaving it);</li>
 *   <li>{@code question}: the question text, e.g. "what colour is the circle?";</li>
 *   <li>{@code answer}: the expected answer, the name of one of the protocol's classes (compared after
 *       {@link AnswerTally#normalise}: trimmed, lower-cased, trailing punctuation dropped).</li>
 * </ul>
 * Two layouts: JSON lines ({@code .jsonl}: one object per non-blank line; other keys are ignored) and CSV ({@code .csv}:
 * a header naming the three columns, RFC 4180 quoting; other columns are ignored). Every row is checked when read, and
 * the first bad one is refused with one sentence naming the file, the row, the field and what was expected.
 */
public final class VlmQuestionFile {

    /** The three fields of a row. */
    public static final List<String> FIELDS = List.of("image", "question", "answer");

    /**
     * One question as written.
     *
     * @param image    the image path relative to the image root
     * @param question the question text
     * @param answer   the expected answer (a class name)
     */
    public record Row(String image, String question, String answer) {}

    /**
     * One checked question.
     *
     * @param row     its 1-based number in the file: the line of a JSON-lines file, the data row of a CSV
     * @param image   the image path as written
     * @param file    the image file, under the root
     * @param text    the question
     * @param classId the index of its answer in the classes it was checked against
     */
    public record Entry(int row, String image, Path file, String text, int classId) {}

    private VlmQuestionFile() {}

    /**
     * Reads and checks a question file.
     *
     * @param root    the folder the image paths are relative to
     * @param classes the class names the answers must be (compared after {@link AnswerTally#normalise})
     * @throws IllegalArgumentException one sentence for an unknown layout, an unreadable row, a missing or non-text field,
     *                                  an image path that leaves the root or names no file, an answer outside the classes,
     *                                  or a file without any question
     */
    public static List<Entry> read(Path file, Path root, List<String> classes) throws IOException {
        List<Located> rows = parse(file);
        Path base = root.toAbsolutePath().normalize();
        Map<String, Integer> classOf = new LinkedHashMap<>();
        for (int c = 0; c < classes.size(); c++) {
            classOf.putIfAbsent(AnswerTally.normalise(classes.get(c)), c);
        }
        List<Entry> out = new ArrayList<>(rows.size());
        for (Located at : rows) {
            Row row = at.row();
            String where = at.where();
            Path image = image(where, row.image(), base, root);
            Integer c = classOf.get(AnswerTally.normalise(row.answer()));
            if (c == null) {
                throw new IllegalArgumentException(where + ": answer '" + clip(row.answer()) + "' is not a known class; expected one of "
                        + String.join(", ", classes));
            }
            out.add(new Entry(at.number(), row.image(), image, row.question(), c));
        }
        return List.copyOf(out);
    }

    /**
     * The rows of a question file with every field present and non-blank text, not yet checked against a root or classes.
     *
     * @throws IllegalArgumentException as {@link #read}, for the layout and the fields
     */
    public static List<Row> rows(Path file) throws IOException {
        return parse(file).stream().map(Located::row).toList();
    }

    /** A row with where it is: "FILE line N" (JSON lines) or "FILE row N" (CSV data rows), and N. */
    private record Located(String where, int number, Row row) {}

    private static List<Located> parse(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + (Files.isDirectory(file) ? " is a folder, not a file" : " does not exist")
                    + "; expected a question file (JSON lines or CSV with fields image, question, answer)");
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        List<Located> rows;
        if (name.endsWith(".jsonl")) {
            rows = jsonLines(file);
        } else if (name.endsWith(".csv")) {
            rows = csv(file);
        } else {
            throw new IllegalArgumentException(file + " is neither .jsonl nor .csv; expected a question file in JSON lines (.jsonl) or CSV"
                    + " (.csv) with fields image, question, answer");
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no question; expected one row per question with fields image, question,"
                    + " answer");
        }
        return rows;
    }

    /** Writes rows as JSON lines, atomically. */
    public static void write(Path file, List<Row> rows) throws IOException {
        ObjectMapper one = Json.mapper().copy().disable(SerializationFeature.INDENT_OUTPUT);
        StringBuilder b = new StringBuilder();
        for (Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("image", r.image());
            m.put("question", r.question());
            m.put("answer", r.answer());
            b.append(one.writeValueAsString(m)).append('\n');
        }
        AtomicFiles.writeString(file, b.toString());
    }

    private static List<Located> jsonLines(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<Located> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            String where = file + " line " + (i + 1);
            JsonNode node;
            try {
                node = Json.mapper().readTree(line);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(where + " is not valid JSON (" + e.getOriginalMessage() + "); expected one object per line"
                        + " with fields image, question, answer");
            }
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException(where + " is not a JSON object; expected one object per line with fields image, question,"
                        + " answer");
            }
            String[] v = new String[FIELDS.size()];
            for (int f = 0; f < v.length; f++) {
                JsonNode field = node.get(FIELDS.get(f));
                if (field == null || field.isNull()) {
                    throw new IllegalArgumentException(where + " has no field '" + FIELDS.get(f) + "'; " + expected(f));
                }
                if (!field.isTextual()) {
                    throw new IllegalArgumentException(where + ": field '" + FIELDS.get(f) + "' is a " + field.getNodeType().name()
                            .toLowerCase(Locale.ROOT) + ", not text; " + expected(f));
                }
                v[f] = requireText(where, f, field.asText());
            }
            out.add(new Located(where, i + 1, new Row(v[0], v[1], v[2])));
        }
        return out;
    }

    private static List<Located> csv(Path file) throws IOException {
        Table t;
        try {
            t = Table.read().usingOptions(CsvReadOptions.builder(file.toFile()).header(true).columnTypes(n -> ColumnType.STRING));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + " is not a readable CSV (" + e.getMessage() + "); expected a header naming the"
                    + " columns image, question, answer");
        }
        for (String f : FIELDS) {
            if (!t.columnNames().contains(f)) {
                throw new IllegalArgumentException(file + " has no column '" + f + "' (its columns: " + String.join(", ", t.columnNames())
                        + "); expected the columns image, question, answer");
            }
        }
        List<Located> out = new ArrayList<>(t.rowCount());
        for (int r = 0; r < t.rowCount(); r++) {
            String where = file + " row " + (r + 1);
            String[] v = new String[FIELDS.size()];
            for (int f = 0; f < v.length; f++) {
                v[f] = requireText(where, f, t.stringColumn(FIELDS.get(f)).get(r));
            }
            out.add(new Located(where, r + 1, new Row(v[0], v[1], v[2])));
        }
        return out;
    }

    private static String requireText(String where, int field, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(where + ": field '" + FIELDS.get(field) + "' is empty; " + expected(field));
        }
        return value;
    }

    private static String expected(int field) {
        return switch (field) {
            case 0 -> "expected the image path relative to the image root";
            case 1 -> "expected the question text";
            default -> "expected the expected answer, a class name";
        };
    }

    /** The image file of a row: relative, inside the root after normalising, an existing file. */
    private static Path image(String where, String image, Path base, Path root) {
        Path rel;
        try {
            rel = Path.of(image);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(where + ": image '" + clip(image) + "' is not a valid path; expected a path relative to the"
                    + " image root");
        }
        Path resolved = base.resolve(rel).normalize();
        if (rel.isAbsolute() || image.startsWith("/") || image.startsWith("\\") || !resolved.startsWith(base)) {
            throw new IllegalArgumentException(where + ": image '" + clip(image) + "' leaves the image root; expected a path relative to"
                    + " the root " + root + ", inside it");
        }
        if (!Files.isRegularFile(resolved)) {
            throw new IllegalArgumentException(where + ": image '" + clip(image) + "' is not a file under the image root " + root
                    + "; expected an existing image file");
        }
        return resolved;
    }

    /** A value as quoted in a sentence: at most 80 characters, control characters shown as '?'. */
    private static String clip(String s) {
        String t = s.replaceAll("\\p{Cntrl}", "?");
        return t.length() <= 80 ? t : t.substring(0, 79) + "…";
    }
}
