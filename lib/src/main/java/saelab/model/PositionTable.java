package saelab.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A learned absolute position table: an optional class-token row followed by an M x M grid of
 * patch positions (row-major). {@link #forGrid} gives the table for another patch grid, resampled
 * with the chosen {@link PosInterpolation} (computed once per grid size, on the host, in float32,
 * then cached on the device).
 *
 * <p>As in Hugging Face's {@code interpolate_pos_encoding} (DINOv2, CLIP, SigLIP), the stored table
 * is used unchanged when the image has M x M patches and is square in pixels; otherwise it is
 * resampled, even to the same grid size.
 */
public final class PositionTable {

    /** Whether row 0 of a stored table belongs to the class token (CLIP, DINOv2, open_clip) or the table is the grid alone (SigLIP). */
    public enum ClassRow {
        /** Row 0 is the class token's position; the M*M grid rows follow. */
        PRESENT,
        /** Every row is a grid position (a tower without a class token). */
        ABSENT
    }

    private final int side;
    private final int dim;
    private final float[] grid;
    private final float[] cls;
    private final NDArray stored;
    private final PosInterpolation mode;
    private final DataType dtype;
    private final Map<Long, NDArray> cache = new ConcurrentHashMap<>();

    /**
     * @param table    {@code [N, D]} float32 on {@code stored}'s manager: class row (with {@link ClassRow#PRESENT}) then M*M grid rows
     * @param classRow whether row 0 belongs to the class token
     * @param mode     how to resample for other grids
     * @param dtype    the dtype of the arrays handed out
     * @param where    the tensor's name and file, for the error when the grid is not square
     */
    public PositionTable(NDArray table, ClassRow classRow, PosInterpolation mode, DataType dtype, String where) {
        boolean hasClassRow = classRow == ClassRow.PRESENT;
        Shape s = table.getShape();
        int rows = Math.toIntExact(s.get(0));
        int gridRows = rows - (hasClassRow ? 1 : 0);
        int m = (int) Math.round(Math.sqrt(gridRows));
        if (s.dimension() != 2 || m * m != gridRows || m == 0) {
            throw new IllegalArgumentException(where + ": position table has shape " + Arrays.toString(s.getShape()) + "; expected ["
                    + (hasClassRow ? "1 + " : "")
                    + "M*M, D] for a square grid of M x M patches");
        }
        this.side = m;
        this.dim = Math.toIntExact(s.get(1));
        float[] all = table.toType(DataType.FLOAT32, false).toFloatArray();
        this.cls = hasClassRow ? Arrays.copyOfRange(all, 0, dim) : new float[0];
        this.grid = Arrays.copyOfRange(all, hasClassRow ? dim : 0, all.length);
        this.stored = table.toType(dtype, false).reshape(1, rows, dim);
        if (this.stored != table) {
            table.close();
        }
        this.mode = mode;
        this.dtype = dtype;
    }

    /** The trained grid side M. */
    public int side() {
        return side;
    }

    /** The device the table lives on. */
    public Device device() {
        return stored.getDevice();
    }

    /** The resampling variant. */
    public PosInterpolation mode() {
        return mode;
    }

    /**
     * The table to add for a {@code gridH x gridW} patch grid from an image of
     * {@code pixelH x pixelW}: {@code [1, (class row ? 1 : 0) + gridH * gridW, D]}. Owned by the
     * table (do not close it).
     */
    public NDArray forGrid(int gridH, int gridW, int pixelH, int pixelW) {
        if (gridH * gridW == side * side && pixelH == pixelW) {
            return stored;
        }
        long key = ((long) gridH << 32) | gridW;
        return cache.computeIfAbsent(key, k -> build(gridH, gridW));
    }

    private NDArray build(int gridH, int gridW) {
        float[] g = PositionResampler.resample(grid, side, side, dim, gridH, gridW, mode);
        float[] all = new float[cls.length + g.length];
        System.arraycopy(cls, 0, all, 0, cls.length);
        System.arraycopy(g, 0, all, cls.length, g.length);
        NDManager m = stored.getManager();
        try (NDArray f = m.create(all, new Shape(1, all.length / dim, dim))) {
            return OwnedArrays.converted(f, dtype); // f's Java buffer is freed after the close
        }
    }
}
