package saelab.data;

/**
 * The shapes of the toy world ({@link ToyWorld}). Each shape is a region around a centre with a half extent
 * {@code r} (the object's radius, see {@link ToyWorldSize}); a pixel belongs to it when the pixel's centre
 * {@code (x + 0.5, y + 0.5)} lies inside, so the rasterisation is exact and the masks match the drawn pixels.
 */
public enum ToyWorldShape {
    /** Disc of radius r. */
    CIRCLE("circle", "circles"),
    /** Axis-aligned square of half side 0.8 r. */
    SQUARE("square", "squares"),
    /** Upright isosceles triangle: apex r above the centre, base 0.7 r below it, base width 2 r. */
    TRIANGLE("triangle", "triangles"),
    /** Plus sign: two bars of half length r and half width 0.3 r. */
    CROSS("cross", "crosses"),
    /** Annulus between 0.55 r and r (the hole shows what lies below). */
    RING("ring", "rings"),
    /** Square rotated by 45 degrees: |dx| + |dy| <= r. */
    DIAMOND("diamond", "diamonds");

    private final String word;
    private final String plural;

    ToyWorldShape(String word, String plural) {
        this.word = word;
        this.plural = plural;
    }

    /** The lower-case name used in class names and captions. */
    public String word() {
        return word;
    }

    /** The plural used in captions. */
    public String plural() {
        return plural;
    }

    /**
     * Whether the point at offset {@code (dx, dy)} from the centre (y pointing down) lies inside this shape of
     * half extent {@code r}.
     */
    public boolean contains(double dx, double dy, double r) {
        double ax = Math.abs(dx);
        double ay = Math.abs(dy);
        return switch (this) {
            case CIRCLE -> dx * dx + dy * dy <= r * r;
            case SQUARE -> ax <= 0.8 * r && ay <= 0.8 * r;
            case TRIANGLE -> dy >= -r && dy <= 0.7 * r && ax <= (dy + r) / 1.7;
            case CROSS -> (ax <= 0.3 * r && ay <= r) || (ay <= 0.3 * r && ax <= r);
            case RING -> {
                double d2 = dx * dx + dy * dy;
                yield d2 <= r * r && d2 >= 0.55 * 0.55 * r * r;
            }
            case DIAMOND -> ax + ay <= r;
        };
    }
}
