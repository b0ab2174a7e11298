package saelab.demo;

import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The run index every plan run writes ({@link PlanRunner}): {@code <work>/demo.json} lists each step's kind and inputs by
 * role, folder, key, status, time and summary numbers, for notebooks ({@link DemoOutputs}) and dashboards; and what a run
 * reports back ({@link Result}). The demo is the plan {@code data-manifests/plans/demo.json} (or {@code quick.json}); the
 * name keeps the file's history ({@code demo.json} is what every run's index is called).
 */
public final class DemoPipeline {

    /** The summary file at the top of the work folder. */
    public static final String SUMMARY = "demo.json";
    /** Format of {@link #SUMMARY}. */
    public static final String FORMAT = "saelab-demo/1";

    /**
     * What a run did.
     *
     * @param work      the work folder
     * @param steps     every step's outcome, in run order
     * @param manifests the data manifest files recorded (empty when none)
     * @param summary   the {@code demo.json} file
     * @param seconds   wall time of the run
     */
    public record Result(Path work, List<StepOutcome> steps, List<Path> manifests, Path summary, double seconds) {

        /** The outcome of step {@code name}. */
        public StepOutcome step(String name) {
            return steps.stream().filter(s -> s.name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no step " + name + " in this run"));
        }

        /** How many steps ended with {@code status}. */
        public long count(StepOutcome.Status status) {
            return steps.stream().filter(s -> s.status() == status).count();
        }
    }

    private DemoPipeline() {}

    /**
     * The content of {@link #SUMMARY}; {@code plan} (the plan file a plan run read, else null) is recorded when given, and
     * each step's {@link StepRole} (kind and inputs by role) where {@code roles} has it.
     */
    static Map<String, Object> summary(Path work, String size, Path plan, List<StepOutcome> steps, Map<String, StepRole> roles,
                                       List<Path> manifests, double secs) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("size", size);
        if (plan != null) {
            m.put("plan", plan.toString());
        }
        m.put("work", work.toString());
        m.put("finished", Instant.now().toString());
        m.put("seconds", Math.round(secs * 1000) / 1000.0);
        Map<String, Object> st = new LinkedHashMap<>();
        for (StepOutcome s : steps) {
            Map<String, Object> e = new LinkedHashMap<>();
            StepRole role = roles.get(s.name());
            if (role != null) {
                e.put("kind", role.kind());
                e.put("inputs", role.inputs());
                if (role.note() != null) {
                    e.put("note", role.note());
                }
            }
            e.put("key", s.key());
            e.put("dir", work.relativize(s.dir()).toString().replace('\\', '/'));
            e.put("status", s.status().name().toLowerCase(Locale.ROOT));
            e.put("seconds", Math.round(s.seconds() * 1000) / 1000.0);
            e.put("summary", s.summary());
            st.put(s.name(), e);
        }
        m.put("steps", st);
        m.put("manifests", manifests.stream().map(Path::toString).toList());
        return m;
    }
}
