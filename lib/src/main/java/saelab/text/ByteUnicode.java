package saelab.text;

/**
 * GPT-2's reversible byte-to-character table, used by CLIP's byte-level BPE so that every UTF-8 byte is a
 * printable vocabulary symbol: bytes 33-126, 161-172 and 174-255 stand for the character with the same code,
 * and the other 68 bytes, in increasing order, for the characters U+0100, U+0101, ... (Radford et al. 2019,
 * "Language Models are Unsupervised Multitask Learners"; {@code bytes_to_unicode} in OpenAI's CLIP and
 * open_clip). Every character is a single UTF-16 unit.
 */
public final class ByteUnicode {

    /** The character that stands for each byte value. */
    private static final char[] CHAR_OF_BYTE = new char[256];
    /**
     * The byte values in the table's own order: the printable ones first, then the rest. open_clip numbers the
     * first 256 vocabulary entries in this order.
     */
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

    private ByteUnicode() {}

    private static boolean printable(int b) {
        return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    }

    /** The character that stands for byte {@code b} (0-255). */
    public static char charOf(int b) {
        return CHAR_OF_BYTE[b & 0xFF];
    }

    /** The byte value at position {@code i} (0-255) of the table's order (open_clip's first 256 ids). */
    public static int byteAt(int i) {
        return ORDER[i];
    }

    /** Maps every byte of {@code utf8} to its character. */
    static String encode(byte[] utf8) {
        char[] out = new char[utf8.length];
        for (int i = 0; i < utf8.length; i++) {
            out[i] = CHAR_OF_BYTE[utf8[i] & 0xFF];
        }
        return new String(out);
    }
}
