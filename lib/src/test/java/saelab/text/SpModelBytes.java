package saelab.text;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes small SentencePiece {@code ModelProto} files for tests (there is no real {@code spiece.model} in the
 * repository): pieces, a trainer spec and a normalizer spec, in the protobuf wire format of
 * {@code sentencepiece_model.proto}.
 */
final class SpModelBytes {

    static final int NORMAL = 1;
    static final int UNKNOWN = 2;
    static final int CONTROL = 3;
    static final int USER_DEFINED = 4;
    static final int UNUSED = 5;
    static final int BYTE = 6;

    private record Piece(String piece, float score, int type) {}

    private final List<Piece> pieces = new ArrayList<>();
    private String normalizerName = "nmt_nfkc";
    private boolean charsmap = true;
    private Boolean addDummyPrefix;
    private Boolean removeExtraWhitespaces;
    private Boolean escapeWhitespaces;
    private int modelType = 1;
    private boolean byteFallback;

    /** A model starting with T5's special pieces: 0 {@code <pad>}, 1 {@code </s>}, 2 {@code <unk>}. */
    static SpModelBytes t5Style() {
        return new SpModelBytes().piece("<pad>", 0, CONTROL).piece("</s>", 0, CONTROL).piece("<unk>", 0, UNKNOWN);
    }

    SpModelBytes piece(String piece, float score, int type) {
        pieces.add(new Piece(piece, score, type));
        return this;
    }

    SpModelBytes piece(String piece, float score) {
        return piece(piece, score, NORMAL);
    }

    /** The normalizer name, and whether a (dummy) compiled character map is present. */
    SpModelBytes normalizer(String name, boolean withCharsmap) {
        this.normalizerName = name;
        this.charsmap = withCharsmap;
        return this;
    }

    SpModelBytes whitespace(boolean addDummyPrefix, boolean removeExtra, boolean escape) {
        this.addDummyPrefix = addDummyPrefix;
        this.removeExtraWhitespaces = removeExtra;
        this.escapeWhitespaces = escape;
        return this;
    }

    SpModelBytes modelType(int type) {
        this.modelType = type;
        return this;
    }

    SpModelBytes byteFallback() {
        this.byteFallback = true;
        return this;
    }

    byte[] bytes() {
        return message(out -> {
            for (Piece p : pieces) {
                out.writeByteArray(1, message(m -> {
                    m.writeString(1, p.piece());
                    m.writeFloat(2, p.score());
                    if (p.type() != NORMAL) {
                        m.writeEnum(3, p.type());
                    }
                }));
            }
            out.writeByteArray(2, message(m -> {
                m.writeEnum(3, modelType);
                m.writeInt32(40, 2); // unk_id
                m.writeInt32(41, -1); // bos_id
                m.writeInt32(42, 1); // eos_id
                m.writeInt32(43, 0); // pad_id
                if (byteFallback) {
                    m.writeBool(35, true);
                }
            }));
            out.writeByteArray(3, message(m -> {
                m.writeString(1, normalizerName);
                if (charsmap) {
                    m.writeByteArray(2, new byte[] {1, 2, 3, 4}); // stands for a compiled map; saelab only checks presence
                }
                if (addDummyPrefix != null) {
                    m.writeBool(3, addDummyPrefix);
                    m.writeBool(4, removeExtraWhitespaces);
                    m.writeBool(5, escapeWhitespaces);
                }
            }));
        });
    }

    SentencePieceModel model() {
        return SentencePieceModel.parse(bytes(), "test model");
    }

    private interface Body {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] message(Body body) {
        try {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(buf);
            body.write(out);
            out.flush();
            return buf.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
