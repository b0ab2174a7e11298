package saelab.intervene;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import saelab.store.TokenLayout;

/**
 * The tokens of an image an edit applies to. In JSON: {@code "all_patches"}, {@code "cls"}, {@code "registers"},
 * {@code "class:<id>"} (the patches whose ground-truth label is class id, from per-patch labels the caller supplies),
 * or an array of patch indices (0-based, raster order of the patch grid: row-major, row 0 at the top; the class and
 * register tokens are not counted).
 *
 * @param kind    which tokens
 * @param patches the patch indices for {@link Kind#PATCHES} (else empty)
 * @param classId the class id for {@link Kind#CLASS} (else -1)
 */
public record EditTokens(Kind kind, List<Integer> patches, int classId) {

    /** The kinds of token selection. */
    public enum Kind {
        /** Every patch token (not the class or register tokens). */
        ALL_PATCHES,
        /** The class token. */
        CLS,
        /** The register tokens (Darcet et al. 2024). */
        REGISTERS,
        /** A list of patch indices. */
        PATCHES,
        /** The patches labelled with one ground-truth class. */
        CLASS
    }

    private static final String EXPECTED = "expected \"all_patches\", \"cls\", \"registers\", \"class:<id>\" or a list of patch indices";

    public EditTokens {
        if (kind == null) {
            throw new IllegalArgumentException("tokens is missing; " + EXPECTED);
        }
        patches = patches == null ? List.of() : List.copyOf(patches);
        if (kind == Kind.PATCHES && patches.isEmpty()) {
            throw new IllegalArgumentException("tokens is an empty list of patch indices; " + EXPECTED);
        }
        if (kind != Kind.PATCHES && !patches.isEmpty()) {
            throw new IllegalArgumentException("tokens of kind " + kind + " take no patch indices");
        }
        for (int p : patches) {
            if (p < 0) {
                throw new IllegalArgumentException("tokens holds patch index " + p + "; expected indices >= 0 (0-based raster order)");
            }
        }
        if (kind == Kind.CLASS ? classId < 0 : classId != -1) {
            throw new IllegalArgumentException(kind == Kind.CLASS ? "tokens 'class:" + classId + "' needs a class id >= 0"
                    : "tokens of kind " + kind + " take no class id");
        }
    }

    /** Every patch token. */
    public static EditTokens allPatches() {
        return new EditTokens(Kind.ALL_PATCHES, List.of(), -1);
    }

    /** The class token. */
    public static EditTokens cls() {
        return new EditTokens(Kind.CLS, List.of(), -1);
    }

    /** The register tokens. */
    public static EditTokens registers() {
        return new EditTokens(Kind.REGISTERS, List.of(), -1);
    }

    /** The given patches, 0-based raster indices of the patch grid. */
    public static EditTokens patches(int... indices) {
        List<Integer> l = new ArrayList<>();
        for (int i : indices) {
            l.add(i);
        }
        return new EditTokens(Kind.PATCHES, l, -1);
    }

    /** The patches whose ground-truth label is {@code classId}. */
    public static EditTokens ofClass(int classId) {
        return new EditTokens(Kind.CLASS, List.of(), classId);
    }

    /** Reads the JSON form (a string or an array of integers). */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static EditTokens fromJson(JsonNode node) {
        if (node != null && node.isArray()) {
            List<Integer> l = new ArrayList<>();
            for (JsonNode e : node) {
                if (!e.isIntegralNumber() || !e.canConvertToInt()) {
                    throw new IllegalArgumentException("tokens holds " + e + "; a list of tokens must hold patch indices (integers)");
                }
                l.add(e.asInt());
            }
            return new EditTokens(Kind.PATCHES, l, -1);
        }
        if (node == null || !node.isTextual()) {
            throw new IllegalArgumentException("tokens is " + node + "; " + EXPECTED);
        }
        return parse(node.asText());
    }

    /**
     * Parses the text forms {@code all_patches}, {@code cls}, {@code registers}, {@code class:<id>} and a comma-separated
     * list of patch indices.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static EditTokens parse(String text) {
        String t = text == null ? "" : text.trim();
        switch (t) {
            case "all_patches":
                return allPatches();
            case "cls":
                return cls();
            case "registers":
                return registers();
            default:
                break;
        }
        try {
            if (t.startsWith("class:")) {
                return ofClass(Integer.parseInt(t.substring("class:".length()).trim()));
            }
            if (!t.isEmpty() && t.chars().allMatch(c -> Character.isDigit(c) || c == ',' || c == ' ')) {
                List<Integer> l = new ArrayList<>();
                for (String part : t.split(",")) {
                    l.add(Integer.parseInt(part.trim()));
                }
                return new EditTokens(Kind.PATCHES, l, -1);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("tokens is '" + text + "'; " + EXPECTED, e);
        }
        throw new IllegalArgumentException("tokens is '" + text + "'; " + EXPECTED);
    }

    /** The JSON form: the kind's name, {@code class:<id>}, or the list of patch indices. */
    @JsonValue
    public Object json() {
        return switch (kind) {
            case ALL_PATCHES -> "all_patches";
            case CLS -> "cls";
            case REGISTERS -> "registers";
            case CLASS -> "class:" + classId;
            case PATCHES -> patches;
        };
    }

    /**
     * The selected positions of one image's token sequence.
     *
     * @param layout       where the class, register and patch tokens sit
     * @param patchLabels  the image's ground-truth class per patch (raster order, {@code layout.patches()} entries), needed
     *                     for {@link Kind#CLASS} only (may be null otherwise)
     * @return {@code layout.tokens()} flags, true where the edit applies (none, for a class absent from the image)
     * @throws IllegalArgumentException for a patch index outside the grid, a class or register selection the model or the
     *                                  caller cannot supply, or labels of the wrong length
     */
    public boolean[] mask(TokenLayout layout, int[] patchLabels) {
        boolean[] m = new boolean[layout.tokens()];
        int first = layout.firstPatch();
        switch (kind) {
            case ALL_PATCHES -> java.util.Arrays.fill(m, first, first + layout.patches(), true);
            case CLS -> {
                if (!layout.cls()) {
                    throw new IllegalArgumentException("tokens is 'cls' but this model has no class token");
                }
                m[layout.clsIndex()] = true;
            }
            case REGISTERS -> {
                if (layout.registers() == 0) {
                    throw new IllegalArgumentException("tokens is 'registers' but this model has no register tokens");
                }
                for (int r : layout.registerIndices()) {
                    m[r] = true;
                }
            }
            case PATCHES -> {
                for (int p : patches) {
                    if (p >= layout.patches()) {
                        throw new IllegalArgumentException("tokens holds patch index " + p + ", outside the " + layout.gridH() + " x "
                                + layout.gridW() + " patch grid (0-based raster indices 0.." + (layout.patches() - 1) + ")");
                    }
                    m[first + p] = true;
                }
            }
            case CLASS -> {
                if (patchLabels == null) {
                    throw new IllegalArgumentException("tokens 'class:" + classId + "' need the image's per-patch labels; none were given");
                }
                if (patchLabels.length != layout.patches()) {
                    throw new IllegalArgumentException("per-patch labels hold " + patchLabels.length + " entries; expected one per patch of the "
                            + layout.gridH() + " x " + layout.gridW() + " grid (" + layout.patches() + ")");
                }
                for (int p = 0; p < patchLabels.length; p++) {
                    m[first + p] = patchLabels[p] == classId;
                }
            }
            default -> throw new IllegalStateException("unknown token kind " + kind);
        }
        return m;
    }
}
