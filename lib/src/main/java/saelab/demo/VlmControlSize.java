package saelab.demo;

/**
 * The sizes of the demo's VLM control step ({@link VlmControlStep}): how many held-out scenes are asked about per family,
 * the draws of each random control, the bootstrap and the frequency tolerance of the random-latent control.
 *
 * @param scenes    the first held-out scenes asked about, per family (each gives at most one colour and one shape question,
 *                  only where the answer is unique)
 * @param draws     draws of each random control (frequency-matched latents, norm-matched directions)
 * @param bootstrap cluster-bootstrap replicates
 * @param tolerance frequency matching tolerance of the random-latent control, in decades
 * @param maxTokens the most tokens of an answer (the toy answers are one word and a stop token)
 */
public record VlmControlSize(int scenes, int draws, int bootstrap, double tolerance, int maxTokens) {

    public VlmControlSize {
        if (scenes < 1 || draws < 1 || bootstrap < 1 || !(tolerance > 0) || maxTokens < 1) {
            throw new IllegalArgumentException("VLM control size: need positive scenes, draws, bootstrap, tolerance and max tokens; got "
                    + scenes + ", " + draws + ", " + bootstrap + ", " + tolerance + ", " + maxTokens);
        }
    }
}
