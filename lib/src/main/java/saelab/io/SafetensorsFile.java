package saelab.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A memory-mapped safetensors file (Hugging Face's format: an 8-byte little-endian header length N,
 * N bytes of UTF-8 JSON mapping each tensor name to {@code {dtype, shape, data_offsets: [begin, end]}}
 * plus an optional string-to-string {@code __metadata__}, then the raw little-endian data; offsets
 * count from the start of the data). This is saelab's one safetensors reader: the header is parsed
 * and validated once, before anything is allocated, then tensors are read one at a time, as float32
 * arrays ({@link #floats}) for small files or as slices of the mapping ({@link #bytes}) that
 * {@code saelab.model} hands to libtorch.
 *
 * <p>The checks are those of the reference implementation ({@code safetensors}' {@code read_metadata}
 * and {@code Metadata::validate}): a header of at most 100 MB inside the file, valid UTF-8 JSON
 * holding one object with no duplicate names, {@code __metadata__} a map of strings, a known dtype,
 * non-negative integer dimensions whose element count and byte size do not overflow, and byte ranges
 * that, sorted by start, tile the data section exactly from 0 to its end (no overlap, no gap, no
 * trailing bytes). Written by hand because the format is small and no maintained Java library maps it.
 */
public final class SafetensorsFile implements AutoCloseable {

    /** Largest header accepted, as the reference implementation's {@code MAX_HEADER_SIZE}. */
    public static final long MAX_HEADER = 100_000_000L;
    /** Most values a Java array may hold (the JVM reserves a few header words). */
    public static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble LE_DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * One tensor's header entry.
     *
     * @param name   tensor name
     * @param dtype  safetensors dtype string ({@code F32}, {@code BF16}, {@code I64}, ...)
     * @param shape  dimensions, outermost first ({@code []} for a 0-d scalar)
     * @param offset absolute byte offset of the data in the file
     * @param bytes  data length in bytes
     */
    public record Entry(String name, String dtype, long[] shape, long offset, long bytes) {
        /** The shape as text, e.g. {@code [768, 3, 16, 16]}. */
        public String shapeText() {
            return Arrays.toString(shape);
        }

        /** The number of elements (validated not to overflow when the file was opened). */
        public long count() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }

        /** Whether {@link SafetensorsFile#floats} converts this dtype (F32, F16, BF16, F64). */
        public boolean isFloat() {
            return dtype.equals("F32") || dtype.equals("F16") || dtype.equals("BF16") || dtype.equals("F64");
        }
    }

    private final Path path;
    private final MappedFile file;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, MappedFile file, Map<String, Entry> entries, Map<String, String> metadata) {
        this.path = path;
        this.file = file;
        this.entries = entries;
        this.metadata = metadata;
    }

    /**
     * Item size in bytes of a dtype the reference implementation knows, or -1.
     * Sub-byte types (F4, F6_*) are not listed: saelab reads none and their sizes are not whole bytes.
     */
    static int itemSize(String dtype) {
        return switch (dtype) {
            case "BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0" -> 1;
            case "I16", "U16", "F16", "BF16" -> 2;
            case "I32", "U32", "F32" -> 4;
            case "I64", "U64", "F64", "C64" -> 8;
            default -> -1;
        };
    }

    /**
     * Maps {@code path} and validates its header.
     *
     * @throws IllegalArgumentException for a header the reference implementation refuses, naming the file, the tensor and the field
     * @throws IOException              when the file is missing or unreadable
     */
    public static SafetensorsFile open(Path path) throws IOException {
        MappedFile m = MappedFile.open(path, -1);
        try {
            MemorySegment seg = m.segment();
            if (m.size() < 8) {
                throw new IllegalArgumentException(path + ": too short for a safetensors file (" + m.size() + " bytes)");
            }
            long n = seg.get(LE_LONG, 0);
            if (n <= 0 || n > MAX_HEADER || n > m.size() - 8) {
                throw new IllegalArgumentException(path + ": header length " + n + " is impossible for a file of " + m.size()
                        + " bytes (at most " + MAX_HEADER + " and inside the file; not a safetensors file, or truncated)");
            }
            JsonNode header = parseHeader(path, seg.asSlice(8, n));
            long dataStart = 8 + n;
            long dataLen = m.size() - dataStart;
            Map<String, Entry> entries = new LinkedHashMap<>();
            Map<String, String> meta = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : header.properties()) {
                if (e.getKey().equals("__metadata__")) {
                    meta.putAll(metadata(path, e.getValue()));
                } else {
                    entries.put(e.getKey(), entry(path, e.getKey(), e.getValue(), dataStart));
                }
            }
            checkTiling(path, entries.values(), dataStart, dataLen);
            return new SafetensorsFile(path, m, Collections.unmodifiableMap(entries), Collections.unmodifiableMap(meta));
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    private static JsonNode parseHeader(Path path, MemorySegment bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes.asByteBuffer()).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(path + ": header is not valid UTF-8");
        }
        JsonNode header;
        try {
            header = JSON.readTree(text.strip());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(path + ": header is not valid JSON (" + e.getOriginalMessage()
                    + "); expected one JSON object without duplicate names", e);
        }
        if (header == null || !header.isObject()) {
            throw new IllegalArgumentException(path + ": header is not a JSON object; expected {tensor name: {dtype, shape, data_offsets}}");
        }
        return header;
    }

    private static Map<String, String> metadata(Path path, JsonNode meta) {
        if (!meta.isObject()) {
            throw new IllegalArgumentException(path + ": header field '__metadata__' is " + kind(meta) + "; expected a map of strings");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> f : meta.properties()) {
            if (!f.getValue().isTextual()) {
                throw new IllegalArgumentException(path + ": header field '__metadata__' has '" + f.getKey() + "' = " + kind(f.getValue())
                        + "; expected a string (the metadata is a map of strings)");
            }
            out.put(f.getKey(), f.getValue().asText());
        }
        return out;
    }

    private static String kind(JsonNode v) {
        String s = v.toString();
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    private static Entry entry(Path path, String name, JsonNode t, long dataStart) {
        String where = path + ": tensor '" + name + "'";
        if (!t.isObject()) {
            throw new IllegalArgumentException(where + " is " + kind(t) + "; expected {dtype, shape, data_offsets}");
        }
        JsonNode dtypeNode = t.path("dtype");
        JsonNode shapeNode = t.path("shape");
        JsonNode offs = t.path("data_offsets");
        if (!dtypeNode.isTextual() || !shapeNode.isArray() || !offs.isArray() || offs.size() != 2) {
            throw new IllegalArgumentException(where + ": expected 'dtype' (a string), 'shape' (a list) and 'data_offsets' ([begin, end])");
        }
        String dtype = dtypeNode.asText();
        int size = itemSize(dtype);
        if (size < 0) {
            throw new IllegalArgumentException(where + ": dtype '" + dtype + "' is not a safetensors dtype saelab knows"
                    + " (F32, F16, BF16, F64, F8_*, I8-I64, U8-U64, BOOL)");
        }
        long[] shape = new long[shapeNode.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = nonNegative(shapeNode.get(i));
            if (shape[i] < 0) {
                throw new IllegalArgumentException(where + ": shape " + kind(shapeNode) + " has a negative or non-integer dimension");
            }
            count = multiply(where, count, shape[i], "shape " + Arrays.toString(shape));
        }
        long bytes = multiply(where, count, size, "shape " + Arrays.toString(shape) + " of " + dtype);
        long begin = nonNegative(offs.get(0));
        long end = nonNegative(offs.get(1));
        if (begin < 0 || end < 0 || end < begin) {
            throw new IllegalArgumentException(where + ": data_offsets " + offs + " are not integers 0 <= begin <= end");
        }
        if (end - begin != bytes) {
            throw new IllegalArgumentException(where + ": data_offsets [" + begin + ", " + end + "] span " + (end - begin) + " bytes, but "
                    + count + " x " + size + " = " + bytes + " are needed for shape " + Arrays.toString(shape) + " of " + dtype);
        }
        return new Entry(name, dtype, shape, dataStart + begin, bytes);
    }

    /** An integer JSON value >= 0 that fits a long, or -1. */
    private static long nonNegative(JsonNode v) {
        return v != null && v.isIntegralNumber() && v.canConvertToLong() && v.asLong() >= 0 ? v.asLong() : -1;
    }

    private static long multiply(String where, long a, long b, String what) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(where + ": " + what + " overflows a 64-bit size; the header is damaged or hostile");
        }
    }

    /** Sorted by start, the byte ranges must cover the data section exactly once, as the reference implementation requires. */
    private static void checkTiling(Path path, Iterable<Entry> entries, long dataStart, long dataLen) {
        List<Entry> sorted = new ArrayList<>();
        entries.forEach(sorted::add);
        sorted.sort(Comparator.comparingLong(Entry::offset).thenComparingLong(Entry::bytes));
        long at = 0;
        for (Entry e : sorted) {
            long begin = e.offset() - dataStart;
            if (begin != at) {
                throw new IllegalArgumentException(path + ": tensor '" + e.name() + "' starts at data byte " + begin + " but the previous"
                        + " tensor ends at " + at + " (" + (begin < at ? "overlap" : "gap") + "); tensors must tile the data section"
                        + " without overlap or gap");
            }
            at = begin + e.bytes();
            if (at > dataLen) {
                throw new IllegalArgumentException(path + ": tensor '" + e.name() + "' ends at data byte " + at + ", beyond the "
                        + dataLen + "-byte data section (truncated file?)");
            }
        }
        if (at != dataLen) {
            throw new IllegalArgumentException(path + ": the tensors cover " + at + " bytes of the " + dataLen
                    + "-byte data section; the reference implementation refuses bytes that belong to no tensor");
        }
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
     * The entry {@code name}.
     *
     * @throws IllegalArgumentException when it is missing, naming the file and the tensors it has
     */
    public Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new IllegalArgumentException(path + ": tensor '" + name + "' is missing; the file has " + summary());
        }
        return e;
    }

    /** The stored bytes of tensor {@code name}: a slice of the mapping, valid until {@link #close()}. */
    public MemorySegment bytes(String name) {
        Entry e = entry(name);
        return e.bytes() == 0 ? MemorySegment.NULL : file.segment().asSlice(e.offset(), e.bytes());
    }

    /**
     * Tensor {@code name}'s values as float32 (F32, F16, BF16 and F64 converted), row-major.
     *
     * @throws IllegalArgumentException when it is missing, not a float dtype, or holds more values than a Java array
     */
    public float[] floats(String name) {
        Entry e = entry(name);
        String where = path + ": tensor '" + name + "'";
        if (!e.isFloat()) {
            throw new IllegalArgumentException(where + ": dtype " + e.dtype() + " is not a float type saelab reads (F32, F16, BF16, F64)");
        }
        if (e.count() > MAX_ARRAY) {
            throw new IllegalArgumentException(where + ": " + e.count() + " values (shape " + e.shapeText()
                    + ") do not fit one Java array (at most " + MAX_ARRAY + ")");
        }
        float[] v = new float[(int) e.count()];
        MemorySegment seg = file.segment();
        long base = e.offset();
        switch (e.dtype()) {
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
                    v[i] = (float) seg.get(LE_DOUBLE, base + 8L * i);
                }
            }
        }
        return v;
    }

    /** Tensor {@code name} as a float32 {@link Safetensors.Tensor}. */
    public Safetensors.Tensor tensor(String name) {
        return new Safetensors.Tensor(entry(name).shape(), floats(name));
    }

    /**
     * Tensor {@code name} as float32, after checking that its shape is {@code shape}.
     *
     * @throws IllegalArgumentException naming the file, the tensor and both shapes
     */
    public Safetensors.Tensor require(String name, long... shape) {
        Entry e = entry(name);
        if (!Arrays.equals(e.shape(), shape)) {
            throw new IllegalArgumentException(path + ": tensor '" + name + "' has shape " + e.shapeText() + ", expected "
                    + Arrays.toString(shape));
        }
        return tensor(name);
    }

    /** A short list of the tensor names (the first 20) for error messages. */
    public String summary() {
        return entries.size() <= 20 ? entries.keySet().toString()
                : entries.keySet().stream().limit(20).toList() + " ... (" + entries.size() + " tensors)";
    }

    @Override
    public void close() {
        file.close();
    }
}
