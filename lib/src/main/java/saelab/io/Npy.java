package saelab.io;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files, saelab's one reader and writer of them. Format (NumPy NEP 1, "A simple
 * file format for NumPy arrays"): the magic {@code \x93NUMPY}, a major and minor version, the header
 * length (2 bytes little-endian in version 1, 4 bytes in versions 2 and 3), a Python-dict header with
 * {@code descr}, {@code fortran_order} and {@code shape}, padded so the data starts 64-byte aligned,
 * then the raw data. saelab reads and writes C-order little-endian {@code <f4}, {@code <i4} and
 * {@code <i8} arrays; files are written as version 1.0.
 *
 * <p>Sizes declared by a file are checked before anything is allocated: a header of at most
 * {@value #MAX_HEADER} bytes (the default {@code max_header_size} of NumPy's {@code np.load}), shape
 * dimensions that are non-negative integers whose element count and byte size do not overflow, and
 * exactly {@code count x itemsize} data bytes after the header in the real file. Written by hand
 * because the one Java npy library on Maven Central (org.jetbrains.bio:npy) would pull in the Kotlin
 * runtime for ~100 lines of work.
 */
public final class Npy {

    /** Largest header accepted, as NumPy's {@code np.load} ({@code max_header_size} = 10000). */
    public static final int MAX_HEADER = 10_000;
    /** Little-endian float32 ({@code <f4}). */
    public static final ValueLayout.OfFloat F4 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Little-endian int32 ({@code <i4}). */
    public static final ValueLayout.OfInt I4 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Little-endian int64 ({@code <i8}). */
    public static final ValueLayout.OfLong I8 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    private static final Pattern DIM = Pattern.compile("\\d{1,19}L?");

    /**
     * A float32 matrix.
     *
     * @param rows   rows
     * @param cols   columns
     * @param values row-major values
     */
    public record Matrix(int rows, int cols, float[] values) {}

    /**
     * A mapped array, its header checked: dtype, shape and the byte offset of its data in the mapping.
     *
     * @param file       the mapping (closed with this record)
     * @param descr      the dtype, e.g. {@code <f4}
     * @param shape      dimensions, outermost first
     * @param dataOffset byte offset of the first element
     */
    public record Mapped(MappedFile file, String descr, long[] shape, long dataOffset) implements AutoCloseable {
        @Override
        public void close() {
            file.close();
        }
    }

    /** A parsed header: dtype, order, shape and where the data starts. */
    private record Header(String descr, boolean fortran, long[] shape, long dataOffset) {}

    private Npy() {}

    // ---------------------------------------------------------------------------------- writing

    /** The header (magic, version 1.0, padded dict) of a C-order array, 64-byte aligned. */
    public static byte[] header(String descr, long... shape) {
        StringBuilder s = new StringBuilder();
        for (long dim : shape) {
            s.append(dim).append(", ");
        }
        String shapeText = shape.length == 1 ? shape[0] + "," : s.substring(0, Math.max(0, s.length() - 2));
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + shapeText + "), }";
        int pad = (64 - (10 + dict.length() + 1) % 64) % 64;
        String text = dict + " ".repeat(pad) + "\n";
        byte[] head = new byte[10 + text.length()];
        head[0] = (byte) 0x93;
        System.arraycopy("NUMPY".getBytes(StandardCharsets.US_ASCII), 0, head, 1, 5);
        head[6] = 1;
        head[8] = (byte) (text.length() & 0xff);
        head[9] = (byte) (text.length() >> 8);
        System.arraycopy(text.getBytes(StandardCharsets.ISO_8859_1), 0, head, 10, text.length());
        return head;
    }

    /**
     * A header of exactly {@code total} bytes (a multiple of 64), the dict padded with spaces: for files
     * written before their shape is known, whose header is rewritten in place at the end.
     *
     * @throws IllegalArgumentException when the dict does not fit
     */
    public static byte[] headerOfLength(int total, String descr, long... shape) {
        byte[] h = header(descr, shape);
        if (h.length > total || total % 64 != 0) {
            throw new IllegalArgumentException("a .npy header for shape " + Arrays.toString(shape) + " needs " + h.length
                    + " bytes; reserved " + total);
        }
        if (h.length == total) {
            return h;
        }
        byte[] out = new byte[total];
        System.arraycopy(h, 0, out, 0, h.length - 1); // all but the final newline
        Arrays.fill(out, h.length - 1, total - 1, (byte) ' ');
        out[total - 1] = '\n';
        int textLen = total - 10;
        out[8] = (byte) (textLen & 0xff);
        out[9] = (byte) (textLen >> 8);
        return out;
    }

    /** Writes a float32 array of {@code shape}, atomically. */
    public static void writeFloats(Path file, float[] values, long... shape) throws IOException {
        check(values.length, shape);
        byte[] data = new byte[values.length * 4];
        MemorySegment.copy(values, 0, MemorySegment.ofArray(data), F4, 0, values.length);
        write(file, header("<f4", shape), data);
    }

    /** Writes an int32 array of {@code shape}, atomically. */
    public static void writeInts(Path file, int[] values, long... shape) throws IOException {
        check(values.length, shape);
        byte[] data = new byte[values.length * 4];
        MemorySegment.copy(values, 0, MemorySegment.ofArray(data), I4, 0, values.length);
        write(file, header("<i4", shape), data);
    }

    /** Writes an int64 array of {@code shape}, atomically. */
    public static void writeLongs(Path file, long[] values, long... shape) throws IOException {
        check(values.length, shape);
        byte[] data = new byte[values.length * 8];
        MemorySegment.copy(values, 0, MemorySegment.ofArray(data), I8, 0, values.length);
        write(file, header("<i8", shape), data);
    }

    /** Writes a float32 matrix [rows, cols], atomically. */
    public static void writeFloatMatrix(Path file, int rows, int cols, float[] values) throws IOException {
        if ((long) rows * cols != values.length) {
            throw new IllegalArgumentException("rows x cols = " + rows + " x " + cols + " != " + values.length + " values");
        }
        writeFloats(file, values, rows, cols);
    }

    private static void write(Path file, byte[] head, byte[] data) throws IOException {
        AtomicFiles.write(file, (OutputStream out) -> {
            out.write(head);
            out.write(data);
        });
    }

    private static void check(long n, long[] shape) {
        long count = 1;
        for (long d : shape) {
            count = Math.multiplyExact(count, d);
        }
        if (n != count) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + count + " values, got " + n);
        }
    }

    // ---------------------------------------------------------------------------------- reading

    private static int itemSize(String descr) {
        return switch (descr) {
            case "<f4", "<i4" -> 4;
            case "<i8", "<f8" -> 8;
            default -> -1;
        };
    }

    /** Parses and bounds the header of a mapped file; the shape is checked for overflow, not yet against the file. */
    private static Header header(Path file, MemorySegment seg, long size) {
        if (size < 10 || seg.get(ValueLayout.JAVA_BYTE, 0) != (byte) 0x93
                || !new String(seg.asSlice(1, 5).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII).equals("NUMPY")) {
            throw new IllegalArgumentException(file + ": not a .npy file (no \\x93NUMPY magic)");
        }
        int major = seg.get(ValueLayout.JAVA_BYTE, 6);
        long headerLen;
        long headerStart;
        if (major == 1) {
            headerLen = Short.toUnsignedInt(seg.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 8));
            headerStart = 10;
        } else if ((major == 2 || major == 3) && size >= 12) {
            headerLen = Integer.toUnsignedLong(seg.get(I4, 8));
            headerStart = 12;
        } else {
            throw new IllegalArgumentException(file + ": .npy format version " + major + " is not supported (1 to 3 are)");
        }
        if (headerLen > MAX_HEADER) {
            throw new IllegalArgumentException(file + ": .npy header length " + headerLen + " is more than the " + MAX_HEADER
                    + " bytes NumPy's np.load accepts (max_header_size); not an array saelab reads");
        }
        if (headerStart + headerLen > size) {
            throw new IllegalArgumentException(file + ": truncated .npy header (" + headerLen + " bytes declared, "
                    + (size - headerStart) + " in the file)");
        }
        String h = new String(seg.asSlice(headerStart, headerLen).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(h);
        Matcher f = FORTRAN.matcher(h);
        Matcher s = SHAPE.matcher(h);
        if (!d.find() || !f.find() || !s.find()) {
            throw new IllegalArgumentException(file + ": .npy header lacks descr, fortran_order or shape: " + h.strip());
        }
        String[] parts = s.group(1).split(",", -1);
        long[] shape = new long[parts.length];
        int rank = 0;
        for (int i = 0; i < parts.length; i++) {
            String t = parts[i].strip();
            if (t.isEmpty() && i == parts.length - 1) {
                continue; // the trailing comma of (n,) and (n, m, )
            }
            try {
                if (!DIM.matcher(t).matches()) {
                    throw new NumberFormatException(t);
                }
                shape[rank++] = Long.parseLong(t.endsWith("L") ? t.substring(0, t.length() - 1) : t);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(file + ": .npy field shape is (" + s.group(1) + "); expected a tuple of"
                        + " non-negative integers that fit 64 bits");
            }
        }
        return new Header(d.group(1), f.group(1).equals("True"), Arrays.copyOf(shape, rank), headerStart + headerLen);
    }

    /**
     * Checks that the file holds exactly {@code count x itemsize} bytes after the header, with overflow refused.
     *
     * @return the element count
     */
    private static long checkData(Path file, Header h, int itemSize, long size) {
        long count = 1;
        long bytes;
        try {
            for (long d : h.shape()) {
                count = Math.multiplyExact(count, d);
            }
            bytes = Math.multiplyExact(count, itemSize);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(file + ": .npy field shape " + Arrays.toString(h.shape()) + " of '" + h.descr()
                    + "' overflows a 64-bit size; the file holds " + (size - h.dataOffset()) + " data bytes");
        }
        long have = size - h.dataOffset();
        if (have != bytes) {
            throw new IllegalArgumentException(file + ": holds " + have + " data bytes, expected " + bytes + " for shape "
                    + Arrays.toString(h.shape()) + (have < bytes ? " (truncated)" : " (extra bytes at the end)"));
        }
        return count;
    }

    /**
     * Maps an array and checks its dtype, order, shape and data size.
     *
     * @param descr the expected dtype ({@code <f4}, {@code <i4}, {@code <i8})
     * @param shape the expected shape; -1 entries accept any size
     * @throws IllegalArgumentException naming the file and the field when it is not such an array
     */
    public static Mapped open(Path file, String descr, long... shape) throws IOException {
        int item = itemSize(descr);
        if (item < 0) {
            throw new IllegalArgumentException("saelab reads .npy dtypes <f4, <i4, <i8 and <f8, not " + descr);
        }
        MappedFile m = MappedFile.open(file, -1);
        try {
            Header h = header(file, m.segment(), m.size());
            if (!h.descr().equals(descr) || h.fortran()) {
                throw new IllegalArgumentException(file + ": field descr is '" + h.descr() + "' (fortran_order " + (h.fortran() ? "True" : "False")
                        + "); expected '" + descr + "' in C order");
            }
            boolean ok = h.shape().length == shape.length;
            for (int i = 0; ok && i < shape.length; i++) {
                ok = shape[i] < 0 || shape[i] == h.shape()[i];
            }
            if (!ok) {
                throw new IllegalArgumentException(file + ": field shape is " + Arrays.toString(h.shape()) + "; expected "
                        + Arrays.toString(shape).replace("-1", "any"));
            }
            checkData(file, h, item, m.size());
            return new Mapped(m, descr, h.shape(), h.dataOffset());
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    private static int arrayLength(Mapped a, Path file) {
        long n = 1;
        for (long d : a.shape()) {
            n *= d; // checked against the file size in open
        }
        if (n > MAX_ARRAY) {
            throw new IllegalArgumentException(file + ": " + n + " values do not fit one Java array (at most " + MAX_ARRAY + ")");
        }
        return (int) n;
    }

    /** Reads a float32 array of {@code shape} (-1 entries: any size). */
    public static float[] readFloats(Path file, long... shape) throws IOException {
        try (Mapped a = open(file, "<f4", shape)) {
            float[] v = new float[arrayLength(a, file)];
            MemorySegment.copy(a.file().segment(), F4, a.dataOffset(), v, 0, v.length);
            return v;
        }
    }

    /** Reads an int32 array of {@code shape} (-1 entries: any size). */
    public static int[] readInts(Path file, long... shape) throws IOException {
        try (Mapped a = open(file, "<i4", shape)) {
            int[] v = new int[arrayLength(a, file)];
            MemorySegment.copy(a.file().segment(), I4, a.dataOffset(), v, 0, v.length);
            return v;
        }
    }

    /** Reads an int64 array of {@code shape} (-1 entries: any size). */
    public static long[] readLongs(Path file, long... shape) throws IOException {
        try (Mapped a = open(file, "<i8", shape)) {
            long[] v = new long[arrayLength(a, file)];
            MemorySegment.copy(a.file().segment(), I8, a.dataOffset(), v, 0, v.length);
            return v;
        }
    }

    /**
     * Reads a float32 matrix [rows, cols], with hints for the common mistakes.
     *
     * @throws IllegalArgumentException naming the file when it is not a .npy file, not float32
     *     ('{@code <f4}'), not 2-D, Fortran-ordered, truncated or too large for one array
     */
    public static Matrix readFloatMatrix(Path file) throws IOException {
        try (MappedFile m = MappedFile.open(file, -1)) {
            Header h = header(file, m.segment(), m.size());
            if (!h.descr().equals("<f4")) {
                throw new IllegalArgumentException(file + ": dtype is '" + h.descr() + "', expected float32 ('<f4');"
                        + " convert with x.astype(np.float32)");
            }
            if (h.fortran()) {
                throw new IllegalArgumentException(file + ": the array is in Fortran order; save it with np.ascontiguousarray(x)");
            }
            if (h.shape().length != 2) {
                throw new IllegalArgumentException(file + ": shape is " + Arrays.toString(h.shape()) + ", expected a 2-D matrix [n, d_model]");
            }
            long count = checkData(file, h, 4, m.size());
            if (count > MAX_ARRAY || h.shape()[0] > Integer.MAX_VALUE || h.shape()[1] > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(file + ": " + count + " values do not fit one Java array; use an activation cache");
            }
            float[] v = new float[(int) count];
            MemorySegment.copy(m.segment(), F4, h.dataOffset(), v, 0, v.length);
            return new Matrix((int) h.shape()[0], (int) h.shape()[1], v);
        }
    }
}
