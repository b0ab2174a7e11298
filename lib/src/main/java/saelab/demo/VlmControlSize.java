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

    /** A dozen scenes, one draw of each control: the plumbing in seconds (the quick SAE's few live latents: a whole decade). */
    public static VlmControlSize quick() {
        return new VlmControlSize(12, 1, 200, 1.0, 4);
    }

    /**
     * The default, sized by time alone to keep the step within about 45 s on the project's 2-core machine: 40 held-out
     * scenes per family (about 34 colour and 34 shape questions), two draws of each control, 1,000 bootstrap replicates, the
     * image protocol's 0.3-decade frequency tolerance. One question costs one batch of 2 + 2 x 5 greedy answers. (A first
     * try of 48 scenes and three draws took 33 s for the colour family alone, 41 questions at 1.2 questions/s, under the load
     * of other jobs.)
     */
    public static VlmControlSize demo() {
        return new VlmControlSize(40, 2, 1000, 0.3, 4);
    }
}
