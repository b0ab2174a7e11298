package saelab.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Which data a run uses. {@code demo} is the embedded default (the toy world, no downloads);
 * {@code paper} is the real models and datasets named in {@code data-manifests/}. Figures of each
 * profile go to their own folder, {@code figures/<profile>/}.
 */
public enum Profile {
    DEMO,
    PAPER;

    /** The lower-case name used in folders and in {@code SAELAB_PROFILE}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code demo} or {@code paper}; {@code source} names where the text came from, for the error. */
    public static Profile parse(String text, String source) {
        if (text == null) {
            throw new IllegalArgumentException(source + " is missing; expected one of: demo, paper");
        }
        for (Profile p : values()) {
            if (p.id().equals(text.trim().toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        String allowed = Arrays.stream(values()).map(Profile::id).collect(Collectors.joining(", "));
        throw new IllegalArgumentException(source + " is '" + text + "'; expected one of: " + allowed);
    }
}
