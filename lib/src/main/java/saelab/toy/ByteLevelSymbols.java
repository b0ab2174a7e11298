package saelab.toy;

/**
 * GPT-2's reversible byte-to-character table of byte-level BPE (Radford et al. 2019; {@code bytes_to_unicode}
 * of OpenAI CLIP): bytes 33-126, 161-172 and 174-255 stand for the character of the same code, the other 68
 * bytes, in increasing order, for U+0100, U+0101, ... CLIP's {@code vocab.json} lists the 256 byte symbols in
 * the table's own order (those printable bytes first, then the rest). saelab's tokenizer keeps its copy
 * package-private, so the toy tokenizer writer has this small one.
 */
final class ByteLevelSymbols {

    private static final char[] CHAR_OF_BYTE = new char[256];
    private static final int[] ORDER = new int[256];

    static {
        int k = 0;
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            if (printable(b)) {
                CHAR_OF_BYTE[b] = (char) b;
                ORDER[k++] = b;
            }
        }
        for (int b = 0; b < 256; b++) {
            if (!printable(b)) {
                CHAR_OF_BYTE[b] = (char) (256 + extra++);
                ORDER[k++] = b;
            }
        }
    }

    private ByteLevelSymbols() {}

    private static boolean printable(int b) {
        return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    }

    /** The symbol of byte {@code b}. */
    static String symbol(int b) {
        return String.valueOf(CHAR_OF_BYTE[b & 0xFF]);
    }

    /** The byte at position {@code i} of the vocabulary order. */
    static int byteAt(int i) {
        return ORDER[i];
    }
}
