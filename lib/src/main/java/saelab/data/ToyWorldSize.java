package saelab.data;

/**
 * The object sizes of the toy world ({@link ToyWorld}): the object's half extent (radius) as a fraction of
 * the image side.
 */
public enum ToyWorldSize {
    /** Radius 0.09 of the image side (5.8 px at 64). */
    SMALL("small", 0.09),
    /** Radius 0.14 of the image side (9.0 px at 64). */
    MEDIUM("medium", 0.14),
    /** Radius 0.20 of the image side (12.8 px at 64). */
    LARGE("large", 0.20);

    private final String word;
    private final double fraction;

    ToyWorldSize(String word, double fraction) {
        this.word = word;
        this.fraction = fraction;
    }

    /** The lower-case name. */
    public String word() {
        return word;
    }

    /** The radius in pixels for an image of side {@code imageSize}. */
    public double radius(int imageSize) {
        return fraction * imageSize;
    }
}
