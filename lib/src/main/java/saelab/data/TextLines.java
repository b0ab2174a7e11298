package saelab.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The small line-based text files of dataset layouts (CUB's {@code images.txt}, ImageNet's label files),
 * read with their line numbers so that every error names the file and the line. These files have no
 * quoting or escapes (names hold no separators), so they are split by hand rather than with a CSV library.
 */
final class TextLines {

    /**
     * One non-blank line.
     *
     * @param number 1-based line number
     * @param text   the line without its line break (and without a byte-order mark on line 1)
     */
    record Line(int number, String text) {}

    private TextLines() {}

    /** The non-blank lines of a UTF-8 file. */
    static List<Line> read(Path file) throws IOException {
        List<String> raw;
        try {
            raw = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(file + ": not UTF-8 text", e);
        }
        List<Line> out = new ArrayList<>(raw.size());
        for (int i = 0; i < raw.size(); i++) {
            String t = raw.get(i);
            if (i == 0 && t.startsWith("\uFEFF")) {
                t = t.substring(1);
            }
            if (!t.isBlank()) {
                out.add(new Line(i + 1, t.strip()));
            }
        }
        return out;
    }

    /**
     * The names of a list bundled in the saelab jar: one per line, blank lines and lines starting with
     * {@code #} left out, each stripped.
     *
     * @param resource the absolute classpath name
     * @param count    how many names the list must hold
     * @throws IllegalStateException when the resource is missing or holds another count (a broken build)
     */
    static List<String> bundledNames(String resource, int count) {
        try (InputStream in = TextLines.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("classpath resource " + resource + " is missing from the saelab jar");
            }
            List<String> names = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.startsWith("#") && !line.isBlank()) {
                    names.add(line.strip());
                }
            }
            if (names.size() != count) {
                throw new IllegalStateException(resource + " holds " + names.size() + " names, expected " + count);
            }
            return List.copyOf(names);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource, e);
        }
    }

    /** An error naming the file, the line, what was expected and what was there. */
    static IllegalArgumentException error(Path file, Line line, String expected) {
        return new IllegalArgumentException(file + " line " + line.number() + ": expected " + expected + ", got '"
                + abbreviate(line.text()) + "'");
    }

    /** Splits {@code "<first> <rest>"} at the first run of blanks; null when there is no blank. */
    static String[] splitFirst(String text) {
        int sp = -1;
        for (int i = 0; i < text.length(); i++) {
            if (Character.isWhitespace(text.charAt(i))) {
                sp = i;
                break;
            }
        }
        if (sp < 0) {
            return null;
        }
        return new String[] {text.substring(0, sp), text.substring(sp).strip()};
    }

    /** A positive decimal integer, or -1 when the text is not one. */
    static long positive(String s) {
        if (s.isEmpty() || s.length() > 18) {
            return -1;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return -1;
            }
        }
        long v = Long.parseLong(s);
        return v > 0 ? v : -1;
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 117) + "...";
    }
}
