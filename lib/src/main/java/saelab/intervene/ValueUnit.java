package saelab.intervene;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * The unit of an edit's value. {@code max} expresses doses as the paper's control experiments do, relative to the
 * latent's largest observed activation, so one value means a comparable push for latents of different scales.
 */
public enum ValueUnit {
    /** The value is a code value as the SAE outputs it. */
    RAW,
    /**
     * The value is a multiple of the latent's maximum activation over the patch tokens of an analysis pass (the
     * {@code max} column of the analysis folder's {@code latents.csv}).
     */
    MAX;

    /** Reads a unit from JSON (any case). */
    @JsonCreator
    static ValueUnit fromJson(String text) {
        return parse(text, "unit");
    }

    /**
     * Parses a unit name, case-insensitively.
     *
     * @param source names the field or option for the error
     * @throws IllegalArgumentException for an unknown name
     */
    public static ValueUnit parse(String text, String source) {
        for (ValueUnit u : values()) {
            if (u.name().equalsIgnoreCase(text == null ? "" : text.trim())) {
                return u;
            }
        }
        throw new IllegalArgumentException(source + " is '" + text + "'; expected raw or max (times the latent's maximum activation"
                + " in an analysis folder)");
    }

    /** The lower-case name (also the JSON form). */
    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
