package saelab.text;

import java.util.Arrays;

/**
 * The BPE merge table as an open-addressing hash map from an id pair {@code (a, b)} to its rank. Written by hand
 * because a {@code HashMap<Long, Integer>} boxes every lookup and, worse, {@code Long.hashCode} of
 * {@code a << 32 | b} is {@code a ^ b}, which collides for many pairs; here the key is mixed with a 64-bit
 * multiplicative hash (Fibonacci hashing, Knuth TAOCP vol. 3, 6.4) and probed linearly. Read-only after
 * construction, so safe to share between threads.
 */
final class PairRanks {

    private final long[] keys;
    private final int[] ranks;
    private final int shift;

    /** A table sized for {@code expected} pairs (load factor at most 1/2). */
    PairRanks(int expected) {
        int capacity = Integer.highestOneBit(Math.max(4, expected) * 2 - 1) << 1;
        keys = new long[capacity];
        ranks = new int[capacity];
        Arrays.fill(ranks, -1);
        shift = 64 - Integer.numberOfTrailingZeros(capacity);
    }

    private int slot(long key) {
        return (int) ((key * 0x9E3779B97F4A7C15L) >>> shift);
    }

    /** Sets the rank of {@code (a, b)} (ids are non-negative), replacing an earlier one. */
    void put(int a, int b, int rank) {
        long key = BpeVocabulary.pairKey(a, b);
        int mask = keys.length - 1;
        int i = slot(key);
        while (ranks[i] >= 0 && keys[i] != key) {
            i = (i + 1) & mask;
        }
        keys[i] = key;
        ranks[i] = rank;
    }

    /** The rank of {@code (a, b)}, or -1 when the pair does not merge. */
    int get(int a, int b) {
        long key = BpeVocabulary.pairKey(a, b);
        int mask = keys.length - 1;
        int i = slot(key);
        while (ranks[i] >= 0) {
            if (keys[i] == key) {
                return ranks[i];
            }
            i = (i + 1) & mask;
        }
        return -1;
    }
}
