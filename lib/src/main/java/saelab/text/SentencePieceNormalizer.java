package saelab.text;

import java.text.Normalizer;

/**
 * SentencePiece's text normalization before segmentation ({@code normalizer.cc}): a character map, then spaces:
 * leading and trailing ones dropped and runs collapsed (when {@code remove_extra_whitespaces}), each one written as
 * U+2581 '▁' (when {@code escape_whitespaces}), and one '▁' put in front (the dummy prefix).
 *
 * <p>The character map: a model file carries its rule set compiled into {@code precompiled_charsmap} (a
 * double-array trie); saelab does not decode it but applies the rule set its {@code name} stands for, as
 * SentencePiece's {@code builder.cc} defines it:
 * <ul>
 *   <li>{@code nfkc}: Unicode NFKC ({@link java.text.Normalizer}; the JDK's Unicode version may be newer than
 *       the model's);</li>
 *   <li>{@code nmt_nfkc} (the default, T5's and SigLIP's): NFKC, but tab, LF, FF, CR, U+1680, U+200B, U+200C,
 *       U+200E, U+200F, U+2028, U+2029, U+2581, U+FEFF and U+FFFD become a space, the ASCII controls
 *       U+0001-0008, 000B, 000E-001F, 007F and U+008F, U+009F are removed, and U+FF5E (full-width tilde) is
 *       kept;</li>
 *   <li>{@code identity}, or a model without a compiled map: no change (as SentencePiece does when the map is
 *       empty, whatever the name says).</li>
 * </ul>
 * Other rule sets ({@code *_cf} case folding, user-defined TSV rules) are refused. User-defined symbols are not
 * protected from normalization here.
 */
final class SentencePieceNormalizer {

    /** U+2581 LOWER ONE EIGHTH BLOCK, SentencePiece's visible space. */
    static final char SPACE_SYMBOL = '\u2581';

    private enum Rules { IDENTITY, NFKC, NMT_NFKC }

    private final Rules rules;
    private final boolean removeExtraWhitespaces;
    private final boolean escapeWhitespaces;

    private SentencePieceNormalizer(Rules rules, boolean removeExtraWhitespaces, boolean escapeWhitespaces) {
        this.rules = rules;
        this.removeExtraWhitespaces = removeExtraWhitespaces;
        this.escapeWhitespaces = escapeWhitespaces;
    }

    /** The normalizer a model file asks for. */
    static SentencePieceNormalizer of(SentencePieceModel model) {
        SentencePieceModel.NormalizerSpec spec = model.normalizer();
        Rules rules;
        if (!spec.hasPrecompiledCharsmap() || spec.name().equals("identity")) {
            rules = Rules.IDENTITY;
        } else {
            rules = switch (spec.name()) {
                case "nmt_nfkc" -> Rules.NMT_NFKC;
                case "nfkc" -> Rules.NFKC;
                default -> throw new IllegalArgumentException(model.source() + ": normalizer_spec.name is '" + spec.name()
                        + "'; expected nmt_nfkc, nfkc or identity (other rule sets are not supported)");
            };
        }
        return new SentencePieceNormalizer(rules, spec.removeExtraWhitespaces(), spec.escapeWhitespaces());
    }

    /**
     * The normalized text the segmenter sees.
     *
     * @param addDummyPrefix whether to put a space ('▁') in front, as SentencePiece does by default and Hugging
     *                       Face's T5 and SigLIP tokenizers always do
     */
    String normalize(String text, boolean addDummyPrefix) {
        String mapped = map(text);
        int start = 0;
        if (removeExtraWhitespaces) {
            while (start < mapped.length() && mapped.charAt(start) == ' ') {
                start++;
            }
        }
        if (start == mapped.length()) {
            return "";
        }
        char space = escapeWhitespaces ? SPACE_SYMBOL : ' ';
        StringBuilder out = new StringBuilder(mapped.length() - start + 1);
        if (addDummyPrefix) {
            out.append(space);
        }
        boolean prevSpace = removeExtraWhitespaces;
        for (int i = start; i < mapped.length(); i++) {
            char c = mapped.charAt(i);
            if (c == ' ') {
                if (!(removeExtraWhitespaces && prevSpace)) {
                    out.append(space);
                }
                prevSpace = true;
            } else {
                out.append(c);
                prevSpace = false;
            }
        }
        if (removeExtraWhitespaces) {
            int end = out.length();
            while (end > 0 && out.charAt(end - 1) == space) {
                end--;
            }
            out.setLength(end);
        }
        return out.toString();
    }

    private String map(String text) {
        return switch (rules) {
            case IDENTITY -> text;
            case NFKC -> Normalizer.normalize(text, Normalizer.Form.NFKC);
            case NMT_NFKC -> nmtNfkc(text);
        };
    }

    private static String nmtNfkc(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        StringBuilder segment = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\uFF5E') { // full-width tilde: kept, so NFKC must not see it
                sb.append(Normalizer.normalize(segment, Normalizer.Form.NFKC)).append(c);
                segment.setLength(0);
                continue;
            }
            if (c == 0x09 || c == 0x0A || c == 0x0C || c == 0x0D || c == 0x1680 || c == 0x200B || c == 0x200C
                    || c == 0x200E || c == 0x200F || c == 0x2028 || c == 0x2029 || c == SPACE_SYMBOL || c == 0xFEFF
                    || c == 0xFFFD) {
                segment.append(' ');
            } else if ((c >= 0x01 && c <= 0x08) || c == 0x0B || (c >= 0x0E && c <= 0x1F) || c == 0x7F || c == 0x8F
                    || c == 0x9F) {
                // removed
            } else {
                segment.append(c);
            }
        }
        sb.append(Normalizer.normalize(segment, Normalizer.Form.NFKC));
        return sb.toString();
    }
}
