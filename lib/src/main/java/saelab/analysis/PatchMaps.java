package saelab.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import saelab.io.AtomicFiles;
import saelab.io.Npy;
import saelab.io.Progress;
import saelab.io.Verbosity;
import saelab.sae.Sae;
import saelab.store.ActivationCache;

/**
 * The second pass of an analysis: for the final image-level top-k lists of a {@link FeaturePass},
 * reads only those images (random access, in image order, each image once however many lists hold
 * it), re-encodes their patch tokens and writes each latent's value on every patch into
 * {@code patch_maps.npy} float32 [rows, k, patches] (zeros where a list is shorter). The file is
 * memory-mapped while it is filled, so the maps never occupy the heap: heap use is
 * 8 bytes per (latent, rank) pair plus one batch of codes.
 */
public final class PatchMaps {

    /** Default limit on the size of patch_maps.npy: 4 GiB. */
    public static final long DEFAULT_MAX_BYTES = 4L << 30;

    private PatchMaps() {}

    /** Bytes of the maps' data: rows × k × patches × 4. */
    public static long bytes(long rows, long k, long patches) {
        return rows * k * patches * 4L;
    }

    /**
     * Refuses maps larger than {@code maxBytes}, with a hint.
     *
     * @throws IllegalArgumentException naming the size, its factors and the options that shrink it
     */
    public static void checkSize(long rows, int k, int patches, long maxBytes) {
        long b = bytes(rows, k, patches);
        if (b > maxBytes) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "patch maps would take %.2f GB (%d latents x k %d x %d patches x 4 bytes), over the limit of %.2f GB;"
                            + " lower --k, analyse fewer latents with --latents (e.g. 0-1023), or raise --max-map-bytes",
                    b / 1e9, rows, k, patches, maxBytes / 1e9));
        }
    }

    /**
     * Writes {@code patch_maps.npy} into {@code dir} (atomically) and returns the result with the
     * file recorded in its index.
     */
    public static AnalysisResult write(Path dir, ActivationCache cache, Sae sae, NDManager nd, AnalysisResult result,
                                       int batchRows, long maxBytes, Verbosity verbosity) throws IOException {
        AnalysisIndex ix = result.index();
        int n = result.rows();
        int k = ix.k();
        int p = ix.patchesPerImage();
        int d = sae.config().dModel();
        int f = sae.config().dSae();
        checkSize(n, k, p, maxBytes);
        int[] images = result.topImages().images();
        // (image, list slot) pairs sorted by image: each image is read and encoded once
        long[] pairs = new long[images.length];
        int m = 0;
        for (int i = 0; i < images.length; i++) {
            if (images[i] >= 0) {
                pairs[m++] = ((long) images[i] << 32) | i;
            }
        }
        Arrays.sort(pairs, 0, m);
        List<Integer> distinct = new ArrayList<>();
        for (int i = 0; i < m; i++) {
            int img = (int) (pairs[i] >>> 32);
            if (distinct.isEmpty() || distinct.getLast() != img) {
                distinct.add(img);
            }
        }
        int first = cache.tokens().firstPatch();
        int imagesPerBatch = Math.max(1, batchRows / p);
        long dataBytes = bytes(n, k, p);
        byte[] head = Npy.header("<f4", n, k, p);
        Progress progress = verbosity.stderr("patch maps", "images", distinct.size());
        final int pairCount = m;
        AtomicFiles.writeVia(dir.resolve(AnalysisResult.MAPS), temp -> {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.READ, StandardOpenOption.WRITE);
                 Arena arena = Arena.ofConfined()) {
                ch.write(ByteBuffer.wrap(head));
                ch.truncate(head.length);
                MemorySegment seg = ch.map(FileChannel.MapMode.READ_WRITE, 0, head.length + dataBytes, arena);
                float[] x = new float[imagesPerBatch * p * d];
                int cursor = 0;
                for (int b0 = 0; b0 < distinct.size(); b0 += imagesPerBatch) {
                    int nb = Math.min(imagesPerBatch, distinct.size() - b0);
                    for (int i = 0; i < nb; i++) {
                        for (int q = 0; q < p; q++) {
                            cache.read(distinct.get(b0 + i), ix.layer(), first + q, x, (i * p + q) * d);
                        }
                    }
                    float[] codes;
                    try (NDManager scope = nd.newSubManager()) {
                        NDArray in = scope.create(FloatBuffer.wrap(x, 0, nb * p * d), new Shape((long) nb * p, d));
                        codes = sae.encode(in).toFloatArray();
                    }
                    int lastImage = distinct.get(b0 + nb - 1);
                    for (int i = b0; cursor < pairCount && (int) (pairs[cursor] >>> 32) <= lastImage; cursor++) {
                        int img = (int) (pairs[cursor] >>> 32);
                        while (distinct.get(i) != img) {
                            i++;
                        }
                        int listSlot = (int) pairs[cursor];
                        int latent = ix.latents().get(listSlot / k);
                        long off = head.length + (long) listSlot * p * 4L;
                        int row = (i - b0) * p;
                        for (int q = 0; q < p; q++) {
                            seg.set(Npy.F4, off + 4L * q, codes[(row + q) * f + latent]);
                        }
                    }
                    if (progress != null) {
                        progress.advance(nb);
                    }
                }
                seg.force();
            }
        });
        if (progress != null) {
            progress.finish();
        }
        List<String> files = new ArrayList<>(ix.files());
        if (!files.contains(AnalysisResult.MAPS)) {
            files.add(AnalysisResult.MAPS);
        }
        AnalysisIndex withMaps = new AnalysisIndex(ix.format(), ix.sae(), ix.saeKind(), ix.dSae(), ix.cache(), ix.cacheFormat(),
                ix.model(), ix.layer(), k, ix.latents(), ix.nImages(), p, ix.gridH(), ix.gridW(), ix.cls(), ix.patchTokens(),
                ix.clsTokens(), ix.histogramEdges(), ix.histogramBins(), dataBytes, files);
        return new AnalysisResult(withMaps, result.fires(), result.sum(), result.max(), result.clsFires(), result.clsSum(),
                result.clsMax(), result.histograms(), result.topImages(), result.topPatches(), result.topCls());
    }
}
