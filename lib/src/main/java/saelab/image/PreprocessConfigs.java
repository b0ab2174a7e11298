package saelab.image;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import saelab.io.Json;

/**
 * Reads a model's preprocessing settings into a {@link PreprocessConfig}: a Hugging Face
 * {@code preprocessor_config.json} (CLIPImageProcessor, BitImageProcessor (DINOv2),
 * SiglipImageProcessor; transformers' slow, PIL-based processors) or the {@code preprocess_cfg} of an
 * open_clip {@code open_clip_config.json} (BioCLIP), which open_clip turns into torchvision
 * transforms. Fields a file leaves out take the defaults of the class that would read it
 * (transformers v4.45 constructors; open_clip's {@code PreprocessCfg}, its size from
 * {@code model_cfg.vision_cfg.image_size}). Fields saelab does not use (e.g. {@code processor_class})
 * are ignored; a used field of the wrong type or value is an error naming the file and the field.
 *
 * <p>Crop rounding follows the reader: {@link CropRule#FLOOR} for Hugging Face,
 * {@link CropRule#ROUND_HALF_EVEN} for open_clip (torchvision). {@code do_convert_rgb} is accepted and
 * has no effect: images are always decoded to RGB.
 */
public final class PreprocessConfigs {

    /** File name of a Hugging Face image processor's settings. */
    public static final String HF_FILE = "preprocessor_config.json";
    /** File name of an open_clip model's settings (the hub layout open_clip reads). */
    public static final String OPEN_CLIP_FILE = "open_clip_config.json";

    private static final double[] OPENAI_CLIP_MEAN = {0.48145466, 0.4578275, 0.40821073};
    private static final double[] OPENAI_CLIP_STD = {0.26862954, 0.26130258, 0.27577711};
    private static final double[] IMAGENET_STANDARD_MEAN = {0.5, 0.5, 0.5};
    private static final double[] IMAGENET_STANDARD_STD = {0.5, 0.5, 0.5};
    private static final double DEFAULT_RESCALE = 1 / 255.0;

    private PreprocessConfigs() {}

    /**
     * The settings of a model folder ({@value #HF_FILE} first, else {@value #OPEN_CLIP_FILE}), or of
     * one such JSON file (a file with a {@code preprocess_cfg} object is read as open_clip's).
     *
     * @throws NoSuchFileException      when the path does not exist
     * @throws IllegalArgumentException when the folder has neither file, or the file is not valid
     */
    public static PreprocessConfig read(Path modelDirOrFile) throws IOException {
        if (!Files.exists(modelDirOrFile)) {
            throw new NoSuchFileException(modelDirOrFile.toString(), null, "model folder does not exist");
        }
        if (Files.isDirectory(modelDirOrFile)) {
            Path hf = modelDirOrFile.resolve(HF_FILE);
            if (Files.isRegularFile(hf)) {
                return readHuggingFace(hf);
            }
            Path oc = modelDirOrFile.resolve(OPEN_CLIP_FILE);
            if (Files.isRegularFile(oc)) {
                return readOpenClip(oc);
            }
            throw new IllegalArgumentException(modelDirOrFile + ": no " + HF_FILE + " (Hugging Face) or " + OPEN_CLIP_FILE
                    + " (open_clip) in the model folder; expected one of them");
        }
        JsonNode root = parse(modelDirOrFile);
        return root.has("preprocess_cfg") || root.has("model_cfg") ? openClip(root, modelDirOrFile) : huggingFace(root, modelDirOrFile);
    }

    /** Reads a Hugging Face {@code preprocessor_config.json}. */
    public static PreprocessConfig readHuggingFace(Path file) throws IOException {
        return huggingFace(parse(file), file);
    }

    /** Reads the {@code preprocess_cfg} (and {@code model_cfg.vision_cfg.image_size}) of an open_clip config. */
    public static PreprocessConfig readOpenClip(Path file) throws IOException {
        return openClip(parse(file), file);
    }

