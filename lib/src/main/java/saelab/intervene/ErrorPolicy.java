package saelab.intervene;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * What happens to the SAE's reconstruction error e = x − x̂ on the edited tokens. Keeping it (the default, as the
 * paper's splice and SAELens' error term) changes x only along the edited latents' decoder rows; dropping it replaces
 * the token by the edited reconstruction, which also removes everything the SAE fails to reconstruct.
 */
public enum ErrorPolicy {
    /** x' = x̂' + e = x + Σᵢ (vᵢ − fᵢ) W_dec[i]. */
    KEEP,
    /** x' = x̂' = x̂ + Σᵢ (vᵢ − fᵢ) W_dec[i]. */
    DROP;

    /** Reads a policy from JSON (any case). */
    @JsonCreator
    static ErrorPolicy fromJson(String text) {
        return parse(text, "error");
    }

    /**
     * Parses a policy name, case-insensitively.
     *
     * @param source names the field or option for the error
     * @throws IllegalArgumentException for an unknown name
     */
    public static ErrorPolicy parse(String text, String source) {
        for (ErrorPolicy p : values()) {
            if (p.name().equalsIgnoreCase(text == null ? "" : text.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException(source + " is '" + text + "'; expected keep (the SAE's reconstruction error) or drop");
    }

    /** The lower-case name (also the JSON form). */
    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
