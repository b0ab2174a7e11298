package saelab.model;

import java.util.Locale;

/**
 * How a learned position table is resampled to a patch grid other than the trained one
 * ({@code lib/MODELS.md} §2.2). All three are bicubic, {@code align_corners=False}:
 * <ul>
 *   <li>{@link #SIZE}: PyTorch {@code F.interpolate(size=(h, w), mode="bicubic")}; Keys kernel
 *       a = -0.75, edge samples replicated, no widening when downsampling. Hugging Face
 *       {@code Dinov2Model} since transformers v4.45, and CLIP/SigLIP {@code interpolate_pos_encoding}.</li>
 *   <li>{@link #OFFSET}: the DINO "+0.1" kludge ({@code scale_factor=((h+0.1)/M, (w+0.1)/M)},
 *       facebookresearch/dino issue 8): same kernel, but source coordinates use the ratio
 *       M/(h+0.1). Meta's torch-hub DINOv2 and transformers up to v4.44.</li>
 *   <li>{@link #ANTIALIAS}: {@code antialias=True}, Pillow's float bicubic (a = -0.5, support widened
 *       by the scale when downsampling, taps outside the grid dropped and the weights renormalised).
 *       {@code Dinov2WithRegistersModel} and Meta's DINOv2 with registers.</li>
 * </ul>
 */
public enum PosInterpolation {
    SIZE("size"),
    OFFSET("offset"),
    ANTIALIAS("antialias");

    private final String id;

    PosInterpolation(String id) {
        this.id = id;
    }

    /** The lower-case name used on the command line. */
    public String id() {
        return id;
    }

    /**
     * Parses {@code size}, {@code offset} or {@code antialias}.
     *
     * @throws IllegalArgumentException naming {@code what} and the accepted values
     */
    public static PosInterpolation parse(String text, String what) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        for (PosInterpolation p : values()) {
            if (p.id.equals(t)) {
                return p;
            }
        }
        throw new IllegalArgumentException(what + " is '" + text + "'; expected size, offset or antialias");
    }
}
