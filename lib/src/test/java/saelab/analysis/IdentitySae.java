package saelab.analysis;

import ai.djl.ndarray.NDManager;
import saelab.sae.Sae;
import saelab.sae.SaeConfig;
import saelab.sae.SaeKind;

/** Test SAEs whose codes are the activations themselves: ReLU, W_enc = W_dec = I, zero biases, raw encoder input. */
final class IdentitySae {

    private IdentitySae() {}

    /** The identity ReLU SAE of width {@code d} on {@code nd}: latent i is max(0, x_i). */
    static Sae of(int d, NDManager nd) {
        float[] eye = new float[d * d];
        for (int i = 0; i < d; i++) {
            eye[i * d + i] = 1f;
        }
        return Sae.of(SaeConfig.inference(SaeKind.RELU, d, d, 0, "raw"), nd, eye, new float[d], eye.clone(), new float[d]);
    }
}
