package saelab.store;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Which tokens of a ViT image are stored, in storage order: the class token (index 0) when
 * {@code cls}, then {@code registers} register tokens, then the {@code gridH × gridW} patch tokens in
 * raster order (row-major, row = vertical position). All indices are 0-based.
 *
 * @param cls       whether the class token is stored
 * @param registers number of register tokens stored (0 for models without registers)
 * @param gridH     patch rows
 * @param gridW     patch columns
 */
public record TokenLayout(@JsonProperty("cls") boolean cls,
                          @JsonProperty("registers") int registers,
                          @JsonProperty("grid_h") int gridH,
                          @JsonProperty("grid_w") int gridW) {

    public TokenLayout {
        if (registers < 0 || gridH < 0 || gridW < 0) {
            throw new IllegalArgumentException("token layout needs registers, grid_h, grid_w >= 0, got "
                    + registers + ", " + gridH + ", " + gridW);
        }
        if (!cls && registers == 0 && gridH * gridW == 0) {
            throw new IllegalArgumentException("token layout stores no token at all");
        }
    }

    /** Tokens stored per image and layer. */
    public int tokens() {
        return (cls ? 1 : 0) + registers + patches();
    }

    /** Patch tokens per image. */
    public int patches() {
        return gridH * gridW;
    }

    /** Storage index of the first patch token. */
    public int firstPatch() {
        return (cls ? 1 : 0) + registers;
    }

    /** First storage index and count of the tokens of a kind (count 0 when the kind is not stored). */
    public int[] range(TokenKind kind) {
        return switch (kind) {
            case CLS -> new int[] {0, cls ? 1 : 0};
            case REGISTERS -> new int[] {cls ? 1 : 0, registers};
            case PATCHES -> new int[] {firstPatch(), patches()};
            case ALL -> new int[] {0, tokens()};
        };
    }
}
