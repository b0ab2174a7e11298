package saelab.intervene;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.io.PrintStream;
import java.util.Locale;
import java.util.SplittableRandom;
import saelab.heads.Readout;
import saelab.model.ForwardBenchmark;
import saelab.model.VisionTower;
import saelab.sae.Sae;
import saelab.sae.SaeConfig;
import saelab.sae.SaeKind;
import saelab.store.TokenLayout;

/**
 * Edits per second of the spliced forward, on the fast path ({@link SpliceForm#DELTA}) and on the full
 * encode-overwrite-decode path ({@link SpliceForm#FULL}) in the same run, set up as the PyTorch reference script
 * {@code torch_intervene.py} of the project's benchmarks does: one image whose activations at the edit layer are
 * cached ({@code [1, tokens, width]}, standard normal), a ReLU SAE with random weights (encoder N(0, 1/d), encoder bias
 * N(−0.2, 0.1²), unit decoder rows, decoder bias N(0, 0.1²)), the remaining blocks of a DINOv2-shaped tower
 * ({@link ForwardBenchmark#syntheticDinov2}), its final LayerNorm and a linear per-patch head; each edit sets the
 * chosen latents on every patch token to −(i mod 10) and reads back the per-patch argmax. Two warm-up edits per path
 * precede the timed ones; the two paths alternate edit by edit, so that on a shared machine both see the same load.
 */
public final class InterventionBenchmark {

    /**
     * The benchmark's shape.
     *
     * @param width   model width D
     * @param heads   attention heads
     * @param tokens  tokens per image: CLS + a square grid of patches
     * @param dSae    SAE latents
     * @param rest    blocks after the edit layer
     * @param classes classes of the per-patch head
     * @param latents latents edited at once
     * @param edits   timed edits per path
     * @param threads libtorch intra-op threads (0: leave as is)
     * @param seed    seed of the random weights
     */
    public record Options(int width, int heads, int tokens, int dSae, int rest, int classes, int latents, int edits, int threads, long seed) {
        public Options {
            int grid = (int) Math.round(Math.sqrt(tokens - 1));
            if (tokens < 2 || grid * grid != tokens - 1) {
                throw new IllegalArgumentException("tokens is " + tokens + "; expected CLS + a square grid of patches (e.g. 257 = 1 + 16 x 16)");
            }
            if (width <= 0 || heads <= 0 || width % heads != 0 || dSae <= 0 || rest < 0 || classes <= 0 || edits <= 0 || threads < 0) {
                throw new IllegalArgumentException("need width, heads, d_sae, classes, edits > 0 with width a multiple of heads, rest >= 0 and"
                        + " threads >= 0; got width " + width + ", heads " + heads + ", d_sae " + dSae + ", rest " + rest + ", classes " + classes
                        + ", edits " + edits + ", threads " + threads);
            }
            if (latents <= 0 || latents > dSae) {
                throw new IllegalArgumentException("latents is " + latents + "; expected 1..d_sae (" + dSae + ")");
            }
        }

        /** Patches per side. */
        int grid() {
            return (int) Math.round(Math.sqrt(tokens - 1));
        }
    }

    /**
     * A measurement.
     *
     * @param deltaPerSecond edits/s on the fast path
     * @param fullPerSecond  edits/s on the full path
     */
    public record Result(double deltaPerSecond, double fullPerSecond) {
        /** How many times faster the fast path is. */
        public double speedUp() {
            return deltaPerSecond / fullPerSecond;
        }
    }

    private static final int PATCH = 14;

    private InterventionBenchmark() {}

