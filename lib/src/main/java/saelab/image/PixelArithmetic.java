package saelab.image;

/**
 * The float32 arithmetic that turns a uint8 sample into a model input, reproduced operation for
 * operation so results match the reference bit for bit (not only within rounding):
 * <ul>
 *   <li>{@link #NUMPY}: Hugging Face's slow image processors. {@code rescale}: float64 product
 *       {@code v * rescale_factor} cast to float32; {@code normalize}: {@code (x - mean) / std} in
 *       float32 with mean and std cast to float32;</li>
 *   <li>{@link #TORCHVISION}: torchvision {@code ToTensor} then {@code Normalize} (open_clip):
 *       {@code v / 255} in float32, then {@code (x - mean) / std} in float32.</li>
 * </ul>
 * With a rescale factor of 1/255 the two rescales give the same float for every sample value; what
 * matters for bit-exactness is that the normalisation runs in float32 (in double, 127 of the 256
 * values of a CLIP channel come out one ulp off).
 */
public enum PixelArithmetic {

    /** Hugging Face image processors (numpy). */
    NUMPY,

    /** torchvision transforms (open_clip). */
    TORCHVISION;

    /**
     * The model input for sample value {@code v} (0..255).
     *
     * @param rescale       whether to scale (HF {@code do_rescale}; torchvision always divides by 255)
     * @param rescaleFactor HF {@code rescale_factor} (ignored for torchvision)
     * @param normalize     whether to subtract the mean and divide by the standard deviation
     */
    public float apply(int v, boolean rescale, double rescaleFactor, boolean normalize, double mean, double std) {
        float x = switch (this) {
            case NUMPY -> rescale ? (float) (v * rescaleFactor) : (float) v;
            case TORCHVISION -> rescale ? (float) v / 255f : (float) v;
        };
        return normalize ? (x - (float) mean) / (float) std : x;
    }
}
