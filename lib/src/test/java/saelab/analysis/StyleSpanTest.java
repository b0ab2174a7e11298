package saelab.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link StyleSpan} on planted inputs: top examples of one style give 0, top examples spread evenly over every style
 * give 1; the null is the mean over random draws from the concept's pool (a pool of one style gives 0, a pool of two
 * styles in equal parts drawn two at a time gives the exact expectation); bad inputs are one sentence.
 */
class StyleSpanTest {

    private static int[] repeat(int[] pattern, int times) {
        int[] out = new int[pattern.length * times];
        for (int i = 0; i < out.length; i++) {
            out[i] = pattern[i % pattern.length];
        }
        return out;
    }

    @Test
    void oneStyleIsZeroAndEveryStyleInEqualPartsIsOne() {
        int[] pool = repeat(new int[] {0, 1, 2, 3}, 50);
        StyleSpan.Span one = StyleSpan.of(new int[] {2, 2, 2, 2, 2, 2, 2, 2}, pool, 4, 200, new Random(1));
        assertEquals(0.0, one.entropy(), 1e-12);
        assertEquals(1, one.distinct());
        StyleSpan.Span all = StyleSpan.of(repeat(new int[] {0, 1, 2, 3}, 2), pool, 4, 200, new Random(1));
        assertEquals(1.0, all.entropy(), 1e-12);
        assertEquals(4, all.distinct());
        assertEquals(8, all.examples());
        // half and half over two of four styles: ln 2 / ln 4
        assertEquals(0.5, StyleSpan.of(new int[] {0, 1, 0, 1}, pool, 4, 10, new Random(1)).entropy(), 1e-12);
        assertTrue(one.excess() < -0.5 && Math.abs(all.excess()) < 0.35, one + " " + all);
    }

    @Test
    void theNullIsTheMeanOverDrawsFromTheConceptsPool() {
        // a concept seen in one style only: any draw is one style, so a one-style latent is not below its null
        StyleSpan.Span single = StyleSpan.of(new int[] {3, 3, 3}, new int[] {3, 3, 3, 3, 3}, 4, 50, new Random(2));
        assertEquals(0.0, single.nullEntropy(), 1e-12);
        assertEquals(1.0, single.nullDistinct(), 1e-12);
        assertEquals(0.0, single.excess(), 1e-12);
        // pool {0, 0, 1, 1}, two drawn without replacement: P(different) = 4/6, then entropy ln2/ln4 = 0.5 and 2 styles
        StyleSpan.Span two = StyleSpan.of(new int[] {0, 0}, new int[] {0, 0, 1, 1}, 4, 200_000, new Random(3));
        assertEquals(2.0 / 3 * 0.5, two.nullEntropy(), 0.005);
        assertEquals(1 + 2.0 / 3, two.nullDistinct(), 0.005);
        // the whole pool drawn: the null is the pool's own entropy, exactly
        StyleSpan.Span whole = StyleSpan.of(new int[] {0, 0, 0, 0}, new int[] {0, 1, 2, 3}, 4, 5, new Random(4));
        assertEquals(1.0, whole.nullEntropy(), 1e-12);
    }

    @Test
    void badInputsAreOneSentence() {
        int[] pool = {0, 1, 2, 3};
        assertEquals("style span: top example 1 has style 4; expected 0..3",
                assertThrows(IllegalArgumentException.class, () -> StyleSpan.of(new int[] {0, 4}, pool, 4, 5, new Random(0))).getMessage());
        assertEquals("style span: concept example 0 has style -1; expected 0..3",
                assertThrows(IllegalArgumentException.class, () -> StyleSpan.of(new int[] {0}, new int[] {-1, 0}, 4, 5, new Random(0)))
                        .getMessage());
        assertEquals("style span: no top examples; expected at least one",
                assertThrows(IllegalArgumentException.class, () -> StyleSpan.of(new int[0], pool, 4, 5, new Random(0))).getMessage());
        assertEquals("style span: the concept has 4 examples, fewer than the 5 top examples; expected a pool at least as large",
                assertThrows(IllegalArgumentException.class, () -> StyleSpan.of(new int[5], pool, 4, 5, new Random(0))).getMessage());
        assertEquals("style span: 1 styles; expected at least 2",
                assertThrows(IllegalArgumentException.class, () -> StyleSpan.of(new int[] {0}, pool, 1, 5, new Random(0))).getMessage());
        assertEquals("style span: 0 null draws; expected at least 1",
                assertThrows(IllegalArgumentException.class, () -> StyleSpan.of(new int[] {0}, pool, 4, 0, new Random(0))).getMessage());
    }
}
