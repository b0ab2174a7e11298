package saelab.sae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The two implementations of the TopK and BatchTopK gradients (the sparse CPU kernels of
 * {@link SparseKernels} and the dense NDArray path that runs on every device) must agree, on problems
 * larger than the finite-difference checks of {@link SaeGradientTest} can afford (more latents than
 * threads, several rows per latent, AuxK with many dead latents): same loss, MSE, L1 and L0 terms,
 * AuxK MSE, fired set and gradients, and for BatchTopK the same threshold estimate, over a few
 * optimiser steps (both SAEs take the same update, so they stay identical and the threshold's moving
 * average is exercised). Gradients are compared to 1e-5 of the tensor's largest entry (float32
 * sums in different orders). Also checks that inference codes use the learned thresholds
 * (BatchTopK after training steps, JumpReLU).
 */
class SparseDenseAgreementTest {

    private static final int D = 24;
    private static final int F = 96;
    private static final int B = 64;
    private static final int K = 6;
    private static final int AUX_K = 8;
    private static final int STEPS = 3;
    private static final float LR = 0.05f;

    private static NDManager nd;

    @BeforeAll
    static void open() {
        nd = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        nd.close();
    }

    /** Latents 0, 3, 6, … count as dead. */
    private static boolean[] dead() {
        boolean[] m = new boolean[F];
        for (int i = 0; i < F; i += 3) {
            m[i] = true;
        }
        return m;
    }

