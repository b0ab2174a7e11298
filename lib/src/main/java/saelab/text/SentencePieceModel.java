package saelab.text;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A SentencePiece model file ({@code spiece.model}): the pieces with their scores and types, and the settings that
 * encoding needs (Kudo &amp; Richardson 2018, "SentencePiece: A simple and language independent subword tokenizer";
 * the file is a protobuf {@code ModelProto} of {@code sentencepiece_model.proto}).
 *
 * <p>The protobuf wire format is read with protobuf-java's {@link CodedInputStream}, field by field, without
 * generated classes: {@code ModelProto} field 1 = repeated {@code SentencePiece} (1 piece string, 2 score float,
 * 3 type enum: 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte), field 2 = {@code TrainerSpec}
 * (3 model_type: 1 unigram; 24 treat_whitespace_as_suffix; 35 byte_fallback), field 3 = {@code NormalizerSpec}
 * (1 name, 2 precompiled_charsmap, 3 add_dummy_prefix, 4 remove_extra_whitespaces, 5 escape_whitespaces,
 * 6 normalization_rule_tsv). Other fields are skipped. Only unigram models without byte fallback are accepted.
 */
public final class SentencePieceModel {

    /** A piece's type ({@code ModelProto.SentencePiece.Type}). */
    public enum PieceType {
        NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE;

        static PieceType of(int value, String where) {
            return switch (value) {
                case 1 -> NORMAL;
                case 2 -> UNKNOWN;
                case 3 -> CONTROL;
                case 4 -> USER_DEFINED;
                case 5 -> UNUSED;
                case 6 -> BYTE;
                default -> throw new IllegalArgumentException(where + ": type is " + value + "; expected 1-6 (normal, unknown, control, user-defined, unused, byte)");
            };
        }
    }

    /** One vocabulary entry: its string (with U+2581 for spaces), log-probability score and type; its id is its index. */
    public record Piece(String piece, float score, PieceType type) {}

    /**
     * The normalizer settings ({@code NormalizerSpec}).
     *
     * @param name                   the rule set: "nmt_nfkc" (SentencePiece's default, also T5's and SigLIP's),
     *                               "nfkc", "identity", ...
     * @param hasPrecompiledCharsmap whether the file carries the compiled character map of that rule set
     * @param addDummyPrefix         whether a space is put in front of the text
     * @param removeExtraWhitespaces whether leading, trailing and repeated spaces are dropped
     * @param escapeWhitespaces      whether spaces become U+2581
     */
    public record NormalizerSpec(String name, boolean hasPrecompiledCharsmap, boolean addDummyPrefix,
                                 boolean removeExtraWhitespaces, boolean escapeWhitespaces) {}

    private final String source;
    private final List<Piece> pieces;
    private final NormalizerSpec normalizer;
    private final Map<String, Integer> ids = new HashMap<>();
    private final int unknownId;

    private SentencePieceModel(String source, List<Piece> pieces, NormalizerSpec normalizer) {
        this.source = source;
        this.pieces = List.copyOf(pieces);
        this.normalizer = normalizer;
        int unk = -1;
        for (int i = 0; i < pieces.size(); i++) {
            Piece p = pieces.get(i);
            if (p.piece().isEmpty()) {
                throw new IllegalArgumentException(source + ": piece " + i + " is empty; every piece needs a string");
            }
            if (ids.putIfAbsent(p.piece(), i) != null) {
                throw new IllegalArgumentException(source + ": piece " + i + " '" + p.piece() + "' is already defined as piece " + ids.get(p.piece()));
            }
            if (p.type() == PieceType.UNKNOWN) {
                if (unk >= 0) {
                    throw new IllegalArgumentException(source + ": pieces " + unk + " and " + i + " are both of type unknown; expected one");
                }
                unk = i;
            }
            if (p.type() == PieceType.BYTE) {
                throw new IllegalArgumentException(source + ": piece " + i + " is a byte piece; byte fallback is not supported");
            }
        }
        if (unk < 0) {
            throw new IllegalArgumentException(source + ": no piece has type unknown (2); expected one, such as <unk>");
        }
        this.unknownId = unk;
    }

