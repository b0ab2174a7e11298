package saelab.text;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads the line lists bundled in {@code saelab/text/}: one entry per line, '#' lines are comments. */
final class TextResources {

    private TextResources() {}

    /**
     * The entries of a bundled list, which must have {@code expected} of them.
     *
     * @throws IllegalStateException when the resource is missing or has another count (a broken build)
     */
    static List<String> lines(String name, int expected) {
        String where = "saelab resource saelab/text/" + name;
        try (InputStream in = TextResources.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(where + " is missing from the classpath (a broken build)");
            }
            List<String> out = new ArrayList<>(expected);
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String s = line.strip();
                if (!s.isEmpty() && !s.startsWith("#")) {
                    out.add(s);
                }
            }
            if (out.size() != expected) {
                throw new IllegalStateException(where + " has " + out.size() + " entries; expected " + expected);
            }
            return List.copyOf(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + where, e);
        }
    }
}
