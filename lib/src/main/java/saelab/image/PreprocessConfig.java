package saelab.image;

import java.util.Arrays;
import java.util.Locale;

/**
 * Everything a {@link Preprocessor} does to a decoded RGB image, in order: resize (Pillow
 * resampling), centre crop, rescale, normalise per channel, to float32 {@code [3, H, W]}. Read from
 * a model folder by {@link PreprocessConfigs}; every field is resolved (family defaults filled in).
 *
 * @param source        where the settings came from (a file), for messages and provenance
 * @param processorType the reference it reproduces: a Hugging Face processor class
 *                      ({@code CLIPImageProcessor}, {@code BitImageProcessor}, {@code SiglipImageProcessor})
 *                      or {@code open_clip}
 * @param resize        the resize rule, or {@code null} for no resize
 * @param filter        the resampling filter of the resize
 * @param crop          the centre crop, or {@code null} for none
 * @param rescale       whether samples are scaled (by {@code rescaleFactor}, or /255 for torchvision)
 * @param rescaleFactor the HF scale factor (1/255)
 * @param normalize     whether the per-channel mean is subtracted and the result divided by std
 * @param mean          per-channel mean, R, G, B
 * @param std           per-channel standard deviation, R, G, B (non-zero)
 * @param arithmetic    which reference's float32 arithmetic to reproduce
 */
public record PreprocessConfig(String source, String processorType, ResizeRule resize, ResampleFilter filter, CenterCrop crop,
                               boolean rescale, double rescaleFactor, boolean normalize, double[] mean, double[] std,
                               PixelArithmetic arithmetic) {

    public PreprocessConfig {
        if (filter == null || arithmetic == null) {
            throw new IllegalArgumentException(source + ": a preprocessing config needs a resampling filter and an arithmetic");
        }
        if (mean == null || mean.length != 3 || std == null || std.length != 3) {
            throw new IllegalArgumentException(source + ": image_mean and image_std need 3 values (R, G, B), got "
                    + Arrays.toString(mean) + " and " + Arrays.toString(std));
        }
        for (double s : std) {
            if (!(s != 0) || !Double.isFinite(s)) {
                throw new IllegalArgumentException(source + ": image_std " + Arrays.toString(std) + " must be finite and non-zero");
            }
        }
        for (double m : mean) {
            if (!Double.isFinite(m)) {
                throw new IllegalArgumentException(source + ": image_mean " + Arrays.toString(mean) + " must be finite");
            }
        }
        if (rescale && !(rescaleFactor > 0 && Double.isFinite(rescaleFactor))) {
            throw new IllegalArgumentException(source + ": rescale_factor must be a positive number, got " + rescaleFactor);
        }
        mean = mean.clone();
        std = std.clone();
    }

    @Override
    public double[] mean() {
        return mean.clone();
    }

    @Override
    public double[] std() {
        return std.clone();
    }

    /**
     * The output size for an input image: the crop size, else the resized size.
     */
    public ResizeRule.Size outputSize(int width, int height) {
        if (crop != null) {
            return new ResizeRule.Size(crop.width(), crop.height());
        }
        return resize == null ? new ResizeRule.Size(width, height) : resize.outputSize(width, height);
    }

    /** The output size when it does not depend on the input (a crop or a fixed resize), else {@code null}. */
    public ResizeRule.Size fixedOutputSize() {
        if (crop != null) {
            return new ResizeRule.Size(crop.width(), crop.height());
        }
        return resize instanceof ResizeRule.Fixed f ? new ResizeRule.Size(f.width(), f.height()) : null;
    }

    /** One line: the steps and constants. */
    public String describe() {
        StringBuilder sb = new StringBuilder(processorType).append(": ");
        sb.append(resize == null ? "no resize" : "resize " + resize + " (" + filter.name().toLowerCase(Locale.ROOT) + ")");
        sb.append(crop == null ? ", no crop" : ", centre crop " + crop.height() + "x" + crop.width() + " (" + crop.rule() + ")");
        sb.append(rescale ? ", rescale" : ", no rescale");
        sb.append(normalize ? ", normalise mean " + Arrays.toString(mean) + " std " + Arrays.toString(std) : ", no normalisation");
        return sb.toString();
    }

    @Override
    public String toString() {
        return "PreprocessConfig[" + source + ": " + describe() + "]";
    }
}
