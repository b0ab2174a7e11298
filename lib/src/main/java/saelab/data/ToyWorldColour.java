package saelab.data;

/**
 * The object colours of the toy world ({@link ToyWorld}), each with the three exact RGB values its textures
 * use: the base colour, a dark shade ({@code 0.55 x} base, rounded) and a light shade (halfway to white,
 * rounded). Every one of these values has a channel spread (max - min) of at least 60, while backgrounds
 * ({@link ToyWorldBackground}) stay within a spread of 24, so object and background pixels never share a
 * colour.
 */
public enum ToyWorldColour {
    /** Red. */
    RED("red", 220, 40, 40),
    /** Green. */
    GREEN("green", 40, 170, 60),
    /** Blue. */
    BLUE("blue", 40, 80, 220),
    /** Yellow. */
    YELLOW("yellow", 230, 210, 40),
    /** Purple. */
    PURPLE("purple", 140, 60, 190),
    /** Orange. */
    ORANGE("orange", 240, 140, 20);

    private final String word;
    private final int base;
    private final int dark;
    private final int light;

    ToyWorldColour(String word, int r, int g, int b) {
        this.word = word;
        this.base = rgb(r, g, b);
        this.dark = rgb((int) Math.round(r * 0.55), (int) Math.round(g * 0.55), (int) Math.round(b * 0.55));
        this.light = rgb((r + 255 + 1) / 2, (g + 255 + 1) / 2, (b + 255 + 1) / 2);
    }

    private static int rgb(int r, int g, int b) {
        return (r << 16) | (g << 8) | b;
    }

    /** The lower-case name used in class names and captions. */
    public String word() {
        return word;
    }

    /** The base colour as {@code 0xRRGGBB}. */
    public int base() {
        return base;
    }

    /** The dark shade as {@code 0xRRGGBB}. */
    public int dark() {
        return dark;
    }

    /** The light shade as {@code 0xRRGGBB}. */
    public int light() {
        return light;
    }
}
