package saelab.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The shared Fisher-Yates shuffle: a permutation, replayable from the generator's seed, and uniform. */
class PermutationsTest {

    @Test
    void everyIndexOnceAndTheSameOrderForTheSameSeed() {
        for (int n : new int[] {0, 1, 2, 17, 1000}) {
            int[] order = Permutations.shuffled(n, new SplittableRandom(42));
            assertArrayEquals(IntStream.range(0, n).toArray(), Arrays.stream(order).sorted().toArray(), "n = " + n);
            assertArrayEquals(order, Permutations.shuffled(n, new SplittableRandom(42)), "n = " + n);
        }
        assertFalse(Arrays.equals(Permutations.shuffled(1000, new SplittableRandom(1)),
                Permutations.shuffled(1000, new SplittableRandom(2))));
    }

    @Test
    void drawsNMinusOneValuesSoAResumedGeneratorContinuesTheSameStream() {
        SplittableRandom a = new SplittableRandom(7);
        Permutations.shuffled(50, a);
        SplittableRandom b = new SplittableRandom(7);
        for (int i = 49; i > 0; i--) {
            b.nextInt(i + 1);
        }
        assertEquals(b.nextLong(), a.nextLong());
    }

    @Test
    void allOrdersOfThreeAreAboutEquallyLikely() {
        SplittableRandom rng = new SplittableRandom(3);
        Map<String, Integer> counts = new HashMap<>();
        int draws = 60_000;
        for (int i = 0; i < draws; i++) {
            counts.merge(Arrays.toString(Permutations.shuffled(3, rng)), 1, Integer::sum);
        }
        assertEquals(6, counts.size());
        for (int c : counts.values()) {
            // expected 10,000 each; 5 standard deviations is about 450
            assertTrue(Math.abs(c - draws / 6) < 500, counts.toString());
        }
    }
}
