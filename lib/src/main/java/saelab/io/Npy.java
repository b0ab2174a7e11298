package saelab.io;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads NumPy {@code .npy} files (format versions 1-3: magic {@code \x93NUMPY}, version, header
 * length, a Python-dict header with {@code descr}, {@code fortran_order} and {@code shape}, then the
 * data) holding a C-order little-endian float32 matrix, the input of quick SAE experiments.
 */
public final class Npy {

    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /**
     * A float32 matrix.
     *
     * @param rows   rows
     * @param cols   columns
     * @param values row-major values
     */
    public record Matrix(int rows, int cols, float[] values) {}

    private Npy() {}

    /**
     * Reads a float32 matrix [rows, cols].
     *
     * @throws IllegalArgumentException naming the file when it is not a .npy file, not float32
     *     ('{@code <f4}'), not 2-D, Fortran-ordered, truncated or too large for one array
     */
    public static Matrix readFloatMatrix(Path file) throws IOException {
        try (MappedFile m = MappedFile.open(file, -1)) {
            MemorySegment seg = m.segment();
            if (m.size() < 10 || seg.get(ValueLayout.JAVA_BYTE, 0) != (byte) 0x93
                    || !new String(seg.asSlice(1, 5).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII).equals("NUMPY")) {
                throw new IllegalArgumentException(file + ": not a .npy file (no \\x93NUMPY magic)");
            }
            int major = seg.get(ValueLayout.JAVA_BYTE, 6);
            long headerLen;
            long headerStart;
            if (major == 1) {
                headerLen = Short.toUnsignedInt(seg.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 8));
                headerStart = 10;
            } else if (major == 2 || major == 3) {
                headerLen = Integer.toUnsignedLong(seg.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 8));
                headerStart = 12;
            } else {
                throw new IllegalArgumentException(file + ": .npy format version " + major + " is not supported (1 to 3 are)");
            }
            if (headerStart + headerLen > m.size()) {
                throw new IllegalArgumentException(file + ": truncated .npy header");
            }
            String header = new String(seg.asSlice(headerStart, headerLen).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.ISO_8859_1);
            Matcher d = DESCR.matcher(header);
            Matcher f = FORTRAN.matcher(header);
            Matcher s = SHAPE.matcher(header);
            if (!d.find() || !f.find() || !s.find()) {
                throw new IllegalArgumentException(file + ": .npy header lacks descr, fortran_order or shape: " + header.strip());
            }
            if (!d.group(1).equals("<f4")) {
                throw new IllegalArgumentException(file + ": dtype is '" + d.group(1) + "', expected float32 ('<f4');"
                        + " convert with x.astype(np.float32)");
            }
            if (f.group(1).equals("True")) {
                throw new IllegalArgumentException(file + ": the array is in Fortran order; save it with np.ascontiguousarray(x)");
            }
            String[] dims = s.group(1).split(",");
            long[] shape = java.util.Arrays.stream(dims).map(String::strip).filter(t -> !t.isEmpty()).mapToLong(Long::parseLong).toArray();
            if (shape.length != 2) {
                throw new IllegalArgumentException(file + ": shape is " + java.util.Arrays.toString(shape)
                        + ", expected a 2-D matrix [n, d_model]");
            }
            if (shape[0] < 0 || shape[1] < 0 || (shape[1] > 0 && shape[0] > Long.MAX_VALUE / 4 / shape[1])) {
                throw new IllegalArgumentException(file + ": shape " + java.util.Arrays.toString(shape) + " is impossible");
            }
            long count = shape[0] * shape[1];
            long dataStart = headerStart + headerLen;
            long have = m.size() - dataStart;
            if (have != 4 * count) {
                throw new IllegalArgumentException(file + ": holds " + have + " data bytes, expected " + 4 * count
                        + " for shape " + java.util.Arrays.toString(shape) + (have < 4 * count ? " (truncated)" : " (extra bytes at the end)"));
            }
            if (count > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException(file + ": " + count + " values do not fit one Java array; use an activation cache");
            }
            float[] v = new float[(int) count];
            MemorySegment.copy(seg, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), dataStart, v, 0, v.length);
            return new Matrix((int) shape[0], (int) shape[1], v);
        }
    }

    /** Writes a float32 matrix as a version 1.0 .npy file, atomically. */
    public static void writeFloatMatrix(Path file, int rows, int cols, float[] values) throws IOException {
        if ((long) rows * cols != values.length) {
            throw new IllegalArgumentException("rows x cols = " + rows + " x " + cols + " != " + values.length + " values");
        }
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + rows + ", " + cols + "), }";
        int unpadded = 10 + dict.length() + 1;
        int pad = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        byte[] head = new byte[10 + header.length()];
        head[0] = (byte) 0x93;
        System.arraycopy("NUMPY".getBytes(StandardCharsets.US_ASCII), 0, head, 1, 5);
        head[6] = 1;
        head[7] = 0;
        head[8] = (byte) (header.length() & 0xff);
        head[9] = (byte) (header.length() >> 8);
        System.arraycopy(header.getBytes(StandardCharsets.ISO_8859_1), 0, head, 10, header.length());
        byte[] data = new byte[values.length * 4];
        MemorySegment.copy(values, 0, MemorySegment.ofArray(data), ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, values.length);
        AtomicFiles.write(file, out -> {
            out.write(head);
            out.write(data);
        });
    }
}
