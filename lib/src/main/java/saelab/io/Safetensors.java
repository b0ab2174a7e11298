package saelab.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The safetensors file format (Hugging Face): an 8-byte little-endian header length N, N bytes of
 * UTF-8 JSON (tensor name to {dtype, shape, data_offsets}, plus an optional string-to-string
 * {@code __metadata__}), then the raw little-endian tensor data. Written here so checkpoints are
 * readable by Python's {@code safetensors} with no saelab code; the format is small enough that a
 * library would add more than it saves.
 */
public final class Safetensors {

    /** Largest header accepted, as in the reference implementation. */
    static final long MAX_HEADER = 100_000_000L;
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
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

    /** Writes float32 tensors and string metadata to {@code file}, atomically. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                throw new IllegalArgumentException("'__metadata__' is reserved and cannot name a tensor");
            }
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", "F32");
            var shape = t.putArray("shape");
            for (long d : e.getValue().shape()) {
                shape.add(d);
            }
            long bytes = 4L * e.getValue().values().length;
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
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
        });
    }

    /**
     * Reads a file; F32, F16, BF16 and F64 tensors are converted to float32.
     *
     * @throws IllegalArgumentException for a damaged or truncated file or an unsupported dtype, naming the file and tensor
     */
    public static Contents read(Path file) throws IOException {
        try (MappedFile m = MappedFile.open(file, -1)) {
            MemorySegment seg = m.segment();
            if (m.size() < 8) {
                throw new IllegalArgumentException(file + ": too short for a safetensors file (" + m.size() + " bytes)");
            }
            long n = seg.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
            if (n <= 0 || n > MAX_HEADER || 8 + n > m.size()) {
                throw new IllegalArgumentException(file + ": header length " + n + " is impossible for a file of " + m.size()
                        + " bytes (not a safetensors file, or truncated)");
            }
            byte[] hb = seg.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE);
            JsonNode header;
            try {
                header = JSON.readTree(new String(hb, StandardCharsets.UTF_8).strip());
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(file + ": header is not valid JSON: " + e.getOriginalMessage(), e);
            }
            long dataStart = 8 + n;
            long dataLen = m.size() - dataStart;
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            Map<String, String> meta = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String name = e.getKey();
                JsonNode t = e.getValue();
                if (name.equals("__metadata__")) {
                    t.fields().forEachRemaining(f -> meta.put(f.getKey(), f.getValue().asText()));
                    continue;
                }
                String where = file + ": tensor '" + name + "'";
                String dtype = t.path("dtype").asText("");
                JsonNode shapeNode = t.path("shape");
                JsonNode offs = t.path("data_offsets");
                if (!shapeNode.isArray() || !offs.isArray() || offs.size() != 2) {
                    throw new IllegalArgumentException(where + ": expected 'shape' (a list) and 'data_offsets' ([begin, end])");
                }
                long[] shape = new long[shapeNode.size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = shapeNode.get(i).asLong(-1);
                    if (shape[i] < 0) {
                        throw new IllegalArgumentException(where + ": shape " + shapeNode + " has a negative or non-integer dimension");
                    }
                }
                long count = Arrays.stream(shape).reduce(1, Math::multiplyExact);
                long begin = offs.get(0).asLong(-1);
                long end = offs.get(1).asLong(-1);
                int size = switch (dtype) {
                    case "F32" -> 4;
                    case "F16", "BF16" -> 2;
                    case "F64" -> 8;
                    default -> throw new IllegalArgumentException(where + ": dtype " + dtype + " is not a float type saelab reads (F32, F16, BF16, F64)");
                };
                if (begin < 0 || end < begin || end > dataLen || end - begin != count * size) {
                    throw new IllegalArgumentException(where + ": data_offsets [" + begin + ", " + end + "] do not fit "
                            + count + " x " + size + " bytes inside the " + dataLen + "-byte data section (truncated file?)");
                }
                if (count > Integer.MAX_VALUE - 8) {
                    throw new IllegalArgumentException(where + ": " + count + " values do not fit one Java array");
                }
                float[] v = new float[(int) count];
                long base = dataStart + begin;
                switch (dtype) {
                    case "F32" -> MemorySegment.copy(seg, LE_FLOAT, base, v, 0, v.length);
                    case "F16" -> {
                        for (int i = 0; i < v.length; i++) {
                            v[i] = Float.float16ToFloat(seg.get(LE_SHORT, base + 2L * i));
                        }
                    }
                    case "BF16" -> {
                        for (int i = 0; i < v.length; i++) {
                            v[i] = Float.intBitsToFloat(seg.get(LE_SHORT, base + 2L * i) << 16);
                        }
                    }
                    default -> {
                        for (int i = 0; i < v.length; i++) {
                            v[i] = (float) seg.get(ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), base + 8L * i);
                        }
                    }
                }
                tensors.put(name, new Tensor(shape, v));
            }
            return new Contents(tensors, meta);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
