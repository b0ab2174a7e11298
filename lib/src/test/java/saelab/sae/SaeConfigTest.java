package saelab.sae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import saelab.io.Json;

class SaeConfigTest {

    private static SaeConfig relu(double lr, int warmup, String schedule, double l1, int l1Warmup, long steps) {
        return SaeConfig.builder(SaeKind.RELU, 16, 64).l1(l1).lr(lr).warmupSteps(warmup)
                .schedule(schedule).l1WarmupSteps(l1Warmup).batchSize(32).steps(steps).build();
    }

    @Test
    void learningRateWarmsUpLinearly() {
        SaeConfig c = relu(1e-3, 10, "constant", 0, 0, 100);
        assertEquals(1e-4, c.lrAt(0), 1e-15);
        assertEquals(5e-4, c.lrAt(4), 1e-15);
        assertEquals(1e-3, c.lrAt(9), 1e-15);
        assertEquals(1e-3, c.lrAt(10), 1e-15);
        assertEquals(1e-3, c.lrAt(99), 1e-15);
        for (int s = 1; s < 10; s++) {
            assertTrue(c.lrAt(s) > c.lrAt(s - 1));
        }
        assertEquals(1e-3, relu(1e-3, 0, "constant", 0, 0, 100).lrAt(0), 0, "no warm-up");
    }

    @Test
    void cosineDecaysToAboutZeroAtTheLastStep() {
        long steps = 210;
        int warmup = 10;
        SaeConfig c = relu(2e-3, warmup, "cosine", 0, 0, steps);
        assertEquals(2e-3, c.lrAt(warmup - 1), 1e-15, "end of warm-up");
        assertEquals(2e-3, c.lrAt(warmup), 1e-15, "start of the decay");
        assertEquals(1e-3, c.lrAt(warmup + 100), 1e-12, "half way");
        assertTrue(c.lrAt(steps - 1) < 1e-3 * 2e-3, "last step " + c.lrAt(steps - 1));
        assertTrue(c.lrAt(steps - 1) >= 0);
        for (long s = warmup + 1; s < steps; s++) {
            assertTrue(c.lrAt(s) <= c.lrAt(s - 1), "non-increasing at " + s);
        }
        assertEquals(0, c.lrAt(steps), 1e-18);
    }

    @Test
    void l1WarmsUpLinearlyAndIsZeroForTopK() {
        SaeConfig c = relu(1e-3, 0, "constant", 0.4, 4, 100);
        assertEquals(0.1, c.l1At(0), 1e-12);
        assertEquals(0.2, c.l1At(1), 1e-12);
        assertEquals(0.4, c.l1At(3), 1e-12);
        assertEquals(0.4, c.l1At(50), 1e-12);
        assertEquals(0.4, relu(1e-3, 0, "constant", 0.4, 0, 100).l1At(0), 0);
        SaeConfig topk = SaeConfig.builder(SaeKind.TOPK, 16, 64).l1(0.4).k(8).lr(1e-3).l1WarmupSteps(4).batchSize(32).steps(100)
                .build();
        for (int s : new int[] {0, 3, 50}) {
            assertEquals(0, topk.l1At(s), 0);
        }
    }

    @Test
    void missingScheduleMeansConstant() {
        assertEquals("constant", relu(1e-3, 0, null, 0, 0, 10).schedule());
    }

    @Test
    void jsonRoundTripUsesSnakeCase() throws Exception {
        SaeConfig c = SaeConfig.builder(SaeKind.TOPK, 16, 64).k(8).lr(1e-3).warmupSteps(5).schedule("cosine").batchSize(32)
                .steps(100).gradClip(1.0).seed(7).build();
        String json = Json.mapper().writeValueAsString(c);
        assertTrue(json.contains("\"d_model\"") && json.contains("\"warmup_steps\"") && json.contains("\"batch_size\""), json);
        assertEquals(c, Json.mapper().readValue(json, SaeConfig.class));
    }

    private static void rejected(String fragment, Executable make) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make);
        assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' missing from: " + e.getMessage());
    }

    @Test
    void invalidConfigsAreRejectedWithMessages() {
        rejected("kind", () -> SaeConfig.builder(null, 16, 64).lr(1e-3).batchSize(32).steps(10).build());
        rejected("d_model", () -> SaeConfig.builder(SaeKind.RELU, 0, 64).lr(1e-3).batchSize(32).steps(10).build());
        rejected("d_sae", () -> SaeConfig.builder(SaeKind.RELU, 16, -1).lr(1e-3).batchSize(32).steps(10).build());
        rejected("k=0", () -> SaeConfig.builder(SaeKind.TOPK, 16, 64).lr(1e-3).batchSize(32).steps(10).build());
        rejected("k=65", () -> SaeConfig.builder(SaeKind.TOPK, 16, 64).k(65).lr(1e-3).batchSize(32).steps(10).build());
        rejected("l1", () -> SaeConfig.builder(SaeKind.RELU, 16, 64).l1(-1e-3).lr(1e-3).batchSize(32).steps(10).build());
        rejected("l1", () -> SaeConfig.builder(SaeKind.RELU, 16, 64).l1(Double.NaN).lr(1e-3).batchSize(32).steps(10).build());
        rejected("lr=0.0", () -> SaeConfig.builder(SaeKind.RELU, 16, 64).batchSize(32).steps(10).build());
        rejected("lr=NaN", () -> SaeConfig.builder(SaeKind.RELU, 16, 64).lr(Double.NaN).batchSize(32).steps(10).build());
        rejected("warmup=-1", () -> SaeConfig.builder(SaeKind.RELU, 16, 64).lr(1e-3).warmupSteps(-1).batchSize(32).steps(10)
                .build());
        rejected("l1 warmup=-2", () -> SaeConfig.builder(SaeKind.RELU, 16, 64).lr(1e-3).l1WarmupSteps(-2).batchSize(32)
                .steps(10).build());
        rejected("batch=0", () -> SaeConfig.builder(SaeKind.RELU, 16, 64).lr(1e-3).steps(10).build());
        rejected("steps=0", () -> SaeConfig.builder(SaeKind.RELU, 16, 64).lr(1e-3).batchSize(32).build());
        rejected("grad clip=-1", () -> SaeConfig.builder(SaeKind.RELU, 16, 64).lr(1e-3).batchSize(32).steps(10).gradClip(-1)
                .build());
        rejected("'linear'", () -> SaeConfig.builder(SaeKind.RELU, 16, 64).lr(1e-3).schedule("linear").batchSize(32).steps(10)
                .build());
        // a TopK SAE ignores l1, so a negative one is not its error
        SaeConfig.builder(SaeKind.TOPK, 16, 64).l1(-1).k(8).lr(1e-3).batchSize(32).steps(10).build();
    }

    @Test
    void kindParsesCaseInsensitively() {
        assertEquals(SaeKind.TOPK, SaeKind.parse(" TopK ", "--sae"));
        assertEquals("relu", SaeKind.RELU.id());
        assertEquals(SaeKind.BATCHTOPK, SaeKind.parse("batchtopk", "--sae"));
        assertEquals(SaeKind.JUMPRELU, SaeKind.parse("JumpReLU", "--sae"));
        rejected("--sae is 'gated'", () -> SaeKind.parse("gated", "--sae"));
    }
}
