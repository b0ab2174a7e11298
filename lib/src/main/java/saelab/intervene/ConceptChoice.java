package saelab.intervene;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import saelab.io.Json;

/**
 * The latent chosen for each class, read from a concepts folder written by {@code saelab concepts} on the training
 * split: the frozen rule of the protocol is "the latent with the best F1 for that class" (the {@code best_f1_latent}
 * column of {@code concepts.csv}), so the choice is made without looking at the held-out images it is tested on.
 *
 * <p>A folder for another SAE is refused: by the SAE checksum that {@code saelab concepts} records in
 * {@value #SOURCE} (when present), and in any case when a chosen latent is outside the SAE's latents. A class whose
 * row has no latent (it had no positive unit in the training split) has no choice ({@link #latent} says so in one
 * sentence).
 */
public final class ConceptChoice {

    /** The file in a concepts folder naming the SAE and cache it was made with. */
    public static final String SOURCE = "source.json";

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
     * @param saeSha256 the SHA-256 of the SAE the protocol runs with (checked against {@value #SOURCE} when present)
     * @param dSae      its latent count
     * @throws IllegalArgumentException one sentence naming the file and what is wrong
     */
    public static ConceptChoice read(Path folder, String saeSha256, int dSae) throws IOException {
        Path csv = folder.resolve("concepts.csv");
        List<String> lines;
        try {
            lines = Files.readAllLines(csv);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("the concepts folder " + folder + " has no concepts.csv; write one with 'saelab concepts' on"
                    + " the training split", e);
        }
        Path source = folder.resolve(SOURCE);
        if (Files.isRegularFile(source)) {
            JsonNode s = Json.mapper().readTree(source.toFile());
            String sha = s == null ? null : s.path("sae_sha256").asText(null);
            if (sha != null && saeSha256 != null && !sha.equals(saeSha256)) {
                throw new IllegalArgumentException("the concepts folder " + folder + " was made with another SAE (sae_sha256 "
                        + sha.substring(0, Math.min(12, sha.length())) + " in " + SOURCE + ", this SAE's is " + saeSha256.substring(0, 12)
                        + "); run 'saelab concepts' with this SAE");
            }
        }
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(csv + " is empty; expected a header and one row per class");
        }
        List<String> header = split(lines.getFirst());
        int cClass = column(header, "class", csv);
        int cName = column(header, "name", csv);
        int cLatent = column(header, "best_f1_latent", csv);
        int cF1 = column(header, "best_f1", csv);
        int cFamily = header.indexOf("family");
        String family = null;
        Map<Integer, Choice> rows = new LinkedHashMap<>();
        for (int n = 1; n < lines.size(); n++) {
            if (lines.get(n).isBlank()) {
                continue;
            }
            List<String> f = split(lines.get(n));
            if (f.size() != header.size()) {
                throw new IllegalArgumentException(csv + " line " + (n + 1) + " has " + f.size() + " fields; expected " + header.size());
            }
            if (cFamily >= 0) {
                if (family == null) {
                    family = f.get(cFamily);
                } else if (!family.equals(f.get(cFamily))) {
                    throw new IllegalArgumentException(csv + " holds more than one label family ('" + family + "' and '" + f.get(cFamily)
                            + "'); expected the classes of one family");
                }
            }
            int c = integer(f.get(cClass), csv, n, "class");
            int latent = f.get(cLatent).isBlank() ? -1 : integer(f.get(cLatent), csv, n, "best_f1_latent");
            if (latent >= dSae) {
                throw new IllegalArgumentException(csv + " chooses latent " + latent + " for class " + c + ", outside this SAE's d_sae=" + dSae
                        + " latents; the concepts folder was made for another SAE");
            }
            double f1 = f.get(cF1).isBlank() ? Double.NaN : Double.parseDouble(f.get(cF1));
            if (c < 0 || rows.put(c, new Choice(c, f.get(cName), latent, f1)) != null) {
                throw new IllegalArgumentException(csv + " line " + (n + 1) + " repeats class " + c + " or has a negative class");
            }
        }
        return new ConceptChoice(folder, rows);
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

    private static int column(List<String> header, String name, Path csv) {
        int i = header.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException(csv + " has no column '" + name + "'; expected the concepts.csv of 'saelab concepts'");
        }
        return i;
    }

    private static int integer(String s, Path csv, int line, String field) {
        try {
            return Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(csv + " line " + (line + 1) + ": " + field + " is '" + s + "'; expected a whole number", e);
        }
    }

    /** Splits one CSV line (RFC 4180 quotes, as concepts.csv writes a name with a comma). */
    static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    cur.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        out.add(cur.toString());
        return out;
    }
}
