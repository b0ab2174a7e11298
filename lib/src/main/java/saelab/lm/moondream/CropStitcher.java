package saelab.lm.moondream;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Joins the feature grids of moondream2's local crops into one grid and pools it to the crop grid:
 * {@code reconstruct_from_crops(patch_size=1)} ({@code moondream/torch/image_crops.py}) and the
 * {@code adaptive_avg_pool2d} of {@code vision_projection} ({@code moondream/torch/vision.py}),
 * github.com/vikhyat/moondream at 44146f1.
 */
public final class CropStitcher {

    private CropStitcher() {}

    /**
     * The local crops' features stitched into one grid: each tile keeps its outer margin only at the
     * image border (an inner margin overlaps the neighbour's window and is dropped), tiles in
     * row-major order.
     *
     * @param local  {@code [tiles, g, g, D]} feature grids of the local crops
     * @param tiling their layout
     * @param margin overlap margin in grid cells (patches), on each side
     * @return {@code [(g - 2 margin) rows + 2 margin, (g - 2 margin) cols + 2 margin, D]}, on {@code local}'s manager
     * @throws IllegalArgumentException when the shape does not fit the tiling and the margin
     */
    public static NDArray reconstruct(NDArray local, CropTiling tiling, int margin) {
        Shape s = local.getShape();
        if (s.dimension() != 4 || s.get(0) != tiling.tiles() || s.get(1) != s.get(2) || s.get(1) <= 2L * margin || margin < 0) {
            throw new IllegalArgumentException("local crop features have shape " + Arrays.toString(s.getShape()) + "; expected ["
                    + tiling.tiles() + " tiles, g, g, D] with g > 2 x the margin " + margin);
        }
        long g = s.get(1);
        List<NDArray> temps = new ArrayList<>();
        try {
            NDList rows = new NDList();
            for (int i = 0; i < tiling.rows(); i++) {
                long y0 = i == 0 ? 0 : margin;
                long y1 = i == tiling.rows() - 1 ? g : g - margin;
                NDList pieces = new NDList();
                for (int j = 0; j < tiling.cols(); j++) {
                    long x0 = j == 0 ? 0 : margin;
                    long x1 = j == tiling.cols() - 1 ? g : g - margin;
                    NDArray piece = local.get(new NDIndex("{}, {}:{}, {}:{}, :", i * tiling.cols() + j, y0, y1, x0, x1));
                    temps.add(piece);
                    pieces.add(piece);
                }
                NDArray row = NDArrays.concat(pieces, 1);
                temps.add(row);
                rows.add(row);
            }
            return NDArrays.concat(rows, 0);
        } finally {
            temps.forEach(NDArray::close);
        }
    }

    /**
     * Adaptive average pooling of a {@code [H, W, D]} grid to {@code [side * side, D]} (row-major cells):
     * PyTorch's {@code adaptive_avg_pool2d}, whose output cell i averages input rows
     * [floor(i H / side), ceil((i + 1) H / side)) (and likewise for columns), run by libtorch's own
     * kernel.
     *
     * @throws IllegalArgumentException for another rank, or a grid smaller than {@code side}
     */
    public static NDArray pool(NDArray grid, int side) {
        Shape s = grid.getShape();
        if (s.dimension() != 3 || s.get(0) < 1 || s.get(1) < 1) {
            throw new IllegalArgumentException("stitched features have shape " + Arrays.toString(s.getShape()) + "; expected [height, width, D]");
        }
        if (!(grid instanceof PtNDArray)) {
            throw new IllegalArgumentException("moondream's pooling needs arrays of DJL's PyTorch engine, got " + grid.getClass().getName());
        }
        long d = s.get(2);
        // DJL's binding takes [N, C, H, W] (it picks the 1-, 2- or 3-d pool from the rank minus 2)
        try (NDArray channelsFirst = grid.transpose(2, 0, 1);
             NDArray batch = channelsFirst.expandDims(0);
             NDArray pooled = JniUtils.adaptiveAvgPool((PtNDArray) batch, new Shape(side, side));
             NDArray unbatched = pooled.squeeze(0);
             NDArray channelsLast = unbatched.transpose(1, 2, 0)) {
            return channelsLast.reshape((long) side * side, d);
        }
    }
}
