package saelab.analysis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import saelab.BuildInfo;
import saelab.io.AtomicFiles;
import saelab.io.Json;
import saelab.io.Npy;
import saelab.sae.Sae;
import saelab.store.ActivationCache;
import saelab.store.TokenLayout;

/**
 * Streams the codes of a {@link FeaturePass} into a {@link SparseCodes} folder in bounded memory:
 * each batch's positive codes go, row by row with latents sorted ascending, to three staging files
 * ({@code .indptr.npy.partial}, ...) through 1 MiB buffers; nothing of earlier batches is held. Each
 * staging file starts with a .npy header of a fixed {@value #HEADER} bytes that is rewritten with the
 * final shape at {@link #finish}, which then forces the files to disk, renames them to their final
 * names through {@link AtomicFiles} and writes {@code codes.json} last. A stale {@code codes.json} is
 * deleted when writing starts, so an interrupted write never leaves an index that describes other
 * arrays; {@link #close} without {@link #finish} deletes the staging files.
 *
 * <p>Memory: the three buffers (3 MiB) and one row's entries (8 bytes per positive code of a token).
 */
public final class SparseCodesWriter implements AutoCloseable {

    static final int HEADER = 128;
    private static final int BUFFER = 1 << 20;

    private final Path dir;
    private final Stream indptr;
    private final Stream indices;
    private final Stream values;
    private final long expectedRows;
    private final int dSae;
    private final SparseCodes.Index template;
    private long rows;
    private long nnz;
    private long[] scratch = new long[256];
    private boolean finished;

    /** One staging file: a channel, its little-endian buffer and its final name. */
    private static final class Stream {
        final Path staging;
        final Path target;
        final FileChannel ch;
        final ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER).order(ByteOrder.LITTLE_ENDIAN);

        Stream(Path dir, String name) throws IOException {
            this.target = dir.resolve(name);
            this.staging = dir.resolve("." + name + ".partial");
            this.ch = FileChannel.open(staging, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            ch.write(ByteBuffer.allocate(HEADER)); // placeholder, rewritten at the end
        }

        void room(int bytes) throws IOException {
            if (buf.remaining() < bytes) {
                flush();
            }
        }

        void flush() throws IOException {
            buf.flip();
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            buf.clear();
        }

        void finish(byte[] header) throws IOException {
            flush();
            ch.write(ByteBuffer.wrap(header), 0);
            ch.force(true);
            ch.close();
        }

        void abandon() {
            try {
                ch.close();
            } catch (IOException e) {
                // the staging file is deleted next; nothing else to do
            }
            try {
                Files.deleteIfExists(staging);
            } catch (IOException e) {
                // a leftover hidden .partial file is harmless: the next write truncates it
            }
        }
    }

    private SparseCodesWriter(Path dir, long expectedRows, int dSae, SparseCodes.Index template) throws IOException {
        this.dir = dir;
        this.expectedRows = expectedRows;
        this.dSae = dSae;
        this.template = template;
        Files.createDirectories(dir);
        Files.deleteIfExists(dir.resolve(SparseCodes.INDEX));
        Stream p = null;
        Stream i = null;
        try {
            p = new Stream(dir, SparseCodes.INDPTR);
            i = new Stream(dir, SparseCodes.INDICES);
            this.values = new Stream(dir, SparseCodes.VALUES);
        } catch (IOException | RuntimeException e) {
            if (p != null) {
                p.abandon();
            }
            if (i != null) {
                i.abandon();
            }
            throw e;
        }
        this.indptr = p;
        this.indices = i;
        indptr.buf.putLong(0L);
    }

    /**
     * Starts a codes folder for a pass of {@code sae} over layer {@code layer} of {@code cache}: one row per CLS
     * and patch token of every image (registers are not encoded).
     *
     * @param dir     the codes folder (created)
     * @param saeName how the SAE is named in the index
     */
    public static SparseCodesWriter create(Path dir, ActivationCache cache, Sae sae, String saeName, int layer) throws IOException {
        TokenLayout t = cache.tokens();
        int perImage = (t.cls() ? 1 : 0) + t.patches();
        long rows = Math.multiplyExact(cache.nImages(), (long) perImage);
        int f = sae.config().dSae();
        String order = "row = image * " + perImage + " + t; t = " + (t.cls() ? "0 is the CLS token, 1.." + t.patches() : "0.." + (t.patches() - 1))
                + " the patches in raster order (row-major over the " + t.gridH() + " x " + t.gridW() + " grid)"
                + (t.registers() > 0 ? "; the " + t.registers() + " register tokens are not encoded" : "");
        SparseCodes.Index template = new SparseCodes.Index(SparseCodes.FORMAT, rows, f, -1, cache.nImages(), perImage, t.cls(), t.gridH(),
                t.gridW(), t.registers(), order, SparseCodes.INDPTR, SparseCodes.INDICES, SparseCodes.VALUES, saeName,
                sae.config().kind().id(), cache.dir().toAbsolutePath().toString(), layer, BuildInfo.current().describe());
        return new SparseCodesWriter(dir, rows, f, template);
    }

