package saelab.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import saelab.BuildInfo;
import saelab.io.AtomicFiles;
import saelab.io.ConfinedPaths;
import saelab.io.Json;
import saelab.io.Sha256;
import saelab.store.CacheManifest.Provenance;
import saelab.store.CacheManifest.ShardEntry;

/**
 * Writes an activation cache: images are appended in batches, a shard is closed when it holds
 * {@code images_per_shard} images, and every shard file and the manifest are written atomically
 * (temporary name, fsync, rename), the manifest last. The manifest therefore only ever lists shards
 * that are complete and whose checksum is right.
 *
 * <p>An interrupted cache (crash, kill, power loss) is continued with {@link #resume(Path)} or
 * {@link #createOrResume}: files the manifest does not list are deleted and writing continues at
 * image {@link #imagesWritten()}; the caller feeds images from there. Shard boundaries are fixed by
 * {@code images_per_shard}, so the resumed shards are byte-identical to an uninterrupted run's.
 *
 * <p>Not thread-safe: one writer per cache, called from one thread.
 */
public final class CacheWriter implements AutoCloseable {

    static final String PARTIAL_SUFFIX = ".partial";

    private final Path dir;
    private final CacheSpec spec;
    private CacheManifest manifest;
    private final int valuesPerImage;
    private final int patches;
    private final byte[] encoded;
    private final MemorySegment encodedSegment;

    private FileChannel partial;
    private Path partialPath;
    private MessageDigest digest;
    private final List<ImageRecord> shardImages = new ArrayList<>();
    private short[] shardLabels;
    private boolean finished;

    private CacheWriter(Path dir, CacheSpec spec, CacheManifest manifest) {
        this.dir = dir;
        this.spec = spec;
        this.manifest = manifest;
        this.valuesPerImage = spec.valuesPerImage();
        this.patches = spec.tokens().patches();
        this.encoded = new byte[Math.toIntExact(spec.bytesPerImage())];
        this.encodedSegment = MemorySegment.ofArray(encoded);
    }

    /**
     * Starts a new cache in {@code dir} (created if missing; it must not hold a cache already).
     *
     * @param maxShardBytes shards hold as many whole images as fit in this many bytes (at least one)
     */
    public static CacheWriter create(Path dir, CacheSpec spec, long maxShardBytes) throws IOException {
        Path manifestFile = dir.resolve(CacheManifest.FILE_NAME);
        if (Files.exists(manifestFile)) {
            throw new IllegalStateException(dir + " already holds a cache (" + manifestFile
                    + "); resume it or choose another folder");
        }
        if (spec.patchLabels() != null && spec.tokens().patches() == 0) {
            throw new IllegalArgumentException("patch labels need patch tokens, but the token layout stores none");
        }
        long perImage = spec.bytesPerImage();
        long imagesPerShard = Math.max(1, maxShardBytes / perImage);
        long labelLimit = spec.patchLabels() == null ? Long.MAX_VALUE : (Integer.MAX_VALUE - 8) / Math.max(1, spec.tokens().patches());
        imagesPerShard = Math.min(imagesPerShard, Math.min(labelLimit, Integer.MAX_VALUE));
        Files.createDirectories(dir);
        boolean complete = false; // no image written yet; finish() marks it complete
        CacheManifest m = new CacheManifest(CacheManifest.FORMAT, spec.model(), spec.dataset(), spec.preprocessing(),
                spec.layers(), spec.tokens(), spec.dModel(), spec.dtype().id(), (int) imagesPerShard, 0,
                spec.patchLabels(), complete, List.of(),
                new Provenance(BuildInfo.current().describe(), Instant.now().toString(), spec.config()));
        Json.write(manifestFile, m);
        return new CacheWriter(dir, spec, m);
    }

    /** Continues an interrupted cache; see the class comment. */
    public static CacheWriter resume(Path dir) throws IOException {
        CacheManifest m = ActivationCache.readManifest(dir);
        if (m.complete()) {
            throw new IllegalStateException("the cache in " + dir + " is complete (" + m.nImages() + " images); nothing to resume");
        }
        CacheSpec spec = new CacheSpec(m.model(), m.dataset(), m.preprocessing(), m.layers(), m.tokens(), m.dModel(),
                m.storageDtype(), m.patchLabels(), m.provenance() == null ? null : m.provenance().config());
        checkListed(dir, m);
        deleteUnlisted(dir, m);
        return new CacheWriter(dir, spec, m);
    }

