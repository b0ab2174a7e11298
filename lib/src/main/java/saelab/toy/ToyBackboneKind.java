package saelab.toy;

import java.util.Locale;

/**
 * The two toy backbones: {@link #CLIP}, a Hugging Face {@code CLIPModel} (image and text towers trained
 * with the contrastive objective of Radford et al. 2021), and {@link #DINOV2}, a Hugging Face
 * {@code Dinov2Model} trained vision-only by masked patch prediction (SimMIM, Xie et al. 2022).
 */
public enum ToyBackboneKind {
    /** Language-supervised: CLIP layout, symmetric InfoNCE on image-caption pairs. */
    CLIP,
    /** Vision-only: DINOv2 layout, masked patch prediction with pixel targets. */
    DINOV2;

    /** The lower-case name used in files and on the command line ({@code clip}, {@code dinov2}). */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The kind called {@code name} (case-insensitive).
     *
     * @throws IllegalArgumentException naming the value and the accepted ones
     */
    public static ToyBackboneKind parse(String name) {
        if (name != null) {
            for (ToyBackboneKind k : values()) {
                if (k.id().equalsIgnoreCase(name.strip())) {
                    return k;
                }
            }
        }
        throw new IllegalArgumentException("toy backbone kind '" + name + "' is not known; expected clip or dinov2");
    }
}
