package saelab.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import saelab.io.AtomicFiles;
import saelab.io.Json;

/**
 * Writes and reads {@link DatasetManifest}s as JSON (the project's conventions of {@link Json}: snake_case,
 * strict reading), atomically. The header fields are indented; the examples are written one compact object
 * per line, so a manifest of ImageNet's 1.28M images stays about 90 MB and can be read with {@code grep}.
 * A file name ending in {@code .gz} is written gzip-compressed; reading detects gzip by its magic bytes.
 */
public final class DatasetManifestFiles {

    private DatasetManifestFiles() {}

    /**
     * Writes a manifest to {@code file} atomically (temporary file, fsync, rename), after
     * {@link DatasetManifest#validate() validating} it.
     */
    public static void write(Path file, DatasetManifest manifest) throws IOException {
        manifest.validate();
        ObjectMapper mapper = Json.mapper();
        ObjectWriter pretty = mapper.writer().with(SerializationFeature.INDENT_OUTPUT);
        ObjectWriter compact = mapper.writer().without(SerializationFeature.INDENT_OUTPUT);
        DatasetManifest m = manifest;
        ObjectNode head = mapper.valueToTree(new DatasetManifest(m.format(), m.kind(), m.split(), m.root(), m.options(),
                m.classes(), m.classIds(), m.nExamples(), m.checksum(), m.slice(), m.skipped(), m.provenance(), List.of()));
        boolean gzip = file.getFileName().toString().endsWith(".gz");
        AtomicFiles.write(file, raw -> {
            GZIPOutputStream gz = gzip ? new GZIPOutputStream(raw, 1 << 16) : null;
            Writer w = new BufferedWriter(new OutputStreamWriter(gz != null ? gz : raw, StandardCharsets.UTF_8), 1 << 16);
            w.write("{\n");
            boolean first = true;
            for (Map.Entry<String, JsonNode> f : head.properties()) {
                w.write(first ? "  " : ",\n  ");
                first = false;
                w.write(mapper.writeValueAsString(f.getKey()));
                w.write(" : ");
                if (f.getKey().equals("examples")) {
                    w.write("[");
                    List<DatasetManifest.Example> ex = manifest.examples();
                    for (int i = 0; i < ex.size(); i++) {
                        w.write(i == 0 ? "\n" : ",\n");
                        w.write(compact.writeValueAsString(ex.get(i)));
                    }
                    w.write(ex.isEmpty() ? "]" : "\n  ]");
                } else {
                    w.write(pretty.writeValueAsString(f.getValue()).replace("\n", "\n  "));
                }
            }
            w.write("\n}\n");
            w.flush();
            if (gz != null) {
                gz.finish();
            }
        });
    }

    /**
     * Reads and {@link DatasetManifest#validate() validates} a manifest (plain or gzip-compressed JSON).
     *
     * @throws IllegalArgumentException for malformed JSON, a bad field or a checksum that does not match
     *                                  the list, naming the file, the position or field and what was expected
     * @throws NoSuchFileException      when the file does not exist
     */
    /** Dataset spec prefix of a saved dataset manifest ({@code manifest:FILE}): the exact list that file holds, used as is. */
    public static final String SPEC_PREFIX = "manifest:";

    /**
     * The examples a dataset spec names: a saved manifest ({@value #SPEC_PREFIX}{@code FILE}, {@code split} ignored: the file
     * records its own), or a dataset listed by its reader ({@link Datasets#open}) with the default options.
     */
    public static DatasetManifest forSpec(String spec, String split) throws IOException {
        return spec.startsWith(SPEC_PREFIX) ? read(Path.of(spec.substring(SPEC_PREFIX.length())))
                : Datasets.open(spec, split).manifest(ManifestOptions.DEFAULT);
    }

    public static DatasetManifest read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "dataset manifest not found");
        }
        DatasetManifest m;
        try (InputStream in = open(file)) {
            m = Json.mapper().readValue(in, DatasetManifest.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("dataset manifest " + file + " is not valid: " + Json.describe(e), e);
        }
        if (m == null) {
            throw new IllegalArgumentException("dataset manifest " + file + " is empty; expected a JSON object");
        }
        try {
            m.validate();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("dataset manifest " + file + ": " + e.getMessage(), e);
        }
        return m;
    }

    private static InputStream open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        return b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(in, 1 << 16) : in;
    }
}
