package saelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;
import saelab.io.SafetensorsFile;

/**
 * The DJL side of a safetensors file: {@link SafetensorsFile} (in {@code saelab.io}) maps and
 * validates the file; {@link #load} hands libtorch the mapped bytes of one tensor, which libtorch
 * copies into its own memory (converting F16/BF16/F64 to float32 there). Nothing passes through the
 * Java heap, so a checkpoint of several GB costs its size once, in native memory.
 *
 * <p>Floating tensors (F32, F16, BF16, F64) load as float32 and are refused when they hold NaN or an
 * infinity; integer tensors (I64, I32) load as int64 (token ids). Close the file after loading: the
 * returned arrays own their memory.
 */
public final class MappedSafetensors implements AutoCloseable {

    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final SafetensorsFile file;

    private MappedSafetensors(SafetensorsFile file) {
        this.file = file;
    }

    /**
     * Maps {@code path} and validates its header ({@link SafetensorsFile#open}).
     *
     * @throws IllegalArgumentException for a damaged or hostile header, naming the file and tensor
     * @throws IOException              when the file is missing or unreadable
     */
    public static MappedSafetensors open(Path path) throws IOException {
        return new MappedSafetensors(SafetensorsFile.open(path));
    }

    /** The mapped file. */
    public Path path() {
        return file.path();
    }

    /** Header entries by name, in file order ({@code __metadata__} excluded). */
    public Map<String, SafetensorsFile.Entry> entries() {
        return file.entries();
    }

    /** The {@code __metadata__} map (empty when absent). */
    public Map<String, String> metadata() {
        return file.metadata();
    }

    /** Whether the file holds a tensor called {@code name}. */
    public boolean has(String name) {
        return file.has(name);
    }

    /**
     * Creates the tensor {@code name} on {@code manager}'s device: float types as float32, integer
     * types as int64. The array owns its memory (it does not point into the mapping).
     *
     * @throws IllegalArgumentException when the tensor is missing, naming the file
     */
    public NDArray load(String name, NDManager manager) {
        SafetensorsFile.Entry e = file.entry(name);
        Path path = file.path();
        if (e.bytes() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(path + ": tensor '" + name + "' has " + e.bytes() + " bytes; tensors over 2 GiB are not supported");
        }
        Shape shape = new Shape(e.shape());
        DataType stored = switch (e.dtype()) {
            case "F32" -> DataType.FLOAT32;
            case "F16" -> DataType.FLOAT16;
            case "BF16" -> DataType.BFLOAT16;
            case "F64" -> DataType.FLOAT64;
            case "I64" -> DataType.INT64;
            case "I32" -> DataType.INT32;
            default -> throw new IllegalArgumentException(path + ": tensor '" + name + "' has dtype '" + e.dtype()
                    + "', which saelab does not load (F32, F16, BF16, F64, I64, I32)");
        };
        DataType target = stored.isInteger() ? DataType.INT64 : DataType.FLOAT32;
        if (e.bytes() == 0) {
            return manager.zeros(shape, target);
        }
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalStateException("saelab reads safetensors on little-endian machines only");
        }
        MemorySegment bytes = file.bytes(name);
        // A direct buffer over the mapped bytes: on the CPU libtorch wraps it without copying
        // (from_blob), so the view is copied (or converted) into libtorch memory at once and closed.
        NDArray a = stored == DataType.BFLOAT16 ? bfloat16(bytes, shape, manager)
                : own(bytes.asByteBuffer().order(ByteOrder.nativeOrder()), shape, stored, target, manager);
        if (!stored.isInteger()) {
            requireFinite(a, path, name);
        }
        return a;
    }

    /**
     * Refuses {@code a} (closing it) when it holds NaN or an infinity, naming the file, the tensor and
     * the first bad flat index. One libtorch reduction per tensor: the sum of the values is finite when
     * they all are (NaN and infinities propagate); only a non-finite sum, which finite values can also
     * reach by overflow, is followed by an exact scan of a host copy.
     */
    private static void requireFinite(NDArray a, Path path, String name) {
        float bad = 0;
        long first = -1;
        String shape = a.getShape().toString();
        try (NDManager scratch = a.getManager().newSubManager()) {
            a.tempAttach(scratch); // the sum lives in scratch; a returns to its manager when scratch closes
            if (Float.isFinite(a.sum().getFloat())) {
                return;
            }
            float[] v = a.flatten().toFloatArray();
            for (int i = 0; i < v.length && first < 0; i++) {
                if (!Float.isFinite(v[i])) {
                    first = i;
                    bad = v[i];
                }
            }
        }
        if (first < 0) {
            return; // the sum overflowed; every value is finite
        }
        a.close();
        throw new IllegalArgumentException(path + ": tensor '" + name + "' holds " + bad + " at flat index " + first + " (shape "
                + shape + "); saelab refuses weights with NaN or infinite values (a damaged or diverged checkpoint)");
    }

    /** Wraps {@code view}, then copies or converts it into an array owned by {@code manager}. */
    private static NDArray own(ByteBuffer view, Shape shape, DataType stored, DataType target, NDManager manager) {
        try (NDManager scratch = manager.newSubManager()) {
            NDArray wrapped = scratch.create(view, shape, stored);
            NDArray owned = OwnedArrays.converted(wrapped, target);
            owned.attach(manager);
            return owned;
        }
    }

    /**
     * BF16 to float32, converted here: DJL 0.35.1 aborts the JVM when asked to wrap a BF16 buffer.
     * bf16 is the upper half of a float32, so each value is its 16 bits shifted left by 16. The
     * float32 copy lives in native memory for the moment it takes libtorch to copy it.
     */
    private static NDArray bfloat16(MemorySegment bytes, Shape shape, NDManager manager) {
        long n = bytes.byteSize() / 2;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment f32 = arena.allocate(4 * n, 8);
            for (long i = 0; i < n; i++) {
                f32.set(ValueLayout.JAVA_INT, 4 * i, (bytes.get(LE_SHORT, 2 * i) & 0xffff) << 16);
            }
            return own(f32.asByteBuffer().order(ByteOrder.nativeOrder()), shape, DataType.FLOAT32, DataType.FLOAT32, manager);
        }
    }

    @Override
    public void close() {
        file.close();
    }
}
