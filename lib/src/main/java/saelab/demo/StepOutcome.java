package saelab.demo;

import java.nio.file.Path;
import java.util.Map;

/**
 * What happened to one step of a run ({@link StepRunner#run}).
 *
 * @param name    the step name, e.g. {@code capture-dinov2}
 * @param key     the step's content key (64 hex digits of SHA-256)
 * @param dir     the step's output folder, {@code <work>/<name>/<key prefix>/}
 * @param status  built, skipped or rebuilt on request
 * @param seconds build time of this run, or for a skipped step the build time recorded when it was built
 * @param summary the summary numbers the step recorded
 */
public record StepOutcome(String name, String key, Path dir, Status status, double seconds, Map<String, Object> summary) {

    /** How a step's output came to be. */
    public enum Status {
        /** Built in this run (no output with its key existed). */
        BUILT,
        /** Its output existed with the same key: nothing was done. */
        SKIPPED,
        /** Rebuilt on request ({@code --force}), or because an input was. */
        FORCED;

        /** The lower-case word printed and recorded. */
        public String word() {
            return switch (this) {
                case BUILT -> "built";
                case SKIPPED -> "skipped (unchanged)";
                case FORCED -> "rebuilt (forced)";
            };
        }
    }

    public StepOutcome {
        summary = summary == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(summary));
    }
}
