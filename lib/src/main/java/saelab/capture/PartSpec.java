package saelab.capture;

import java.util.Map;

/**
 * Part {@code index} of {@code count} (0-based) of a capture list: the contiguous range
 * {@code [floor(index*N/count), floor((index+1)*N/count))} of its N images (the rule of
 * {@link saelab.data.DatasetManifest#sliceRange}), so the parts cover the list once, in order.
 *
 * @param index 0-based part index, {@code 0 <= index < count}
 * @param count number of parts, at least 1
 */
public record PartSpec(int index, int count) {

    /** The SLURM variables read when {@code --part} is absent. */
    public static final String SLURM_ID = "SLURM_ARRAY_TASK_ID";
    public static final String SLURM_COUNT = "SLURM_ARRAY_TASK_COUNT";

    public PartSpec {
        if (count < 1 || index < 0 || index >= count) {
            throw new IllegalArgumentException("part must be i/n with 0 <= i < n, got " + index + "/" + count);
        }
    }

    /**
     * Parses {@code i/n} (0-based i).
     *
     * @param source names the option or variable for the error
     */
    public static PartSpec parse(String text, String source) {
        String t = text == null ? "" : text.strip();
        int slash = t.indexOf('/');
        try {
            if (slash > 0) {
                return new PartSpec(Integer.parseInt(t.substring(0, slash).strip()), Integer.parseInt(t.substring(slash + 1).strip()));
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException(source + " is '" + text + "'; expected i/n, the 0-based part i of n parts, e.g. 0/4");
    }

    /**
     * The part of a SLURM job array: {@value #SLURM_ID} of {@value #SLURM_COUNT}, or null when they
     * are not set. The array must be indexed from 0 ({@code --array=0-(n-1)}).
     */
    public static PartSpec fromEnvironment(Map<String, String> env) {
        String id = env.get(SLURM_ID);
        String count = env.get(SLURM_COUNT);
        if (id == null || count == null || id.isBlank() || count.isBlank()) {
            return null;
        }
        try {
            return new PartSpec(Integer.parseInt(id.strip()), Integer.parseInt(count.strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(SLURM_ID + "=" + id + " and " + SLURM_COUNT + "=" + count
                    + " are not whole numbers; expected a job array indexed from 0 (--array=0-(n-1))");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(SLURM_ID + "=" + id + " of " + SLURM_COUNT + "=" + count
                    + ": expected 0 <= id < count (index the job array from 0: --array=0-(n-1))");
        }
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}
