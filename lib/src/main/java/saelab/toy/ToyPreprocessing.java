package saelab.toy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code preprocessor_config.json} of the toy backbones: the Hugging Face slow image processor of the
 * family (CLIP's {@code CLIPImageProcessor}, DINOv2's {@code BitImageProcessor}) with its size set to the toy
 * image side, so toy-world images pass through unresized and uncropped (shortest edge S, centre crop S x S) and
 * only the rescale and per-channel normalisation change the values. Other images are resized and cropped as the
 * real models' processors do. saelab reads it with {@link saelab.image.PreprocessConfigs}; the trainer builds its
 * pixels through the same reader, so training and inference see identical numbers.
 */
final class ToyPreprocessing {

    /** Pillow's code of bicubic resampling. */
    private static final int BICUBIC = 3;

    private ToyPreprocessing() {}

    /** The settings map for {@code processorType} at image side {@code size}. */
    static Map<String, Object> config(String processorType, int size, double[] mean, double[] std) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("image_processor_type", processorType);
        m.put("do_convert_rgb", true);
        m.put("do_resize", true);
        m.put("size", Map.of("shortest_edge", size));
        m.put("resample", BICUBIC);
        m.put("do_center_crop", true);
        m.put("crop_size", new LinkedHashMap<>(Map.of("height", size, "width", size)));
        m.put("do_rescale", true);
        m.put("rescale_factor", 1 / 255.0);
        m.put("do_normalize", true);
        m.put("image_mean", List.of(mean[0], mean[1], mean[2]));
        m.put("image_std", List.of(std[0], std[1], std[2]));
        return m;
    }
}
