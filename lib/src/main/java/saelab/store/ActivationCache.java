package saelab.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicReferenceArray;
import saelab.io.MappedFile;
import saelab.io.Sha256;

/**
 * An activation cache opened for reading: saelab's own format ({@code manifest.json}) or a cache of
 * the paper's Python tool saev ({@code metadata.json} + {@code acts*.bin}, read-only import).
 *
 * <p>Shards are memory-mapped on first use (files over 2 GiB included) and shared by all readers;
 * values are converted to float32 as they are read. Readers:
 * <ul>
 *   <li>{@link #sequential}: dataset order, one layer and token kind, in batches of images;</li>
 *   <li>{@link #read}: random access by (image, layer, token);</li>
 *   <li>{@link #shuffled}: the training stream, see {@link ShuffledStream}.</li>
 * </ul>
 * Thread-safe for reading. Closing unmaps the shards; arrays handed out stay valid.
 */
public final class ActivationCache implements AutoCloseable {

    private final CacheSource src;
    private final ShardCheck check;
    private final AtomicReferenceArray<MappedFile> mapped;
    /** Why a shard's bytes were refused by the checksum (kept, so every later read gets the same sentence without hashing again). */
    private final AtomicReferenceArray<String> refused;
    private final Object[] shardLocks;
    private final AtomicReferenceArray<List<ImageRecord>> images;
    private final AtomicReferenceArray<short[]> labels;
    private final long[] shardStarts;
    private final long tokenBytes;
    private volatile boolean closed;

    private ActivationCache(CacheSource src, ShardCheck check) {
        this.src = src;
        this.check = check;
        int n = src.shards().size();
        this.mapped = new AtomicReferenceArray<>(n);
        this.refused = new AtomicReferenceArray<>(n);
        this.shardLocks = new Object[n];
        this.images = new AtomicReferenceArray<>(n);
        this.labels = new AtomicReferenceArray<>(n);
        this.shardStarts = new long[n];
        for (int i = 0; i < n; i++) {
            shardStarts[i] = src.shards().get(i).firstImage();
            shardLocks[i] = new Object();
        }
        this.tokenBytes = (long) src.dModel() * src.dtype().bytes();
    }

    /** Opens a complete cache in {@code dir}; each shard's SHA-256 is checked on its first use. */
    public static ActivationCache open(Path dir) {
        return open(dir, Completeness.COMPLETE_ONLY, ShardCheck.VERIFY_ON_FIRST_USE);
    }

    /** Opens the cache in {@code dir}, checking each shard's SHA-256 on its first use; see {@link #open(Path, Completeness, ShardCheck)}. */
    public static ActivationCache open(Path dir, Completeness completeness) {
        return open(dir, completeness, ShardCheck.VERIFY_ON_FIRST_USE);
    }

