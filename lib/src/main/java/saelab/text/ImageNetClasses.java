package saelab.text;

import java.util.List;

/**
 * The 1,000 ImageNet-1k class names curated by OpenAI for zero-shot classification (readable names instead of
 * WordNet synset lemmas; from OpenAI's CLIP zero-shot ImageNet notebook, as open_clip's
 * {@code zero_shot_metadata.IMAGENET_CLASSNAMES} ships them; MIT licence). Index i is ImageNet class i (0-based,
 * the usual sorted-synset order).
 */
public final class ImageNetClasses {

    /** Number of classes. */
    public static final int COUNT = 1000;

    private static final List<String> NAMES = TextResources.lines("imagenet_classnames_openai_1000.txt", COUNT);

    private ImageNetClasses() {}

    /** The 1,000 names; element i names class i. */
    public static List<String> names() {
        return NAMES;
    }
}
