package saelab.sae;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import saelab.io.Json;

/**
 * A sweep: several SAE configs trained in one pass over one stream ({@link SaeTrainer#trainAll}).
 * Read from a small JSON file:
 *
 * <pre>{@code
 * {
 *   "base": {"kind": "relu", "lr": 1e-3},                      // optional: overrides of the command's config
 *   "grid": {"l1": [4e-4, 8e-4, 1.6e-3], "lr": [3e-4, 1e-3]},  // optional: every combination
 *   "runs": [{"name": "topk32", "kind": "topk", "k": 32}]      // optional: listed runs
 * }
 * }</pre>
 *
 * Keys are {@link SaeConfig} fields in snake_case, plus {@code expansion} (d_sae = expansion × d_model)
 * and, in {@code runs}, {@code name} (the run's folder). Runs = grid combinations (each applied over
 * base) followed by the listed runs; each lands in {@code OUT/<name>}, the name defaulting to its
 * overrides, e.g. {@code l1=0.0004,lr=0.001}. Unknown keys are rejected with the file and key named.
 */
public final class SweepSpec {

    /** One run of a sweep: its folder name and config. */
    public record Run(String name, SaeConfig config) {}

    private SweepSpec() {}

    /** Reads the runs of {@code file} over the {@code base} config (usually built from the command line). */
    public static List<Run> read(Path file, SaeConfig base) throws IOException {
        JsonNode root;
        try {
            root = Json.mapper().readTree(Files.readString(file));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + Json.describe(e), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(file + ": expected a JSON object with 'base', 'grid' and/or 'runs'");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!Set.of("base", "grid", "runs").contains(k)) {
                throw new IllegalArgumentException(file + ": unknown top-level key '" + k + "'; expected base, grid, runs");
            }
        }
        ObjectNode baseNode = Json.mapper().valueToTree(base);
        if (root.has("base")) {
            apply(baseNode, object(root.get("base"), file, "base"), file, "base", base.dModel());
        }
        List<Map<String, JsonNode>> overrides = new ArrayList<>();
        if (root.has("grid")) {
            JsonNode grid = object(root.get("grid"), file, "grid");
            List<Map<String, JsonNode>> combos = new ArrayList<>();
            combos.add(new LinkedHashMap<>());
            for (Iterator<Map.Entry<String, JsonNode>> it = grid.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isArray() || e.getValue().isEmpty()) {
                    throw new IllegalArgumentException(file + ": grid." + e.getKey() + " must be a non-empty list of values");
                }
                List<Map<String, JsonNode>> next = new ArrayList<>();
                for (Map<String, JsonNode> c : combos) {
                    for (JsonNode v : (ArrayNode) e.getValue()) {
                        Map<String, JsonNode> m = new LinkedHashMap<>(c);
                        m.put(e.getKey(), v);
                        next.add(m);
                    }
                }
                combos = next;
            }
            overrides.addAll(combos);
        }
        if (root.has("runs")) {
            JsonNode runs = root.get("runs");
            if (!runs.isArray()) {
                throw new IllegalArgumentException(file + ": 'runs' must be a list of objects");
            }
            for (int i = 0; i < runs.size(); i++) {
                JsonNode r = object(runs.get(i), file, "runs[" + i + "]");
                Map<String, JsonNode> m = new LinkedHashMap<>();
                r.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue()));
                overrides.add(m);
            }
        }
        if (overrides.isEmpty()) {
            throw new IllegalArgumentException(file + ": the sweep has no runs (give 'grid' and/or 'runs')");
        }
        List<Run> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < overrides.size(); i++) {
            Map<String, JsonNode> o = new LinkedHashMap<>(overrides.get(i));
            JsonNode nameNode = o.remove("name");
            String name = nameNode != null ? nameNode.asText() : defaultName(o);
            if (name.isBlank() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
                throw new IllegalArgumentException(file + ": run " + i + " has the name '" + name + "'; expected a plain folder name");
            }
            if (!names.add(name)) {
                throw new IllegalArgumentException(file + ": two runs are named '" + name + "'; give each a distinct 'name'");
            }
            ObjectNode node = baseNode.deepCopy();
            ObjectNode over = Json.mapper().createObjectNode();
            o.forEach(over::set);
            String where = "run '" + name + "'";
            apply(node, over, file, where, base.dModel());
            SaeConfig cfg;
            try {
                cfg = Json.mapper().treeToValue(node, SaeConfig.class);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalArgumentException(file + ": " + where + ": " + Json.describe(e), e);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ": " + where + ": " + e.getMessage(), e);
            }
            out.add(new Run(name, cfg));
        }
        return out;
    }

    private static JsonNode object(JsonNode n, Path file, String where) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException(file + ": '" + where + "' must be a JSON object");
        }
        return n;
    }

    private static void apply(ObjectNode target, JsonNode overrides, Path file, String where, int dModel) {
        for (Iterator<Map.Entry<String, JsonNode>> it = overrides.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            if (key.equals("expansion")) {
                target.put("d_sae", e.getValue().asInt() * dModel);
            } else if (key.equals("d_model")) {
                throw new IllegalArgumentException(file + ": " + where + " sets d_model; it comes from the input data");
            } else if (!target.has(key)) {
                throw new IllegalArgumentException(file + ": " + where + " has the unknown key '" + key + "'; expected SAE config"
                        + " fields such as kind, l1, k, lr, d_sae, expansion, seed, aux_k, matryoshka");
            } else {
                target.set(key, e.getValue());
            }
        }
    }

    private static String defaultName(Map<String, JsonNode> o) {
        List<String> parts = new ArrayList<>();
        o.forEach((k, v) -> parts.add(k + "=" + (v.isTextual() ? v.asText() : v.toString()).toLowerCase(Locale.ROOT)));
        return String.join(",", parts).replace('[', '(').replace(']', ')');
    }
}