    /**
     * Before a resume: every file the manifest lists must be intact (inside the folder, right size,
     * right SHA-256), or the resumed capture would finish a damaged cache. Costs one hash of what was
     * written so far (about 1.5 to 2 s per GB, one thread, on the 2-core development VM).
     */
    private static void checkListed(Path dir, CacheManifest m) throws IOException {
        Path mf = dir.resolve(CacheManifest.FILE_NAME);
        for (int i = 0; i < m.shards().size(); i++) {
            ShardEntry s = m.shards().get(i);
            String at = "shards[" + i + "].";
            checkListed(dir, mf, s.file(), s.bytes(), s.sha256(), at + "file", at + "sha256");
            checkListed(dir, mf, s.indexFile(), -1, s.indexSha256(), at + "index_file", at + "index_sha256");
            if (s.labelsFile() != null) {
                checkListed(dir, mf, s.labelsFile(), -1, s.labelsSha256(), at + "labels_file", at + "labels_sha256");
            }
        }
    }

    private static void checkListed(Path dir, Path mf, String name, long bytes, String sha256, String nameField, String shaField)
            throws IOException {
        Path f = ConfinedPaths.resolve(dir, name, mf, nameField);
        if (!Files.isRegularFile(f)) {
            throw new IllegalArgumentException("cannot resume the cache in " + dir + ": " + f + " is missing, but field '" + nameField
                    + "' of " + mf + " lists it; delete the folder and capture again");
        }
        if (bytes >= 0) {
            NativeFormat.checkSize(f, bytes, mf, nameField.replace("file", "bytes"));
        }
        String actual = Sha256.of(f);
        if (!actual.equals(sha256)) {
            throw new IllegalArgumentException("cannot resume the cache in " + dir + ": " + f + " was changed or damaged (its SHA-256 is "
                    + actual + ", but field '" + shaField + "' of " + mf + " says " + sha256 + "); delete the folder and capture again");
        }
    }

    /**
     * Resumes the cache in {@code dir} when it exists and was started with the same spec, else creates it.
     *
     * @throws IllegalStateException when the existing cache differs from {@code spec} (naming the field) or is complete
     */
    public static CacheWriter createOrResume(Path dir, CacheSpec spec, long maxShardBytes) throws IOException {
        if (!Files.exists(dir.resolve(CacheManifest.FILE_NAME))) {
            return create(dir, spec, maxShardBytes);
        }
        CacheManifest m = ActivationCache.readManifest(dir);
        String differs = !Objects.equals(m.model(), spec.model()) ? "model"
                : !Objects.equals(m.dataset(), spec.dataset()) ? "dataset"
                : !Objects.equals(m.layers(), spec.layers()) ? "layers"
                : !Objects.equals(m.tokens(), spec.tokens()) ? "tokens"
                : m.dModel() != spec.dModel() ? "d_model"
                : m.storageDtype() != spec.dtype() ? "dtype"
                : !Objects.equals(m.patchLabels(), spec.patchLabels()) ? "patch_labels"
                : !Objects.equals(m.preprocessing(), spec.preprocessing()) ? "preprocessing" : null;
        if (differs != null) {
            throw new IllegalStateException("cannot resume the cache in " + dir + ": its field '" + differs
                    + "' differs from this run's; use another output folder or delete the old cache");
        }
        return resume(dir);
    }

    /** Images in completed shards plus the open one: the index of the next image to append. */
    public long imagesWritten() {
        return manifest.nImages() + shardImages.size();
    }

    /** The manifest as last written (completed shards only). */
    public CacheManifest manifest() {
        return manifest;
    }

    /**
     * Appends a batch of images.
     *
     * @param images      one record per image
     * @param acts        activations [images, layers, tokens, d_model], row-major, float32
     * @param patchLabels labels [images, patches], or null when the cache has no patch labels
     */
    public void append(List<ImageRecord> images, float[] acts, short[] patchLabels) throws IOException {
        if (finished) {
            throw new IllegalStateException("the cache in " + dir + " is finished; no more images can be appended");
        }
        long expected = (long) images.size() * valuesPerImage;
        if (acts.length != expected) {
            throw new IllegalArgumentException("acts has " + acts.length + " values; expected images x layers x tokens x d_model = "
                    + images.size() + " x " + spec.layers().size() + " x " + spec.tokens().tokens() + " x " + spec.dModel()
                    + " = " + expected);
        }
        if ((spec.patchLabels() == null) != (patchLabels == null)) {
            throw new IllegalArgumentException(spec.patchLabels() == null
                    ? "this cache has no patch labels, but labels were given"
                    : "this cache stores patch labels; give them as [images, patches]");
        }
        if (patchLabels != null && patchLabels.length != (long) images.size() * patches) {
            throw new IllegalArgumentException("patch labels have " + patchLabels.length + " values; expected images x patches = "
                    + images.size() + " x " + patches);
        }
        // check the whole batch before writing any of it, so a rejected batch leaves the cache unchanged
        for (int i = 0; i < images.size(); i++) {
            for (int v = 0; v < valuesPerImage; v++) {
                float x = acts[i * valuesPerImage + v];
                if (!Float.isFinite(x)) {
                    throw new IllegalArgumentException("activation of image " + (imagesWritten() + i) + " (batch row " + i
                            + ", value " + v + ") is " + x + "; caches hold finite values only");
                }
            }
        }
        for (int i = 0; i < images.size(); i++) {
            if (partial == null) {
                openShard();
            }
            spec.dtype().encode(acts, i * valuesPerImage, valuesPerImage, encodedSegment, 0);
            ByteBuffer buf = ByteBuffer.wrap(encoded);
            while (buf.hasRemaining()) {
                partial.write(buf);
            }
            digest.update(encoded);
            if (patchLabels != null) {
                System.arraycopy(patchLabels, i * patches, shardLabels, shardImages.size() * patches, patches);
            }
            shardImages.add(images.get(i));
            if (shardImages.size() == manifest.imagesPerShard()) {
                closeShard();
            }
        }
    }