    private static float[] uniform(SplittableRandom rng, int n, double bound) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        }
        return v;
    }

    /** Random parameters (non-zero b_dec, so centred and raw encoder inputs differ), fixed seed. */
    private static Sae randomSae(SaeConfig cfg, NDManager scope, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] wEnc = uniform(rng, F * D, Math.sqrt(6.0 / F));
        float[] bEnc = uniform(rng, F, 0.05);
        float[] wDec = uniform(rng, F * D, Math.sqrt(6.0 / D));
        float[] bDec = uniform(rng, D, 0.3);
        float[] threshold = null;
        if (cfg.kind() == SaeKind.BATCHTOPK) {
            threshold = new float[F];
            Arrays.fill(threshold, Float.NaN);
        } else if (cfg.kind() == SaeKind.JUMPRELU) {
            threshold = new float[F];
            for (int i = 0; i < F; i++) {
                threshold[i] = (float) (0.05 + 0.3 * rng.nextDouble());
            }
        }
        Sae sae = Sae.of(cfg, scope, wEnc, bEnc, wDec, bDec, threshold);
        sae.normalizeDecoder();
        return sae;
    }

    private static SaeConfig config(SaeKind kind, boolean centered, boolean matryoshka, boolean aux) {
        SaeConfig c = SaeConfig.builder(kind, D, F).k(K).lr(1e-3).batchSize(B).steps(10)
                .encoderInput(centered ? "centered" : "raw").normalizeInput(false).geometricMedianInit(false).build();
        if (matryoshka) {
            c = c.toBuilder().matryoshka(List.of(16, 48)).build();
        }
        if (aux) {
            c = c.toBuilder().auxK(AUX_K).auxCoeff(SaeConfig.DEFAULT_AUX_COEFF).deadTokens(1000).build();
        }
        return c;
    }

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> s = Stream.builder();
        for (SaeKind kind : List.of(SaeKind.TOPK, SaeKind.BATCHTOPK)) {
            s.add(Arguments.of(kind, true, false, false));
            s.add(Arguments.of(kind, false, false, false));
            s.add(Arguments.of(kind, true, true, false));
            s.add(Arguments.of(kind, true, false, true));
            s.add(Arguments.of(kind, true, true, true));
            s.add(Arguments.of(kind, false, true, true));
        }
        return s.build();
    }

    private static void assertClose(double expected, double actual, String what) {
        assertEquals(expected, actual, 1e-5 * Math.max(1e-3, Math.abs(expected)), what);
    }

    @ParameterizedTest(name = "{0} centred={1} matryoshka={2} auxk={3}")
    @MethodSource("cases")
    void sparseAndDensePathsAgree(SaeKind kind, boolean centered, boolean matryoshka, boolean aux) {
        SaeConfig cfg = config(kind, centered, matryoshka, aux);
        boolean[] dead = aux ? dead() : null;
        SplittableRandom data = new SplittableRandom(7);
        try (NDManager scope = nd.newSubManager(); Sae sparse = randomSae(cfg, scope, 42); Sae dense = randomSae(cfg, scope, 42)) {
            dense.useDenseMath(true);
            for (int step = 0; step < STEPS; step++) {
                String at = "step " + step + ": ";
                NDArray x = scope.create(uniform(data, B * D, 1.0), new Shape(B, D));
                Sae.StepResult s = sparse.forwardBackward(x, 0, dead);
                Sae.StepResult d = dense.forwardBackward(x, 0, dead);
                assertClose(d.loss(), s.loss(), at + "loss");
                assertClose(d.mse(), s.mse(), at + "mse");
                assertClose(d.l1(), s.l1(), at + "l1 term");
                assertEquals(d.l0(), s.l0(), 1e-9, at + "l0");
                assertClose(d.aux(), s.aux(), at + "aux mse");
                assertArrayEquals(d.fired(), s.fired(), at + "fired latents");
                if (aux) {
                    assertTrue(s.aux() > 0, "AuxK term present");
                }
                if (kind == SaeKind.TOPK) {
                    assertEquals(K, s.l0(), 1e-9, "this problem has at least k positive pre-activations per row");
                } else {
                    assertTrue(!Double.isNaN(sparse.batchThreshold) && sparse.batchThreshold > 0, "threshold estimated");
                    assertEquals(dense.batchThreshold, sparse.batchThreshold, 1e-6 * dense.batchThreshold, at + "threshold");
                }
                String[] names = {"W_enc", "b_enc", "W_dec", "b_dec"};
                float[][] sparseGrads = new float[4][];
                for (int t = 0; t < 4; t++) {
                    float[] gs = sparse.gradients().get(t).toFloatArray();
                    float[] gd = dense.gradients().get(t).toFloatArray();
                    double max = 0;
                    for (float v : gd) {
                        max = Math.max(max, Math.abs(v));
                    }
                    assertTrue(max > 0, names[t] + " gradient is not all zero");
                    for (int i = 0; i < gd.length; i++) {
                        assertEquals(gd[i], gs[i], 1e-5 * max, at + "d loss / d " + names[t] + "[" + i + "]");
                    }
                    sparseGrads[t] = gs;
                }
                // the same SGD step on both (from the sparse gradients), so the SAEs stay identical
                for (Sae sae : List.of(sparse, dense)) {
                    for (int t = 0; t < 4; t++) {
                        NDArray p = sae.params().get(t);
                        float[] v = p.toFloatArray();
                        for (int i = 0; i < v.length; i++) {
                            v[i] -= LR * sparseGrads[t][i];
                        }
                        p.set(FloatBuffer.wrap(v));
                    }
                }
                x.close();
            }
        }
    }

    /** Pre-activations in double from the SAE's current parameters. */
    private static double[] preActivations(Sae sae, float[] x, int rows) {
        float[] wEnc = sae.wEnc.toFloatArray();
        float[] bEnc = sae.bEnc.toFloatArray();
        float[] bDec = sae.bDec.toFloatArray();
        boolean centered = sae.config().centered();
        double[] pre = new double[rows * F];
        for (int b = 0; b < rows; b++) {
            for (int i = 0; i < F; i++) {
                double s = bEnc[i];
                for (int c = 0; c < D; c++) {
                    s += ((double) x[b * D + c] - (centered ? bDec[c] : 0)) * wEnc[i * D + c];
                }
                pre[b * F + i] = s;
            }
        }
        return pre;
    }

    /**
     * Codes must be pre where pre &gt; θ_i, else 0; entries within 1e-4 of θ (float rounding of pre)
     * are skipped. Both outcomes must occur.
     */
    private static void assertThresholdCodes(float[] codes, double[] pre, double[] theta, String what) {
        int on = 0;
        int off = 0;
        for (int q = 0; q < pre.length; q++) {
            double t = theta[q % F];
            if (Math.abs(pre[q] - t) < 1e-4) {
                continue;
            }
            if (pre[q] > t) {
                assertEquals(pre[q], codes[q], 1e-4, what + " code " + q + " above threshold");
                on++;
            } else {
                // == rather than assertEquals: pre · 0 is −0.0 for negative pre, equal to 0 but not bitwise
                assertTrue(codes[q] == 0f, what + " code " + q + " below threshold: " + codes[q]);
                off++;
            }
        }
        assertTrue(on > 0 && off > on, what + ": " + on + " codes on, " + off + " off");
    }

    @ParameterizedTest(name = "dense math {0}")
    @ValueSource(booleans = {false, true})
    void batchTopKEncodeUsesTheLearnedThreshold(boolean denseMath) {
        SaeConfig cfg = config(SaeKind.BATCHTOPK, true, false, false);
        SplittableRandom data = new SplittableRandom(11);
        try (NDManager scope = nd.newSubManager(); Sae sae = randomSae(cfg, scope, 5)) {
            sae.useDenseMath(denseMath);
            for (int step = 0; step < 2; step++) {
                sae.forwardBackward(scope.create(uniform(data, B * D, 1.0), new Shape(B, D)), 0);
            }
            double theta = sae.batchThreshold;
            assertTrue(theta > 0, "threshold estimated: " + theta);
            float[] reported = sae.threshold();
            assertEquals(F, reported.length);
            for (float t : reported) {
                assertEquals((float) theta, t);
            }
            float[] x = uniform(data, B * D, 1.0);
            float[] codes = sae.encode(scope.create(x, new Shape(B, D))).toFloatArray();
            double[] thetas = new double[F];
            Arrays.fill(thetas, theta);
            assertThresholdCodes(codes, preActivations(sae, x, B), thetas, "batchtopk");
        }
    }

    @Test
    void jumpReluEncodeUsesTheThresholds() {
        SaeConfig cfg = SaeConfig.builder(SaeKind.JUMPRELU, D, F).l1(0.01).lr(1e-3).batchSize(B).steps(10)
                .encoderInput("raw").normalizeInput(false).geometricMedianInit(false).bandwidth(0.01).initThreshold(0.1).build();
        try (NDManager scope = nd.newSubManager(); Sae sae = randomSae(cfg, scope, 9)) {
            float[] x = uniform(new SplittableRandom(13), B * D, 1.0);
            float[] codes = sae.encode(scope.create(x, new Shape(B, D))).toFloatArray();
            float[] logTheta = sae.logThreshold.toFloatArray();
            double[] theta = new double[F];
            for (int i = 0; i < F; i++) {
                theta[i] = Math.exp(logTheta[i]);
            }
            assertThresholdCodes(codes, preActivations(sae, x, B), theta, "jumprelu");
        }
    }
}