    private static JsonNode parse(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "preprocessing config does not exist");
        }
        JsonNode root;
        try {
            root = Json.mapper().readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + Json.describe(e), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(file + ": expected a JSON object");
        }
        return root;
    }

    private enum HfClass { CLIP, BIT, SIGLIP }

    private static PreprocessConfig huggingFace(JsonNode root, Path file) {
        Fields f = new Fields(file, "");
        String type = f.text(root, "image_processor_type", null);
        String typeField = "image_processor_type";
        if (type == null) {
            type = f.text(root, "feature_extractor_type", null);
            typeField = "feature_extractor_type";
        }
        if (type == null) {
            throw new IllegalArgumentException(file + ": field 'image_processor_type' is missing; expected CLIPImageProcessor,"
                    + " BitImageProcessor or SiglipImageProcessor");
        }
        // The "Fast" (torchvision-tensor) variants read the same fields; saelab reproduces the slow (PIL) path.
        HfClass cls = switch (type.endsWith("Fast") ? type.substring(0, type.length() - 4) : type) {
            case "CLIPImageProcessor", "CLIPFeatureExtractor" -> HfClass.CLIP;
            case "BitImageProcessor" -> HfClass.BIT;
            case "SiglipImageProcessor" -> HfClass.SIGLIP;
            default -> throw new IllegalArgumentException(file + ": field '" + typeField + "' is '" + type
                    + "', which saelab does not implement; expected CLIPImageProcessor, BitImageProcessor or SiglipImageProcessor");
        };
        boolean doResize = f.bool(root, "do_resize", true);
        ResampleFilter filter;
        int code = f.integer(root, "resample", ResampleFilter.BICUBIC.pilCode());
        try {
            filter = ResampleFilter.fromPilCode(code);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": field 'resample': " + e.getMessage(), e);
        }
        ResizeRule resize = null;
        if (doResize) {
            resize = cls == HfClass.SIGLIP ? f.squareOrHeightWidth(root, "size", 224) : f.shortestEdgeOrHeightWidth(root, "size", 224);
        }
        CenterCrop crop = null;
        if (cls != HfClass.SIGLIP && f.bool(root, "do_center_crop", true)) {
            ResizeRule.Fixed c = f.squareOrHeightWidth(root, "crop_size", 224);
            crop = new CenterCrop(c.height(), c.width(), CropRule.FLOOR);
        }
        boolean doRescale = f.bool(root, "do_rescale", true);
        double factor = f.number(root, "rescale_factor", DEFAULT_RESCALE);
        if (doRescale && !(factor > 0)) {
            throw new IllegalArgumentException(file + ": field 'rescale_factor' must be a positive number, got " + factor);
        }
        boolean doNormalize = f.bool(root, "do_normalize", true);
        double[] mean = f.triple(root, "image_mean", cls == HfClass.SIGLIP ? IMAGENET_STANDARD_MEAN : OPENAI_CLIP_MEAN);
        double[] std = f.nonZeroTriple(root, "image_std", cls == HfClass.SIGLIP ? IMAGENET_STANDARD_STD : OPENAI_CLIP_STD);
        f.nullableBool(root, "do_convert_rgb");
        String name = switch (cls) {
            case CLIP -> "CLIPImageProcessor";
            case BIT -> "BitImageProcessor";
            case SIGLIP -> "SiglipImageProcessor";
        };
        return new PreprocessConfig(file.toString(), name, resize, filter, crop, doRescale, factor, doNormalize, mean, std,
                PixelArithmetic.NUMPY);
    }

    private static PreprocessConfig openClip(JsonNode root, Path file) {
        JsonNode cfg = root.get("preprocess_cfg");
        if (cfg != null && !cfg.isNull() && !cfg.isObject()) {
            throw new IllegalArgumentException(file + ": field 'preprocess_cfg' must be an object, got " + cfg);
        }
        Fields f = new Fields(file, "preprocess_cfg.");
        if (cfg == null || cfg.isNull()) {
            cfg = Json.mapper().createObjectNode();
        }
        // open_clip builds PreprocessCfg from the vision tower's image_size, then overlays preprocess_cfg.
        JsonNode imageSize = root.path("model_cfg").path("vision_cfg").get("image_size");
        int[] size = new Fields(file, "model_cfg.vision_cfg.").size(imageSize, "image_size", new int[] {224, 224});
        size = f.size(cfg.get("size"), "size", size);
        String mode = f.text(cfg, "mode", "RGB");
        if (!mode.equals("RGB")) {
            throw new IllegalArgumentException(file + ": field 'preprocess_cfg.mode' is '" + mode + "'; saelab produces RGB input only");
        }
        double[] mean = f.triple(cfg, "mean", OPENAI_CLIP_MEAN);
        double[] std = f.nonZeroTriple(cfg, "std", OPENAI_CLIP_STD);
        String interpolation = f.text(cfg, "interpolation", "bicubic");
        ResampleFilter filter;
        try {
            filter = ResampleFilter.fromName(interpolation);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": field 'preprocess_cfg.interpolation': " + e.getMessage(), e);
        }
        String resizeMode = f.text(cfg, "resize_mode", "shortest");
        ResizeRule resize;
        CenterCrop crop;
        switch (resizeMode) {
            case "shortest" -> {
                if (size[0] != size[1]) {
                    throw new IllegalArgumentException(file + ": field 'preprocess_cfg.size' is " + size[0] + "x" + size[1]
                            + "; resize_mode 'shortest' with a non-square size (open_clip's ResizeKeepRatio) is not implemented");
                }
                resize = new ResizeRule.ShortestEdge(size[0]);
                crop = new CenterCrop(size[0], size[1], CropRule.ROUND_HALF_EVEN);
            }
            case "squash" -> {
                resize = new ResizeRule.Fixed(size[0], size[1]);
                crop = null;
            }
            default -> throw new IllegalArgumentException(file + ": field 'preprocess_cfg.resize_mode' is '" + resizeMode
                    + "'; expected 'shortest' or 'squash' ('longest', resize-and-pad, is not implemented)");
        }
        return new PreprocessConfig(file.toString(), "open_clip", resize, filter, crop, true, DEFAULT_RESCALE, true, mean, std,
                PixelArithmetic.TORCHVISION);
    }

    /** Typed field access with errors that name the file and the field. */
    private record Fields(Path file, String prefix) {

        private IllegalArgumentException bad(String field, String expected, JsonNode got) {
            return new IllegalArgumentException(file + ": field '" + prefix + field + "' must be " + expected + ", got " + got);
        }

        private static boolean absent(JsonNode n) {
            return n == null || n.isNull() || n.isMissingNode();
        }

        String text(JsonNode obj, String field, String dflt) {
            JsonNode n = obj.get(field);
            if (absent(n)) {
                return dflt;
            }
            if (!n.isTextual()) {
                throw bad(field, "a string", n);
            }
            return n.asText();
        }

        boolean bool(JsonNode obj, String field, boolean dflt) {
            JsonNode n = obj.get(field);
            if (absent(n)) {
                return dflt;
            }
            if (!n.isBoolean()) {
                throw bad(field, "true or false", n);
            }
            return n.booleanValue();
        }

        void nullableBool(JsonNode obj, String field) {
            bool(obj, field, true);
        }

        double number(JsonNode obj, String field, double dflt) {
            JsonNode n = obj.get(field);
            if (absent(n)) {
                return dflt;
            }
            if (!n.isNumber() || !Double.isFinite(n.doubleValue())) {
                throw bad(field, "a number", n);
            }
            return n.doubleValue();
        }

        /** An integer field, or {@code dflt} when absent. */
        int integer(JsonNode obj, String field, int dflt) {
            JsonNode n = obj.get(field);
            if (absent(n)) {
                return dflt;
            }
            if (!n.isIntegralNumber() || !n.canConvertToInt()) {
                throw bad(field, "an integer", n);
            }
            return n.intValue();
        }

        /** The value {@code n} of {@code field}, which must be an integer of at least 1 (a size). */
        int positiveInteger(JsonNode n, String field) {
            if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 1) {
                throw bad(field, "a positive integer", n);
            }
            return n.intValue();
        }

        /** A number (repeated to 3) or a list of 3 finite numbers (a mean), or {@code dflt} when absent. */
        double[] triple(JsonNode obj, String field, double[] dflt) {
            return triple(obj, field, dflt, false);
        }

        /** As {@link #triple(JsonNode, String, double[])}, each number non-zero (a standard deviation, divided by). */
        double[] nonZeroTriple(JsonNode obj, String field, double[] dflt) {
            return triple(obj, field, dflt, true);
        }

        private double[] triple(JsonNode obj, String field, double[] dflt, boolean nonZero) {
            JsonNode n = obj.get(field);
            if (absent(n)) {
                return dflt.clone();
            }
            double[] v = new double[3];
            if (n.isNumber()) {
                Arrays.fill(v, n.doubleValue());
            } else if (n.isArray() && n.size() == 3) {
                for (int i = 0; i < 3; i++) {
                    if (!n.get(i).isNumber()) {
                        throw bad(field, "a list of 3 numbers (R, G, B)", n);
                    }
                    v[i] = n.get(i).doubleValue();
                }
            } else {
                throw bad(field, "a list of 3 numbers (R, G, B)", n);
            }
            for (double x : v) {
                if (!Double.isFinite(x) || (nonZero && x == 0)) {
                    throw bad(field, nonZero ? "3 finite non-zero numbers" : "3 finite numbers", n);
                }
            }
            return v;
        }

        /** Hugging Face CLIP / BiT {@code size}: {shortest_edge} or {height, width}; a bare integer is a shortest edge. */
        ResizeRule shortestEdgeOrHeightWidth(JsonNode obj, String field, int dflt) {
            JsonNode n = obj.get(field);
            if (absent(n)) {
                return new ResizeRule.ShortestEdge(dflt);
            }
            if (n.isNumber()) {
                return new ResizeRule.ShortestEdge(positiveInteger(n, field));
            }
            if (n.isObject() && n.has("shortest_edge")) {
                return new ResizeRule.ShortestEdge(positiveInteger(n.get("shortest_edge"), field + ".shortest_edge"));
            }
            if (n.isObject() && n.has("height") && n.has("width")) {
                return new ResizeRule.Fixed(positiveInteger(n.get("height"), field + ".height"), positiveInteger(n.get("width"), field + ".width"));
            }
            throw bad(field, "{\"shortest_edge\": N} or {\"height\": H, \"width\": W}", n);
        }

        /** {height, width}; a bare integer is a square. */
        ResizeRule.Fixed squareOrHeightWidth(JsonNode obj, String field, int dflt) {
            JsonNode n = obj.get(field);
            if (absent(n)) {
                return new ResizeRule.Fixed(dflt, dflt);
            }
            if (n.isNumber()) {
                int s = positiveInteger(n, field);
                return new ResizeRule.Fixed(s, s);
            }
            if (n.isObject() && n.has("height") && n.has("width")) {
                return new ResizeRule.Fixed(positiveInteger(n.get("height"), field + ".height"), positiveInteger(n.get("width"), field + ".width"));
            }
            throw bad(field, "{\"height\": H, \"width\": W}", n);
        }

        /** open_clip size: an integer (square) or [height, width]. */
        int[] size(JsonNode n, String field, int[] dflt) {
            if (absent(n)) {
                return dflt;
            }
            if (n.isNumber()) {
                int s = positiveInteger(n, field);
                return new int[] {s, s};
            }
            if (n.isArray() && n.size() == 2) {
                return new int[] {positiveInteger(n.get(0), field + "[0]"), positiveInteger(n.get(1), field + "[1]")};
            }
            throw bad(field, "an integer or [height, width]", n);
        }
    }
}
