package saelab.data;

/**
 * One object of a toy-world scene ({@link ToyWorldScene}): what it is, where it was drawn, and what of it is
 * visible after the objects drawn later covered it.
 *
 * @param shape    the shape
 * @param colour   the colour
 * @param texture  the texture
 * @param size     the size category
 * @param cx       centre x in pixel coordinates (pixel {@code x} spans {@code [x, x + 1)}); an integer value
 * @param cy       centre y, the same way
 * @param radius   the half extent in pixels ({@link ToyWorldSize#radius})
 * @param pixels   number of visible pixels (those of the instance mask carrying this object)
 * @param minX     bounding box of the visible pixels: first column
 * @param minY     first row
 * @param maxX     last column (inclusive)
 * @param maxY     last row (inclusive)
 */
public record ToyWorldObject(ToyWorldShape shape, ToyWorldColour colour, ToyWorldTexture texture, ToyWorldSize size,
                             double cx, double cy, double radius, int pixels, int minX, int minY, int maxX, int maxY) {

    /** This object's segmentation class ({@link ToyWorld#classIndex}). */
    public int classIndex() {
        return ToyWorld.classIndex(colour, shape);
    }

    /** This object's class name, {@code colour_shape}. */
    public String className() {
        return colour.word() + "_" + shape.word();
    }

    /** Whether the centre of pixel {@code (x, y)} lies inside the shape (ignoring what covers it). */
    public boolean covers(int x, int y) {
        return shape.contains(x + 0.5 - cx, y + 0.5 - cy, radius);
    }

    /** The {@code 0xRRGGBB} colour this object gives pixel {@code (x, y)} when it covers it. */
    public int colourAt(int x, int y) {
        return texture.colourAt(colour, x - (int) Math.floor(cx), y - (int) Math.floor(cy));
    }

    /** The same object with another shape (visible-pixel statistics cleared: drawing recomputes them). */
    public ToyWorldObject withShape(ToyWorldShape newShape) {
        return new ToyWorldObject(newShape, colour, texture, size, cx, cy, radius, 0, 0, 0, 0, 0);
    }

    /** The same object with another colour (visible-pixel statistics cleared). */
    public ToyWorldObject withColour(ToyWorldColour newColour) {
        return new ToyWorldObject(shape, newColour, texture, size, cx, cy, radius, 0, 0, 0, 0, 0);
    }

    /** The same object with another texture (visible-pixel statistics cleared). */
    public ToyWorldObject withTexture(ToyWorldTexture newTexture) {
        return new ToyWorldObject(shape, colour, newTexture, size, cx, cy, radius, 0, 0, 0, 0, 0);
    }

    /** The same object centred at {@code (newCx, newCy)} (visible-pixel statistics cleared). */
    public ToyWorldObject movedTo(double newCx, double newCy) {
        return new ToyWorldObject(shape, colour, texture, size, newCx, newCy, radius, 0, 0, 0, 0, 0);
    }

    /** The same object with its visible-pixel statistics. */
    ToyWorldObject withVisible(int pixels, int minX, int minY, int maxX, int maxY) {
        return new ToyWorldObject(shape, colour, texture, size, cx, cy, radius, pixels, minX, minY, maxX, maxY);
    }
}
