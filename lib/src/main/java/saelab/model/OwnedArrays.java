package saelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Type conversions that always return an array with memory of its own. DJL 0.35's {@code toType(type, true)} does not
 * copy when the array already has that type: libtorch's {@code Tensor.to} returns the same storage, and DJL wraps it in a
 * new handle. For an array DJL created over a Java buffer ({@code NDManager.create} of a Java array: libtorch's
 * {@code from_blob}, the buffer kept alive by that one array object), the "copy" then reads the buffer's memory after the
 * original is closed and the garbage collector frees the buffer. Seen as a text tower's causal mask turning into garbage:
 * NaN zero-shot class vectors in about one of ten runs of the paper smoke plan, depending on when the collector ran.
 */
public final class OwnedArrays {

    private OwnedArrays() {}

    /** {@code a} as {@code type}, in new memory owned by libtorch ({@link NDArray#duplicate()} when the type already matches). */
    public static NDArray converted(NDArray a, DataType type) {
        return a.getDataType() == type ? a.duplicate() : a.toType(type, false);
    }
}
