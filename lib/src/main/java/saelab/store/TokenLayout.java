package saelab.store;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.stream.IntStream;

/**
 * Where each kind of token of a ViT image sits, in sequence order: the class token (index 0) when
 * {@code cls}, then {@code registers} register tokens, then the {@code gridH × gridW} patch tokens in
 * raster order (row-major, row = vertical position, row 0 at the top). All indices are 0-based. The one
 * layout type of saelab: a vision tower's forward sequence ({@code saelab.model.VisionTower#layout}) and the
 * tokens an activation cache stores (its manifest's {@code tokens} object, JSON fields {@code cls},
 * {@code registers}, {@code grid_h}, {@code grid_w}) are both described by it. It lives in the store package,
 * the lowest one that needs it, so that the model package can use it without the store depending on models.
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

    /** Index of the class token, or -1 when there is none (SigLIP has none). */
    public int clsIndex() {
        return cls ? 0 : -1;
    }

    /** Indices of the register tokens (empty when there are none). */
    public int[] registerIndices() {
        int first = cls ? 1 : 0;
        return IntStream.range(first, first + registers).toArray();
    }

    /**
     * Index of patch (row, col), 0-based.
     *
     * @throws IndexOutOfBoundsException outside the grid
     */
    public int patchIndex(int row, int col) {
        if (row < 0 || row >= gridH || col < 0 || col >= gridW) {
            throw new IndexOutOfBoundsException("patch (" + row + ", " + col + ") is outside the " + gridH + " x " + gridW + " grid");
        }
        return firstPatch() + row * gridW + col;
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
