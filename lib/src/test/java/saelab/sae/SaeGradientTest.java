package saelab.sae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks the hand-written gradients of both SAE kinds against central finite differences of an
 * independent double-precision forward pass written out below.
 */
class SaeGradientTest {

    private static final int D = 6;
    private static final int F = 10;
    private static final int B = 5;
    private static final int K = 3;
    private static final double H = 1e-3;
    /** No pre-activation within this of 0 (ReLU kink), and for TopK no k-th/(k+1)-th gap below it. */
    private static final double MARGIN = 1e-2;

    private static NDManager nd;

    @BeforeAll
    static void open() {
        nd = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        nd.close();
    }

    /** Parameters in the internal layout plus a batch, all in double (values representable as float). */
    private record Problem(double[] wEnc, double[] bEnc, double[] wDec, double[] bDec, double[] x) {

        double[][] params() {
            return new double[][] {wEnc, bEnc, wDec, bDec};
        }
    }

    /** Plain-Java reference of one forward pass; returns {loss, mse, l1 term, l0}. */
    private static double[] reference(Problem p, SaeKind kind, double l1) {
        double[] pre = preActivations(p);
        double[] codes = new double[B * F];
        for (int b = 0; b < B; b++) {
            if (kind == SaeKind.RELU) {
                for (int i = 0; i < F; i++) {
                    codes[b * F + i] = Math.max(0, pre[b * F + i]);
                }
            } else {
                for (int i : topIndices(pre, b)) {
                    codes[b * F + i] = Math.max(0, pre[b * F + i]);
                }
            }
        }
        double sse = 0;
        double sumCodes = 0;
        double active = 0;
        for (int b = 0; b < B; b++) {
            for (int c = 0; c < D; c++) {
                double xhat = p.bDec()[c];
                for (int i = 0; i < F; i++) {
                    xhat += codes[b * F + i] * p.wDec()[i * D + c];
                }
                double e = xhat - p.x()[b * D + c];
                sse += e * e;
            }
            for (int i = 0; i < F; i++) {
                sumCodes += codes[b * F + i];
                if (codes[b * F + i] > 0) {
                    active++;
                }
            }
        }
        double mse = sse / (B * D);
        double l1Term = sumCodes / B;
        double loss = kind == SaeKind.RELU ? mse + l1 * l1Term : mse;
        return new double[] {loss, mse, l1Term, active / B};
    }

    private static double[] preActivations(Problem p) {
        double[] pre = new double[B * F];
        for (int b = 0; b < B; b++) {
            for (int i = 0; i < F; i++) {
                double s = p.bEnc()[i];
                for (int c = 0; c < D; c++) {
                    s += (p.x()[b * D + c] - p.bDec()[c]) * p.wEnc()[i * D + c];
                }
                pre[b * F + i] = s;
            }
        }
        return pre;
    }

    /** Indices of the K largest pre-activations of row b (selection by repeated maximum). */
    private static int[] topIndices(double[] pre, int b) {
        int[] top = new int[K];
        boolean[] taken = new boolean[F];
        for (int j = 0; j < K; j++) {
            int best = -1;
            for (int i = 0; i < F; i++) {
                if (!taken[i] && (best < 0 || pre[b * F + i] > pre[b * F + best])) {
                    best = i;
                }
            }
            taken[best] = true;
            top[j] = best;
        }
        return top;
    }

    /** Row b's pre-activations sorted descending. */
    private static double[] sortedRow(double[] pre, int b) {
        double[] row = java.util.Arrays.copyOfRange(pre, b * F, (b + 1) * F);
        java.util.Arrays.sort(row);
        double[] desc = new double[F];
        for (int i = 0; i < F; i++) {
            desc[i] = row[F - 1 - i];
        }
        return desc;
    }

    /** True when no parameter perturbation of size H can cross a kink or reorder the top-k. */
    private static boolean wellConditioned(Problem p, SaeKind kind) {
        double[] pre = preActivations(p);
        for (double v : pre) {
            if (Math.abs(v) < MARGIN) {
                return false;
            }
        }
        if (kind == SaeKind.TOPK) {
            int kept = 0;
            for (int b = 0; b < B; b++) {
                double[] s = sortedRow(pre, b);
                if (s[K - 1] - s[K] < MARGIN) {
                    return false;
                }
                kept += s[K - 1] > 0 ? 1 : 0;
            }
            // the test is only meaningful when most kept codes are positive
            return kept >= B - 1;
        }
        // and for ReLU, some latents on and some off
        int on = 0;
        for (double v : pre) {
            on += v > 0 ? 1 : 0;
        }
        return on > B * F / 4 && on < 3 * B * F / 4;
    }

