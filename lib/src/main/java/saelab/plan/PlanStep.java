package saelab.plan;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One step of a plan.
 *
 * @param kind   the step kind ({@link StepKind#name()})
 * @param id     the step's id: its name in the work folder ({@code <work>/<id>/<key prefix>/}) and in the run's index
 * @param inputs role → the name of a source or the id of another step
 * @param params the bound parameters (an instance of the kind's {@link StepKind#params()} record), or null
 * @param note   an optional note, or null
 * @param path   where the step is in its file, e.g. {@code $.steps[3]}, for messages
 */
public record PlanStep(String kind, String id, Map<String, String> inputs, Object params, String note, String path) {

    public PlanStep {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(id, "id");
        inputs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
    }

    /** The reference of role {@code role}, or null when the step does not give it. */
    public String input(String role) {
        return inputs.get(role);
    }

    /** The parameters as {@code type}. */
    public <T> T params(Class<T> type) {
        return type.cast(params);
    }
}
