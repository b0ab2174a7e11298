package saelab.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The sampler: temperature 0 and top-k 1 are greedy, a seed fixes the draws, top-p keeps the smallest set of
 * most probable tokens reaching p (hand-computed), temperature reshapes the distribution, draws follow it.
 */
class SamplerTest {

    /** Logits whose softmax is {0.1, 0.5, 0.05, 0.2, 0.15}. */
    private static final float[] LOGITS = logits(0.1, 0.5, 0.05, 0.2, 0.15);

    private static float[] logits(double... p) {
        float[] l = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            l[i] = (float) Math.log(p[i]) + 3f; // any shift: softmax is shift-invariant
        }
        return l;
    }

    private static void assertDistribution(double[] want, double[] got) {
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-6, "p[" + i + "] of " + Arrays.toString(got));
        }
    }

    @Test
    void topPKeepsTheSmallestSetReachingP() {
        SamplingOptions t1 = SamplingOptions.sample(1, 0);
        assertDistribution(new double[] {0.1, 0.5, 0.05, 0.2, 0.15}, Sampler.distribution(LOGITS, t1));
        // p 0.75: 0.5 + 0.2 = 0.7 < 0.75, so 0.15 joins (0.85 >= 0.75); 0.1 and 0.05 go
        assertDistribution(new double[] {0, 0.5 / 0.85, 0, 0.2 / 0.85, 0.15 / 0.85}, Sampler.distribution(LOGITS, t1.withTopP(0.75)));
        // p 0.6: 0.5 < 0.6, so 0.2 joins (0.7 >= 0.6)
        assertDistribution(new double[] {0, 0.5 / 0.7, 0, 0.2 / 0.7, 0}, Sampler.distribution(LOGITS, t1.withTopP(0.6)));
        // p 0.4: the most probable token alone reaches it
        assertDistribution(new double[] {0, 1, 0, 0, 0}, Sampler.distribution(LOGITS, t1.withTopP(0.4)));
        // top-k 3 first (0.5, 0.2, 0.15 renormalised by 0.85), then top-p 0.8 on that: 0.5/0.85 = 0.588 < 0.8, 0.7/0.85 = 0.824 >= 0.8
        assertDistribution(new double[] {0, 0.5 / 0.7, 0, 0.2 / 0.7, 0}, Sampler.distribution(LOGITS, t1.withTopK(3).withTopP(0.8)));
    }

    @Test
    void temperatureDividesTheLogits() {
        // at temperature 2 the probabilities are proportional to sqrt(p)
        double[] sq = {Math.sqrt(0.1), Math.sqrt(0.5), Math.sqrt(0.05), Math.sqrt(0.2), Math.sqrt(0.15)};
        double z = Arrays.stream(sq).sum();
        assertDistribution(Arrays.stream(sq).map(x -> x / z).toArray(), Sampler.distribution(LOGITS, SamplingOptions.sample(2, 0)));
    }

    @Test
    void temperatureZeroAndTopKOneAreGreedy() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int trial = 0; trial < 50; trial++) {
            float[] l = new float[97];
            for (int i = 0; i < l.length; i++) {
                l[i] = (float) rnd.nextGaussian();
            }
            int best = Sampler.argmax(l);
            assertEquals(best, new Sampler(new SamplingOptions(0, 0, 1, trial), 1).next(0, l));
            assertEquals(best, new Sampler(new SamplingOptions(1.5, 1, 1, trial), 1).next(0, l));
        }
    }

    @Test
    void drawsFollowTheDistributionAndTheSeedFixesThem() {
        SamplingOptions o = SamplingOptions.sample(1, 42).withTopP(0.75);
        Sampler a = new Sampler(o, 1);
        Sampler b = new Sampler(o, 1);
        Sampler other = new Sampler(new SamplingOptions(1, 0, 0.75, 43), 1);
        int n = 20000;
        int[] counts = new int[5];
        boolean differs = false;
        for (int i = 0; i < n; i++) {
            int x = a.next(0, LOGITS);
            assertEquals(x, b.next(0, LOGITS), "same seed, draw " + i);
            differs |= x != other.next(0, LOGITS);
            counts[x]++;
        }
        assertFalse(!differs, "another seed gives other draws");
        double[] p = Sampler.distribution(LOGITS, o);
        for (int i = 0; i < 5; i++) {
            assertEquals(p[i], counts[i] / (double) n, 0.015, "frequency of token " + i);
        }
    }

    @Test
    void generationAtTemperatureZeroOrTopKOneIsGreedyAndASeedRepeats() throws IOException {
        try (LlavaTextFixture f = new LlavaTextFixture("llava_llama")) {
            long[][] mask = f.rows("attention_mask");
            GenerationOptions greedy = GenerationOptions.greedy(8);
            long[][] want = Generation.generate(f.lm, f.out("text.inputs_embeds"), mask, greedy).newIds();
            assertArrayEquals(f.out("generate.new_ids").toLongArray(), Arrays.stream(want).flatMapToLong(Arrays::stream).toArray());
            for (SamplingOptions s : new SamplingOptions[] {new SamplingOptions(0, 7, 0.5, 3), new SamplingOptions(1.3, 1, 1, 3)}) {
                long[][] got = Generation.generate(f.lm, f.out("text.inputs_embeds"), mask, greedy.withSampling(s)).newIds();
                assertArrayEquals(want, got, s.toString());
            }
            SamplingOptions hot = SamplingOptions.sample(1.5, 11);
            long[][] first = Generation.generate(f.lm, f.out("text.inputs_embeds"), mask, greedy.withSampling(hot)).newIds();
            long[][] again = Generation.generate(f.lm, f.out("text.inputs_embeds"), mask, greedy.withSampling(hot)).newIds();
            assertArrayEquals(first, again, "the same seed gives the same samples");
        }
    }

    @Test
    void outOfRangeOptionsAreRefused() {
        assertEquals("temperature is -1.0; expected 0 (greedy) or a positive number",
                assertThrows(IllegalArgumentException.class, () -> SamplingOptions.sample(-1, 0)).getMessage());
        assertEquals("top-p is 0.0; expected a probability in (0, 1]",
                assertThrows(IllegalArgumentException.class, () -> new SamplingOptions(1, 0, 0, 0)).getMessage());
        assertEquals("top-k is -2; expected 0 (off) or a positive count",
                assertThrows(IllegalArgumentException.class, () -> new SamplingOptions(1, -2, 1, 0)).getMessage());
    }
}
