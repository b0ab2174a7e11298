package saelab.text;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-pair encoding of one pre-tokenized word, with a cache (Sennrich et al. 2016; the greedy merge loop of
 * OpenAI CLIP's and open_clip's {@code SimpleTokenizer.bpe}).
 *
 * <p>The word's UTF-8 bytes become symbols (the last one with {@code </w>}); then, repeatedly, the adjacent pair
 * with the lowest merge rank is found and every occurrence of it is merged, left to right without overlap, until
 * no adjacent pair has a rank. Works on vocabulary ids, which stand one-to-one for the reference's strings, so the
 * result is the reference's token sequence. Thread-safe.
 */
final class BpeEncoder {

    /** Entries kept before the cache is emptied; a bound so a long stream of distinct words cannot exhaust memory. */
    static final int CACHE_LIMIT = 1 << 18;

    private final BpeVocabulary vocab;
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

    BpeEncoder(BpeVocabulary vocab) {
        this.vocab = vocab;
    }

    /** Appends the ids of {@code word} (a pre-tokenized piece, not yet byte-mapped) to {@code out}. */
    void encode(String word, IntList out) {
        int[] ids = cache.get(word);
        if (ids == null) {
            ids = merge(word.getBytes(StandardCharsets.UTF_8));
            if (cache.size() >= CACHE_LIMIT) {
                cache.clear();
            }
            cache.put(word, ids);
        }
        out.addAll(ids);
    }

    /** Number of cached words (for tests). */
    int cacheSize() {
        return cache.size();
    }

    private int[] merge(byte[] bytes) {
        int n = bytes.length;
        if (n == 0) {
            return new int[0];
        }
        int[] word = new int[n];
        for (int i = 0; i < n - 1; i++) {
            word[i] = vocab.byteId(bytes[i]);
        }
        word[n - 1] = vocab.byteEndId(bytes[n - 1]);
        int[] next = new int[n];
        while (n > 1) {
            int best = -1;
            int at = -1;
            for (int i = 0; i + 1 < n; i++) {
                int r = vocab.rank(word[i], word[i + 1]);
                if (r >= 0 && (best < 0 || r < best)) {
                    best = r;
                    at = i;
                }
            }
            if (best < 0) {
                break;
            }
            // a rank belongs to exactly one pair (first, second); merge every occurrence of it
            int first = word[at];
            int second = word[at + 1];
            int merged = vocab.mergedId(best);
            int m = 0;
            for (int i = 0; i < n; ) {
                if (i + 1 < n && word[i] == first && word[i + 1] == second) {
                    next[m++] = merged;
                    i += 2;
                } else {
                    next[m++] = word[i++];
                }
            }
            int[] t = word;
            word = next;
            next = t;
            n = m;
        }
        return Arrays.copyOf(word, n);
    }
}