    /**
     * Opens the cache in {@code dir}. Every file name of its manifest is resolved inside {@code dir}
     * and every shard file's size compared with the manifest here; with
     * {@link ShardCheck#VERIFY_ON_FIRST_USE} each shard's bytes are also hashed when it is first
     * needed (see {@link ShardCheck} for what that catches and costs).
     *
     * @param completeness whether a cache whose writer has not finished is opened (its complete shards)
     * @param check        whether to check shard checksums on first use
     * @throws IllegalArgumentException when the folder holds no cache, its manifest is invalid, a
     *                                  file name leads outside the folder or a shard has the wrong
     *                                  size (naming file and field)
     */
    public static ActivationCache open(Path dir, Completeness completeness, ShardCheck check) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + (Files.exists(dir) ? " is a file, not a folder" : " does not exist")
                    + "; expected an activation cache folder");
        }
        if (Files.isRegularFile(dir.resolve(CacheManifest.FILE_NAME))) {
            CacheManifest m = NativeFormat.readManifest(dir);
            if (!m.complete() && completeness == Completeness.COMPLETE_ONLY) {
                throw new IllegalStateException("the cache in " + dir + " is incomplete (its writer stopped after "
                        + m.nImages() + " images); resume the capture, or open it with Completeness.ALLOW_INCOMPLETE");
            }
            return new ActivationCache(NativeFormat.open(dir, m), check);
        }
        if (Files.isRegularFile(dir.resolve(SaevFormat.METADATA))) {
            return new ActivationCache(SaevFormat.open(dir), check);
        }
        throw new IllegalArgumentException(dir + " holds no activation cache: expected " + CacheManifest.FILE_NAME
                + " (saelab) or " + SaevFormat.METADATA + " (saev)");
    }

    /** Reads and checks the manifest of a saelab cache without opening it. */
    public static CacheManifest readManifest(Path dir) {
        return NativeFormat.readManifest(dir);
    }

    /** The cache folder. */
    public Path dir() {
        return src.dir();
    }

    /** {@code saelab-cache/1}, {@code saev-2.1} or {@code saev-paper}. */
    public String format() {
        return src.format();
    }

    /** The native manifest, or null for an imported saev cache. */
    public CacheManifest manifest() {
        return src.manifest();
    }

    public long nImages() {
        return src.nImages();
    }

    public int dModel() {
        return src.dModel();
    }

    public TokenLayout tokens() {
        return src.tokens();
    }

    /** Recorded block indices (0-based, resid_post), and the reserved indices of {@link RecordedLayer} when recorded. */
    public List<Integer> layers() {
        return src.layers();
    }

    public StorageDtype dtype() {
        return src.dtype();
    }

    /** Whether the cache has per-patch labels. */
    public boolean hasPatchLabels() {
        return src.labels() != null;
    }

    /** Patch label class names (empty when the cache has none). */
    public List<String> labelClasses() {
        return src.labels() == null ? List.of() : src.labels().classes();
    }

    /**
     * The names of the image labels (label k = element k), as the capture recorded them in
     * {@code provenance.config.image_classes}; empty for a cache without them (imported, older, or unlabelled).
     */
    public List<String> imageClasses() {
        CacheManifest m = src.manifest();
        JsonNode config = m == null || m.provenance() == null ? null : m.provenance().config();
        JsonNode names = config == null ? null : config.get(CacheManifest.CONFIG_IMAGE_CLASSES);
        if (names == null || !names.isArray()) {
            return List.of();
        }
        List<String> out = new ArrayList<>(names.size());
        for (JsonNode n : names) {
            if (!n.isTextual()) {
                return List.of();
            }
            out.add(n.asText());
        }
        return List.copyOf(out);
    }

    /** The background patch label, or -1. */
    public int backgroundLabel() {
        return src.labels() == null ? -1 : src.labels().background();
    }

    List<ShardFile> shards() {
        return src.shards();
    }

    /** The record of image {@code image} (0-based, cache order). */
    public ImageRecord image(long image) {
        int s = shardOf(image);
        return shardImages(s).get((int) (image - shardStarts[s]));
    }

    /** The patch labels of one image [patches], or null when the cache has none. */
    public short[] patchLabels(long image) {
        if (src.labels() == null) {
            return null;
        }
        int s = shardOf(image);
        int p = src.tokens().patches();
        int local = (int) (image - shardStarts[s]);
        short[] out = new short[p];
        System.arraycopy(shardLabels(s), local * p, out, 0, p);
        return out;
    }

    /** Reads the activation of (image, layer, token) into {@code dst[offset .. offset + d_model)}. */
    public void read(long image, int layer, int token, float[] dst, int offset) {
        int slot = layerSlot(layer);
        if (token < 0 || token >= src.tokens().tokens()) {
            throw new IndexOutOfBoundsException("token " + token + " outside 0.." + (src.tokens().tokens() - 1));
        }
        int s = shardOf(image);
        long local = image - shardStarts[s];
        src.dtype().decode(segment(s).segment(), offset(local, slot, token), dst, offset, src.dModel());
    }

    /** The activation of (image, layer, token) as a new array [d_model]. */
    public float[] read(long image, int layer, int token) {
        float[] out = new float[src.dModel()];
        read(image, layer, token, out, 0);
        return out;
    }

    /**
     * Reads the tokens of one kind of one image into {@code dst} (row-major [count, d_model]).
     *
     * @return the number of rows written
     */
    int readImage(long image, int slot, int firstToken, int count, float[] dst, int dstOffset) {
        int s = shardOf(image);
        long local = image - shardStarts[s];
        src.dtype().decode(segment(s).segment(), offset(local, slot, firstToken), dst, dstOffset, count * src.dModel());
        return count;
    }

    /** Byte offset of (local image, layer slot, token) in its shard. */
    long offset(long localImage, int slot, int token) {
        return ((localImage * src.layers().size() + slot) * src.tokens().tokens() + token) * tokenBytes;
    }

    /**
     * Reads the cache in dataset order. The batches share one buffer: a batch stays valid until the
     * next call to {@code next()} (copy what must outlive it), which keeps a pass over a large cache
     * free of allocation.
     *
     * @param layer          block index (0-based) to read
     * @param kind           which tokens
     * @param imagesPerBatch images per batch (the last may have fewer)
     */
    public Iterator<TokenBatch> sequential(int layer, TokenKind kind, int imagesPerBatch) {
        int slot = layerSlot(layer);
        int[] range = src.tokens().range(kind);
        if (range[1] == 0) {
            throw new IllegalArgumentException("this cache stores no " + kind.id() + " tokens (layout " + src.tokens() + ")");
        }
        if (imagesPerBatch <= 0) {
            throw new IllegalArgumentException("images per batch must be positive, got " + imagesPerBatch);
        }
        int perImage = range[1];
        int d = src.dModel();
        int firstPatch = src.tokens().firstPatch();
        int patches = src.tokens().patches();
        return new Iterator<>() {
            long next = 0;
            final int maxRows = (int) Math.min((long) imagesPerBatch * perImage, src.nImages() * perImage);
            final float[] acts = new float[Math.multiplyExact(maxRows, d)];
            final int[] img = new int[maxRows];
            final int[] tok = new int[maxRows];
            final short[] lab = new short[maxRows];

            @Override
            public boolean hasNext() {
                return next < src.nImages();
            }

            @Override
            public TokenBatch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                int n = (int) Math.min(imagesPerBatch, src.nImages() - next);
                int rows = n * perImage;
                int r = 0;
                for (int i = 0; i < n; i++) {
                    long image = next + i;
                    readImage(image, slot, range[0], perImage, acts, r * d);
                    short[] pl = patchLabels(image);
                    for (int t = 0; t < perImage; t++) {
                        int token = range[0] + t;
                        img[r + t] = (int) image;
                        tok[r + t] = token;
                        int p = token - firstPatch;
                        lab[r + t] = pl != null && p >= 0 && p < patches ? pl[p] : -1;
                    }
                    r += perImage;
                }
                next += n;
                return new TokenBatch(acts, rows, d, img, tok, lab);
            }
        };
    }

    /** A shuffled training stream over one layer; see {@link ShuffledStream}. */
    public ShuffledStream shuffled(ShuffleOptions options) {
        return new ShuffledStream(this, options);
    }

    int layerSlot(int layer) {
        int slot = src.layers().indexOf(layer);
        if (slot < 0) {
            throw new IllegalArgumentException("layer " + RecordedLayer.name(layer) + " is not in the cache " + src.dir()
                    + "; recorded layers (0-based blocks, final, pooled, projection): " + RecordedLayer.names(src.layers()));
        }
        return slot;
    }

    int shardOf(long image) {
        if (image < 0 || image >= src.nImages()) {
            throw new IndexOutOfBoundsException("image " + image + " outside 0.." + (src.nImages() - 1) + " of " + src.dir());
        }
        int lo = 0;
        int hi = shardStarts.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (shardStarts[mid] <= image) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    long shardStart(int shard) {
        return shardStarts[shard];
    }

    /**
     * The mapping of a shard, made on first use: the file is mapped (its size checked again) and,
     * with {@link ShardCheck#VERIFY_ON_FIRST_USE}, hashed and compared with the manifest. Each shard
     * has its own lock, so threads that need different shards map and hash them in parallel.
     */
    MappedFile segment(int shard) {
        MappedFile m = mapped.get(shard);
        if (m != null) {
            return m;
        }
        synchronized (shardLocks[shard]) {
            m = mapped.get(shard);
            if (m != null) {
                return m;
            }
            String why = refused.get(shard);
            if (why != null) {
                throw new IllegalArgumentException(why);
            }
            if (closed) {
                throw new IllegalStateException("the cache " + src.dir() + " is closed");
            }
            ShardFile f = src.shards().get(shard);
            try {
                m = MappedFile.open(f.file(), f.bytes());
            } catch (ClosedByInterruptException e) {
                // a reader closed mid-open (ShuffledStream.close interrupts its prefetcher): not the shard's fault,
                // so nothing is remembered and the next reader maps it afresh
                throw new IllegalStateException("interrupted while mapping shard " + f.file(), e);
            } catch (IOException e) {
                // not remembered either: a missing or unreadable file may be fixed while the cache is open
                throw new IllegalArgumentException("cannot read shard " + f.file() + ": " + e.getMessage(), e);
            }
            if (check == ShardCheck.VERIFY_ON_FIRST_USE && f.sha256() != null) {
                why = verify(m, f);
                if (why != null) {
                    m.close();
                    refused.set(shard, why);
                    throw new IllegalArgumentException(why);
                }
            }
            synchronized (this) {
                if (closed) {
                    m.close();
                    throw new IllegalStateException("the cache " + src.dir() + " is closed");
                }
                mapped.set(shard, m);
            }
            return m;
        }
    }

    /** Hashes a mapped shard (16 MiB at a time); the sentence to refuse it with, or null when it matches. */
    private String verify(MappedFile m, ShardFile f) {
        MessageDigest d = Sha256.newDigest();
        long size = m.size();
        for (long off = 0; off < size; off += VERIFY_BLOCK) {
            d.update(m.segment().asSlice(off, Math.min(VERIFY_BLOCK, size - off)).asByteBuffer());
        }
        String actual = Sha256.hex(d);
        if (actual.equals(f.sha256())) {
            return null;
        }
        return "shard " + f.file() + " was changed or damaged: its SHA-256 is " + actual + ", but field '" + f.sha256Field()
                + "' of " + src.dir().resolve(CacheManifest.FILE_NAME) + " says " + f.sha256()
                + "; 'saelab cache verify " + src.dir() + "' lists every damaged file";
    }

    private static final long VERIFY_BLOCK = 16L << 20;

    List<ImageRecord> shardImages(int shard) {
        List<ImageRecord> l = images.get(shard);
        if (l == null) {
            try {
                l = src.images().shardImages(shard);
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
            images.set(shard, l);
        }
        return l;
    }

    short[] shardLabels(int shard) {
        short[] l = labels.get(shard);
        if (l == null) {
            try {
                l = src.labels().shardLabels(shard);
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
            labels.set(shard, l);
        }
        return l;
    }

    /** All image records in cache order (loads every shard index). */
    public List<ImageRecord> images() {
        List<ImageRecord> all = new ArrayList<>((int) Math.min(Integer.MAX_VALUE, src.nImages()));
        for (int s = 0; s < src.shards().size(); s++) {
            all.addAll(shardImages(s));
        }
        return all;
    }

    @Override
    public synchronized void close() {
        closed = true;
        for (int i = 0; i < mapped.length(); i++) {
            MappedFile m = mapped.getAndSet(i, null);
            if (m != null) {
                m.close();
            }
        }
    }
}