    /**
     * Appends the codes of the next {@code batchRows} rows: entries in row-major order (rows ascending,
     * any order within a row), non-positive values skipped.
     *
     * @throws IllegalStateException when the rows are not ascending or a latent is out of range
     */
    void append(FeaturePass.Sparse sp, int batchRows) {
        int[] rowOf = sp.rows();
        int[] cols = sp.cols();
        float[] vals = sp.vals();
        int count = sp.count();
        try {
            int e = 0;
            for (int r = 0; r < batchRows; r++) {
                int n = 0;
                while (e < count && rowOf[e] == r) {
                    float v = vals[e];
                    if (v > 0) {
                        int j = cols[e];
                        if (j < 0 || j >= dSae) {
                            throw new IllegalStateException("latent " + j + " outside 0.." + (dSae - 1) + " in the codes of row " + (rows + r));
                        }
                        if (n == scratch.length) {
                            scratch = Arrays.copyOf(scratch, 2 * n);
                        }
                        // latent in the high half, the value's bits in the low half: sorting the longs sorts by latent
                        scratch[n++] = ((long) j << 32) | (Float.floatToRawIntBits(v) & 0xffffffffL);
                    }
                    e++;
                }
                Arrays.sort(scratch, 0, n);
                for (int q = 0; q < n; q++) {
                    indices.room(4);
                    indices.buf.putInt((int) (scratch[q] >>> 32));
                    values.room(4);
                    values.buf.putFloat(Float.intBitsToFloat((int) scratch[q]));
                }
                nnz += n;
                indptr.room(8);
                indptr.buf.putLong(nnz);
            }
            if (e != count) {
                throw new IllegalStateException("codes of a batch of " + batchRows + " rows are not in ascending row order (entry " + e
                        + " of " + count + " has row " + rowOf[e] + ")");
            }
            rows += batchRows;
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot write the sparse codes in " + dir + ": " + ex.getMessage(), ex);
        }
    }

    /** Rows written so far. */
    public long rows() {
        return rows;
    }

    /**
     * Completes the folder: final headers, forced to disk, renamed to their final names, then {@code codes.json}.
     *
     * @return the index written
     * @throws IllegalStateException when fewer or more rows were written than the cache has tokens
     */
    public SparseCodes.Index finish() throws IOException {
        if (rows != expectedRows) {
            throw new IllegalStateException("wrote " + rows + " rows of codes; the cache has " + expectedRows + " CLS and patch tokens");
        }
        indptr.finish(Npy.headerOfLength(HEADER, "<i8", rows + 1));
        indices.finish(Npy.headerOfLength(HEADER, "<i4", nnz));
        values.finish(Npy.headerOfLength(HEADER, "<f4", nnz));
        for (Stream s : new Stream[] {indptr, indices, values}) {
            // the staging file is complete and forced: moved onto AtomicFiles' temporary name, which it then
            // forces and renames atomically over the target (and syncs the folder)
            AtomicFiles.writeVia(s.target, temp -> Files.move(s.staging, temp, StandardCopyOption.REPLACE_EXISTING));
        }
        SparseCodes.Index t = template;
        SparseCodes.Index ix = new SparseCodes.Index(t.format(), rows, t.dSae(), nnz, t.nImages(), t.tokensPerImage(), t.cls(), t.gridH(),
                t.gridW(), t.registersSkipped(), t.rowOrder(), t.indptr(), t.indices(), t.values(), t.sae(), t.saeKind(), t.cache(),
                t.layer(), t.codeVersion());
        Json.write(dir.resolve(SparseCodes.INDEX), ix);
        finished = true;
        return ix;
    }

    /** Deletes the staging files unless {@link #finish} completed. */
    @Override
    public void close() {
        if (!finished) {
            indptr.abandon();
            indices.abandon();
            values.abandon();
        }
    }
}
