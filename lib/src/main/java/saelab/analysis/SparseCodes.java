package saelab.analysis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import saelab.io.Json;
import saelab.io.Npy;

/**
 * The SAE codes of every token of a cache layer in compressed sparse row (CSR) form, as written by
 * {@code saelab analyze --codes} ({@link SparseCodesWriter}) into a folder {@code codes/}:
 * <ul>
 *   <li>{@code indptr.npy} int64 [rows + 1]: row r's entries are {@code indptr[r] .. indptr[r+1]-1};</li>
 *   <li>{@code indices.npy} int32 [nnz]: latent ids, ascending within a row;</li>
 *   <li>{@code values.npy} float32 [nnz]: the codes (only the positive ones are stored);</li>
 *   <li>{@code codes.json}: {@link Index}, written last.</li>
 * </ul>
 * The layout of SciPy's {@code csr_matrix((values, indices, indptr), shape=(rows, d_sae))}. Rows are
 * tokens: {@code row = image × tokens_per_image + t}, t = 0 the CLS token when the cache has one, then
 * the patches in raster order; register tokens are not encoded (as in {@link FeaturePass}). The arrays
 * are memory-mapped, so opening costs nothing whatever their size.
 */
public final class SparseCodes implements AutoCloseable {

    /** The folder name {@code analyze --codes} writes into. */
    public static final String FOLDER = "codes";

    /**
     * {@code codes.json}.
     *
     * @param format          {@value #FORMAT}
     * @param rows            tokens (rows of the matrix)
     * @param dSae            latents (columns)
     * @param nnz             stored codes
     * @param nImages         images
     * @param tokensPerImage  rows per image: CLS (when present) then patches
     * @param cls             whether row 0 of each image is the CLS token
     * @param gridH           patch rows
     * @param gridW           patch columns
     * @param registersSkipped register tokens of the cache that are not encoded
     * @param rowOrder        the row formula, in words
     * @param indptr          file of indptr (int64)
     * @param indices         file of indices (int32)
     * @param values          file of values (float32)
     * @param sae             the SAE checkpoint
     * @param saeKind         its kind
     * @param cache           the cache folder
     * @param layer           block index (0-based)
     * @param codeVersion     saelab's version
     */
    public record Index(String format, long rows, int dSae, long nnz, long nImages, int tokensPerImage, boolean cls, int gridH, int gridW,
                        int registersSkipped, String rowOrder, String indptr, String indices, String values, String sae, String saeKind,
                        String cache, int layer, String codeVersion) {}

    public static final String FORMAT = "saelab-codes/1";
    public static final String INDEX = "codes.json";
    static final String INDPTR = "indptr.npy";
    static final String INDICES = "indices.npy";
    static final String VALUES = "values.npy";

    /**
     * One token's codes.
     *
     * @param latents latent ids, ascending
     * @param values  their codes, all positive
     */
    public record Codes(int[] latents, float[] values) {}

    private final Path dir;
    private final Index index;
    private final Npy.Mapped indptr;
    private final Npy.Mapped indices;
    private final Npy.Mapped values;

    private SparseCodes(Path dir, Index index, Npy.Mapped indptr, Npy.Mapped indices, Npy.Mapped values) {
        this.dir = dir;
        this.index = index;
        this.indptr = indptr;
        this.indices = indices;
        this.values = values;
    }

