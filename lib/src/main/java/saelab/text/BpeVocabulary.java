package saelab.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * The vocabulary and merge table of CLIP's byte-level BPE (Sennrich et al. 2016, "Neural Machine Translation of
 * Rare Words with Subword Units"; the byte-level variant of GPT-2 as used by OpenAI CLIP), read either from
 * open_clip's {@code bpe_simple_vocab_16e6.txt.gz} or from Hugging Face's {@code vocab.json} + {@code merges.txt}.
 *
 * <p>Merges are stored in id space: the pair of ids {@code (a, b)} has a rank (its line among the merges; lower
 * merges first) and a result id. Both readers keep the first 48,894 merges (49152 - 256 - 2), as both
 * references do.
 */
final class BpeVocabulary {

    /** Merges kept by open_clip and Hugging Face: {@code 49152 - 256 - 2}. */
    static final int MERGES = 49152 - 256 - 2;
    /** The suffix marking the last symbol of a word. */
    static final String END_OF_WORD = "</w>";

    private final String source;
    private final Map<String, Integer> ids;
    private final int size;
    private final int[] byteIds = new int[256];
    private final int[] byteEndIds = new int[256];
    private final PairRanks pairRank;
    private final int[] mergedId;
    private final String startToken;
    private final String endToken;
    private final int startId;
    private final int endId;

    private BpeVocabulary(String source, Map<String, Integer> ids, List<String[]> merges, List<Integer> mergeLines,
                          String startToken, String endToken) {
        this.source = source;
        this.ids = ids;
        int max = -1;
        for (Map.Entry<String, Integer> e : ids.entrySet()) {
            if (e.getValue() == null || e.getValue() < 0) {
                throw new IllegalArgumentException(source + ": token '" + e.getKey() + "' has id " + e.getValue()
                        + "; expected a non-negative integer");
            }
            max = Math.max(max, e.getValue());
        }
        this.size = max + 1;
        for (int b = 0; b < 256; b++) {
            String c = String.valueOf(ByteUnicode.charOf(b));
            byteIds[b] = require(c, "the symbol of byte " + b);
            byteEndIds[b] = require(c + END_OF_WORD, "the word-final symbol of byte " + b);
        }
        this.pairRank = new PairRanks(merges.size());
        this.mergedId = new int[merges.size()];
        for (int rank = 0; rank < merges.size(); rank++) {
            String[] m = merges.get(rank);
            int a = lookup(m[0]);
            int b = lookup(m[1]);
            int merged = lookup(m[0] + m[1]);
            if (a < 0 || b < 0 || merged < 0) {
                String missing = a < 0 ? m[0] : (b < 0 ? m[1] : m[0] + m[1]);
                throw new IllegalArgumentException(source + ": the vocabulary lacks '" + missing + "', "
                        + (merged < 0 && a >= 0 && b >= 0 ? "the result" : "a part") + " of the merge on line "
                        + mergeLines.get(rank));
            }
            mergedId[rank] = merged;
            pairRank.put(a, b, rank); // a repeated pair keeps its last rank, as Python's dict(zip(...)) does
        }
        this.startToken = startToken;
        this.endToken = endToken;
        this.startId = require(startToken, "the start token");
        this.endId = require(endToken, "the end token");
    }

    private int lookup(String token) {
        Integer id = ids.get(token);
        return id == null ? -1 : id;
    }

    private int require(String token, String what) {
        Integer id = ids.get(token);
        if (id == null) {
            throw new IllegalArgumentException(source + ": the vocabulary lacks " + what + " ('" + token + "')");
        }
        return id;
    }