    /** Runs the benchmark on the CPU, printing one line per path to {@code log}. */
    public static Result run(Options o, PrintStream log) {
        Engine.getInstance(); // loads libtorch before its thread count is touched
        int before = JniUtils.getNumThreads();
        if (o.threads() > 0) {
            JniUtils.setNumThreads(o.threads());
        }
        try (NDManager weights = NDManager.newBaseManager(Device.cpu()); NDManager nd = NDManager.newBaseManager(Device.cpu())) {
            int side = o.grid() * PATCH;
            // the edit layer is block 0; its own weights are never run (the prefix is given)
            VisionTower tower = ForwardBenchmark.syntheticDinov2(weights, o.width(), o.rest() + 1, o.heads(), PATCH, side, o.seed());
            Sae sae = randomSae(o, weights);
            NDArray head = weights.randomNormal(0f, (float) (1 / Math.sqrt(o.width())), new Shape(o.classes(), o.width()), DataType.FLOAT32);
            NDArray headBias = weights.zeros(new Shape(o.classes()));
            TokenLayout layout = tower.layout(side, side);
            Readout perPatch = (out, m) -> {
                NDArray patches = out.lastHiddenState().get(new NDIndex(":, " + layout.firstPatch() + ":, :"));
                return patches.matMul(head.transpose()).add(headBias);
            };
            NDArray prefix = nd.randomNormal(new Shape(1, o.tokens(), o.width()));
            int[] latents = new SplittableRandom(o.seed()).ints(0, o.dSae()).distinct().limit(o.latents()).toArray();
            try (EditSession session = EditSession.ofResidual(tower, sae, 0, prefix, layout, null)) {
                LatentEdit edit = new LatentEdit(0, EditTokens.allPatches(), latents, EditOperation.SET, new float[latents.length],
                        ErrorPolicy.KEEP);
                double[][] seconds = time(session, edit, perPatch, o.edits(), nd);
                double[] full = seconds[SpliceForm.FULL.ordinal()];
                double[] delta = seconds[SpliceForm.DELTA.ordinal()];
                log.printf(Locale.ROOT, "full (encode, overwrite, decode, add error) edits/s: %.2f  (median edit %.1f ms)%n", rate(full),
                        median(full) * 1e3);
                log.printf(Locale.ROOT, "delta (x + sum (v - f) W_dec) edits/s: %.2f  (median edit %.1f ms; %.1fx the full path)%n",
                        rate(delta), median(delta) * 1e3, rate(delta) / rate(full));
                return new Result(rate(delta), rate(full));
            } finally {
                sae.close();
            }
        } finally {
            if (o.threads() > 0) {
                JniUtils.setNumThreads(before);
            }
        }
    }

    /**
     * Seconds of each of {@code edits} timed edits per form, after two warm-up edits per form. The forms alternate edit by
     * edit, so that both see the same load on a shared machine.
     */
    private static double[][] time(EditSession session, LatentEdit edit, Readout head, int edits, NDManager nd) {
        double[][] seconds = new double[SpliceForm.values().length][edits];
        for (int i = -2; i < edits; i++) {
            LatentEdit e = edit.withAmounts(fill(edit, i < 0 ? -2f * (i + 2) : -(i % 10)));
            for (SpliceForm form : SpliceForm.values()) {
                long start = System.nanoTime();
                once(session, e, form, head, nd);
                if (i >= 0) {
                    seconds[form.ordinal()][i] = (System.nanoTime() - start) / 1e9;
                }
            }
        }
        return seconds;
    }

    /** Edits per second: count over total seconds, as the reference script reports. */
    private static double rate(double[] seconds) {
        return seconds.length / java.util.Arrays.stream(seconds).sum();
    }

    private static double median(double[] seconds) {
        double[] s = seconds.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static void once(EditSession session, LatentEdit edit, SpliceForm form, Readout head, NDManager nd) {
        try (NDManager step = nd.newSubManager()) {
            session.logits(edit, form, head, step).argMax(-1).toLongArray();
        }
    }

    private static float[] fill(LatentEdit edit, float value) {
        float[] a = new float[edit.latents().length];
        java.util.Arrays.fill(a, value);
        return a;
    }

    private static Sae randomSae(Options o, NDManager m) {
        return randomSae(o.width(), o.dSae(), m);
    }

    /**
     * A ReLU SAE of {@code f} latents on width {@code d} drawn as the reference script draws its own (see the class
     * comment), on {@code m}'s device; also the dashboards' benchmark's.
     */
    public static Sae randomSae(int d, int f, NDManager m) {
        try (NDManager draw = m.newSubManager()) {
            float[] encRows = draw.randomNormal(0f, (float) (1 / Math.sqrt(d)), new Shape(f, d), DataType.FLOAT32).toFloatArray();
            float[] bEnc = draw.randomNormal(-0.2f, 0.1f, new Shape(f), DataType.FLOAT32).toFloatArray();
            NDArray dec = draw.randomNormal(new Shape(f, d));
            float[] wDec = dec.div(dec.norm(new int[] {1}, true)).toFloatArray();
            float[] bDec = draw.randomNormal(0f, 0.1f, new Shape(d), DataType.FLOAT32).toFloatArray();
            SaeConfig cfg = SaeConfig.inference(SaeKind.RELU, d, f, 0, "centered");
            return Sae.of(cfg, m, encRows, bEnc, wDec, bDec);
        }
    }
}
