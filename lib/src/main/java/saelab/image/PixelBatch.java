package saelab.image;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Preprocessed images ready for a model: float32 {@code [batch, 3, height, width]} in row-major
 * (NCHW) order, the layout of an NDArray created with {@code manager.create(FloatBuffer.wrap(values), new Shape(shape()))}.
 *
 * @param values {@code batch * 3 * height * width} values
 * @param batch  images
 * @param height rows per image
 * @param width  columns per image
 */
public record PixelBatch(float[] values, int batch, int height, int width) {

    public PixelBatch {
        if (batch < 0 || height < 1 || width < 1 || values.length != (long) batch * 3 * height * width) {
            throw new IllegalArgumentException("a batch of " + batch + " images of 3x" + height + "x" + width + " needs "
                    + ((long) batch * 3 * height * width) + " values, got " + values.length);
        }
    }

    /** {@code [batch, 3, height, width]}. */
    public long[] shape() {
        return new long[] {batch, 3, height, width};
    }

    /** The values of image {@code i} ({@code [3, height, width]}), copied. */
    public float[] image(int i) {
        int n = 3 * height * width;
        float[] out = new float[n];
        System.arraycopy(values, i * n, out, 0, n);
        return out;
    }

    /** The values in a new direct buffer in native byte order (what DJL's {@code NDManager.create(Buffer, Shape)} copies fastest). */
    public ByteBuffer toDirectBuffer() {
        ByteBuffer b = ByteBuffer.allocateDirect(values.length * 4).order(ByteOrder.nativeOrder());
        b.asFloatBuffer().put(values);
        return b;
    }
}
