package saelab.plan;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import saelab.data.Datasets;
import saelab.data.ToyWorld;
import saelab.data.ToyWorldCaption;
import saelab.io.ConfinedPaths;
import saelab.io.Json;
import saelab.toy.ToyBackboneSpec;

/**
 * Reads a plan file ({@link Plan}) strictly:
 * <pre>
 * {"format": "saelab-plan/1", "name": "demo", "note": "...",
 *  "sources": {"world":  {"type": "toy-world", "world": {"image_size": 64, ...}, "images": 10000},
 *              "in1k":   {"type": "dataset", "layout": "imagenet", "path": "imagenet-1k", "split": "train", "images": 1281167},
 *              "dinov2": {"type": "model", "hub": "facebook/dinov2-base", "revision": null},
 *              "clip":   {"type": "model", "toy": {"kind": "clip", "width": 64, ...}},
 *              "clip-concept": {"type": "model", "toy": {"kind": "clip", ..., "captions": "colour-shape"}}},
 *  "steps": [{"kind": "capture", "id": "capture-clip", "inputs": {"dataset": "world", "model": "backbone-clip"},
 *             "params": {"block": -2, "batch": 128}}, ...]}
 * </pre>
 * Unknown fields, values of the wrong type, missing keys, unknown step kinds or input roles, references to sources or
 * steps that are not declared (or of a type the role does not accept) and cycles between steps are each refused with
 * one sentence {@code plan FILE: $.JSON.PATH: what is wrong; expected what}. Parameters bind to the record each kind
 * declares ({@link StepKind#params()}) with every field required. A source's dataset or model folder is a path relative
 * to the data root that must not leave it. Files over {@value #MAX_BYTES} bytes are refused before they are parsed.
 */
public final class PlanReader {

    /** The {@code format} a plan file must declare. */
    public static final String FORMAT = "saelab-plan/1";
    /** The largest plan file read (a plan is a page of JSON; this bounds the memory a hostile file can take). */
    public static final int MAX_BYTES = 4 << 20;

    private static final Pattern ID = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");
    private static final Pattern HUB = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

