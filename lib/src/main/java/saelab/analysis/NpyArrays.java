package saelab.analysis;

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
import saelab.io.AtomicFiles;
import saelab.io.MappedFile;

/**
 * N-dimensional NumPy {@code .npy} arrays (format 1.0, C order, little-endian) of {@code <f4},
 * {@code <i4} or {@code <i8}, as the analysis outputs need them. Written by hand because
 * {@link saelab.io.Npy} (shared) handles 2-D float32 only and the one Java npy library on Maven
 * Central (org.jetbrains.bio:npy) would pull in the Kotlin runtime for ~100 lines of work. Format:
 * NumPy NEP 1, "A simple file format for NumPy arrays".
 */
final class NpyArrays {

    static final ValueLayout.OfFloat F4 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt I4 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong I8 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private NpyArrays() {}

    /** The header (magic, version 1.0, padded dict) of an array, 64-byte aligned. */
    static byte[] header(String descr, long... shape) {
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
    static byte[] headerOfLength(int total, String descr, long... shape) {
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

    static void writeFloats(Path file, float[] values, long... shape) throws IOException {
        check(values.length, shape);
        byte[] data = new byte[values.length * 4];
        MemorySegment.copy(values, 0, MemorySegment.ofArray(data), F4, 0, values.length);
        write(file, header("<f4", shape), data);
    }

    static void writeInts(Path file, int[] values, long... shape) throws IOException {
        check(values.length, shape);
        byte[] data = new byte[values.length * 4];
        MemorySegment.copy(values, 0, MemorySegment.ofArray(data), I4, 0, values.length);
        write(file, header("<i4", shape), data);
    }

    static void writeLongs(Path file, long[] values, long... shape) throws IOException {
        check(values.length, shape);
        byte[] data = new byte[values.length * 8];
        MemorySegment.copy(values, 0, MemorySegment.ofArray(data), I8, 0, values.length);
        write(file, header("<i8", shape), data);
    }

    private static void write(Path file, byte[] head, byte[] data) throws IOException {
        AtomicFiles.write(file, (OutputStream out) -> {
            out.write(head);
            out.write(data);
        });
    }

    private static void check(long n, long[] shape) {
        if (n != count(shape)) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + count(shape) + " values, got " + n);
        }
    }

    static long count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** A mapped array: its dtype, shape, and the byte offset of its data in the mapping. */
    record Mapped(MappedFile file, String descr, long[] shape, long dataOffset) implements AutoCloseable {
        @Override
        public void close() {
            file.close();
        }
    }

    /**
     * Maps an array and checks its dtype and shape.
     *
     * @param shape the expected shape; -1 entries accept any size
     * @throws IllegalArgumentException naming the file when it is not such an array
     */
    static Mapped open(Path file, String descr, long... shape) throws IOException {
        MappedFile m = MappedFile.open(file, -1);
        try {
            MemorySegment seg = m.segment();
            if (m.size() < 10 || seg.get(ValueLayout.JAVA_BYTE, 0) != (byte) 0x93
                    || !new String(seg.asSlice(1, 5).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII).equals("NUMPY")) {
                throw new IllegalArgumentException(file + ": not a .npy file (no \\x93NUMPY magic)");
            }
            int major = seg.get(ValueLayout.JAVA_BYTE, 6);
            if (major != 1) {
                throw new IllegalArgumentException(file + ": .npy version " + major + "; expected 1 (as written by saelab)");
            }
            int headerLen = Short.toUnsignedInt(seg.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 8));
            if (10L + headerLen > m.size()) {
                throw new IllegalArgumentException(file + ": truncated .npy header");
            }
            String h = new String(seg.asSlice(10, headerLen).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.ISO_8859_1);
            Matcher d = DESCR.matcher(h);
            Matcher f = FORTRAN.matcher(h);
            Matcher s = SHAPE.matcher(h);
            if (!d.find() || !f.find() || !s.find()) {
                throw new IllegalArgumentException(file + ": .npy header lacks descr, fortran_order or shape: " + h.strip());
            }
            if (!d.group(1).equals(descr) || f.group(1).equals("True")) {
                throw new IllegalArgumentException(file + ": field descr is '" + d.group(1) + "' (fortran_order " + f.group(1)
                        + "); expected '" + descr + "' in C order");
            }
            long[] got = Arrays.stream(s.group(1).split(",")).map(String::strip).filter(t -> !t.isEmpty())
                    .mapToLong(Long::parseLong).toArray();
            boolean ok = got.length == shape.length;
            for (int i = 0; ok && i < shape.length; i++) {
                ok = shape[i] < 0 || shape[i] == got[i];
            }
            if (!ok) {
                throw new IllegalArgumentException(file + ": field shape is " + Arrays.toString(got) + "; expected "
                        + Arrays.toString(shape).replace("-1", "any"));
            }
            long bytes = count(got) * (descr.equals("<i8") ? 8 : 4);
            if (m.size() != 10L + headerLen + bytes) {
                throw new IllegalArgumentException(file + ": holds " + (m.size() - 10L - headerLen) + " data bytes, expected "
                        + bytes + " for shape " + Arrays.toString(got));
            }
            return new Mapped(m, descr, got, 10L + headerLen);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    static float[] readFloats(Path file, long... shape) throws IOException {
        try (Mapped a = open(file, "<f4", shape)) {
            float[] v = new float[Math.toIntExact(count(a.shape()))];
            MemorySegment.copy(a.file().segment(), F4, a.dataOffset(), v, 0, v.length);
            return v;
        }
    }

    static int[] readInts(Path file, long... shape) throws IOException {
        try (Mapped a = open(file, "<i4", shape)) {
            int[] v = new int[Math.toIntExact(count(a.shape()))];
            MemorySegment.copy(a.file().segment(), I4, a.dataOffset(), v, 0, v.length);
            return v;
        }
    }

    static long[] readLongs(Path file, long... shape) throws IOException {
        try (Mapped a = open(file, "<i8", shape)) {
            long[] v = new long[Math.toIntExact(count(a.shape()))];
            MemorySegment.copy(a.file().segment(), I8, a.dataOffset(), v, 0, v.length);
            return v;
        }
    }
}
