package saelab.intervene;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The conditions of a protocol run for one class and their slots (one forward pass each): slot 0 the real edit (the
 * class's chosen latent), then {@code randomLatents} frequency-matched latents, {@code randomDirections} norm-matched
 * random directions, and the class-mean-difference direction when asked. Every condition edits the same tokens with
 * the same dose rule. The draws of a control are pooled (their mean per image) into one row of the report.
 *
 * @param randomLatents    draws of the random-latent control
 * @param randomDirections draws of the random-direction control
 * @param classMean        whether the class-mean-difference control runs
 */
public record ControlSlots(int randomLatents, int randomDirections, boolean classMean) {

    /** A condition, as named in the output files. */
    public enum Condition {
        /** The class's chosen latent. */
        REAL,
        /** A latent of matched firing frequency. */
        RANDOM_LATENT,
        /** A random direction of the real edit's per-token norm. */
        RANDOM_DIRECTION,
        /** The supervised class-mean-difference direction at the real edit's per-token norm. */
        CLASS_MEAN;

        /** The lower-case name with dashes, e.g. {@code random-latent}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** The most draws of one control. */
    public static final int MAX_DRAWS = 1000;

    public ControlSlots {
        if (randomLatents < 0 || randomLatents > MAX_DRAWS || randomDirections < 0 || randomDirections > MAX_DRAWS) {
            throw new IllegalArgumentException("--random-latents and --random-directions must lie in 0.." + MAX_DRAWS + ", got " + randomLatents
                    + " and " + randomDirections);
        }
    }

    /** Slots in all. */
    public int size() {
        return 1 + randomLatents + randomDirections + (classMean ? 1 : 0);
    }

    /** The conditions that run, in slot order. */
    public List<Condition> conditions() {
        List<Condition> c = new ArrayList<>(List.of(Condition.REAL));
        if (randomLatents > 0) {
            c.add(Condition.RANDOM_LATENT);
        }
        if (randomDirections > 0) {
            c.add(Condition.RANDOM_DIRECTION);
        }
        if (classMean) {
            c.add(Condition.CLASS_MEAN);
        }
        return c;
    }

    /** The first slot of a condition. */
    public int first(Condition c) {
        return switch (c) {
            case REAL -> 0;
            case RANDOM_LATENT -> 1;
            case RANDOM_DIRECTION -> 1 + randomLatents;
            case CLASS_MEAN -> 1 + randomLatents + randomDirections;
        };
    }

    /** The draws (slots) of a condition; 0 when it does not run. */
    public int draws(Condition c) {
        return switch (c) {
            case REAL -> 1;
            case RANDOM_LATENT -> randomLatents;
            case RANDOM_DIRECTION -> randomDirections;
            case CLASS_MEAN -> classMean ? 1 : 0;
        };
    }
}