    /** Closes the last shard and marks the cache complete. */
    public CacheManifest finish() throws IOException {
        if (!finished) {
            if (partial != null && !shardImages.isEmpty()) {
                closeShard();
            }
            manifest = markedComplete(manifest.shards());
            Json.write(dir.resolve(CacheManifest.FILE_NAME), manifest);
            finished = true;
        }
        return manifest;
    }

    /** Stops writing without finishing: the open shard's partial file is left for {@link #resume} to discard. */
    @Override
    public void close() throws IOException {
        if (partial != null) {
            partial.close();
            partial = null;
        }
    }

    private void openShard() throws IOException {
        String name = shardName(manifest.shards().size());
        partialPath = dir.resolve(name + PARTIAL_SUFFIX);
        partial = FileChannel.open(partialPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        digest = Sha256.newDigest();
        shardImages.clear();
        shardLabels = spec.patchLabels() == null ? null : new short[manifest.imagesPerShard() * patches];
    }

    private void closeShard() throws IOException {
        int shardNo = manifest.shards().size();
        String name = shardName(shardNo);
        long bytes = partial.size();
        partial.force(true);
        partial.close();
        partial = null;
        Files.move(partialPath, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        String sha = Sha256.hex(digest);

        String indexName = stem(shardNo) + ".images.tsv";
        byte[] index = ShardIndex.encode(shardImages);
        AtomicFiles.writeBytes(dir.resolve(indexName), index);
        String labelsName = null;
        String labelsSha = null;
        if (shardLabels != null) {
            labelsName = stem(shardNo) + ".labels.bin";
            byte[] labels = new byte[shardImages.size() * patches * 2];
            ByteBuffer.wrap(labels).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().put(shardLabels, 0, shardImages.size() * patches);
            AtomicFiles.writeBytes(dir.resolve(labelsName), labels);
            labelsSha = Sha256.of(labels);
        }
        List<ShardEntry> shards = new ArrayList<>(manifest.shards());
        shards.add(new ShardEntry(name, manifest.nImages(), shardImages.size(), bytes, sha, indexName, Sha256.of(index),
                labelsName, labelsSha));
        manifest = stillWriting(shards);
        Json.write(dir.resolve(CacheManifest.FILE_NAME), manifest);
        shardImages.clear();
    }

    /** The manifest listing {@code shards}, still marked incomplete (a reader refuses it unless asked; {@link #resume} continues it). */
    private CacheManifest stillWriting(List<ShardEntry> shards) {
        return withShards(shards, false);
    }

    /** The manifest listing {@code shards}, marked complete: the writer has finished. */
    private CacheManifest markedComplete(List<ShardEntry> shards) {
        return withShards(shards, true);
    }

    private CacheManifest withShards(List<ShardEntry> shards, boolean complete) {
        long n = shards.stream().mapToLong(ShardEntry::nImages).sum();
        CacheManifest m = manifest;
        return new CacheManifest(m.format(), m.model(), m.dataset(), m.preprocessing(), m.layers(), m.tokens(), m.dModel(),
                m.dtype(), m.imagesPerShard(), n, m.patchLabels(), complete, List.copyOf(shards), m.provenance());
    }

    /** Deletes shard files of {@code dir} that the manifest does not list (left by an interrupted writer). */
    private static void deleteUnlisted(Path dir, CacheManifest m) throws IOException {
        Set<String> listed = new HashSet<>();
        for (ShardEntry s : m.shards()) {
            listed.add(s.file());
            listed.add(s.indexFile());
            if (s.labelsFile() != null) {
                listed.add(s.labelsFile());
            }
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String n = f.getFileName().toString();
                boolean ours = n.startsWith("shard-") || (n.startsWith(".shard-") || n.startsWith("." + CacheManifest.FILE_NAME));
                if (ours && !listed.contains(n)) {
                    Files.delete(f);
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    static String stem(int shardNo) {
        return String.format("shard-%06d", shardNo);
    }

    static String shardName(int shardNo) {
        return stem(shardNo) + ".bin";
    }
}
