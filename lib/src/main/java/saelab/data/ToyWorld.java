package saelab.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The procedural toy world (issue 8): scenes whose concepts are known by construction. Scene {@code i} is
 * a function of {@code (seed, i)} alone (a {@link SplittableRandom} seeded from both), so any scene can be
 * made on its own, in any order and in parallel.
 *
 * <p>A scene is a background ({@link ToyWorldBackground}) and {@code minObjects..maxObjects} objects, each
 * with a uniformly drawn shape, colour, texture and size ({@link ToyWorldShape}, {@link ToyWorldColour},
 * {@link ToyWorldTexture}, {@link ToyWorldSize}) and a position that keeps it wholly inside the image;
 * objects may overlap (later ones cover earlier ones; placement tries to keep centres at least half the sum
 * of the radii apart), and an object left with no visible pixel is removed.
 *
 * <p>Classes, one per (colour, shape) pair: segmentation label 0 is {@code background} and
 * {@code 1 + colour.ordinal() * shapes + shape.ordinal()} is {@code colour_shape} (e.g. {@code red_circle});
 * see {@link #classNames()}. The image-level class of a scene is the class of its largest object (most
 * visible pixels). Shape-only or colour-only labels follow from the class by integer division; the colour
 * segmentation labels are {@code 0} (background) and {@code 1 + colour.ordinal()} ({@link #colourLabel},
 * {@link #colourNames()}).
 *
 * @param imageSize  image side in pixels (16..1024; 64 by default)
 * @param minObjects fewest objects per scene (>= 1)
 * @param maxObjects most objects per scene (>= minObjects, <= 254)
 * @param seed       the world's seed
 */
public record ToyWorld(int imageSize, int minObjects, int maxObjects, long seed) {

    /** The default image side. */
    public static final int DEFAULT_SIZE = 64;

    public ToyWorld {
        if (imageSize < 16 || imageSize > 1024) {
            throw new IllegalArgumentException("toy world: image_size must be in 16..1024, got " + imageSize);
        }
        if (minObjects < 1 || maxObjects < minObjects || maxObjects > 254) {
            throw new IllegalArgumentException("toy world: expected 1 <= min_objects <= max_objects <= 254, got min_objects "
                    + minObjects + ", max_objects " + maxObjects);
        }
        if (ToyWorldColour.values().length * ToyWorldShape.values().length + 1 > 256) {
            throw new IllegalStateException("toy world: more classes than an 8-bit label map holds");
        }
    }

    /** 64x64 images with 1..3 objects. */
    public static ToyWorld withSeed(long seed) {
        return new ToyWorld(DEFAULT_SIZE, 1, 3, seed);
    }

    /** Number of segmentation labels, background included. */
    public static int labelCount() {
        return 1 + ToyWorldColour.values().length * ToyWorldShape.values().length;
    }

    /** The segmentation label of a (colour, shape) pair. */
    public static int classIndex(ToyWorldColour colour, ToyWorldShape shape) {
        return 1 + colour.ordinal() * ToyWorldShape.values().length + shape.ordinal();
    }

    /** The names of the segmentation labels: {@code background}, then {@code colour_shape} by label value. */
    public static List<String> classNames() {
        List<String> names = new ArrayList<>(labelCount());
        names.add("background");
        for (ToyWorldColour c : ToyWorldColour.values()) {
            for (ToyWorldShape s : ToyWorldShape.values()) {
                names.add(c.word() + "_" + s.word());
            }
        }
        return List.copyOf(names);
    }

    /** Number of colour-segmentation labels, background included: 1 + the number of colours. */
    public static int colourLabelCount() {
        return 1 + ToyWorldColour.values().length;
    }

    /**
     * The colour-segmentation label of segmentation label {@code label} ({@link #classIndex}): 0 (background) stays
     * 0, {@code colour_shape} becomes {@code 1 + colour.ordinal()}.
     *
     * @throws IllegalArgumentException for a label outside {@code 0..labelCount()-1}
     */
    public static int colourLabel(int label) {
        if (label < 0 || label >= labelCount()) {
            throw new IllegalArgumentException("toy world: segmentation label must be in 0.." + (labelCount() - 1) + ", got " + label);
        }
        return label == 0 ? 0 : (label - 1) / ToyWorldShape.values().length + 1;
    }

    /** The names of the colour-segmentation labels: {@code background}, then the colour words in enum order. */
    public static List<String> colourNames() {
        List<String> names = new ArrayList<>(colourLabelCount());
        names.add("background");
        for (ToyWorldColour c : ToyWorldColour.values()) {
            names.add(c.word());
        }
        return List.copyOf(names);
    }

    /** The seed of scene {@code index}'s generator: both numbers through SplitMix64's finaliser. */
    static long sceneSeed(long seed, long index) {
        return mix(mix(seed) + 0x9E3779B97F4A7C15L * (index + 1));
    }

    /** SplitMix64's output function (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", 2014). */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Generates and renders scene {@code index} (>= 0). */
    public ToyWorldScene scene(long index) {
        SplittableRandom rng = sceneRandom(index);
        ToyWorldBackground kind = pick(ToyWorldBackground.values(), rng);
        byte[] background = new byte[imageSize * imageSize * 3];
        ToyWorldRenderer.background(kind, imageSize, rng, background);
        int n = rng.nextInt(minObjects, maxObjects + 1);
        List<ToyWorldObject> objects = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            ToyWorldShape shape = pick(ToyWorldShape.values(), rng);
            ToyWorldColour colour = pick(ToyWorldColour.values(), rng);
            ToyWorldTexture texture = pick(ToyWorldTexture.values(), rng);
            ToyWorldSize size = pick(ToyWorldSize.values(), rng);
            objects.add(place(new ToyWorldObject(shape, colour, texture, size, 0, 0, size.radius(imageSize), 0, 0, 0, 0, 0), objects, rng));
        }
        return draw(index, kind, background, objects);
    }

    /**
     * Scene {@code index} re-rendered with other objects over its own background: the counterpart of a scene
     * with, say, one object's shape changed ({@link ToyWorldObject#withShape}) and everything else the same.
     * Pixel counts and boxes of the given objects are ignored and recomputed; objects left without a visible
     * pixel are dropped, as in {@link #scene}.
     *
     * @throws IllegalArgumentException for an index below 0, no objects, or an object not wholly inside the image
     */
    public ToyWorldScene rerender(long index, List<ToyWorldObject> objects) {
        SplittableRandom rng = sceneRandom(index);
        ToyWorldBackground kind = pick(ToyWorldBackground.values(), rng);
        byte[] background = new byte[imageSize * imageSize * 3];
        ToyWorldRenderer.background(kind, imageSize, rng, background);
        return draw(index, kind, background, checked(objects));
    }

    /**
     * The given objects over a fresh background whose kind and parameters are drawn from {@code rng}, labelled
     * as scene {@code index}: another view of a scene's objects (re-placed with {@link #replaced} or recoloured)
     * that shares none of its background.
     *
     * @throws IllegalArgumentException for an index below 0, no objects, or an object not wholly inside the image
     */
    public ToyWorldScene render(long index, List<ToyWorldObject> objects, SplittableRandom rng) {
        if (index < 0) {
            throw new IllegalArgumentException("toy world: scene index must be >= 0, got " + index);
        }
        ToyWorldBackground kind = pick(ToyWorldBackground.values(), rng);
        byte[] background = new byte[imageSize * imageSize * 3];
        ToyWorldRenderer.background(kind, imageSize, rng, background);
        return draw(index, kind, background, checked(objects));
    }

    /**
     * The objects at new positions drawn from {@code rng} as {@link #scene} places them (wholly inside the image,
     * centres kept apart when 20 tries allow), in the same drawing order, with shape, colour, texture and size
     * unchanged.
     */
    public List<ToyWorldObject> replaced(List<ToyWorldObject> objects, SplittableRandom rng) {
        List<ToyWorldObject> out = new ArrayList<>(objects.size());
        for (ToyWorldObject o : objects) {
            out.add(place(o, out, rng));
        }
        return List.copyOf(out);
    }

    private SplittableRandom sceneRandom(long index) {
        if (index < 0) {
            throw new IllegalArgumentException("toy world: scene index must be >= 0, got " + index);
        }
        return new SplittableRandom(sceneSeed(seed, index));
    }

    /** {@code o} moved to a random position inside the image, apart from {@code placed} when 20 tries allow. */
    private ToyWorldObject place(ToyWorldObject o, List<ToyWorldObject> placed, SplittableRandom rng) {
        double r = o.radius();
        int lo = (int) Math.ceil(r);
        int hi = imageSize - lo;
        double cx = 0;
        double cy = 0;
        for (int attempt = 0; attempt < 20; attempt++) {
            cx = rng.nextInt(lo, hi + 1);
            cy = rng.nextInt(lo, hi + 1);
            if (apart(placed, cx, cy, r)) {
                break;
            }
        }
        return o.movedTo(cx, cy);
    }

    private List<ToyWorldObject> checked(List<ToyWorldObject> objects) {
        if (objects == null || objects.isEmpty() || objects.size() > 254) {
            throw new IllegalArgumentException("toy world: a scene needs 1..254 objects, got " + (objects == null ? "none" : objects.size()));
        }
        for (ToyWorldObject o : objects) {
            if (o == null || o.shape() == null || o.colour() == null || o.texture() == null || o.size() == null) {
                throw new IllegalArgumentException("toy world: an object of the scene, or its shape, colour, texture or size, is missing");
            }
            if (!(o.radius() > 0) || !(o.cx() - o.radius() >= 0) || !(o.cx() + o.radius() <= imageSize) || !(o.cy() - o.radius() >= 0)
                    || !(o.cy() + o.radius() <= imageSize)) {
                throw new IllegalArgumentException("toy world: object " + o.className() + " at (" + o.cx() + ", " + o.cy() + ") with radius "
                        + o.radius() + " is not wholly inside the " + imageSize + "x" + imageSize + " image");
            }
        }
        return objects;
    }

    private ToyWorldScene draw(long index, ToyWorldBackground kind, byte[] background, List<ToyWorldObject> objects) {
        int s = imageSize;
        byte[] rgb = new byte[s * s * 3];
        byte[] classMask = new byte[s * s];
        byte[] instanceMask = new byte[s * s];
        List<ToyWorldObject> drawn = List.copyOf(ToyWorldRenderer.draw(objects, s, background, rgb, classMask, instanceMask));
        int largest = 0;
        for (int k = 1; k < drawn.size(); k++) {
            if (drawn.get(k).pixels() > drawn.get(largest).pixels()) {
                largest = k;
            }
        }
        return new ToyWorldScene(Math.toIntExact(index), s, rgb, classMask, instanceMask, kind, drawn, largest,
                ToyWorldCaption.of(drawn));
    }

    private static boolean apart(List<ToyWorldObject> placed, double cx, double cy, double r) {
        for (ToyWorldObject o : placed) {
            double d = 0.5 * (r + o.radius());
            if ((cx - o.cx()) * (cx - o.cx()) + (cy - o.cy()) * (cy - o.cy()) < d * d) {
                return false;
            }
        }
        return true;
    }

    private static <T> T pick(T[] values, SplittableRandom rng) {
        return values[rng.nextInt(values.length)];
    }
}
