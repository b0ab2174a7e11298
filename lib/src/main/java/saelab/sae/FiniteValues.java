package saelab.sae;

import java.nio.file.Path;

/**
 * The refusal of NaN and infinite values in SAE checkpoints (saelab's own and imported ones): a
 * checkpoint holding them is damaged or comes from a diverged run, and every code computed from it
 * would be NaN.
 */
final class FiniteValues {

    private FiniteValues() {}

    /**
     * Refuses {@code values} when any is NaN or infinite.
     *
     * @throws IllegalArgumentException naming the file, the tensor, the counts and the first bad index
     */
    static void require(Path file, String tensor, float[] values) {
        long nan = 0;
        long inf = 0;
        int first = -1;
        for (int i = 0; i < values.length; i++) {
            float x = values[i];
            if (Float.isNaN(x)) {
                nan++;
            } else if (Float.isInfinite(x)) {
                inf++;
            } else {
                continue;
            }
            first = first < 0 ? i : first;
        }
        if (first >= 0) {
            String what = nan > 0 && inf > 0 ? nan + " NaN and " + inf + " infinite values"
                    : nan > 0 ? nan + " NaN values" : inf + " infinite values";
            throw new IllegalArgumentException(file + ": tensor '" + tensor + "' has " + what + " (of " + values.length
                    + "), the first at index " + first + " (" + values[first] + "); a damaged checkpoint or a diverged run");
        }
    }
}
