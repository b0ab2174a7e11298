package saelab.demo;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import saelab.io.Sha256;

/**
 * One content-addressed pipeline step: a name, a code-format version, parameters and the outcomes of the steps
 * it reads. Its key ({@link #key()}) is the SHA-256 of the canonical JSON ({@link CanonicalJson}) of
 * {@code {step, version, params, inputs: {input name: input key}}}, so it changes exactly when the step's own
 * parameters, the output of any input, or the format of its code ({@code version}, bumped by hand whenever the
 * step's code writes different output for the same parameters) change.
 *
 * @param name    lower-case letters, digits and dashes, e.g. {@code sae-dinov2-patch}; also the output folder name
 * @param version the code-format version of the step's code
 * @param params  the parameters (JSON-writable: maps, lists, records, strings, numbers, booleans)
 * @param inputs  the outcomes of the steps whose output this step reads
 * @param body    the work
 */
public record Step(String name, int version, Map<String, Object> params, List<StepOutcome> inputs, StepBody body) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

    public Step {
        Objects.requireNonNull(body, "body");
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("step name '" + name + "': expected lower-case letters and digits, words joined by dashes");
        }
        params = params == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
        inputs = inputs == null ? List.of() : List.copyOf(inputs);
    }

    /** The content key: 64 hex digits. */
    public String key() {
        Map<String, Object> inputKeys = new LinkedHashMap<>();
        for (StepOutcome in : inputs) {
            if (inputKeys.put(in.name(), in.key()) != null) {
                throw new IllegalArgumentException("step " + name + " lists input " + in.name() + " twice");
            }
        }
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("step", name);
        k.put("version", version);
        k.put("params", params);
        k.put("inputs", inputKeys);
        return Sha256.of(CanonicalJson.of(k).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
