package saelab.analysis;

import java.util.TreeSet;

/** Parses a latent selection such as {@code 0-1023,2000,4096-4099} (0-based, inclusive ranges). */
public final class LatentSelection {

    private LatentSelection() {}

    /**
     * The selected latents, sorted and distinct; null or blank text selects all {@code dSae}.
     *
     * @throws IllegalArgumentException naming {@code source} for bad syntax or a latent outside 0..dSae-1
     */
    public static int[] parse(String text, int dSae, String source) {
        if (text == null || text.isBlank()) {
            int[] all = new int[dSae];
            for (int i = 0; i < dSae; i++) {
                all[i] = i;
            }
            return all;
        }
        TreeSet<Integer> set = new TreeSet<>();
        for (String part : text.split(",")) {
            String p = part.strip();
            try {
                int dash = p.indexOf('-', 1);
                int lo = Integer.parseInt(dash < 0 ? p : p.substring(0, dash).strip());
                int hi = dash < 0 ? lo : Integer.parseInt(p.substring(dash + 1).strip());
                if (lo < 0 || hi >= dSae || lo > hi) {
                    throw new IllegalArgumentException(source + ": range '" + p + "' is outside 0.." + (dSae - 1)
                            + " or reversed");
                }
                for (int i = lo; i <= hi; i++) {
                    set.add(i);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(source + " is '" + text + "'; expected latents like 0-1023,2000", e);
            }
        }
        return set.stream().mapToInt(Integer::intValue).toArray();
    }
}
