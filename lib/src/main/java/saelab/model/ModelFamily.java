package saelab.model;

/**
 * The checkpoint layouts saelab loads, and the default position-table resampling of each (what
 * the reference implementation named in the fixture READMEs does).
 */
public enum ModelFamily {
    /** Hugging Face {@code Dinov2Model} ({@code model_type} "dinov2"); transformers >= 4.45 resamples by size. */
    DINOV2("dinov2", PosInterpolation.SIZE),
    /** Hugging Face {@code Dinov2WithRegistersModel} ("dinov2_with_registers"); antialiased resampling. */
    DINOV2_REGISTERS("dinov2_with_registers", PosInterpolation.ANTIALIAS),
    /** Hugging Face {@code CLIPModel} ("clip") or {@code CLIPVisionModel} ("clip_vision_model"). */
    CLIP("clip", PosInterpolation.SIZE),
    /** Hugging Face {@code SiglipModel} ("siglip") or {@code SiglipVisionModel} ("siglip_vision_model"). */
    SIGLIP("siglip", PosInterpolation.SIZE),
    /** open_clip {@code CLIP} ({@code open_clip_config.json} + {@code open_clip_model.safetensors}), e.g. BioCLIP. */
    OPEN_CLIP("open_clip", PosInterpolation.SIZE);

    private final String id;
    private final PosInterpolation defaultInterpolation;

    ModelFamily(String id, PosInterpolation defaultInterpolation) {
        this.id = id;
        this.defaultInterpolation = defaultInterpolation;
    }

    /** Short name ({@code model_type} for Hugging Face families). */
    public String id() {
        return id;
    }

    /** The resampling the family's reference uses for position tables. */
    public PosInterpolation defaultInterpolation() {
        return defaultInterpolation;
    }
}
