package saelab.data;

/**
 * The object textures of the toy world ({@link ToyWorld}): which of the object's colour shades
 * ({@link ToyWorldColour}) a pixel gets, from its integer offset {@code (u, v)} to the object's centre pixel,
 * so a texture moves with its object.
 */
public enum ToyWorldTexture {
    /** The base colour everywhere. */
    PLAIN("plain"),
    /** Diagonal stripes two pixels wide: base and dark shade. */
    STRIPED("striped"),
    /** Light 2x2 dots every 4 pixels on the base colour. */
    DOTTED("dotted"),
    /** A checkerboard of 2x2 cells: base and dark shade. */
    CHECKERED("checkered");

    private final String word;

    ToyWorldTexture(String word) {
        this.word = word;
    }

    /** The lower-case name; the caption adjective for all but {@link #PLAIN}, which captions leave out. */
    public String word() {
        return word;
    }

    /** The {@code 0xRRGGBB} colour of the pixel at offset {@code (u, v)} from the object's centre pixel. */
    public int colourAt(ToyWorldColour c, int u, int v) {
        return switch (this) {
            case PLAIN -> c.base();
            case STRIPED -> (Math.floorMod(u + v, 4) < 2) ? c.base() : c.dark();
            case DOTTED -> (Math.floorMod(u, 4) < 2 && Math.floorMod(v, 4) < 2) ? c.light() : c.base();
            case CHECKERED -> ((Math.floorDiv(u, 2) + Math.floorDiv(v, 2)) & 1) == 0 ? c.base() : c.dark();
        };
    }
}