    /**
     * Reads open_clip's {@code bpe_simple_vocab_16e6.txt.gz}: line 0 is a header, lines 1..48894 are merges
     * "A B". The vocabulary is built as open_clip's {@code SimpleTokenizer} builds it: the 256 byte symbols in
     * {@link ByteUnicode} order, the same with {@code </w>}, each merge joined, then {@code <start_of_text>}
     * (49406) and {@code <end_of_text>} (49407).
     */
    static BpeVocabulary openClip(Path gz) {
        try (InputStream in = Files.newInputStream(gz)) {
            return openClip(in, gz.toString());
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException("BPE vocabulary " + gz + " does not exist", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read BPE vocabulary " + gz + ": " + e.getMessage(), e);
        }
    }

    /** {@link #openClip(Path)} from a stream; {@code source} names it in errors. */
    static BpeVocabulary openClip(InputStream gz, String source) throws IOException {
        String text;
        try (GZIPInputStream in = new GZIPInputStream(gz)) {
            text = utf8(in.readAllBytes(), source);
        } catch (ZipException | java.io.EOFException e) {
            throw new IllegalArgumentException(source + ": not a complete gzip file (" + e.getMessage() + ")", e);
        }
        String[] lines = text.split("\n", MERGES + 2); // the rest of the file is not used
        if (lines.length < MERGES + 1) {
            throw new IllegalArgumentException(source + ": has " + Math.max(0, lines.length - 1) + " merge lines after the header; expected at least "
                    + MERGES);
        }
        List<String[]> merges = new java.util.ArrayList<>(MERGES);
        List<Integer> lineNumbers = new java.util.ArrayList<>(MERGES);
        for (int i = 1; i <= MERGES; i++) {
            merges.add(mergeParts(lines[i], source, i + 1));
            lineNumbers.add(i + 1);
        }
        Map<String, Integer> ids = new HashMap<>(2 * (512 + MERGES + 2));
        int next = 0;
        for (int k = 0; k < 256; k++) {
            ids.put(String.valueOf(ByteUnicode.charOf(ByteUnicode.byteAt(k))), next++);
        }
        for (int k = 0; k < 256; k++) {
            ids.put(ByteUnicode.charOf(ByteUnicode.byteAt(k)) + END_OF_WORD, next++);
        }
        for (String[] m : merges) {
            ids.put(m[0] + m[1], next++);
        }
        ids.put(ClipTokenizer.Reference.OPEN_CLIP.startToken(), next++);
        ids.put(ClipTokenizer.Reference.OPEN_CLIP.endToken(), next);
        return new BpeVocabulary(source, ids, merges, lineNumbers, ClipTokenizer.Reference.OPEN_CLIP.startToken(),
                ClipTokenizer.Reference.OPEN_CLIP.endToken());
    }

    /**
     * Reads Hugging Face's {@code vocab.json} (token to id) and {@code merges.txt} (a {@code #version} header line,
     * then merges "A B"), keeping the first 48,894 merges as {@code CLIPTokenizer} does. The special tokens are
     * {@code <|startoftext|>} and {@code <|endoftext|>}.
     */
    static BpeVocabulary huggingFace(Path vocabJson, Path mergesTxt) {
        Map<String, Integer> ids;
        try {
            ids = new ObjectMapper().readValue(Files.readAllBytes(vocabJson), new TypeReference<LinkedHashMap<String, Integer>>() {});
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException("vocabulary " + vocabJson + " does not exist", e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(vocabJson + ": expected a JSON object of token to integer id: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read vocabulary " + vocabJson + ": " + e.getMessage(), e);
        }
        if (ids == null || ids.isEmpty()) {
            throw new IllegalArgumentException(vocabJson + ": is empty; expected a JSON object of token to integer id");
        }
        String text;
        try {
            text = utf8(Files.readAllBytes(mergesTxt), mergesTxt.toString()).strip();
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException("merges file " + mergesTxt + " does not exist", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read merges file " + mergesTxt + ": " + e.getMessage(), e);
        }
        String[] lines = text.split("\n", -1);
        if (!lines[0].startsWith("#")) {
            throw new IllegalArgumentException(mergesTxt + ": line 1 is '" + abbreviate(lines[0])
                    + "'; expected a '#version' header (Hugging Face skips the first line)");
        }
        int n = Math.min(MERGES, lines.length - 1);
        List<String[]> merges = new java.util.ArrayList<>(n);
        List<Integer> lineNumbers = new java.util.ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            merges.add(mergeParts(lines[i], mergesTxt.toString(), i + 1));
            lineNumbers.add(i + 1);
        }
        return new BpeVocabulary(vocabJson + " with " + mergesTxt, ids, merges, lineNumbers,
                ClipTokenizer.Reference.HUGGING_FACE.startToken(), ClipTokenizer.Reference.HUGGING_FACE.endToken());
    }

    /** The two symbols of a merge line, split at whitespace as Python's {@code str.split()} splits. */
    private static String[] mergeParts(String line, String source, int lineNumber) {
        int n = line.length();
        int a0 = 0;
        while (a0 < n && PyStrings.isSpace(line.charAt(a0))) {
            a0++;
        }
        int a1 = a0;
        while (a1 < n && !PyStrings.isSpace(line.charAt(a1))) {
            a1++;
        }
        int b0 = a1;
        while (b0 < n && PyStrings.isSpace(line.charAt(b0))) {
            b0++;
        }
        int b1 = b0;
        while (b1 < n && !PyStrings.isSpace(line.charAt(b1))) {
            b1++;
        }
        int rest = b1;
        while (rest < n && PyStrings.isSpace(line.charAt(rest))) {
            rest++;
        }
        if (a1 == a0 || b1 == b0 || rest != n) {
            throw new IllegalArgumentException(source + ": line " + lineNumber + " is '" + abbreviate(line)
                    + "'; expected a merge of two symbols separated by a space");
        }
        return new String[] {line.substring(a0, a1), line.substring(b0, b1)};
    }

    private static String utf8(byte[] bytes, String source) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(source + ": is not valid UTF-8 text", e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "...";
    }

    /** The key of the id pair {@code (a, b)} in the merge table. */
    static long pairKey(int a, int b) {
        return ((long) a << 32) | (b & 0xFFFFFFFFL);
    }

    /** Where the vocabulary was read from. */
    String source() {
        return source;
    }

    /** Number of ids: one more than the largest id. */
    int size() {
        return size;
    }

    /** The id of a vocabulary string, or -1. */
    int id(String token) {
        Integer id = ids.get(token);
        return id == null ? -1 : id;
    }

    /** Id of the symbol of byte {@code b} inside a word. */
    int byteId(int b) {
        return byteIds[b & 0xFF];
    }

    /** Id of the symbol of byte {@code b} ending a word ({@code </w>} appended). */
    int byteEndId(int b) {
        return byteEndIds[b & 0xFF];
    }

    /** Rank of merging ids {@code a} then {@code b}, or -1 when they do not merge. */
    int rank(int a, int b) {
        return pairRank.get(a, b);
    }

    /** Id of the symbol a merge of the given rank produces. */
    int mergedId(int rank) {
        return mergedId[rank];
    }

    /** Number of merges. */
    int mergeCount() {
        return mergedId.length;
    }

    /** The start token's spelling in this vocabulary. */
    String startToken() {
        return startToken;
    }

    /** The end token's spelling in this vocabulary. */
    String endToken() {
        return endToken;
    }

    int startId() {
        return startId;
    }

    int endId() {
        return endId;
    }
}
