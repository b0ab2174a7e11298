package saelab.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import saelab.io.ConfinedPaths;

/**
 * The per-image index of a shard, {@code shard-NNNNNN.images.tsv}: a header line
 * {@code dataset_index<TAB>label<TAB>path}, then one line per image in shard order.
 * Plain text on purpose: a person can grep it, and paths are the only strings in a cache.
 */
final class ShardIndex {

    static final String HEADER = "dataset_index\tlabel\tpath";

    private ShardIndex() {}

    static byte[] encode(List<ImageRecord> images) {
        StringBuilder sb = new StringBuilder(images.size() * 48).append(HEADER).append('\n');
        for (ImageRecord r : images) {
            sb.append(r.datasetIndex()).append('\t').append(r.label()).append('\t').append(r.path()).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Reads an index; errors name the file and line. */
    static List<ImageRecord> read(Path file, int expectedImages) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
            throw new IOException(file + ": line 1: expected the header '" + HEADER.replace("\t", "<TAB>") + "'");
        }
        if (lines.size() - 1 != expectedImages) {
            throw new IOException(file + ": expected " + expectedImages + " image lines, found " + (lines.size() - 1));
        }
        List<ImageRecord> out = new ArrayList<>(expectedImages);
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split("\t", 3);
            try {
                if (f.length != 3) {
                    throw new IllegalArgumentException("expected 3 tab-separated fields, found " + f.length);
                }
                String why = f[2].isEmpty() ? null : ConfinedPaths.lexicalProblem(f[2]);
                if (why != null) {
                    throw new IllegalArgumentException("field 'path': expected a path relative to the dataset root, got '" + f[2]
                            + "' (" + why + ")");
                }
                out.add(new ImageRecord(Long.parseLong(f[0]), f[2], Integer.parseInt(f[1])));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return out;
    }
}
