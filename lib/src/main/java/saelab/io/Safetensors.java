package saelab.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The safetensors file format (Hugging Face): an 8-byte little-endian header length N, N bytes of
 * UTF-8 JSON (tensor name to {dtype, shape, data_offsets}, plus an optional string-to-string
 * {@code __metadata__}), then the raw little-endian tensor data. The writer is here so checkpoints are
 * readable by Python's {@code safetensors} with no saelab code (the format is small enough that a
 * library would add more than it saves); {@link #read} reads a small file whole through the one
 * validating reader, {@link SafetensorsFile}.
 */
public final class Safetensors {

    /** Largest header accepted, as in the reference implementation. */
    static final long MAX_HEADER = SafetensorsFile.MAX_HEADER;
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A float tensor: shape (outermost first) and row-major values.
     *
     * @param shape  dimensions, outermost first ({@code []} for a scalar)
     * @param values row-major float32 values
     */
    public record Tensor(long[] shape, float[] values) {
        public Tensor {
            long n = Arrays.stream(shape).reduce(1, Math::multiplyExact);
            if (n != values.length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " values, got " + values.length);
            }
        }

        /** The shape as text, e.g. {@code [768, 24576]}. */
        public String shapeText() {
            return Arrays.toString(shape);
        }
    }

    /**
     * A read file: its tensors (converted to float32) and metadata.
     *
     * @param tensors  name to tensor, in file order
     * @param metadata the {@code __metadata__} map (empty when absent)
     */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {

        /**
         * The tensor {@code name} with the expected shape.
         *
         * @throws IllegalArgumentException naming the file, the tensor and both shapes
         */
        public Tensor require(Path file, String name, long... shape) {
            Tensor t = tensors.get(name);
            if (t == null) {
                throw new IllegalArgumentException(file + ": tensor '" + name + "' is missing; the file has " + tensors.keySet());
            }
            if (!Arrays.equals(t.shape(), shape)) {
                throw new IllegalArgumentException(file + ": tensor '" + name + "' has shape " + t.shapeText() + ", expected "
                        + Arrays.toString(shape));
            }
            return t;
        }
    }

    private Safetensors() {}

    /**
     * An int64 tensor (token ids): shape (outermost first) and row-major values.
     *
     * @param shape  dimensions, outermost first ({@code []} for a scalar)
     * @param values row-major int64 values
     */
    public record LongTensor(long[] shape, long[] values) {
        public LongTensor {
            long n = Arrays.stream(shape).reduce(1, Math::multiplyExact);
            if (n != values.length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " values, got " + values.length);
            }
        }
    }

    /** Writes float32 tensors and string metadata to {@code file}, atomically. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        write(file, tensors, Map.of(), metadata);
    }

    /**
     * Writes float32 tensors, then int64 tensors ({@code I64}, e.g. token ids), and string metadata to {@code file},
     * atomically.
     *
     * @throws IllegalArgumentException when a name is used twice or is {@code __metadata__}
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, LongTensor> longTensors, Map<String, String> metadata)
            throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            offset = entry(header, e.getKey(), "F32", e.getValue().shape(), 4L * e.getValue().values().length, offset);
        }
        for (Map.Entry<String, LongTensor> e : longTensors.entrySet()) {
            offset = entry(header, e.getKey(), "I64", e.getValue().shape(), 8L * e.getValue().values().length, offset);
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8; // data starts 8-byte aligned; padding is spaces
        AtomicFiles.write(file, out -> {
            byte[] head = new byte[8 + padded];
            MemorySegment.ofArray(head).set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, padded);
            System.arraycopy(json, 0, head, 8, json.length);
            Arrays.fill(head, 8 + json.length, head.length, (byte) ' ');
            out.write(head);
            byte[] buf = new byte[1 << 20];
            MemorySegment seg = MemorySegment.ofArray(buf);
            for (Tensor t : tensors.values()) {
                float[] v = t.values();
                for (int i = 0; i < v.length; ) {
                    int n = Math.min(buf.length / 4, v.length - i);
                    MemorySegment.copy(v, i, seg, LE_FLOAT, 0, n);
                    out.write(buf, 0, n * 4);
                    i += n;
                }
            }
            for (LongTensor t : longTensors.values()) {
                long[] v = t.values();
                for (int i = 0; i < v.length; ) {
                    int n = Math.min(buf.length / 8, v.length - i);
                    MemorySegment.copy(v, i, seg, LE_LONG, 0, n);
                    out.write(buf, 0, n * 8);
                    i += n;
                }
            }
        });
    }

    /** Adds one tensor's header entry at {@code offset}; returns the offset after it. */
    private static long entry(ObjectNode header, String name, String dtype, long[] shape, long bytes, long offset) {
        if (name.equals("__metadata__")) {
            throw new IllegalArgumentException("'__metadata__' is reserved and cannot name a tensor");
        }
        if (header.has(name)) {
            throw new IllegalArgumentException("tensor '" + name + "' is given twice; expected one tensor per name");
        }
        ObjectNode t = header.putObject(name);
        t.put("dtype", dtype);
        var s = t.putArray("shape");
        for (long d : shape) {
            s.add(d);
        }
        t.putArray("data_offsets").add(offset).add(offset + bytes);
        return offset + bytes;
    }

    /**
     * Reads every tensor of a small file as float32 (F32, F16, BF16 and F64 converted) with its metadata,
     * through {@link SafetensorsFile}, which validates the header first. For large files open a
     * {@link SafetensorsFile} and read only the tensors needed.
     *
     * @throws IllegalArgumentException for a damaged, truncated or hostile file, or a tensor that is not a float type,
     *                                  naming the file and tensor
     */
    public static Contents read(Path file) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (String name : f.entries().keySet()) {
                tensors.put(name, f.tensor(name));
            }
            return new Contents(tensors, f.metadata());
        }
    }
}
