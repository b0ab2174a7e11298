package saelab.data;

import java.util.Arrays;

/**
 * Per-patch labels of a segmentation label map, as seen by a ViT after the image's preprocessing.
 *
 * <p>{@link #of} applies to the label map the geometry of the image preprocessing, with nearest-neighbour
 * resampling as the reference tools resize masks (torchvision's {@code Resize(..., NEAREST)} on a PIL image
 * is Pillow's {@code Image.resize(size, NEAREST)}: Pillow {@code ImagingScaleAffine}, source index
 * {@code trunc(x0)}, where {@code x0} starts at {@code scale/2} and grows by {@code scale = in/out} per output
 * pixel, accumulated in double as Pillow does), then the centre crop of {@link ResizeCropGeometry}. The crop
 * is cut into {@code patchSize x patchSize} patches in raster order ({@code index = row * gridWidth + col});
 * as with a stride-{@code patchSize} convolution, rows and columns beyond the last whole patch are dropped.
 *
 * <p>Each patch gets the majority label over its pixels, ties going to the smallest label, and its purity:
 * the fraction of the patch's pixels that carry that label. With {@link Background#IGNORE_WHEN_OTHERS},
 * label 0 (background/other in ADE20K) is not a candidate when any other label is present in the patch
 * (the majority is taken over the non-zero labels); a patch of only 0 gets 0. Purity is still counted over
 * all the patch's pixels.
 *
 * @param gridHeight patch rows
 * @param gridWidth  patch columns
 * @param labels     {@code [gridHeight * gridWidth]} majority labels, raster order
 * @param purity     {@code [gridHeight * gridWidth]} fraction of the patch's pixels with that label, in (0, 1]
 */
public record PatchLabels(int gridHeight, int gridWidth, int[] labels, float[] purity) {

    /** How label 0 takes part in the vote. */
    public enum Background {
        /** Label 0 is a label like any other. */
        COUNT,
        /** Label 0 wins only a patch where no other label is present. */
        IGNORE_WHEN_OTHERS
    }

    public PatchLabels {
        if (gridHeight < 1 || gridWidth < 1 || labels.length != gridHeight * gridWidth || purity.length != labels.length) {
            throw new IllegalArgumentException("patch labels: expected " + gridHeight + " x " + gridWidth + " labels and purities");
        }
    }

    /** Majority labels with label 0 counted like any other ({@link Background#COUNT}). */
    public static PatchLabels of(LabelMap map, ResizeCropGeometry geometry, int patchSize) {
        return of(map, geometry, patchSize, Background.COUNT);
    }

    /**
     * Per-patch majority labels and purities of a label map under an image geometry.
     *
     * @param map        the label map at the image's original size
     * @param geometry   the image preprocessing's resize and crop
     * @param patchSize  the ViT's patch size in pixels
     * @param background how label 0 votes
     * @throws IllegalArgumentException when the crop holds no whole patch
     */
    public static PatchLabels of(LabelMap map, ResizeCropGeometry geometry, int patchSize, Background background) {
        if (patchSize < 1) {
            throw new IllegalArgumentException("patch size must be >= 1, got " + patchSize);
        }
        int[] resized = geometry.resized(map.height(), map.width());
        int[] box = geometry.cropBox(map.height(), map.width());
        int gh = box[2] / patchSize;
        int gw = box[3] / patchSize;
        if (gh < 1 || gw < 1) {
            throw new IllegalArgumentException("the crop " + box[2] + "x" + box[3] + " holds no whole " + patchSize + "x"
                    + patchSize + " patch");
        }
        int[] ySrc = nearestSources(map.height(), resized[0]);
        int[] xSrc = nearestSources(map.width(), resized[1]);
        int[] labels = new int[gh * gw];
        float[] purity = new float[gh * gw];
        int[] counts = new int[256];
        float pixels = (float) patchSize * patchSize;
        for (int r = 0; r < gh; r++) {
            for (int c = 0; c < gw; c++) {
                Arrays.fill(counts, 0);
                for (int dy = 0; dy < patchSize; dy++) {
                    int sy = ySrc[box[0] + r * patchSize + dy];
                    for (int dx = 0; dx < patchSize; dx++) {
                        int sx = xSrc[box[1] + c * patchSize + dx];
                        counts[sy < 0 || sx < 0 ? 0 : map.get(sy, sx)]++;
                    }
                }
                boolean othersPresent = false;
                for (int v = 1; v < 256; v++) {
                    othersPresent |= counts[v] > 0;
                }
                int from = background == Background.IGNORE_WHEN_OTHERS && othersPresent ? 1 : 0;
                int best = from;
                for (int v = from + 1; v < 256; v++) {
                    if (counts[v] > counts[best]) { // strict: a tie keeps the smaller label
                        best = v;
                    }
                }
                labels[r * gw + c] = best;
                purity[r * gw + c] = counts[best] / pixels;
            }
        }
        return new PatchLabels(gh, gw, labels, purity);
    }

    /**
     * For each of {@code out} output pixels, the source pixel of Pillow's nearest-neighbour resize from
     * {@code in} pixels, or -1 where Pillow leaves the output pixel at 0 (a source index past the edge, which
     * the accumulation cannot reach for realistic sizes).
     */
    static int[] nearestSources(int in, int out) {
        int[] src = new int[out];
        if (in == out) {
            for (int i = 0; i < out; i++) {
                src[i] = i;
            }
            return src;
        }
        double scale = (double) in / out;
        double pos = scale * 0.5;
        for (int i = 0; i < out; i++) {
            int s = (int) pos; // pos >= 0: truncation is Pillow's COORD
            src[i] = s < in ? s : -1;
            pos += scale;
        }
        return src;
    }

    /** Number of patches. */
    public int count() {
        return labels.length;
    }

    /** The label of the patch at patch row {@code row}, column {@code col}. */
    public int label(int row, int col) {
        return labels[row * gridWidth + col];
    }

    /** The purity of the patch at patch row {@code row}, column {@code col}. */
    public float purity(int row, int col) {
        return purity[row * gridWidth + col];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PatchLabels p && p.gridHeight == gridHeight && p.gridWidth == gridWidth
                && Arrays.equals(p.labels, labels) && Arrays.equals(p.purity, purity);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * gridHeight + gridWidth) + Arrays.hashCode(labels);
    }

    @Override
    public String toString() {
        return "PatchLabels[" + gridHeight + "x" + gridWidth + ", labels=" + Arrays.toString(labels) + "]";
    }
}
