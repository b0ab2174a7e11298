package saelab.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import saelab.io.Json;

/**
 * A model configuration file ({@code config.json}, {@code open_clip_config.json}) read leniently:
 * fields saelab does not use are ignored (Hugging Face configs carry dozens), and a missing field
 * takes the library default given by the caller, because {@code save_pretrained} writes only the
 * fields that differ from the defaults. A field of the wrong type is an error naming the file and
 * the field path.
 */
public final class ConfigFile {

    private final Path file;
    private final JsonNode node;
    private final String prefix;

    private ConfigFile(Path file, JsonNode node, String prefix) {
        this.file = file;
        this.node = node;
        this.prefix = prefix;
    }

    /**
     * Reads {@code file}.
     *
     * @throws IllegalArgumentException when it is not a JSON object
     * @throws NoSuchFileException      when it is missing
     */
    public static ConfigFile read(Path file) throws IOException {
        JsonNode n;
        try {
            n = new ObjectMapper().readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "config file is missing");
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + Json.describe(e), e);
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException(file + ": expected a JSON object");
        }
        return new ConfigFile(file, n, "");
    }

    /** The file this config came from. */
    public Path file() {
        return file;
    }

    /** The full path of {@code field} in the file, e.g. {@code vision_config.hidden_size} inside a section. */
    public String fieldPath(String field) {
        return prefix + field;
    }

    /** Whether {@code field} is present and not null. */
    public boolean has(String field) {
        return node.hasNonNull(field);
    }

    /** Whether {@code field} is absent, null, false, zero or an empty string or container (an option left off). */
    public boolean isFalse(String field) {
        JsonNode n = node.get(field);
        return n == null || n.isNull() || n.isBoolean() && !n.asBoolean() || n.isNumber() && n.asDouble() == 0
                || (n.isTextual() || n.isContainerNode()) && n.isEmpty() && n.asText("").isEmpty();
    }

    /** The nested object {@code field}; an absent one reads as empty (all defaults). */
    public ConfigFile section(String field) {
        JsonNode n = node.get(field);
        if (n == null || n.isNull()) {
            return new ConfigFile(file, new ObjectMapper().createObjectNode(), prefix + field + ".");
        }
        if (!n.isObject()) {
            throw wrong(field, "an object", n);
        }
        return new ConfigFile(file, n, prefix + field + ".");
    }

    /** An integer field, or {@code fallback} when absent. */
    public int integer(String field, int fallback) {
        JsonNode n = node.get(field);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.canConvertToInt() || !n.isIntegralNumber() && n.asDouble() != Math.rint(n.asDouble())) {
            throw wrong(field, "an integer", n);
        }
        return n.asInt();
    }

    /** An integer field that must be present. */
    public int requiredInteger(String field) {
        if (!has(field)) {
            throw new IllegalArgumentException(file + ": field '" + prefix + field + "' is missing; expected an integer");
        }
        return integer(field, 0);
    }

    /** A number field, or {@code fallback} when absent. */
    public double number(String field, double fallback) {
        JsonNode n = node.get(field);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isNumber()) {
            throw wrong(field, "a number", n);
        }
        return n.asDouble();
    }

    /** A boolean field, or {@code fallback} when absent. */
    public boolean bool(String field, boolean fallback) {
        JsonNode n = node.get(field);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isBoolean()) {
            throw wrong(field, "true or false", n);
        }
        return n.asBoolean();
    }

    /** A string field, or {@code fallback} when absent. */
    public String text(String field, String fallback) {
        JsonNode n = node.get(field);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isTextual()) {
            throw wrong(field, "a string", n);
        }
        return n.asText();
    }

    /** An error about {@code field}: "FILE: field 'a.b' is X; expected Y". */
    public IllegalArgumentException invalid(String field, String expected) {
        JsonNode n = node.get(field);
        return new IllegalArgumentException(file + ": field '" + prefix + field + "' is " + (n == null ? "missing" : n.toString())
                + "; expected " + expected);
    }

    private IllegalArgumentException wrong(String field, String expected, JsonNode n) {
        return new IllegalArgumentException(file + ": field '" + prefix + field + "' is " + n + "; expected " + expected);
    }
}
