package saelab.io;

import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * A {@code torch.save} archive of a state dict (torch >= 1.6): a zip holding
 * {@code <archive>/data.pkl} (a pickle of a dict of tensors, each
 * {@code torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)} with the storage a
 * persistent id {@code ('storage', torch.FloatStorage, key, location, numel)}), the raw little-endian
 * storages {@code <archive>/data/<key>} and {@code <archive>/byteorder}. The pickle is read by a
 * restricted unpickler ({@link TorchPickle}): no Python code runs, any global other than the few a
 * state dict uses is an error.
 *
 * <p>Sizes declared by the archive are checked before anything is allocated: {@code data.pkl} at most
 * {@value #MAX_PICKLE} bytes, a storage's {@code numel x itemsize} equal to its zip entry's real size,
 * and a view's offset, sizes and strides inside its storage, all with overflow refused. The archive may
 * start inside a file (saev writes a JSON line first); it is copied to a temporary file because
 * torch's zip offsets are relative to the archive's start.
 */
public final class TorchArchive implements Closeable {

    /** Largest {@code data.pkl} accepted: a state dict's pickle holds names and small tuples, not data. */
    public static final int MAX_PICKLE = 64 << 20;
    /** Most values a Java array may hold. */
    private static final long MAX_VALUES = Integer.MAX_VALUE - 8;

    /**
     * A storage named by a persistent id.
     *
     * @param type     the torch storage class, e.g. {@code FloatStorage}
     * @param key      its entry name under {@code data/}
     * @param location the device it was saved from
     * @param numel    its declared number of elements
     */
    public record Storage(String type, String key, String location, long numel) {}

    /**
     * {@code torch._utils._rebuild_tensor_v2}'s view of a storage.
     *
     * @param storage the storage
     * @param offset  the first element's index in the storage
     * @param size    the tensor's shape
     * @param stride  elements to step per index of each dimension
     */
    public record View(Storage storage, long offset, long[] size, long[] stride) {
        /** The number of elements, or -1 when it overflows a long. */
        public long numel() {
            long n = 1;
            for (long s : size) {
                if (s != 0 && n > Long.MAX_VALUE / s) {
                    return -1;
                }
                n *= s;
            }
            return n;
        }
    }

    private final Path file;
    private final Path temp;
    private final ZipFile zip;
    private final String prefix;
    private final Map<String, View> stateDict = new LinkedHashMap<>();
    private final Map<String, float[]> storages = new HashMap<>();

    private TorchArchive(Path file, Path temp, ZipFile zip, String prefix) {
        this.file = file;
        this.temp = temp;
        this.zip = zip;
        this.prefix = prefix;
    }

    private static IllegalArgumentException bad(Path file, String what) {
        return new IllegalArgumentException(file + ": " + what);
    }

    /** Whether {@code b} holds a zip local-file header ({@code PK\3\4}) at {@code at}. */
    public static boolean isZipStart(byte[] b, int at) {
        return b.length >= at + 4 && b[at] == 'P' && b[at + 1] == 'K' && b[at + 2] == 3 && b[at + 3] == 4;
    }

    /**
     * Opens the archive occupying bytes {@code [start, end)} of {@code file} and unpickles its state dict.
     *
     * @throws IllegalArgumentException naming the file when the bytes are not a zip archive, the zip is damaged or
     *                                  truncated, it has no {@code data.pkl}, or the pickle is not a state dict
     *                                  (or calls any other Python global)
     */
    public static TorchArchive open(Path file, long start, long end) throws IOException {
        if (end - start < 4) {
            throw bad(file, "nothing follows the JSON config line: the torch.save zip archive is missing (truncated file?)");
        }
        byte[] magic = new byte[4];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.read(ByteBuffer.wrap(magic), start);
        }
        if (!isZipStart(magic, 0)) {
            throw bad(file, "the bytes after the JSON config line are not a zip archive (they start with "
                    + String.format(Locale.ROOT, "%02x %02x %02x %02x", magic[0], magic[1], magic[2], magic[3])
                    + "); expected the torch.save archive of the state dict (torch >= 1.6)");
        }
        Path temp = Files.createTempFile("saelab-import-", ".zip");
        ZipFile zip = null;
        boolean ok = false;
        try {
            try (FileChannel src = FileChannel.open(file, StandardOpenOption.READ);
                 FileChannel dst = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                long pos = start;
                while (pos < end) {
                    long n = src.transferTo(pos, end - pos, dst);
                    if (n <= 0) {
                        throw new IOException("cannot copy " + file + " from byte " + pos);
                    }
                    pos += n;
                }
            }
            try {
                zip = new ZipFile(temp.toFile());
            } catch (ZipException e) {
                throw bad(file, "the torch.save zip archive after the JSON line is damaged or truncated (" + e.getMessage() + ")");
            }
            TorchArchive archive = new TorchArchive(file, temp, zip, dataPklPrefix(file, zip));
            archive.unpickle();
            ok = true;
            return archive;
        } finally {
            if (!ok) {
                try {
                    if (zip != null) {
                        zip.close();
                    }
                } finally {
                    Files.deleteIfExists(temp);
                }
            }
        }
    }

    private static String dataPklPrefix(Path file, ZipFile zip) {
        List<String> names = new ArrayList<>();
        for (var en = zip.entries(); en.hasMoreElements(); ) {
            String n = en.nextElement().getName();
            names.add(n);
            if (n.equals("data.pkl")) {
                return "";
            }
            int slash = n.indexOf('/');
            if (slash > 0 && n.substring(slash).equals("/data.pkl")) {
                return n.substring(0, slash + 1);
            }
        }
        throw bad(file, "the torch.save archive has no data.pkl (the pickled state dict); its entries are "
                + (names.size() > 12 ? names.subList(0, 12) + " ..." : names));
    }

    private void unpickle() throws IOException {
        ZipEntry byteorder = zip.getEntry(prefix + "byteorder");
        if (byteorder != null) {
            try (InputStream in = zip.getInputStream(byteorder)) {
                String order = new String(in.readNBytes(16), StandardCharsets.US_ASCII).strip();
                if (!order.equals("little")) {
                    throw bad(file, "the torch.save archive stores its tensors in '" + order + "' byte order; saelab reads little-endian");
                }
            }
        }
        String pkl = prefix + "data.pkl";
        ZipEntry entry = zip.getEntry(pkl);
        if (entry.getSize() > MAX_PICKLE) {
            throw bad(file, pkl + " has " + entry.getSize() + " bytes, more than the " + MAX_PICKLE
                    + " a state dict's pickle needs (its tensors live in data/)");
        }
        Object root;
        TorchPickle.TorchUnpickler u = new TorchPickle.TorchUnpickler();
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] bytes = in.readNBytes(MAX_PICKLE + 1);
            if (bytes.length > MAX_PICKLE) {
                throw bad(file, pkl + " has more than " + MAX_PICKLE + " bytes; a state dict's pickle holds names, not data");
            }
            root = u.load(new ByteArrayInputStream(bytes));
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw bad(file, pkl + " is not a torch state dict saelab can read: " + e.getMessage());
        } finally {
            u.close();
        }
        if (!(root instanceof Map<?, ?> m)) {
            throw bad(file, pkl + " holds " + (root == null ? "None" : root.getClass().getSimpleName())
                    + ", not a state dict (a dict of tensors)");
        }
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (e.getValue() instanceof View t) {
                stateDict.put(String.valueOf(e.getKey()), t);
            }
        }
    }

    /**
     * The view {@code name} of the state dict, float32 checked.
     *
     * @throws IllegalArgumentException naming the file and tensor when it is missing or not float32
     */
    public View floatView(String name) {
        View t = stateDict.get(name);
        if (t == null) {
            throw bad(file, "the state dict has no tensor '" + name + "'; it has " + stateDict.keySet());
        }
        if (!t.storage().type().equals("FloatStorage")) {
            throw bad(file, "tensor '" + name + "' has dtype " + dtype(t.storage().type()) + " (torch." + t.storage().type()
                    + "); saelab imports float32 tensors only");
        }
        return t;
    }

    /**
     * The values of float32 tensor {@code name}, which must have {@code shape}.
     *
     * @throws IllegalArgumentException naming the file, the tensor and both shapes, or the storage problem
     */
    public float[] tensor(String name, long... shape) throws IOException {
        View t = floatView(name);
        if (!Arrays.equals(t.size(), shape)) {
            throw bad(file, "tensor '" + name + "' has shape " + Arrays.toString(t.size()) + ", expected " + Arrays.toString(shape));
        }
        return values(name, t);
    }

    /**
     * The row-major values of a float32 view: storage offset and strides applied.
     *
     * @throws IllegalArgumentException when the view does not fit its storage or the storage its zip entry
     */
    public float[] values(String name, View t) throws IOException {
        long n = t.numel();
        if (n < 0 || n > MAX_VALUES) {
            throw bad(file, "tensor '" + name + "' has shape " + Arrays.toString(t.size()) + ", more values than one Java array holds");
        }
        float[] out = new float[(int) n];
        if (n == 0) {
            return out;
        }
        long last = lastElement(t);
        if (t.offset() < 0 || last < 0 || last >= t.storage().numel()) {
            throw bad(file, "tensor '" + name + "' (storage offset " + t.offset() + ", shape " + Arrays.toString(t.size())
                    + ", strides " + Arrays.toString(t.stride()) + ") reaches " + (last < 0 ? "beyond a 64-bit index" : "element " + last)
                    + " of its storage '" + prefix + "data/" + t.storage().key() + "', which holds " + t.storage().numel()
                    + " (damaged file?)");
        }
        float[] s = storage(name, t.storage());
        int rank = t.size().length;
        long[] idx = new long[rank];
        long pos = t.offset();
        for (int i = 0; i < out.length; i++) {
            out[i] = s[(int) pos];
            for (int dim = rank - 1; dim >= 0; dim--) {
                idx[dim]++;
                pos += t.stride()[dim];
                if (idx[dim] < t.size()[dim]) {
                    break;
                }
                pos -= t.stride()[dim] * t.size()[dim];
                idx[dim] = 0;
            }
        }
        return out;
    }

    /** The storage index of a non-empty view's last element, or -1 when it overflows a long. */
    private static long lastElement(View t) {
        try {
            long last = t.offset();
            for (int i = 0; i < t.size().length; i++) {
                last = Math.addExact(last, Math.multiplyExact(t.size()[i] - 1, t.stride()[i]));
            }
            return last;
        } catch (ArithmeticException e) {
            return -1;
        }
    }

    private float[] storage(String tensor, Storage ref) throws IOException {
        float[] cached = storages.get(ref.key());
        if (cached != null) {
            return cached;
        }
        String entryName = prefix + "data/" + ref.key();
        ZipEntry entry = zip.getEntry(entryName);
        if (entry == null) {
            throw bad(file, "the torch.save archive has no entry '" + entryName + "' with the storage of tensor '" + tensor
                    + "' (truncated or damaged file?)");
        }
        if (ref.numel() < 0 || ref.numel() > MAX_VALUES) {
            throw bad(file, "the storage of tensor '" + tensor + "' has " + ref.numel() + " values, more than one Java array holds");
        }
        long want = 4L * ref.numel();
        if (entry.getSize() != want) {
            throw bad(file, "the storage '" + entryName + "' of tensor '" + tensor + "' declares " + ref.numel() + " float32 values ("
                    + want + " bytes), but its zip entry holds " + entry.getSize() + " bytes (truncated or damaged file?)");
        }
        float[] v = new float[(int) ref.numel()];
        byte[] buf = new byte[1 << 20];
        int done = 0;
        try (InputStream in = zip.getInputStream(entry)) {
            while (done < v.length) {
                int chunk = (int) Math.min(buf.length, 4L * (v.length - done));
                int got = in.readNBytes(buf, 0, chunk);
                if (got < chunk) {
                    throw bad(file, "the storage '" + entryName + "' of tensor '" + tensor + "' has " + (4L * done + got)
                            + " bytes, expected " + want + " (truncated file?)");
                }
                ByteBuffer.wrap(buf, 0, got).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v, done, got / 4);
                done += got / 4;
            }
        } catch (ZipException e) {
            throw bad(file, "the storage '" + entryName + "' of tensor '" + tensor + "' cannot be read: " + e.getMessage());
        }
        storages.put(ref.key(), v);
        return v;
    }

    /** The dtype name of a torch storage class, e.g. {@code float64} for {@code DoubleStorage}. */
    public static String dtype(String storageType) {
        return switch (storageType) {
            case "FloatStorage" -> "float32";
            case "DoubleStorage" -> "float64";
            case "HalfStorage" -> "float16";
            case "BFloat16Storage" -> "bfloat16";
            case "LongStorage" -> "int64";
            case "IntStorage" -> "int32";
            case "ShortStorage" -> "int16";
            case "CharStorage" -> "int8";
            case "ByteStorage" -> "uint8";
            case "BoolStorage" -> "bool";
            default -> storageType;
        };
    }

    @Override
    public void close() throws IOException {
        try {
            zip.close();
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
