package saelab.lm.moondream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;
import saelab.model.ConfigFile;

/**
 * A moondream2 {@code config.json} in the layout of the reference's {@code MoondreamConfig.to_dict()}
 * ({@code moondream/torch/config.py}, github.com/vikhyat/moondream at 44146f1): {@code vision} and
 * {@code text} objects (the {@code region} and {@code tokenizer} objects are not read here). As in
 * the reference's {@code from_dict}, an absent field takes the dataclass default and an unknown
 * field is an error.
 *
 * <p>{@link #read} also refuses configurations the reference code cannot run, because it
 * hard-codes sizes of the real model: a 27 x 27 patch grid per crop (730 = 1 + 27^2 prefix tokens,
 * {@code view(729, ...)} in {@code vision_projection}), {@code enc_n_layers} equal to that grid
 * side ({@code vision_projection} pools the stitched features to enc_n_layers x enc_n_layers), a
 * text head width of 64 ({@code apply_rotary_emb}'s default rot_dim 32 must be half of it) and a
 * context of 2048 (the decode masks are {@code zeros(1, 1, 2048)}).
 *
 * @param vision the vision encoder and projection
 * @param text   the text decoder's sizes
 */
public record MoondreamConfig(MoondreamVisionConfig vision, MoondreamTextConfig text) {

    /** The patch grid side the reference hard-codes (378 px crops / 14 px patches). */
    public static final int GRID_SIDE = 27;
    /** The text head width the reference's rotary embedding assumes (2 x its rot_dim of 32). */
    public static final int TEXT_HEAD_DIM = 64;
    /** The context length of the reference's decode masks. */
    public static final int MAX_CONTEXT = 2048;

    private static final Set<String> VISION_FIELDS = Set.of("enc_dim", "enc_patch_size", "enc_n_layers", "enc_ff_dim", "enc_n_heads",
            "proj_out_dim", "crop_size", "in_channels", "max_crops", "overlap_margin", "proj_inner_dim");
    private static final Set<String> TEXT_FIELDS = Set.of("dim", "ff_dim", "n_layers", "vocab_size", "max_context", "n_heads",
            "n_kv_heads", "prefix_attn", "group_size");

    /**
     * Reads and checks {@code file}.
     *
     * @throws IllegalArgumentException for invalid JSON, a field of the wrong type, an unknown field or a size the reference
     *                                  cannot run, naming the file and the field
     * @throws java.nio.file.NoSuchFileException when the file is missing
     */
    public static MoondreamConfig read(Path file) throws IOException {
        ConfigFile cfg = ConfigFile.read(file);
        JsonNode root = new ObjectMapper().readTree(Files.readAllBytes(file));
        refuseUnknown(file, root, "vision", VISION_FIELDS);
        refuseUnknown(file, root, "text", TEXT_FIELDS);
        ConfigFile v = cfg.section("vision");
        MoondreamVisionConfig d = MoondreamVisionConfig.DEFAULTS;
        MoondreamVisionConfig vision = new MoondreamVisionConfig(v.integer("enc_dim", d.encDim()), v.integer("enc_patch_size", d.encPatchSize()),
                v.integer("enc_n_layers", d.encNLayers()), v.integer("enc_ff_dim", d.encFfDim()), v.integer("enc_n_heads", d.encNHeads()),
                v.integer("proj_out_dim", d.projOutDim()), v.integer("crop_size", d.cropSize()), v.integer("in_channels", d.inChannels()),
                v.integer("max_crops", d.maxCrops()), v.integer("overlap_margin", d.overlapMargin()),
                v.integer("proj_inner_dim", d.projInnerDim()));
        ConfigFile t = cfg.section("text");
        MoondreamTextConfig e = MoondreamTextConfig.DEFAULTS;
        MoondreamTextConfig text = new MoondreamTextConfig(t.integer("dim", e.dim()), t.integer("ff_dim", e.ffDim()),
                t.integer("n_layers", e.nLayers()), t.integer("vocab_size", e.vocabSize()), t.integer("max_context", e.maxContext()),
                t.integer("n_heads", e.nHeads()), t.integer("n_kv_heads", e.nKvHeads()), t.integer("prefix_attn", e.prefixAttn()),
                t.has("group_size") ? t.integer("group_size", 0) : null);
        MoondreamConfig config = new MoondreamConfig(vision, text);
        config.check(file);
        return config;
    }

