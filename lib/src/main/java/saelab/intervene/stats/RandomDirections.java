package saelab.intervene.stats;

import java.util.SplittableRandom;

/**
 * The random-direction control: an edit with the real edit's per-token norm and a uniformly random direction,
 * Δx_rand,t = ‖Δx_t‖ · u, which rules out "any edit of that size would have done it". A uniform direction on the
 * unit sphere of ℝ^d is a standard Gaussian vector divided by its norm (Muller 1959, "A note on a method for
 * generating points uniformly on n-dimensional spheres"); Gaussians from {@link SplittableRandom}, in double,
 * normalised in double, then scaled and rounded to float once, so each token's norm equals the requested one to
 * float rounding.
 *
 * <p><b>Sharing</b> ({@link Sharing}). The real edit of a latent moves every edited token of an image along the same
 * decoder row (x' = x + Σᵢ (vᵢ − fᵢ(x)) · W_dec[i]), a rank-one, coherent change. {@link Sharing#PER_IMAGE}, the
 * default, keeps that structure and changes only the direction: one u per image (and draw) shared by all tokens,
 * so the control differs from the real edit in nothing but where it points. {@link Sharing#PER_TOKEN} draws an
 * independent u_t for every token, an incoherent edit whose effects partly cancel through attention, and so a
 * weaker (easier to beat) control; it is offered for comparison. In high dimension a random u is nearly orthogonal
 * to any fixed vector (E[(u·v)²] = 1/d for unit v), so it almost never points along a concept by chance.
 *
 * <p>A signed amount moves its token along −u, so a caller that passes the real edit's signed coefficients along a
 * single decoder row keeps the real edit's sign pattern; passing norms (≥ 0) gives the plain control. Seeds per
 * image and draw come from {@link #seedFor}, so an image's control does not depend on the order images are
 * processed. Memory: the output [tokens · d] floats.
 */
public final class RandomDirections {

    /** How the random direction is shared among an image's tokens. */
    public enum Sharing {
        /** One direction per image and draw, shared by all of its tokens (the default). */
        PER_IMAGE,
        /** An independent direction for every token. */
        PER_TOKEN
    }

    private RandomDirections() {}

    /**
     * The random-direction edit of one image.
     *
     * @param amounts ‖Δx_t‖ of the real edit per token (or signed amounts), finite
     * @param dModel  d, the width of the activations
     * @param sharing one direction for the image, or one per token
     * @param seed    seed of the directions (see {@link #seedFor})
     * @return Δx_rand [tokens · dModel]
     */
    public static float[] edit(float[] amounts, int dModel, Sharing sharing, long seed) {
        if (dModel <= 0) {
            throw new IllegalArgumentException("a random direction needs d_model of at least 1, got " + dModel);
        }
        TokenEdits.requireFiniteAmounts(amounts);
        SplittableRandom rng = new SplittableRandom(seed);
        if (sharing == Sharing.PER_IMAGE) {
            return TokenEdits.along(unitVector(dModel, rng), amounts);
        }
        float[] out = new float[Math.multiplyExact(amounts.length, dModel)];
        double[] g = new double[dModel];
        for (int t = 0; t < amounts.length; t++) {
            double norm = gaussian(g, rng);
            for (int j = 0; j < dModel; j++) {
                out[t * dModel + j] = (float) (amounts[t] * (g[j] / norm));
            }
        }
        return out;
    }

    /** A direction uniform on the unit sphere of ℝ^dModel. */
    public static float[] unitVector(int dModel, SplittableRandom rng) {
        double[] g = new double[dModel];
        double norm = gaussian(g, rng);
        float[] u = new float[dModel];
        for (int j = 0; j < dModel; j++) {
            u[j] = (float) (g[j] / norm);
        }
        return u;
    }

    /** Fills g with standard Gaussians (redrawn in the measure-zero case of an all-zero vector) and returns its norm. */
    private static double gaussian(double[] g, SplittableRandom rng) {
        double s;
        do {
            s = 0;
            for (int j = 0; j < g.length; j++) {
                g[j] = rng.nextGaussian();
                s += g[j] * g[j];
            }
        } while (s == 0);
        return Math.sqrt(s);
    }

    /** The seed of the control of one image and draw, derived from the protocol's seed. */
    public static long seedFor(long seed, long image, int draw) {
        // Each SplittableRandom(x).nextLong() is a bijective 64-bit mix of x (SplitMix64), chained over the three keys.
        long key = new SplittableRandom(image ^ new SplittableRandom(draw).nextLong()).nextLong();
        return new SplittableRandom(seed ^ key).nextLong();
    }
}
