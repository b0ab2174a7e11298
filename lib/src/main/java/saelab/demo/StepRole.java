package saelab.demo;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a step of a run is, as the run's index ({@link DemoPipeline#SUMMARY}) records it for notebooks and tools: its
 * kind (a plan step kind such as {@code sae} or {@code control}, or {@code source} for a source step) and its inputs by
 * role ({@code capture}, {@code sae}, {@code heads}, ...), each the id of another step of the run or the name of a plan
 * source. Readers find steps by kind and role ({@link DemoOutputs#ofKind}, {@link DemoOutputs#readers}) instead of by
 * the demo's step names, so the same notebook reads a demo run and a paper run.
 *
 * @param kind   the step kind
 * @param inputs role → step id or source name, in the plan's order
 * @param note   the plan's note on the step, or null; the plans start a note with the paper section the step serves
 *               ({@code section 4.1: ...}), which is how readers find, e.g., the comparison of section 4.1
 */
public record StepRole(String kind, Map<String, String> inputs, String note) {

    /** The kind recorded for the source steps ({@code source-<name>}). */
    public static final String SOURCE = "source";

    public StepRole {
        Objects.requireNonNull(kind, "kind");
        inputs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
    }

    /** A role without a note. */
    public StepRole(String kind, Map<String, String> inputs) {
        this(kind, inputs, null);
    }
}