    private static double[] randomFloats(SplittableRandom rng, int n, double scale) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((rng.nextDouble() * 2 - 1) * scale);
        }
        return v;
    }

    /** The first seed from 1 whose draw is well conditioned (deterministic). */
    private static Problem problem(SaeKind kind) {
        for (long seed = 1; seed < 10_000; seed++) {
            SplittableRandom rng = new SplittableRandom(seed);
            Problem p = new Problem(randomFloats(rng, F * D, 0.8), randomFloats(rng, F, 0.2), randomFloats(rng, F * D, 0.5),
                    randomFloats(rng, D, 0.2), randomFloats(rng, B * D, 1.0));
            if (wellConditioned(p, kind)) {
                return p;
            }
        }
        throw new AssertionError("no well-conditioned problem found");
    }

    private static float[] toFloat(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    private static SaeConfig config(SaeKind kind, double l1) {
        return new SaeConfig(kind, D, F, l1, K, 1e-3, 0, "constant", 0, B, 10, 0, 0);
    }

    private static void check(SaeKind kind, double l1) {
        Problem p = problem(kind);
        SaeConfig cfg = config(kind, l1);
        try (NDManager scope = nd.newSubManager();
             Sae sae = Sae.of(cfg, scope, toFloat(p.wEnc()), toFloat(p.bEnc()), toFloat(p.wDec()), toFloat(p.bDec()))) {
            NDArray x = scope.create(toFloat(p.x()), new Shape(B, D));
            Sae.StepResult r = sae.forwardBackward(x, l1);
            double[] ref = reference(p, kind, l1);
            assertEquals(ref[0], r.loss(), 1e-5 * Math.max(1, Math.abs(ref[0])), "loss");
            assertEquals(ref[1], r.mse(), 1e-5 * Math.max(1, Math.abs(ref[1])), "mse");
            assertEquals(ref[2], r.l1(), 1e-5 * Math.max(1, Math.abs(ref[2])), "l1 term");
            assertEquals(ref[3], r.l0(), 1e-6, "l0");
            assertEquals(F, r.fired().length);
            if (kind == SaeKind.TOPK) {
                assertTrue(r.l0() <= K, "TopK keeps at most k latents per row: " + r.l0());
            }

            List<NDArray> grads = sae.gradients();
            String[] names = {"W_enc", "b_enc", "W_dec", "b_dec"};
            double[][] params = p.params();
            int checked = 0;
            int nonZero = 0;
            for (int t = 0; t < 4; t++) {
                assertEquals(new Shape(params[t].length == F * D ? new long[] {F, D} : new long[] {params[t].length}),
                        grads.get(t).getShape(), names[t] + " gradient shape");
                float[] g = grads.get(t).toFloatArray();
                for (int i = 0; i < params[t].length; i++) {
                    double saved = params[t][i];
                    params[t][i] = saved + H;
                    double up = reference(p, kind, l1)[0];
                    params[t][i] = saved - H;
                    double down = reference(p, kind, l1)[0];
                    params[t][i] = saved;
                    double numeric = (up - down) / (2 * H);
                    double tol = 1e-4 + 3e-3 * Math.abs(numeric);
                    assertEquals(numeric, g[i], tol, kind.id() + " l1=" + l1 + ": d loss / d " + names[t] + "[" + i + "]");
                    checked++;
                    nonZero += Math.abs(numeric) > 1e-3 ? 1 : 0;
                }
            }
            assertEquals(2 * F * D + F + D, checked);
            assertTrue(nonZero > checked / 4, "the check should exercise many non-zero gradients, got " + nonZero);
        }
    }

    @Test
    void reluGradientsMatchFiniteDifferencesWithoutL1() {
        check(SaeKind.RELU, 0);
    }

    @Test
    void reluGradientsMatchFiniteDifferencesWithL1() {
        check(SaeKind.RELU, 0.05);
    }

    @Test
    void topKGradientsMatchFiniteDifferences() {
        check(SaeKind.TOPK, 0);
    }

    @Test
    void gradientsAreOverwrittenNotAccumulated() {
        Problem p = problem(SaeKind.RELU);
        try (NDManager scope = nd.newSubManager();
             Sae sae = Sae.of(config(SaeKind.RELU, 0.01), scope, toFloat(p.wEnc()), toFloat(p.bEnc()), toFloat(p.wDec()),
                     toFloat(p.bDec()))) {
            NDArray x = scope.create(toFloat(p.x()), new Shape(B, D));
            sae.forwardBackward(x, 0.01);
            float[][] first = sae.gradients().stream().map(NDArray::toFloatArray).toArray(float[][]::new);
            sae.forwardBackward(x, 0.01);
            for (int t = 0; t < 4; t++) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(first[t], sae.gradients().get(t).toFloatArray(), 1e-7f);
            }
        }
    }

    @Test
    void topKCodesKeepTheLargestPreActivations() {
        Problem p = problem(SaeKind.TOPK);
        try (NDManager scope = nd.newSubManager();
             Sae sae = Sae.of(config(SaeKind.TOPK, 0), scope, toFloat(p.wEnc()), toFloat(p.bEnc()), toFloat(p.wDec()),
                     toFloat(p.bDec()))) {
            float[] codes = sae.encode(scope.create(toFloat(p.x()), new Shape(B, D))).toFloatArray();
            double[] pre = preActivations(p);
            for (int b = 0; b < B; b++) {
                boolean[] keep = new boolean[F];
                for (int i : topIndices(pre, b)) {
                    keep[i] = true;
                }
                for (int i = 0; i < F; i++) {
                    double want = keep[i] ? Math.max(0, pre[b * F + i]) : 0;
                    assertEquals(want, codes[b * F + i], 1e-5, "code [" + b + ", " + i + "]");
                }
            }
        }
    }
}
