package saelab.data;

/**
 * The background kinds of the toy world ({@link ToyWorld}). All are near-grey: a grey level plus a small
 * per-scene tint, so every background pixel has a channel spread (max - min) of at most 24 and can never
 * take an object colour ({@link ToyWorldColour}).
 */
public enum ToyWorldBackground {
    /** One grey level. */
    PLAIN("plain"),
    /** A linear ramp between two grey levels along a random direction. */
    GRADIENT("gradient"),
    /** A grey level plus independent uniform noise per pixel (the same on all channels). */
    NOISE("noise"),
    /** A sinusoidal wave pattern (wood-grain like) of grey levels at a random frequency and angle. */
    TEXTURE("texture");

    private final String word;

    ToyWorldBackground(String word) {
        this.word = word;
    }

    /** The lower-case name. */
    public String word() {
        return word;
    }
}
