package saelab.image;

/**
 * The resampling filters of Pillow's convolution resize ({@code src/libImaging/Resample.c}) that
 * saelab reproduces, with their PIL codes ({@code Image.Resampling}) and support radii. The
 * reference pipelines of the models here (Hugging Face image processors, torchvision on PIL images,
 * open_clip) all use {@link #BICUBIC}; {@link #BILINEAR} is there for configs that ask for it;
 * {@link #LANCZOS} is moondream2's crop resize (its PIL fallback when pyvips is missing). Nearest,
 * box and Hamming are not implemented. The image-processor config readers ({@link #fromPilCode},
 * {@link #fromName}) accept bicubic and bilinear only: no supported processor asks for Lanczos, and
 * no processor fixture checks that path.
 */
public enum ResampleFilter {

    /** Triangle filter, support 1 (PIL code 2). */
    BILINEAR(2, 1.0),

    /**
     * Keys' cubic convolution kernel with a = -0.5 (R. Keys, "Cubic convolution interpolation for
     * digital image processing", IEEE Trans. ASSP 29(6), 1981), support 2 (PIL code 3).
     */
    BICUBIC(3, 2.0),

    /**
     * Lanczos: sinc(x) sinc(x / 3) truncated to |x| < 3 (C. Duchon, "Lanczos filtering in one and
     * two dimensions", J. Appl. Meteor. 18(8), 1979), support 3 (PIL code 1).
     */
    LANCZOS(1, 3.0);

    private final int pilCode;
    private final double support;

    ResampleFilter(int pilCode, double support) {
        this.pilCode = pilCode;
        this.support = support;
    }

    /** The filter's code in PIL ({@code Image.Resampling}) and in Hugging Face's {@code resample} field. */
    public int pilCode() {
        return pilCode;
    }

    /** Half-width of the filter at scale 1, in input pixels. */
    public double support() {
        return support;
    }

    /** The filter's weight at distance {@code x} (in input pixels at scale 1). */
    public double weight(double x) {
        // Written in the same operation order as Pillow's filters so the double weights match bit for bit.
        if (this == LANCZOS) {
            // Pillow's range test [-3, 3) on the signed distance (sinc is exactly even, so only the ends differ)
            return -3.0 <= x && x < 3.0 ? sinc(x) * sinc(x / 3) : 0.0;
        }
        if (x < 0.0) {
            x = -x;
        }
        return switch (this) {
            case BILINEAR -> x < 1.0 ? 1.0 - x : 0.0;
            case LANCZOS -> throw new AssertionError("handled above");
            case BICUBIC -> {
                final double a = -0.5;
                if (x < 1.0) {
                    yield ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
                }
                if (x < 2.0) {
                    yield (((x - 5) * x + 8) * x - 4) * a;
                }
                yield 0.0;
            }
        };
    }

    /**
     * sin(pi x) / (pi x), 1 at 0, as Pillow's {@code sinc_filter}. StrictMath (fdlibm) rather than the
     * intrinsic: its sine is the same on every JVM, so the weights are reproducible.
     */
    private static double sinc(double x) {
        if (x == 0.0) {
            return 1.0;
        }
        double px = x * Math.PI;
        return StrictMath.sin(px) / px;
    }

    /**
     * The filter for a PIL resample code (Hugging Face {@code resample}).
     *
     * @throws IllegalArgumentException for codes of filters saelab does not implement, naming them
     */
    public static ResampleFilter fromPilCode(int code) {
        if (code == BICUBIC.pilCode) {
            return BICUBIC;
        }
        if (code == BILINEAR.pilCode) {
            return BILINEAR;
        }
        String name = switch (code) {
            case 0 -> "nearest";
            case 1 -> "lanczos";
            case 4 -> "box";
            case 5 -> "hamming";
            default -> "unknown";
        };
        throw new IllegalArgumentException("resample " + code + " (" + name + ") is not supported; expected 3 (bicubic) or 2 (bilinear)");
    }

    /**
     * The filter for a torchvision / open_clip interpolation name ({@code "bicubic"}, {@code "bilinear"}).
     *
     * @throws IllegalArgumentException for other names
     */
    public static ResampleFilter fromName(String name) {
        return switch (name) {
            case "bicubic" -> BICUBIC;
            case "bilinear" -> BILINEAR;
            default -> throw new IllegalArgumentException("interpolation '" + name + "' is not supported; expected 'bicubic' or 'bilinear'");
        };
    }
}
