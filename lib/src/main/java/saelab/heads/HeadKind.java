package saelab.heads;

import java.util.Locale;

/** What a task head predicts, and from which features. */
public enum HeadKind {
    /** a class per patch, from the final-normed patch tokens (layer {@code final}) */
    SEGMENT,
    /** a class per image, from the pooled output (layer {@code pooled}) */
    CLASSIFY,
    /** a class per image from class-name text embeddings, on the projected image embedding */
    ZEROSHOT;

    /** The lower-case name used on the command line and in head files. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses {@code segment}, {@code classify} or {@code zeroshot}.
     *
     * @param source the option or field, for the error
     */
    public static HeadKind parse(String text, String source) {
        for (HeadKind k : values()) {
            if (k.id().equalsIgnoreCase(text == null ? "" : text.strip())) {
                return k;
            }
        }
        throw new IllegalArgumentException(source + " is '" + text + "'; expected segment, classify or zeroshot");
    }
}
