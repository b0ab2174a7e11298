package saelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import saelab.io.MappedFile;

/**
 * A memory-mapped safetensors file (format: Hugging Face {@code safetensors}, see
 * {@code specs/models.md} section 1.1) read one tensor at a time: the header is parsed once, and
 * {@link #load} hands libtorch the mapped bytes of one tensor, which libtorch copies into its own
 * memory (converting F16/BF16/F64 to float32 there). Nothing passes through the Java heap, so a
 * checkpoint of several GB costs its size once, in native memory; {@link saelab.io.Safetensors#read}
 * is the heap-based reader for small files.
 *
 * <p>Floating tensors (F32, F16, BF16, F64) load as float32; integer tensors (I64, I32) load as
 * int64 (token ids). Close the file after loading: the returned arrays own their memory.
 */
public final class MappedSafetensors implements AutoCloseable {

    /** Largest header accepted, as in the reference implementation. */
    private static final long MAX_HEADER = 100_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * One tensor's header entry.
     *
     * @param name   tensor name
     * @param dtype  safetensors dtype string ({@code F32}, {@code BF16}, ...)
     * @param shape  dimensions, outermost first ({@code []} for a 0-d scalar)
     * @param offset absolute byte offset of the data in the file
     * @param bytes  data length in bytes
     */
    public record Entry(String name, String dtype, long[] shape, long offset, long bytes) {
        /** The shape as text, e.g. {@code [768, 3, 16, 16]}. */
        public String shapeText() {
            return Arrays.toString(shape);
        }
    }

    private final Path path;
    private final MappedFile file;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private MappedSafetensors(Path path, MappedFile file, Map<String, Entry> entries, Map<String, String> metadata) {
        this.path = path;
        this.file = file;
        this.entries = entries;
        this.metadata = metadata;
    }

    /**
     * Maps {@code path} and parses its header.
     *
     * @throws IllegalArgumentException for a damaged header, an unknown dtype or offsets outside the file, naming the file and tensor
     * @throws IOException              when the file is missing or unreadable
     */
    public static MappedSafetensors open(Path path) throws IOException {
        MappedFile m = MappedFile.open(path, -1);
        try {
            MemorySegment seg = m.segment();
            if (m.size() < 8) {
                throw new IllegalArgumentException(path + ": too short for a safetensors file (" + m.size() + " bytes)");
            }
            long n = seg.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
            if (n <= 0 || n > MAX_HEADER || 8 + n > m.size()) {
                throw new IllegalArgumentException(path + ": header length " + n + " is impossible for a file of " + m.size()
                        + " bytes (not a safetensors file, or truncated)");
            }
            JsonNode header;
            try {
                header = JSON.readTree(new String(seg.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8).strip());
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(path + ": header is not valid JSON: " + e.getOriginalMessage(), e);
            }
            if (header == null || !header.isObject()) {
                throw new IllegalArgumentException(path + ": header is not a JSON object");
            }
            long dataStart = 8 + n;
            long dataLen = m.size() - dataStart;
            Map<String, Entry> entries = new LinkedHashMap<>();
            Map<String, String> meta = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : header.properties()) {
                if (e.getKey().equals("__metadata__")) {
                    e.getValue().properties().forEach(f -> meta.put(f.getKey(), f.getValue().asText()));
                    continue;
                }
                entries.put(e.getKey(), parseEntry(path, e.getKey(), e.getValue(), dataStart, dataLen));
            }
            return new MappedSafetensors(path, m, Collections.unmodifiableMap(entries), Collections.unmodifiableMap(meta));
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    private static Entry parseEntry(Path path, String name, JsonNode t, long dataStart, long dataLen) {
        String where = path + ": tensor '" + name + "'";
        String dtype = t.path("dtype").asText("");
        JsonNode shapeNode = t.path("shape");
        JsonNode offs = t.path("data_offsets");
        if (!shapeNode.isArray() || !offs.isArray() || offs.size() != 2) {
            throw new IllegalArgumentException(where + ": expected 'shape' (a list) and 'data_offsets' ([begin, end])");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeNode.get(i).canConvertToLong() ? shapeNode.get(i).asLong() : -1;
            if (shape[i] < 0) {
                throw new IllegalArgumentException(where + ": shape " + shapeNode + " has a negative or non-integer dimension");
            }
        }
        int size = itemSize(dtype);
        if (size < 0) {
            throw new IllegalArgumentException(where + ": dtype '" + dtype + "' is not one saelab loads (F32, F16, BF16, F64, I64, I32)");
        }
        long count = Arrays.stream(shape).reduce(1, Math::multiplyExact);
        long begin = offs.get(0).asLong(-1);
        long end = offs.get(1).asLong(-1);
        if (begin < 0 || end < begin || end > dataLen || end - begin != count * size) {
            throw new IllegalArgumentException(where + ": data_offsets [" + begin + ", " + end + "] do not fit " + count + " x " + size
                    + " bytes inside the " + dataLen + "-byte data section (truncated file?)");
        }
        return new Entry(name, dtype, shape, dataStart + begin, end - begin);
    }

    private static int itemSize(String dtype) {
        return switch (dtype) {
            case "F32", "I32" -> 4;
            case "F16", "BF16" -> 2;
            case "F64", "I64" -> 8;
            default -> -1;
        };
    }

    /** The mapped file. */
    public Path path() {
        return path;
    }

    /** Header entries by name, in file order ({@code __metadata__} excluded). */
    public Map<String, Entry> entries() {
        return entries;
    }

    /** The {@code __metadata__} map (empty when absent). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Whether the file holds a tensor called {@code name}. */
    public boolean has(String name) {
        return entries.containsKey(name);
    }

    /**
     * Creates the tensor {@code name} on {@code manager}'s device: float types as float32, integer
     * types as int64. The array owns its memory (it does not point into the mapping).
     *
     * @throws IllegalArgumentException when the tensor is missing, naming the file
     */
    public NDArray load(String name, NDManager manager) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new IllegalArgumentException(path + ": tensor '" + name + "' is missing; the file has " + summary());
        }
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
            default -> DataType.INT32;
        };
        DataType target = stored.isInteger() ? DataType.INT64 : DataType.FLOAT32;
        if (e.bytes() == 0) {
            return manager.zeros(shape, target);
        }
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalStateException("saelab reads safetensors on little-endian machines only");
        }
        MemorySegment bytes = file.segment().asSlice(e.offset(), e.bytes());
        if (stored == DataType.BFLOAT16) {
            return bfloat16(bytes, shape, manager);
        }
        // A direct buffer over the mapped bytes: on the CPU libtorch wraps it without copying
        // (from_blob), so the view is copied (or converted) into libtorch memory at once and closed.
        return own(bytes.asByteBuffer().order(ByteOrder.nativeOrder()), shape, stored, target, manager);
    }

    /** Wraps {@code view}, then copies or converts it into an array owned by {@code manager}. */
    private static NDArray own(ByteBuffer view, Shape shape, DataType stored, DataType target, NDManager manager) {
        try (NDManager scratch = manager.newSubManager()) {
            NDArray wrapped = scratch.create(view, shape, stored);
            NDArray owned = stored == target ? wrapped.duplicate() : wrapped.toType(target, true);
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

    /** A short list of the tensor names (the first 20) for error messages. */
    String summary() {
        return entries.size() <= 20 ? entries.keySet().toString()
                : entries.keySet().stream().limit(20).toList() + " ... (" + entries.size() + " tensors)";
    }

    @Override
    public void close() {
        file.close();
    }
}
