package saelab.intervene;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * What an edit does to a latent's code f on each selected token, giving the edited value v. The operations of
 * the paper's feature interventions (set a feature to a value, scale it, ablate it), plus {@code add}.
 */
public enum EditOperation {
    /** v = value (in the spec's unit). */
    SET,
    /** v = γ · f, γ the spec's value (a plain factor: the unit must be raw). */
    SCALE,
    /** v = f + α, α the spec's value (in the spec's unit). */
    ADD,
    /** v = 0 (the spec has no value). */
    ABLATE;

    /** Reads an operation from JSON (any case). */
    @JsonCreator
    static EditOperation fromJson(String text) {
        return parse(text, "operation");
    }

    /**
     * Parses an operation name, case-insensitively.
     *
     * @param source names the field or option for the error
     * @throws IllegalArgumentException for an unknown name
     */
    public static EditOperation parse(String text, String source) {
        for (EditOperation o : values()) {
            if (o.name().equalsIgnoreCase(text == null ? "" : text.trim())) {
                return o;
            }
        }
        throw new IllegalArgumentException(source + " is '" + text + "'; expected set, scale, add or ablate");
    }

    /** The lower-case name (also the JSON form). */
    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the operation takes a value (all but {@link #ABLATE}). */
    public boolean takesValue() {
        return this != ABLATE;
    }
}
