package saelab.demo;

import java.util.ArrayList;
import java.util.List;
import saelab.analysis.ConceptMatching;
import saelab.data.ToyWorld;
import saelab.data.ToyWorldBackground;
import saelab.data.ToyWorldColour;
import saelab.data.ToyWorldShape;
import saelab.data.ToyWorldTexture;

/**
 * The concept families of the toy world's ground truth ({@link ToyGroundTruth}): what is labelled, whether per
 * patch or per image, and the class names (index = label value).
 */
public enum ToyFamily {
    /** Per patch: the colour of the object covering at least half of the patch, else {@code none}. */
    COLOUR("colour", ConceptMatching.Unit.PATCH),
    /** Per patch: the shape of that object, else {@code none}. */
    SHAPE("shape", ConceptMatching.Unit.PATCH),
    /** Per patch: the texture of that object, else {@code none}. */
    TEXTURE("texture", ConceptMatching.Unit.PATCH),
    /** Per patch: the scene's background kind when background covers at least half of the patch, else {@code none}. */
    BACKGROUND("background", ConceptMatching.Unit.PATCH),
    /** Per image: the number of visible objects. */
    COUNT("count", ConceptMatching.Unit.IMAGE),
    /** Per image: the background kind. */
    SCENE_BACKGROUND("scene_background", ConceptMatching.Unit.IMAGE),
    /** Per image: the colour of the largest object (most visible pixels). */
    LARGEST_COLOUR("largest_colour", ConceptMatching.Unit.IMAGE),
    /** Per image: the shape of the largest object. */
    LARGEST_SHAPE("largest_shape", ConceptMatching.Unit.IMAGE),
    /** Per image: the texture of the largest object. */
    LARGEST_TEXTURE("largest_texture", ConceptMatching.Unit.IMAGE);

    /** The class of a patch no family value applies to (label 0 of the patch families). */
    public static final String NONE = "none";

    private final String id;
    private final ConceptMatching.Unit unit;

    ToyFamily(String id, ConceptMatching.Unit unit) {
        this.id = id;
        this.unit = unit;
    }

    /** The lower-case name used in files and tables. */
    public String id() {
        return id;
    }

    /** Whether labels are per patch or per image. */
    public ConceptMatching.Unit unit() {
        return unit;
    }

    /** The class names, index = label value; patch families start with {@value #NONE}. */
    public List<String> classes(ToyWorld world) {
        List<String> c = new ArrayList<>();
        if (unit == ConceptMatching.Unit.PATCH) {
            c.add(NONE);
        }
        switch (this) {
            case COLOUR, LARGEST_COLOUR -> {
                for (ToyWorldColour v : ToyWorldColour.values()) {
                    c.add(v.word());
                }
            }
            case SHAPE, LARGEST_SHAPE -> {
                for (ToyWorldShape v : ToyWorldShape.values()) {
                    c.add(v.word());
                }
            }
            case TEXTURE, LARGEST_TEXTURE -> {
                for (ToyWorldTexture v : ToyWorldTexture.values()) {
                    c.add(v.word());
                }
            }
            case BACKGROUND, SCENE_BACKGROUND -> {
                for (ToyWorldBackground v : ToyWorldBackground.values()) {
                    c.add(v.word());
                }
            }
            case COUNT -> {
                for (int n = 1; n <= world.maxObjects(); n++) {
                    c.add(Integer.toString(n));
                }
            }
        }
        return List.copyOf(c);
    }

    /** The family with this id. */
    public static ToyFamily parse(String id) {
        for (ToyFamily f : values()) {
            if (f.id.equals(id)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown toy-world concept family '" + id + "'; expected one of "
                + java.util.Arrays.stream(values()).map(ToyFamily::id).toList());
    }
}
