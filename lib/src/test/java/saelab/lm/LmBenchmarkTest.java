package saelab.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** The benchmark's synthetic model: Qwen2-0.5B's shape and parameter count, seeded weights, a tied head. */
class LmBenchmarkTest {

    @Test
    void theDefaultShapeIsQwen2HalfBillionWithItsParameterCount() {
        LmBenchmark.Options o = LmBenchmark.Options.qwen2Small();
        LmConfig c = o.config();
        assertEquals(LmConfig.Family.QWEN2, c.family());
        assertEquals(64, c.headDim());
        assertEquals(7, c.groups());
        assertTrue(c.tieWordEmbeddings() && c.qkvBias() && !c.outputBias() && !c.mlpBias());
        assertEquals(600, o.prompt());
        assertEquals(32, o.newTokens());
        // Qwen2-0.5B has 494,032,768 parameters (tied embedding counted once)
        assertEquals(494_032_768L, o.parameters());
    }

    @Test
    void randomWeightsHaveTheConfiguredShapesAreSeededAndTieTheHead() {
        LmConfig c = new LmBenchmark.Options(32, 2, 4, 2, 48, 50, 1e6, 12, 3, 1, 0).config();
        try (NDManager m = NDManager.newBaseManager()) {
            LmWeights a = LmBenchmark.randomWeights(c, m, 7);
            LmWeights b = LmBenchmark.randomWeights(c, m, 7);
            LmWeights other = LmBenchmark.randomWeights(c, m, 8);
            assertEquals(new Shape(50, 32), a.embedTokens().getShape());
            assertSame(a.embedTokens(), a.head());
            assertEquals(2, a.layers().size());
            LayerWeights l = a.layers().get(1);
            assertEquals(new Shape(32 + 2 * 2 * 8, 32), l.qkv().weight().getShape());
            assertEquals(new Shape(32 + 2 * 2 * 8), l.qkv().bias().getShape());
            assertEquals(new Shape(2 * 48, 32), l.gateUp().weight().getShape());
            assertEquals(new Shape(32, 48), l.down().weight().getShape());
            assertArrayEquals(a.layers().get(1).down().weight().toFloatArray(), b.layers().get(1).down().weight().toFloatArray());
            assertTrue(!a.embedTokens().contentEquals(other.embedTokens()));
        }
    }
}
