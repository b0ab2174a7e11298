package saelab.model;

import java.util.stream.IntStream;

/**
 * Where each kind of token sits in a vision tower's sequence, for one input size. Indices are
 * 0-based. Sequences are {@code [CLS?][registers...][patches, row-major]}: patch (row, col) is token
 * {@code patchStart + row * gridWidth + col}, row 0 at the top.
 *
 * @param clsIndex   index of the class token, or -1 (SigLIP has none)
 * @param registers  number of register tokens, right after the class token (DINOv2 with registers: 4)
 * @param gridHeight patch rows (image height / patch size, rounded down)
 * @param gridWidth  patch columns
 */
public record TokenLayout(int clsIndex, int registers, int gridHeight, int gridWidth) {

    /** Index of the first patch token. */
    public int patchStart() {
        return (clsIndex >= 0 ? 1 : 0) + registers;
    }

    /** Number of patch tokens. */
    public int patches() {
        return gridHeight * gridWidth;
    }

    /** Total tokens. */
    public int tokens() {
        return patchStart() + patches();
    }

    /** Indices of the register tokens (empty when there are none). */
    public int[] registerIndices() {
        int first = clsIndex >= 0 ? 1 : 0;
        return IntStream.range(first, first + registers).toArray();
    }

    /** Token index of patch (row, col). */
    public int patchIndex(int row, int col) {
        if (row < 0 || row >= gridHeight || col < 0 || col >= gridWidth) {
            throw new IndexOutOfBoundsException("patch (" + row + ", " + col + ") is outside the " + gridHeight + " x " + gridWidth + " grid");
        }
        return patchStart() + row * gridWidth + col;
    }
}