    @SuppressWarnings("deprecation") // MapperFeature on a copy: the shared mapper stays as it is
    private static final ObjectMapper STRICT = Json.mapper().copy()
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES)
            .configure(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS, true)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final Path file;

    private PlanReader(Path file) {
        this.file = file;
    }

    /**
     * Reads and checks a plan.
     *
     * @param kinds the step kinds the caller can run or describe, by name
     * @throws IllegalArgumentException one sentence naming the file and the field, for any mistake in it
     */
    public static Plan read(Path file, Map<String, StepKind> kinds) throws IOException {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw new IllegalArgumentException("plan " + file + " is " + size + " bytes; expected a plan file of at most "
                        + MAX_BYTES + " bytes");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("plan " + file + " does not exist");
        }
        JsonNode root;
        try {
            root = STRICT.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("plan " + file + ": $ is not valid JSON: " + Json.describe(e));
        }
        return new PlanReader(file).plan(root, kinds);
    }

    private Plan plan(JsonNode root, Map<String, StepKind> kinds) {
        object(root, "$");
        allowOnly(root, "$", Set.of("format", "name", "note", "sources", "steps"));
        String format = text(root, "$", "format", true);
        if (!FORMAT.equals(format)) {
            throw fail("$.format", "is '" + format + "'; expected '" + FORMAT + "'");
        }
        String name = id(text(root, "$", "name", true), "$.name");
        String note = text(root, "$", "note", false);
        Map<String, PlanSource> sources = sources(require(root, "$", "sources"));
        JsonNode stepsNode = require(root, "$", "steps");
        if (!stepsNode.isArray()) {
            throw fail("$.steps", "is " + describe(stepsNode) + "; expected an array of steps");
        }
        List<PlanStep> steps = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < stepsNode.size(); i++) {
            PlanStep s = step(stepsNode.get(i), "$.steps[" + i + "]", kinds);
            if (!ids.add(s.id())) {
                throw fail(s.path() + ".id", "'" + s.id() + "' is the id of an earlier step; expected a distinct id");
            }
            if (sources.containsKey(s.id())) {
                throw fail(s.path() + ".id", "'" + s.id() + "' is also a source's name; expected an id distinct from every source");
            }
            steps.add(s);
        }
        Map<String, PlanStep> byId = new LinkedHashMap<>();
        steps.forEach(s -> byId.put(s.id(), s));
        for (PlanStep s : steps) {
            checkInputs(s, kinds.get(s.kind()), sources, byId);
        }
        return new Plan(file, name, note, sources, order(steps, byId));
    }

    // ---- sources ----

    private Map<String, PlanSource> sources(JsonNode node) {
        object(node, "$.sources");
        Map<String, PlanSource> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String path = "$.sources." + e.getKey();
            if (!ID.matcher(e.getKey()).matches()) {
                throw fail(path, "the name '" + e.getKey() + "' is not lower-case letters and digits (words joined by dashes)");
            }
            out.put(e.getKey(), source(e.getKey(), e.getValue(), path));
        }
        return out;
    }

    private PlanSource source(String name, JsonNode n, String path) {
        object(n, path);
        String type = text(n, path, "type", true);
        String note = text(n, path, "note", false);
        return switch (type) {
            case "toy-world" -> {
                allowOnly(n, path, Set.of("type", "note", "world", "images"));
                ToyWorld world = bind(require(n, path, "world"), ToyWorld.class, path + ".world");
                yield new PlanSource.ToyWorldSource(name, world, positiveInt(n, path, "images", true), note);
            }
            case "dataset" -> dataset(name, n, path, note);
            case "model" -> model(name, n, path, note);
            default -> throw fail(path + ".type", "is '" + type + "'; expected toy-world, dataset or model");
        };
    }

    private PlanSource dataset(String name, JsonNode n, String path, String note) {
        allowOnly(n, path, Set.of("type", "note", "layout", "path", "split", "options", "images"));
        String layout = text(n, path, "layout", true);
        Set<String> allowed = Datasets.KINDS.get(layout);
        if (allowed == null) {
            throw fail(path + ".layout", "is '" + layout + "'; expected one of " + Datasets.KINDS.keySet());
        }
        String rel = relative(n, path, "path");
        String split = text(n, path, "split", false);
        Map<String, String> options = new LinkedHashMap<>();
        JsonNode o = n.get("options");
        if (o != null) {
            object(o, path + ".options");
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!allowed.contains(e.getKey())) {
                    throw fail(path + ".options." + e.getKey(), "is not an option of the " + layout + " layout; expected "
                            + (allowed.isEmpty() ? "no options" : "one of " + new TreeSet<>(allowed)));
                }
                options.put(e.getKey(), text(o, path + ".options", e.getKey(), true));
            }
        }
        Long images = n.has("images") ? positiveLong(n, path, "images") : null;
        return new PlanSource.DatasetSource(name, layout, rel, split, options, images, note);
    }

    private PlanSource model(String name, JsonNode n, String path, String note) {
        allowOnly(n, path, Set.of("type", "note", "folder", "hub", "revision", "toy", "d_model", "tokens"));
        List<String> forms = new ArrayList<>();
        for (String f : List.of("folder", "hub", "toy")) {
            if (n.has(f)) {
                forms.add(f);
            }
        }
        if (forms.size() != 1) {
            throw fail(path, (forms.isEmpty() ? "has none" : "has " + String.join(" and ", forms))
                    + " of folder, hub and toy; expected exactly one");
        }
        String folder = n.has("folder") ? relative(n, path, "folder") : null;
        String hub = null;
        String revision = null;
        if (n.has("hub")) {
            hub = text(n, path, "hub", true);
            if (!HUB.matcher(hub).matches()) {
                throw fail(path + ".hub", "is '" + hub + "'; expected a hub id ORG/NAME");
            }
            if (!n.has("revision")) {
                throw fail(path + ".revision", "is missing; expected the pinned 40-hex commit of " + hub
                        + ", or null where none is known yet (a real run then refuses the step)");
            }
            if (!n.get("revision").isNull()) {
                revision = text(n, path, "revision", true);
                if (!COMMIT.matcher(revision).matches()) {
                    throw fail(path + ".revision", "is '" + revision + "'; expected a pinned 40-hex commit (a branch or tag moves)"
                            + " or null");
                }
            }
        } else if (n.has("revision")) {
            throw fail(path + ".revision", "is given without a hub id; expected it only beside 'hub'");
        }
        ToyBackboneSpec toy = n.has("toy") ? toy(n.get("toy"), path + ".toy") : null;
        Integer dModel = n.has("d_model") ? positiveInt(n, path, "d_model", true) : null;
        Integer tokens = n.has("tokens") ? positiveInt(n, path, "tokens", true) : null;
        return new PlanSource.ModelSource(name, folder, hub, revision, toy, dModel, tokens, note);
    }

    /**
     * A toy backbone's spec: every field of {@link ToyBackboneSpec} required except {@code captions}, which names the
     * attributes CLIP's captions name ({@code colour-texture-shape}, the default, or {@code colour-shape}).
     */
    private ToyBackboneSpec toy(JsonNode n, String path) {
        object(n, path);
        ObjectNode copy = ((ObjectNode) n).deepCopy();
        ToyWorldCaption.Attributes captions = ToyWorldCaption.Attributes.DEFAULT;
        if (copy.has("captions")) {
            String id = text(copy, path, "captions", true);
            try {
                captions = ToyWorldCaption.Attributes.parse(id);
            } catch (IllegalArgumentException e) {
                throw fail(path + ".captions", "is '" + id + "'; expected colour-texture-shape (the default) or colour-shape");
            }
        }
        copy.put("captions", captions.id()); // bound like every other field, so the record's own checks see it
        return bind(copy, ToyBackboneSpec.class, path);
    }

    // ---- steps ----

    private PlanStep step(JsonNode n, String path, Map<String, StepKind> kinds) {
        object(n, path);
        allowOnly(n, path, Set.of("kind", "id", "inputs", "params", "note"));
        String kindName = text(n, path, "kind", true);
        StepKind kind = kinds.get(kindName);
        if (kind == null) {
            throw fail(path + ".kind", "is '" + kindName + "', an unknown step kind; expected one of " + kinds.keySet());
        }
        String id = id(text(n, path, "id", true), path + ".id");
        JsonNode in = require(n, path, "inputs");
        object(in, path + ".inputs");
        Map<String, String> inputs = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = in.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (kind.role(e.getKey()) == null) {
                throw fail(path + ".inputs." + e.getKey(), "is not an input of a " + kindName + " step; expected "
                        + kind.roles().stream().map(StepKind.Role::name).toList());
            }
            inputs.put(e.getKey(), text(in, path + ".inputs", e.getKey(), true));
        }
        for (StepKind.Role r : kind.roles()) {
            if (r.required() && !inputs.containsKey(r.name())) {
                throw fail(path + ".inputs." + r.name(), "is missing; a " + kindName + " step needs it (" + accepts(r) + ")");
            }
        }
        Object params = null;
        if (kind.params() != null) {
            params = bind(require(n, path, "params"), kind.params(), path + ".params");
        } else if (n.has("params")) {
            throw fail(path + ".params", "is given; a " + kindName + " step takes no parameters");
        }
        return new PlanStep(kindName, id, inputs, params, text(n, path, "note", false), path);
    }

    private void checkInputs(PlanStep s, StepKind kind, Map<String, PlanSource> sources, Map<String, PlanStep> steps) {
        for (Map.Entry<String, String> e : s.inputs().entrySet()) {
            String path = s.path() + ".inputs." + e.getKey();
            StepKind.Role role = kind.role(e.getKey());
            String ref = e.getValue();
            String what;
            if (sources.containsKey(ref)) {
                what = "source:" + sources.get(ref).type();
            } else if (steps.containsKey(ref)) {
                what = "step:" + steps.get(ref).kind();
            } else {
                throw fail(path, "is '" + ref + "', neither a declared source nor a step id; expected one of the sources "
                        + sources.keySet() + " or steps " + steps.keySet());
            }
            if (ref.equals(s.id())) {
                throw fail(path, "refers to the step itself; expected another step or a source");
            }
            if (!role.accepts().contains(what)) {
                throw fail(path, "is '" + ref + "', a " + what.replace(":", " of ").replace("source of", "source of type")
                        + "; expected " + accepts(role));
            }
        }
    }

    /** The file order, moved only where a step refers to a later one; a cycle is refused. */
    private List<PlanStep> order(List<PlanStep> steps, Map<String, PlanStep> byId) {
        List<PlanStep> out = new ArrayList<>();
        Set<String> done = new HashSet<>();
        Set<String> onPath = new LinkedHashSet<>();
        for (PlanStep s : steps) {
            visit(s, byId, done, onPath, out);
        }
        return out;
    }

    private void visit(PlanStep s, Map<String, PlanStep> byId, Set<String> done, Set<String> onPath, List<PlanStep> out) {
        if (done.contains(s.id())) {
            return;
        }
        if (!onPath.add(s.id())) {
            List<String> cycle = new ArrayList<>(onPath);
            cycle = new ArrayList<>(cycle.subList(cycle.indexOf(s.id()), cycle.size()));
            cycle.add(s.id());
            throw fail(s.path() + ".inputs", "step '" + s.id() + "' is part of a cycle " + String.join(" -> ", cycle)
                    + "; expected every step to read only steps that do not read it back");
        }
        for (String ref : s.inputs().values()) {
            PlanStep in = byId.get(ref);
            if (in != null) {
                visit(in, byId, done, onPath, out);
            }
        }
        onPath.remove(s.id());
        done.add(s.id());
        out.add(s);
    }

    private static String accepts(StepKind.Role r) {
        List<String> words = new ArrayList<>();
        for (String a : new TreeSet<>(r.accepts())) {
            words.add(a.startsWith("source:") ? "a " + a.substring(7) + " source" : "a " + a.substring(5) + " step");
        }
        return String.join(" or ", words);
    }

    // ---- values ----

    private <T> T bind(JsonNode node, Class<T> type, String path) {
        if (!node.isObject()) {
            throw fail(path, "is " + describe(node) + "; expected an object");
        }
        try {
            return STRICT.treeToValue(node, type);
        } catch (JsonProcessingException e) {
            throw fail(fieldPath(path, e), bindProblem(e, type));
        }
    }

    private static String fieldPath(String base, JsonProcessingException e) {
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            String p = Json.path(m);
            return base + (p.startsWith("[") ? "" : ".") + p;
        }
        return base;
    }

    private static String bindProblem(JsonProcessingException e, Class<?> type) {
        if (e instanceof UnrecognizedPropertyException u) {
            List<String> known = new ArrayList<>();
            u.getKnownPropertyIds().forEach(k -> known.add(String.valueOf(k)));
            java.util.Collections.sort(known);
            return "is an unknown field; expected only " + known;
        }
        if (e instanceof ValueInstantiationException v && v.getCause() != null) {
            return "is not valid: " + v.getCause().getMessage();
        }
        if (e instanceof InvalidFormatException f) {
            return "is '" + f.getValue() + "'; expected " + simpleType(f.getTargetType());
        }
        String msg = e.getOriginalMessage().lines().findFirst().orElse("");
        if (msg.startsWith("Missing required creator property")) {
            String field = msg.replaceFirst("^Missing required creator property '([^']*)'.*$", "$1");
            return "is missing the key '" + field + "'; expected every field of " + simpleType(type);
        }
        if (msg.contains("Null value for creator property")) {
            return "is null; expected a value";
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            return "has the wrong type; expected " + simpleType(m.getTargetType());
        }
        return "is not valid: " + msg;
    }

    private static String simpleType(Class<?> t) {
        if (t == int.class || t == Integer.class || t == long.class || t == Long.class) {
            return "an integer";
        }
        if (t == double.class || t == Double.class || t == float.class) {
            return "a number";
        }
        if (t == String.class) {
            return "a string";
        }
        if (t.isEnum()) {
            List<String> v = new ArrayList<>();
            for (Object c : t.getEnumConstants()) {
                v.add(c.toString().toLowerCase(Locale.ROOT));
            }
            return "one of " + v;
        }
        if (t.isArray() || List.class.isAssignableFrom(t)) {
            return "an array";
        }
        return "an object with the fields of " + t.getSimpleName();
    }

    private void object(JsonNode n, String path) {
        if (n == null || !n.isObject()) {
            throw fail(path, "is " + describe(n) + "; expected an object");
        }
    }

    private void allowOnly(JsonNode n, String path, Set<String> allowed) {
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw fail(path + "." + f, "is an unknown field; expected only " + new TreeSet<>(allowed));
            }
        }
    }

    private JsonNode require(JsonNode n, String path, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw fail(path + "." + field, "is missing; expected it");
        }
        return v;
    }

    private String text(JsonNode n, String path, String field, boolean required) {
        JsonNode v = n.get(field);
        if (v == null || (v.isNull() && !required)) {
            if (required) {
                throw fail(path + "." + field, "is missing; expected a string");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw fail(path + "." + field, "is " + describe(v) + "; expected a string");
        }
        return v.asText();
    }

    private int positiveInt(JsonNode n, String path, String field, boolean required) {
        long v = positiveLong(n, path, field);
        if (v > Integer.MAX_VALUE) {
            throw fail(path + "." + field, "is " + v + "; expected at most " + Integer.MAX_VALUE);
        }
        return (int) v;
    }

    private long positiveLong(JsonNode n, String path, String field) {
        JsonNode v = n.get(field);
        if (v == null) {
            throw fail(path + "." + field, "is missing; expected a positive integer");
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 1) {
            throw fail(path + "." + field, "is " + describe(v) + "; expected a positive integer");
        }
        return v.asLong();
    }

    private String relative(JsonNode n, String path, String field) {
        String rel = text(n, path, field, true);
        String problem = ConfinedPaths.lexicalProblem(rel);
        if (problem != null) {
            throw fail(path + "." + field, "is '" + rel + "', " + problem + "; expected a path relative to the data root that"
                    + " stays inside it");
        }
        return rel;
    }

    private String id(String id, String path) {
        if (!ID.matcher(id).matches()) {
            throw fail(path, "is '" + id + "'; expected lower-case letters and digits, words joined by dashes");
        }
        return id;
    }

    private static String describe(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return "missing";
        }
        if (n.isNull()) {
            return "null";
        }
        if (n.isTextual()) {
            return "the string '" + n.asText() + "'";
        }
        if (n.isObject()) {
            return "an object";
        }
        if (n.isArray()) {
            return "an array";
        }
        return n.getNodeType().name().toLowerCase(Locale.ROOT) + " " + n;
    }

    private IllegalArgumentException fail(String path, String problem) {
        return new IllegalArgumentException("plan " + file + ": " + path + " " + problem);
    }
}