    /**
     * Opens a codes folder, or the {@code codes/} folder of an analysis folder.
     *
     * @throws IllegalArgumentException naming the file and field when {@code codes.json} is missing (an unfinished
     *                                  write) or malformed, or an array's dtype, shape or bounds disagree with it
     */
    public static SparseCodes open(Path dir) throws IOException {
        if (!Files.exists(dir.resolve(INDEX)) && Files.isDirectory(dir.resolve(FOLDER))) {
            dir = dir.resolve(FOLDER);
        }
        Path ixFile = dir.resolve(INDEX);
        Index ix;
        try {
            ix = Json.read(ixFile, Index.class, "sparse codes index");
        } catch (UncheckedIOException e) {
            throw new IllegalArgumentException(e.getMessage() + "; not a finished codes folder (write one with 'saelab analyze --codes')", e);
        }
        if (!FORMAT.equals(ix.format())) {
            throw new IllegalArgumentException(ixFile + ": field 'format' is '" + ix.format() + "'; expected '" + FORMAT + "'");
        }
        if (ix.rows() != ix.nImages() * ix.tokensPerImage() || ix.nnz() < 0 || ix.dSae() <= 0) {
            throw new IllegalArgumentException(ixFile + ": fields rows " + ix.rows() + ", n_images " + ix.nImages() + ", tokens_per_image "
                    + ix.tokensPerImage() + ", nnz " + ix.nnz() + ", d_sae " + ix.dSae()
                    + " do not agree; expected rows = n_images x tokens_per_image");
        }
        Npy.Mapped p = null;
        Npy.Mapped i = null;
        Npy.Mapped v;
        try {
            p = Npy.open(dir.resolve(ix.indptr()), "<i8", ix.rows() + 1);
            i = Npy.open(dir.resolve(ix.indices()), "<i4", ix.nnz());
            v = Npy.open(dir.resolve(ix.values()), "<f4", ix.nnz());
        } catch (IOException | RuntimeException e) {
            if (p != null) {
                p.close();
            }
            if (i != null) {
                i.close();
            }
            throw e;
        }
        SparseCodes c = new SparseCodes(dir, ix, p, i, v);
        long first = c.ptr(0);
        long last = c.ptr(ix.rows());
        if (first != 0 || last != ix.nnz()) {
            c.close();
            throw new IllegalArgumentException(dir.resolve(ix.indptr()) + ": starts at " + first + " and ends at " + last
                    + "; expected 0 and nnz = " + ix.nnz() + " (field 'nnz' of " + ixFile + ")");
        }
        return c;
    }

    /** The folder's index. */
    public Index index() {
        return index;
    }

    /** Tokens (rows). */
    public long rows() {
        return index.rows();
    }

    /** Stored codes. */
    public long nnz() {
        return index.nnz();
    }

    /** The row of token {@code token} (0..tokens_per_image-1: CLS first when present, then patches) of {@code image}. */
    public long row(long image, int token) {
        if (image < 0 || image >= index.nImages() || token < 0 || token >= index.tokensPerImage()) {
            throw new IllegalArgumentException("image " + image + ", token " + token + " is outside the " + index.nImages() + " images x "
                    + index.tokensPerImage() + " tokens of " + dir);
        }
        return image * index.tokensPerImage() + token;
    }

    /** The row of patch {@code patch} (raster order) of {@code image}. */
    public long patchRow(long image, int patch) {
        return row(image, (index.cls() ? 1 : 0) + patch);
    }

    /** The codes of row {@code row}. */
    public Codes codes(long row) {
        if (row < 0 || row >= index.rows()) {
            throw new IllegalArgumentException("row " + row + " is outside 0.." + (index.rows() - 1) + " of " + dir);
        }
        long a = ptr(row);
        long b = ptr(row + 1);
        if (b < a || b > index.nnz()) {
            throw new IllegalArgumentException(dir.resolve(index.indptr()) + ": row " + row + " spans [" + a + ", " + b
                    + "); expected a non-decreasing indptr within 0.." + index.nnz());
        }
        int n = Math.toIntExact(b - a);
        int[] lat = new int[n];
        float[] val = new float[n];
        MemorySegment.copy(indices.file().segment(), Npy.I4, indices.dataOffset() + 4 * a, lat, 0, n);
        MemorySegment.copy(values.file().segment(), Npy.F4, values.dataOffset() + 4 * a, val, 0, n);
        return new Codes(lat, val);
    }

    /** The codes of token {@code token} of {@code image} (see {@link #row}). */
    public Codes codes(long image, int token) {
        return codes(row(image, token));
    }

    /** Row {@code row} as a dense vector [d_sae]. */
    public float[] dense(long row) {
        Codes c = codes(row);
        float[] out = new float[index.dSae()];
        for (int e = 0; e < c.latents().length; e++) {
            int j = c.latents()[e];
            if (j < 0 || j >= out.length) {
                throw new IllegalArgumentException(dir.resolve(index.indices()) + ": latent " + j + " in row " + row + " is outside 0.."
                        + (out.length - 1));
            }
            out[j] = c.values()[e];
        }
        return out;
    }

    private long ptr(long r) {
        return indptr.file().segment().get(Npy.I8, indptr.dataOffset() + 8 * r);
    }

    @Override
    public void close() {
        indptr.close();
        indices.close();
        values.close();
    }
}
