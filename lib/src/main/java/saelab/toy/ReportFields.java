package saelab.toy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/**
 * Typed reads of the fields of a toy report file ({@code report.json} of a backbone or a VLM), each failing with one
 * sentence naming the file and the dotted field path; shared by {@link ToyReportFile} and {@link ToyVlmReportFile}.
 */
final class ReportFields {

    private ReportFields() {}

    static String last(String path) {
        return path.substring(path.lastIndexOf('.') + 1);
    }

    static JsonNode object(JsonNode parent, Path file, String field) {
        JsonNode n = parent.get(last(field));
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException(file + ": field '" + field + "' is missing or not an object");
        }
        return n;
    }

    static String text(JsonNode parent, Path file, String path) {
        JsonNode n = parent.get(last(path));
        if (n == null || !n.isTextual()) {
            throw new IllegalArgumentException(file + ": field '" + path + "' is missing or not a string");
        }
        return n.asText();
    }

    static int integer(JsonNode parent, Path file, String path) {
        JsonNode n = parent.get(last(path));
        if (n == null || !n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new IllegalArgumentException(file + ": field '" + path + "' is missing or not an integer");
        }
        return n.intValue();
    }

    static long longInteger(JsonNode parent, Path file, String path) {
        JsonNode n = parent.get(last(path));
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong()) {
            throw new IllegalArgumentException(file + ": field '" + path + "' is missing or not an integer");
        }
        return n.longValue();
    }

    static double number(JsonNode parent, Path file, String path) {
        JsonNode n = parent.get(last(path));
        if (n == null || !n.isNumber()) {
            throw new IllegalArgumentException(file + ": field '" + path + "' is missing or not a number");
        }
        return n.doubleValue();
    }
}
