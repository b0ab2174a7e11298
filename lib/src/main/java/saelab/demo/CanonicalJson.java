package saelab.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import saelab.io.Json;

/**
 * Canonical JSON text of a value, for content keys: the value goes through the project's Jackson mapper
 * ({@link Json#mapper()}, snake_case records), then every object's fields are sorted by name (recursively) and
 * the tree is written without whitespace. Equal values give equal bytes whatever the field order of maps and
 * records. Hand-written (about 20 lines) rather than an RFC 8785 library: the keys are only ever compared with
 * keys made by this same code, so Jackson's deterministic number output is enough and no dependency is needed.
 */
final class CanonicalJson {

    private static final ObjectMapper COMPACT = Json.mapper().copy().disable(SerializationFeature.INDENT_OUTPUT);

    private CanonicalJson() {}

    /** The canonical text of {@code value}. */
    static String of(Object value) {
        JsonNode tree = Json.mapper().valueToTree(value);
        try {
            return COMPACT.writeValueAsString(sorted(tree));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write a step parameter as JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static JsonNode sorted(JsonNode n) {
        if (n.isObject()) {
            List<String> names = new ArrayList<>();
            n.fieldNames().forEachRemaining(names::add);
            Collections.sort(names);
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            for (String name : names) {
                out.set(name, sorted(n.get(name)));
            }
            return out;
        }
        if (n.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            for (JsonNode e : n) {
                out.add(sorted(e));
            }
            return out;
        }
        return n;
    }
}
