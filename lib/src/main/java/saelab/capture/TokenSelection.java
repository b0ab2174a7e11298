package saelab.capture;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which tokens of each image a capture stores: the class token, the register tokens (DINOv2 with
 * registers, Darcet et al. 2024) and the patch tokens. Stored in the cache's order: CLS, registers,
 * patches (row-major), whatever order they were asked in.
 *
 * @param cls       store the class token
 * @param registers store the register tokens
 * @param patches   store the patch tokens
 */
public record TokenSelection(boolean cls, boolean registers, boolean patches) {

    public TokenSelection {
        if (!cls && !registers && !patches) {
            throw new IllegalArgumentException("--tokens selects no token; expected a list of cls, registers, patches");
        }
    }

    /**
     * Parses a comma-separated list of {@code cls}, {@code registers}, {@code patches} (also {@code all}).
     *
     * @throws IllegalArgumentException for an unknown name, naming it and what is accepted
     */
    public static TokenSelection parse(String text) {
        boolean c = false;
        boolean r = false;
        boolean p = false;
        for (String part : (text == null ? "" : text).split(",")) {
            switch (part.strip().toLowerCase(Locale.ROOT)) {
                case "cls" -> c = true;
                case "registers", "reg" -> r = true;
                case "patches", "patch" -> p = true;
                case "all" -> {
                    c = true;
                    r = true;
                    p = true;
                }
                case "" -> { }
                default -> throw new IllegalArgumentException("--tokens: '" + part.strip()
                        + "' is not a token kind; expected a comma-separated list of cls, registers, patches (or all)");
            }
        }
        return new TokenSelection(c, r, p);
    }

    /** The canonical text, e.g. {@code cls,patches}. */
    public String id() {
        List<String> parts = new ArrayList<>();
        if (cls) {
            parts.add("cls");
        }
        if (registers) {
            parts.add("registers");
        }
        if (patches) {
            parts.add("patches");
        }
        return String.join(",", parts);
    }

    @Override
    public String toString() {
        return id();
    }
}
