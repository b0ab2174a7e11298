package saelab.model;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;

/**
 * How to load a model.
 *
 * @param device           where the weights and the computation live
 * @param dtype            compute dtype: FLOAT32 (the reference), or FLOAT16 / BFLOAT16 on a GPU
 * @param posInterpolation position-table resampling, or null for the family's default
 *                         ({@link ModelFamily#defaultInterpolation})
 */
public record LoadOptions(Device device, DataType dtype, PosInterpolation posInterpolation) {

    public LoadOptions {
        if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT16 && dtype != DataType.BFLOAT16) {
            throw new IllegalArgumentException("dtype " + dtype + " is not supported; expected float32, float16 or bfloat16");
        }
        if (dtype != DataType.FLOAT32 && !device.isGpu()) {
            throw new IllegalArgumentException("dtype " + dtype + " needs a GPU device; on the CPU use float32");
        }
    }

    /** float32 on the CPU with the family's default resampling. */
    public static LoadOptions defaults() {
        return new LoadOptions(Device.cpu(), DataType.FLOAT32, null);
    }

    /** The same options with another resampling variant. */
    public LoadOptions withPosInterpolation(PosInterpolation p) {
        return new LoadOptions(device, dtype, p);
    }

    /** The resampling to use for {@code family}. */
    public PosInterpolation interpolationFor(ModelFamily family) {
        return posInterpolation != null ? posInterpolation : family.defaultInterpolation();
    }
}
