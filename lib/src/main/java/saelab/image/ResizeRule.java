package saelab.image;

/**
 * How a preprocessor picks the resized size of an image. Two rules are in use by the reference
 * pipelines (models spec section 2.3):
 * <ul>
 *   <li>{@link ShortestEdge}: the short side becomes {@code size}, the long side
 *       {@code trunc(size * long / short)} (Hugging Face {@code get_resize_output_image_size} with
 *       {@code default_to_square=False}, torchvision {@code Resize(int)}); 640x480 becomes 298x224;</li>
 *   <li>{@link Fixed}: straight to {@code height x width}, aspect ratio not kept (SigLIP, open_clip "squash").</li>
 * </ul>
 */
public sealed interface ResizeRule {

    /**
     * An image size.
     *
     * @param width  columns
     * @param height rows
     */
    record Size(int width, int height) {
        @Override
        public String toString() {
            return width + "x" + height;
        }
    }

    /** The resized size of a {@code width x height} image. */
    Size outputSize(int width, int height);

    /**
     * Short side to {@code size}, long side scaled and truncated.
     *
     * @param size the short side after resizing, at least 1
     */
    record ShortestEdge(int size) implements ResizeRule {
        public ShortestEdge {
            if (size < 1) {
                throw new IllegalArgumentException("shortest_edge must be at least 1, got " + size);
            }
        }

        @Override
        public Size outputSize(int width, int height) {
            // Python's int(size * long / short): an exact integer product, one correctly rounded
            // division, truncation; the same in double here.
            if (width <= height) {
                return new Size(size, (int) ((double) ((long) size * height) / width));
            }
            return new Size((int) ((double) ((long) size * width) / height), size);
        }
    }

    /**
     * Straight to a fixed size.
     *
     * @param height rows after resizing, at least 1
     * @param width  columns after resizing, at least 1
     */
    record Fixed(int height, int width) implements ResizeRule {
        public Fixed {
            if (height < 1 || width < 1) {
                throw new IllegalArgumentException("a resize size must be at least 1x1, got height " + height + ", width " + width);
            }
        }

        @Override
        public Size outputSize(int width, int height) {
            return new Size(this.width, this.height);
        }
    }
}
