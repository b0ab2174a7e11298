package saelab.text;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Viterbi segmentation of a normalized text under a unigram language model: the split into vocabulary pieces with
 * the largest sum of piece scores (log-probabilities) (Kudo 2018, "Subword Regularization: Improving Neural Network
 * Translation Models with Multiple Subword Candidates"). Reproduces SentencePiece's default ("optimized") encoder,
 * {@code unigram_model.cc} {@code EncodeOptimized}, including its details:
 * <ul>
 *   <li>a position where no one-character piece exists gets an unknown node of one character, scored
 *       {@code min_score - 10} (the lowest normal score minus SentencePiece's {@code kUnkPenalty});</li>
 *   <li>user-defined pieces score {@code utf8_length * max_score - 0.1}; unused pieces never match; control and
 *       unknown pieces are not matched against text;</li>
 *   <li>path scores are summed as SentencePiece sums them (a piece score plus the float path score, in double,
 *       compared with the stored float), and on equal scores the path found first wins (shorter start first,
 *       then shorter piece);</li>
 *   <li>runs of unknown pieces are merged into one unknown id, as {@code SentencePieceProcessor} reports them.</li>
 * </ul>
 * Piece lookup is by substring in a hash map, trying lengths up to the longest piece; SentencePiece walks a trie,
 * which finds the same candidates in the same order. Thread-safe.
 */
final class UnigramSegmenter {

    /** SentencePiece's {@code kUnkPenalty}. */
    static final float UNKNOWN_PENALTY = 10f;

    private final Map<String, Integer> matchable = new HashMap<>();
    private final float[] scores;
    private final boolean[] userDefined;
    private final int maxChars;
    private final int unknownId;
    private final float unknownScore;
    private final float maxScore;

    UnigramSegmenter(SentencePieceModel model) {
        int n = model.size();
        scores = new float[n];
        userDefined = new boolean[n];
        float min = Float.MAX_VALUE;
        float max = Float.MIN_NORMAL; // SentencePiece starts from FLT_MIN, the smallest positive normal float
        for (SentencePieceModel.Piece p : model.pieces()) {
            if (p.type() == SentencePieceModel.PieceType.NORMAL) {
                min = Math.min(min, p.score());
                max = Math.max(max, p.score());
            }
        }
        int longest = 1;
        for (int id = 0; id < n; id++) {
            SentencePieceModel.Piece p = model.pieces().get(id);
            switch (p.type()) {
                case NORMAL -> scores[id] = p.score();
                case USER_DEFINED -> {
                    userDefined[id] = true;
                    scores[id] = p.score();
                }
                default -> {
                    continue;
                }
            }
            matchable.put(p.piece(), id);
            longest = Math.max(longest, p.piece().length());
        }
        this.maxChars = longest;
        this.unknownId = model.unknownId();
        this.unknownScore = min - UNKNOWN_PENALTY;
        this.maxScore = max;
    }

    /** The piece ids of a normalized text (see {@link SentencePieceNormalizer}); empty text gives no ids. */
    int[] segment(String text) {
        int n = text.length();
        if (n == 0) {
            return new int[0];
        }
        float[] best = new float[n + 1];
        int[] from = new int[n + 1];
        int[] id = new int[n + 1];
        Arrays.fill(from, -1);
        for (int start = 0; start < n; start = next(text, start)) {
            float here = best[start];
            int oneChar = next(text, start) - start;
            boolean hasSingle = false;
            for (int end = next(text, start); end <= n && end - start <= maxChars; end = end < n ? next(text, end) : n + 1) {
                Integer piece = matchable.get(text.substring(start, end));
                if (piece == null) {
                    continue;
                }
                double score = userDefined[piece] ? (double) (utf8Length(text, start, end) * maxScore) - 0.1 : scores[piece];
                double candidate = score + here;
                if (from[end] == -1 || candidate > best[end]) {
                    best[end] = (float) candidate;
                    from[end] = start;
                    id[end] = piece;
                }
                if (end - start == oneChar) {
                    hasSingle = true;
                }
            }
            if (!hasSingle) {
                int end = start + oneChar;
                float candidate = unknownScore + here;
                if (from[end] == -1 || candidate > best[end]) {
                    best[end] = candidate;
                    from[end] = start;
                    id[end] = unknownId;
                }
            }
        }
        IntList reversed = new IntList(16);
        for (int end = n; end > 0; end = from[end]) {
            reversed.add(id[end]);
        }
        int[] r = reversed.toArray();
        IntList out = new IntList(r.length);
        for (int i = r.length - 1; i >= 0; i--) {
            if (r[i] == unknownId && i + 1 < r.length && r[i + 1] == unknownId) {
                continue; // a run of unknown characters is one unknown piece
            }
            out.add(r[i]);
        }
        return out.toArray();
    }

    private static int next(String s, int i) {
        return i + Character.charCount(s.codePointAt(i));
    }

    private static int utf8Length(String s, int start, int end) {
        return s.substring(start, end).getBytes(StandardCharsets.UTF_8).length;
    }
}