    /**
     * Reads a model file.
     *
     * @throws IllegalArgumentException when the file is not a ModelProto, is not a unigram model, uses byte fallback
     *                                  or suffix whitespace, or has no unknown piece, an empty or a repeated piece
     * @throws UncheckedIOException     when the file is missing or unreadable
     */
    public static SentencePieceModel read(Path file) {
        try {
            return parse(Files.readAllBytes(file), file.toString());
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException("SentencePiece model " + file + " does not exist", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read SentencePiece model " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parses the bytes of a model file; {@code source} names it in errors. */
    public static SentencePieceModel parse(byte[] bytes, String source) {
        List<Piece> pieces = new ArrayList<>();
        NormalizerSpec normalizer = new NormalizerSpec("", false, true, true, true);
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.setSizeLimit(Integer.MAX_VALUE);
            for (int tag; (tag = in.readTag()) != 0; ) {
                switch (WireFormat.getTagFieldNumber(tag)) {
                    case 1 -> pieces.add(readPiece(bytes(in, tag, source, "pieces[" + pieces.size() + "]"), source, pieces.size()));
                    case 2 -> checkTrainer(bytes(in, tag, source, "trainer_spec"), source);
                    case 3 -> normalizer = readNormalizer(bytes(in, tag, source, "normalizer_spec"), source, normalizer);
                    default -> in.skipField(tag);
                }
            }
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException(source + ": not a SentencePiece model (protobuf ModelProto): " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(source + ": " + e.getMessage(), e);
        }
        if (pieces.isEmpty()) {
            throw new IllegalArgumentException(source + ": has no pieces (field 1); not a SentencePiece model");
        }
        return new SentencePieceModel(source, pieces, normalizer);
    }

    private static CodedInputStream bytes(CodedInputStream in, int tag, String source, String field) throws IOException {
        if (WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            throw new IllegalArgumentException(source + ": field " + field + " has protobuf wire type "
                    + WireFormat.getTagWireType(tag) + "; expected 2 (a message)");
        }
        return CodedInputStream.newInstance(in.readByteArray());
    }

    private static void expectWireType(int tag, int wireType, String source, String field) {
        if (WireFormat.getTagWireType(tag) != wireType) {
            throw new IllegalArgumentException(source + ": field " + field + " has protobuf wire type "
                    + WireFormat.getTagWireType(tag) + "; expected " + wireType);
        }
    }

    private static Piece readPiece(CodedInputStream in, String source, int index) throws IOException {
        String where = "pieces[" + index + "]";
        String piece = null;
        float score = 0f;
        int type = 1;
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> {
                    expectWireType(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED, source, where + ".piece");
                    piece = in.readStringRequireUtf8();
                }
                case 2 -> {
                    expectWireType(tag, WireFormat.WIRETYPE_FIXED32, source, where + ".score");
                    score = in.readFloat();
                }
                case 3 -> {
                    expectWireType(tag, WireFormat.WIRETYPE_VARINT, source, where + ".type");
                    type = in.readEnum();
                }
                default -> in.skipField(tag);
            }
        }
        if (piece == null) {
            throw new IllegalArgumentException(source + ": " + where + " has no piece string (field 1)");
        }
        return new Piece(piece, score, PieceType.of(type, source + ": " + where));
    }

    private static void checkTrainer(CodedInputStream in, String source) throws IOException {
        for (int tag; (tag = in.readTag()) != 0; ) {
            int field = WireFormat.getTagFieldNumber(tag);
            if (field == 3 || field == 24 || field == 35) {
                expectWireType(tag, WireFormat.WIRETYPE_VARINT, source, "trainer_spec." + field);
                long v = in.readInt64();
                if (field == 3 && v != 1) {
                    throw new IllegalArgumentException(source + ": trainer_spec.model_type is " + v
                            + "; expected 1 (unigram): BPE, word and char models are not supported");
                }
                if (field == 24 && v != 0) {
                    throw new IllegalArgumentException(source + ": trainer_spec.treat_whitespace_as_suffix is true; not supported");
                }
                if (field == 35 && v != 0) {
                    throw new IllegalArgumentException(source + ": trainer_spec.byte_fallback is true; not supported");
                }
            } else {
                in.skipField(tag);
            }
        }
    }

    private static NormalizerSpec readNormalizer(CodedInputStream in, String source, NormalizerSpec base) throws IOException {
        // later occurrences of an embedded message merge into earlier ones (protobuf rule), hence the base
        String name = base.name();
        boolean charsmap = base.hasPrecompiledCharsmap();
        boolean dummy = base.addDummyPrefix();
        boolean extra = base.removeExtraWhitespaces();
        boolean escape = base.escapeWhitespaces();
        for (int tag; (tag = in.readTag()) != 0; ) {
            int field = WireFormat.getTagFieldNumber(tag);
            switch (field) {
                case 1 -> {
                    expectWireType(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED, source, "normalizer_spec.name");
                    name = in.readStringRequireUtf8();
                }
                case 2 -> {
                    expectWireType(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED, source, "normalizer_spec.precompiled_charsmap");
                    charsmap = in.readBytes().size() > 0;
                }
                case 3, 4, 5 -> {
                    expectWireType(tag, WireFormat.WIRETYPE_VARINT, source, "normalizer_spec." + field);
                    boolean v = in.readBool();
                    if (field == 3) {
                        dummy = v;
                    } else if (field == 4) {
                        extra = v;
                    } else {
                        escape = v;
                    }
                }
                case 6 -> {
                    expectWireType(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED, source, "normalizer_spec.normalization_rule_tsv");
                    if (!in.readStringRequireUtf8().isEmpty()) {
                        throw new IllegalArgumentException(source + ": normalizer_spec.normalization_rule_tsv is set; custom rules are not supported");
                    }
                }
                default -> in.skipField(tag);
            }
        }
        return new NormalizerSpec(name, charsmap, dummy, extra, escape);
    }

    /** Where the model was read from. */
    public String source() {
        return source;
    }

    /** The pieces; a piece's id is its index. */
    public List<Piece> pieces() {
        return pieces;
    }

    /** Number of pieces (the vocabulary size). */
    public int size() {
        return pieces.size();
    }

    /** The normalizer settings. */
    public NormalizerSpec normalizer() {
        return normalizer;
    }

    /** The id of the unknown piece ({@code <unk>}, 2 in T5's and SigLIP's model). */
    public int unknownId() {
        return unknownId;
    }

    /** The id of a piece string, or -1. */
    public int id(String piece) {
        Integer id = ids.get(piece);
        return id == null ? -1 : id;
    }
}
