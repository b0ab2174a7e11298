package saelab.text;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Repair of the commonest mojibake: UTF-8 bytes that were decoded as Latin-1 or Windows-1252 ("SchÃ¶ne" for
 * "Schöne"), as ftfy's {@code fix_encoding} repairs it (Speer, ftfy 6.3, {@code _fix_encoding_one_step_and_explain}).
 *
 * <p>Implemented: re-encode the whole text as Latin-1, else as ftfy's "sloppy" Windows-1252 (the five bytes that
 * Windows-1252 leaves undefined stand for the C1 control with the same code), and keep the result when the bytes are
 * valid UTF-8; otherwise read stray C1 controls as Windows-1252 ({@code fix_c1_controls}).
 *
 * <p>Not implemented (ftfy has them): the "badness" heuristic that decides whether text looks broken at all (here
 * only the strict UTF-8 check guards against false repairs, so a genuine text whose Latin-1 bytes happen to form
 * valid UTF-8, such as "Ã©", is repaired too; ftfy repairs that one as well); other single-byte encodings
 * (Windows-1250/1251/1253/1254/1257, ISO-8859-2, MacRoman, CP437); CESU-8 and Java's modified UTF-8
 * ({@code utf-8-variants}); spaces that were once no-break spaces ({@code restore_byte_a0}); sequences partly
 * replaced by '?' or U+FFFD ({@code replace_lossy_sequences}); and mojibake mixed with correct non-ASCII text in
 * one line ({@code decode_inconsistent_utf8}).
 */
final class Mojibake {

    /** The character each byte 0x80-0x9F stands for in sloppy Windows-1252. */
    private static final char[] C1_AS_1252 = new char[32];

    static {
        CharsetDecoder dec = Charset.forName("windows-1252").newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        for (int b = 0x80; b <= 0x9F; b++) {
            char c;
            try {
                c = dec.decode(ByteBuffer.wrap(new byte[] {(byte) b})).charAt(0);
            } catch (CharacterCodingException e) {
                c = (char) b; // undefined in Windows-1252: the sloppy codec keeps the C1 control
            }
            C1_AS_1252[b - 0x80] = c;
        }
    }

    private Mojibake() {}

    /** The character byte {@code b} (0-255) stands for in ftfy's sloppy Windows-1252. */
    static char sloppyWindows1252(int b) {
        return b >= 0x80 && b <= 0x9F ? C1_AS_1252[b - 0x80] : (char) b;
    }

    /** The sloppy Windows-1252 byte of {@code c}, or -1 when that encoding has no byte for it. */
    private static int sloppyWindows1252Byte(char c) {
        if (c < 0x80 || (c >= 0xA0 && c <= 0xFF)) {
            return c;
        }
        for (int i = 0; i < 32; i++) {
            if (C1_AS_1252[i] == c) {
                return 0x80 + i;
            }
        }
        return -1;
    }

    /** ftfy's {@code fix_encoding} restricted as described above: repeated until the text stops changing. */
    static String fix(String text) {
        while (true) {
            String next = fixOnce(text);
            if (next.equals(text)) {
                return text;
            }
            text = next;
        }
    }

    private static String fixOnce(String text) {
        if (isAscii(text)) {
            return text;
        }
        byte[] latin1 = encode(text, false);
        if (latin1 != null) {
            String utf8 = strictUtf8(latin1);
            if (utf8 != null) {
                return utf8;
            }
        }
        byte[] sloppy = encode(text, true);
        if (sloppy != null) {
            String utf8 = strictUtf8(sloppy);
            if (utf8 != null) {
                return utf8;
            }
        }
        return fixC1Controls(text);
    }

    /** ftfy's {@code fix_c1_controls}: each C1 control U+0080-U+009F read as its sloppy Windows-1252 byte. */
    static String fixC1Controls(String text) {
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x80 && c <= 0x9F) {
                if (sb == null) {
                    sb = new StringBuilder(text);
                }
                sb.setCharAt(i, C1_AS_1252[c - 0x80]);
            }
        }
        return sb == null ? text : sb.toString();
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private static byte[] encode(String text, boolean sloppy1252) {
        byte[] out = new byte[text.length()];
        for (int i = 0; i < out.length; i++) {
            char c = text.charAt(i);
            int b = sloppy1252 ? sloppyWindows1252Byte(c) : (c <= 0xFF ? c : -1);
            if (b < 0) {
                return null;
            }
            out[i] = (byte) b;
        }
        return out;
    }

    private static String strictUtf8(byte[] bytes) {
        try {
            CharBuffer cb = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return cb.toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
