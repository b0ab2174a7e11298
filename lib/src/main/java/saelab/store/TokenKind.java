package saelab.store;

import java.util.Locale;

/** Which tokens of an image a reader returns. */
public enum TokenKind {
    /** the class token only */
    CLS,
    /** the register tokens (DINOv2 with registers) */
    REGISTERS,
    /** the patch tokens, in raster order of the patch grid */
    PATCHES,
    /** every stored token, in storage order */
    ALL;

    /** Parses {@code cls|registers|patches|all}; {@code source} names the option for the error. */
    public static TokenKind parse(String text, String source) {
        for (TokenKind k : values()) {
            if (k.name().equalsIgnoreCase(text == null ? "" : text.trim())) {
                return k;
            }
        }
        throw new IllegalArgumentException(source + " is '" + text + "'; expected cls, registers, patches or all");
    }

    /** The lower-case name. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
