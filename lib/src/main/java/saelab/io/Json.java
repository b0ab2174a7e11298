package saelab.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The project's JSON conventions in one place: snake_case field names, strict reading (unknown
 * fields and type mismatches are errors), pretty output, and error messages that name the file,
 * the position and the field path.
 */
public final class Json {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {}

    /** The shared mapper (thread-safe once configured). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /**
     * Reads a JSON file into {@code type}.
     *
     * @throws IllegalArgumentException for malformed JSON or a field of the wrong type, naming file, line and field
     * @throws UncheckedIOException     when the file is missing or unreadable
     */
    public static <T> T read(Path file, Class<T> type, String what) {
        try {
            T value = MAPPER.readValue(Files.readAllBytes(file), type);
            if (value == null) {
                throw new IllegalArgumentException(what + " " + file + " is empty; expected a JSON object");
            }
            return value;
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException(what + " " + file + " does not exist", e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(what + " " + file + " is not valid: " + describe(e), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + what + " " + file, e);
        }
    }

    /** Writes {@code value} as JSON to {@code file}, atomically. */
    public static void write(Path file, Object value) throws IOException {
        AtomicFiles.writeBytes(file, MAPPER.writeValueAsBytes(value));
    }

    /** A parse error as "message at line L, column C (field path)". */
    public static String describe(JsonProcessingException e) {
        String first = e.getOriginalMessage().lines().findFirst().orElse("");
        if (first.startsWith("Cannot map `null` into type")) {
            first = "a required field is missing or null (expected type" + first.substring("Cannot map `null` into type".length())
                    .replaceFirst("\\s*\\(set .*$", "").replace("`", "") + ")";
        }
        StringBuilder sb = new StringBuilder(first);
        if (e.getLocation() != null) {
            sb.append(" at line ").append(e.getLocation().getLineNr()).append(", column ").append(e.getLocation().getColumnNr());
        }
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            sb.append(" (field ").append(path(m)).append(')');
        }
        return sb.toString();
    }

    /** A mapping error's field path as {@code shards[2].sha256}. */
    public static String path(JsonMappingException m) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : m.getPath()) {
            if (r.getFieldName() != null) {
                sb.append(sb.isEmpty() ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }
}
