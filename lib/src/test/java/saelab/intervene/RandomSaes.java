package saelab.intervene;

import ai.djl.ndarray.NDManager;
import java.util.SplittableRandom;
import saelab.sae.Sae;
import saelab.sae.SaeConfig;
import saelab.sae.SaeKind;

/** Random SAEs of every kind for the splice tests, initialised by {@link Sae#initialise} or drawn with set thresholds. */
final class RandomSaes {

    /** The cases: each kind, BatchTopK both before (batch selection) and after its threshold exists. */
    enum Case {
        RELU, RELU_RAW_INPUT, TOPK, BATCHTOPK_UNESTIMATED, BATCHTOPK, JUMPRELU, MATRYOSHKA_TOPK
    }

    private RandomSaes() {}

    static Sae of(Case c, int dModel, int dSae, NDManager nd) {
        return switch (c) {
            case RELU -> Sae.initialise(SaeConfig.builder(SaeKind.RELU, dModel, dSae).seed(1).build(), nd);
            case RELU_RAW_INPUT -> drawn(SaeConfig.builder(SaeKind.RELU, dModel, dSae).encoderInput("raw").seed(7).build(), nd, 0f, 0f);
            case TOPK -> Sae.initialise(SaeConfig.builder(SaeKind.TOPK, dModel, dSae).k(4).seed(2).build(), nd);
            case MATRYOSHKA_TOPK -> Sae.initialise(SaeConfig.builder(SaeKind.TOPK, dModel, dSae).k(6).matryoshka(java.util.List.of(dSae / 4))
                    .seed(3).build(), nd);
            case BATCHTOPK_UNESTIMATED -> Sae.initialise(SaeConfig.builder(SaeKind.BATCHTOPK, dModel, dSae).k(4).seed(4).build(), nd);
            case BATCHTOPK -> drawn(SaeConfig.builder(SaeKind.BATCHTOPK, dModel, dSae).k(4).seed(5).build(), nd, 0.3f, 0f);
            case JUMPRELU -> drawn(SaeConfig.builder(SaeKind.JUMPRELU, dModel, dSae).seed(6).build(), nd, 0.05f, 0.6f);
        };
    }

    /** Gaussian encoder rows (scale 1/sqrt(d)), unit decoder rows, small biases, thresholds in [lo, lo + spread). */
    static Sae drawn(SaeConfig cfg, NDManager nd, float lo, float spread) {
        int d = cfg.dModel();
        int f = cfg.dSae();
        SplittableRandom rng = new SplittableRandom(cfg.seed());
        float[] enc = new float[f * d];
        float[] dec = new float[f * d];
        for (int i = 0; i < enc.length; i++) {
            enc[i] = (float) (gaussian(rng) / Math.sqrt(d));
            dec[i] = (float) gaussian(rng);
        }
        for (int r = 0; r < f; r++) {
            double n = 0;
            for (int c = 0; c < d; c++) {
                n += dec[r * d + c] * dec[r * d + c];
            }
            for (int c = 0; c < d; c++) {
                dec[r * d + c] /= (float) Math.sqrt(n);
            }
        }
        float[] bEnc = new float[f];
        float[] bDec = new float[d];
        for (int i = 0; i < f; i++) {
            bEnc[i] = (float) (0.1 * gaussian(rng));
        }
        for (int i = 0; i < d; i++) {
            bDec[i] = (float) (0.1 * gaussian(rng));
        }
        float[] threshold = new float[f];
        for (int i = 0; i < f; i++) {
            threshold[i] = lo + (float) (spread * rng.nextDouble());
        }
        return Sae.of(cfg, nd, enc, bEnc, dec, bDec, cfg.kind().hasThreshold() ? threshold : null);
    }

    private static double gaussian(SplittableRandom rng) {
        return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
    }
}