    private static void refuseUnknown(Path file, JsonNode root, String section, Set<String> known) {
        JsonNode n = root == null ? null : root.get(section);
        if (n == null || !n.isObject()) {
            return; // absent: all defaults; not an object: ConfigFile.section has already refused it
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                throw new IllegalArgumentException(file + ": field '" + section + "." + f + "' is not a moondream " + section
                        + " config field; expected one of " + new TreeSet<>(known));
            }
        }
    }

    /** Refuses sizes the reference code cannot run, one sentence per rule. */
    private void check(Path file) {
        MoondreamVisionConfig v = vision;
        positive(file, "vision.enc_dim", v.encDim());
        positive(file, "vision.enc_patch_size", v.encPatchSize());
        positive(file, "vision.enc_ff_dim", v.encFfDim());
        positive(file, "vision.enc_n_heads", v.encNHeads());
        positive(file, "vision.proj_out_dim", v.projOutDim());
        positive(file, "vision.proj_inner_dim", v.projInnerDim());
        positive(file, "vision.max_crops", v.maxCrops());
        positive(file, "text.dim", text.dim());
        positive(file, "text.n_heads", text.nHeads());
        positive(file, "text.n_kv_heads", text.nKvHeads());
        positive(file, "text.ff_dim", text.ffDim());
        positive(file, "text.n_layers", text.nLayers());
        positive(file, "text.vocab_size", text.vocabSize());
        if (v.cropSize() != GRID_SIDE * v.encPatchSize()) {
            throw new IllegalArgumentException(file + ": field 'vision.crop_size' is " + v.cropSize() + "; expected " + GRID_SIDE
                    + " x enc_patch_size = " + (GRID_SIDE * v.encPatchSize()) + ", because the reference hard-codes a " + GRID_SIDE + "x"
                    + GRID_SIDE + " patch grid per crop (the 730-token image prefix)");
        }
        if (v.encNLayers() != GRID_SIDE) {
            throw new IllegalArgumentException(file + ": field 'vision.enc_n_layers' is " + v.encNLayers() + "; expected " + GRID_SIDE
                    + ", the crop grid side, because the reference pools the stitched features to enc_n_layers x enc_n_layers and reads"
                    + " them as " + (GRID_SIDE * GRID_SIDE) + " rows");
        }
        if (v.inChannels() != 3) {
            throw new IllegalArgumentException(file + ": field 'vision.in_channels' is " + v.inChannels() + "; expected 3 (the crops are RGB)");
        }
        if (v.encDim() % v.encNHeads() != 0) {
            throw new IllegalArgumentException(file + ": field 'vision.enc_dim' is " + v.encDim() + "; expected a multiple of enc_n_heads "
                    + v.encNHeads());
        }
        if (v.overlapMargin() < 0 || 2 * v.overlapMargin() >= GRID_SIDE) {
            throw new IllegalArgumentException(file + ": field 'vision.overlap_margin' is " + v.overlapMargin() + "; expected 0 to "
                    + ((GRID_SIDE - 1) / 2) + " patches, so that a crop keeps a window between its two margins");
        }
        if (v.projOutDim() != text.dim()) {
            throw new IllegalArgumentException(file + ": field 'vision.proj_out_dim' is " + v.projOutDim() + "; expected text.dim "
                    + text.dim() + ", because the image embeddings are rows of the text model's input");
        }
        if (text.dim() % text.nHeads() != 0 || text.headDim() != TEXT_HEAD_DIM) {
            throw new IllegalArgumentException(file + ": field 'text.n_heads' is " + text.nHeads() + " for text.dim " + text.dim()
                    + "; expected heads of width " + TEXT_HEAD_DIM + " (dim = 64 n_heads), the width the reference's rotary embedding assumes");
        }
        if (text.nHeads() % text.nKvHeads() != 0) {
            throw new IllegalArgumentException(file + ": field 'text.n_kv_heads' is " + text.nKvHeads() + "; expected a divisor of n_heads "
                    + text.nHeads());
        }
        if (text.maxContext() != MAX_CONTEXT) {
            throw new IllegalArgumentException(file + ": field 'text.max_context' is " + text.maxContext() + "; expected " + MAX_CONTEXT
                    + ", the context the reference's decode masks hard-code");
        }
        if (text.groupSize() != null) {
            throw new IllegalArgumentException(file + ": field 'text.group_size' is " + text.groupSize()
                    + "; expected null: int4-quantised moondream weights are not supported");
        }
    }

    private static void positive(Path file, String field, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(file + ": field '" + field + "' is " + value + "; expected a positive integer");
        }
    }
}
