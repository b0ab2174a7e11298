package saelab.plan;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pipeline written down as data ({@link PlanReader}).
 *
 * @param file    the plan file it was read from
 * @param name    the plan's name ({@code demo}, {@code quick}, {@code paper}, ...)
 * @param note    an optional description, or null
 * @param sources the declared sources by name, in file order
 * @param steps   the steps in run order: the file's order, except that a step runs after every step it refers to
 */
public record Plan(Path file, String name, String note, Map<String, PlanSource> sources, List<PlanStep> steps) {

    public Plan {
        sources = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(sources));
        steps = List.copyOf(steps);
    }

    /** The step with this id. */
    public PlanStep step(String id) {
        return steps.stream().filter(s -> s.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("plan " + file + ": no step '" + id + "'"));
    }

    /** Whether {@code ref} names a step (rather than a source). */
    public boolean isStep(String ref) {
        return steps.stream().anyMatch(s -> s.id().equals(ref));
    }

    /** The source that the role {@code role} of {@code step} refers to, or null when it refers to a step or is absent. */
    public PlanSource sourceOf(PlanStep step, String role) {
        String ref = step.input(role);
        return ref == null ? null : sources.get(ref);
    }

    /** The step that the role {@code role} of {@code step} refers to, or null when it refers to a source or is absent. */
    public PlanStep stepOf(PlanStep step, String role) {
        String ref = step.input(role);
        return ref == null || !isStep(ref) ? null : step(ref);
    }

    /** The steps of kind {@code kind} whose role {@code role} refers to {@code ref}, in run order. */
    public List<PlanStep> readers(String kind, String role, String ref) {
        List<PlanStep> out = new ArrayList<>();
        for (PlanStep s : steps) {
            if (s.kind().equals(kind) && ref.equals(s.input(role))) {
                out.add(s);
            }
        }
        return out;
    }
}
