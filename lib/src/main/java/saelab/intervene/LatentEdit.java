package saelab.intervene;

import ai.djl.ndarray.NDArray;
import java.util.Arrays;

/**
 * An edit resolved to raw code units, ready for {@link EditSession}: latent i's code f on a selected token becomes
 * v = amounts[i] (set), f · amounts[i] (scale), f + amounts[i] (add) or 0 (ablate). Made by
 * {@link EditSpec#resolve}, or directly by code that moves a value quickly (a dashboard slider).
 *
 * @param block     the 0-based block edited, or null for the session's block
 * @param tokens    the tokens edited
 * @param latents   0-based latent ids, distinct
 * @param operation the operation
 * @param amounts   per latent, in raw code units (ignored by ablate)
 * @param error     the error policy
 */
public record LatentEdit(Integer block, EditTokens tokens, int[] latents, EditOperation operation, float[] amounts, ErrorPolicy error) {

    public LatentEdit {
        if (tokens == null || operation == null || error == null || latents == null || amounts == null) {
            throw new IllegalArgumentException("an edit needs tokens, latents, an operation, amounts and an error policy");
        }
        if (latents.length == 0 || amounts.length != latents.length) {
            throw new IllegalArgumentException("an edit needs at least one latent and one amount per latent; got " + latents.length
                    + " latents and " + amounts.length + " amounts");
        }
        if (Arrays.stream(latents).distinct().count() != latents.length) {
            throw new IllegalArgumentException("latents " + Arrays.toString(latents) + " holds a latent twice; each latent may be edited once");
        }
        for (float a : amounts) {
            if (!Float.isFinite(a)) {
                throw new IllegalArgumentException("edit amounts " + Arrays.toString(amounts) + " hold a value that is not finite");
            }
        }
        latents = latents.clone();
        amounts = amounts.clone();
    }

    /** The same edit with other amounts (e.g. the next step of a dose-response grid). */
    public LatentEdit withAmounts(float... newAmounts) {
        return new LatentEdit(block, tokens, latents, operation, newAmounts, error);
    }

    /**
     * The edited values v {@code [N, n]} from the current codes f {@code [N, n]} of the edited latents (column i is
     * latent {@code latents[i]}), on f's manager.
     */
    public NDArray editedCodes(NDArray f) {
        NDArray a = f.getManager().create(amounts);
        try {
            return switch (operation) {
                case SET -> f.zerosLike().add(a);
                case SCALE -> f.mul(a);
                case ADD -> f.add(a);
                case ABLATE -> f.zerosLike();
            };
        } finally {
            a.close();
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LatentEdit e && java.util.Objects.equals(block, e.block) && tokens.equals(e.tokens)
                && Arrays.equals(latents, e.latents) && operation == e.operation && Arrays.equals(amounts, e.amounts) && error == e.error;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(block, tokens, Arrays.hashCode(latents), operation, Arrays.hashCode(amounts), error);
    }

    @Override
    public String toString() {
        return "LatentEdit[block=" + block + ", tokens=" + tokens.json() + ", latents=" + Arrays.toString(latents) + ", operation="
                + operation.id() + ", amounts=" + Arrays.toString(amounts) + ", error=" + error.id() + "]";
    }
}
