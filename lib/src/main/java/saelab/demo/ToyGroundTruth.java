package saelab.demo;

import java.util.List;
import saelab.data.LabelMap;
import saelab.data.PatchLabels;
import saelab.data.ResizeCropGeometry;
import saelab.data.ToyWorldObject;
import saelab.data.ToyWorldScene;

/**
 * The ground truth of a toy-world scene ({@link ToyWorldScene}) as a ViT sees it: per patch of the patch grid and
 * per image, one label for each concept family ({@link ToyFamily}).
 *
 * <p><b>Which pixels a patch sees.</b> The scene's masks go through the image preprocessing's geometry (resize
 * with nearest-neighbour sampling of the mask, then the centre crop), and the crop is cut into
 * {@code patchSize x patchSize} patches in raster order, exactly as the capture does for ADE20K label maps
 * ({@link PatchLabels}, which this class uses for the counting).
 *
 * <p><b>Rule.</b> For each patch, let {@code cover(k)} be the fraction of its pixels showing object {@code k}
 * (the instance mask: later objects hide earlier ones) and {@code cover(bg)} the fraction showing background.
 * <ul>
 *   <li>colour, shape, texture: those of the object with {@code cover(k) >= 0.5}, else {@code none} (label 0);
 *       two objects at exactly one half each: the one drawn first;</li>
 *   <li>background: the scene's background kind when {@code cover(bg) >= 0.5}, else {@code none}; a patch split
 *       half and half between one object and background carries both an object label and a background label;</li>
 *   <li>per image: the number of visible objects (label {@code count - 1}), the background kind, and the colour,
 *       shape and texture of the largest object (most visible pixels, {@link ToyWorldScene#largestObject}).</li>
 * </ul>
 * Patches with no majority (for instance three objects at a third each) are {@code none} in the object families.
 */
public final class ToyGroundTruth {

    /** The least share of a patch's pixels that gives the patch an object's (or the background's) label. */
    public static final double MIN_COVER = 0.5;

    /**
     * The labels of one scene.
     *
     * @param gridHeight      patch rows
     * @param gridWidth       patch columns
     * @param labels          per family (index = {@link ToyFamily#ordinal()}): {@code [gridHeight * gridWidth]} for
     *                        patch families, {@code [1]} for image families
     * @param object          per patch, the index into the scene's objects of the object with cover {@code >= 0.5}, or -1
     * @param objectCover     per patch, the cover of the most-covering object (0 when the patch shows only background)
     * @param backgroundCover per patch, the cover of the background
     */
    public record SceneTruth(int gridHeight, int gridWidth, int[][] labels, int[] object, float[] objectCover,
                             float[] backgroundCover) {

        /** The labels of one family. */
        public int[] of(ToyFamily f) {
            return labels[f.ordinal()];
        }
    }

    private ToyGroundTruth() {}

    /**
     * The labels of {@code scene} under an image geometry and patch size.
     *
     * @throws IllegalArgumentException when the crop holds no whole patch
     */
    public static SceneTruth of(ToyWorldScene scene, ResizeCropGeometry geometry, int patchSize) {
        int s = scene.size();
        List<ToyWorldObject> objects = scene.objects();
        // instance ids 1..n vote, background (0) only where no object is present; purity is over all pixels
        PatchLabels inst = PatchLabels.of(new LabelMap(s, s, scene.instanceMask().clone()), geometry, patchSize,
                PatchLabels.Background.IGNORE_WHEN_OTHERS);
        byte[] isObject = new byte[s * s];
        byte[] im = scene.instanceMask();
        for (int p = 0; p < isObject.length; p++) {
            isObject[p] = (byte) (im[p] != 0 ? 1 : 0);
        }
        PatchLabels fg = PatchLabels.of(new LabelMap(s, s, isObject), geometry, patchSize, PatchLabels.Background.COUNT);
        int n = inst.count();
        int[][] labels = new int[ToyFamily.values().length][];
        for (ToyFamily f : ToyFamily.values()) {
            labels[f.ordinal()] = new int[f.unit() == saelab.analysis.ConceptMatching.Unit.PATCH ? n : 1];
        }
        int[] object = new int[n];
        float[] objectCover = new float[n];
        float[] bgCover = new float[n];
        for (int p = 0; p < n; p++) {
            int k = inst.labels()[p];
            objectCover[p] = k == 0 ? 0f : inst.purity()[p];
            // fg majority 0 = background: its purity is the background share; majority 1: background is the rest
            bgCover[p] = fg.labels()[p] == 0 ? fg.purity()[p] : 1f - fg.purity()[p];
            object[p] = k > 0 && objectCover[p] >= MIN_COVER ? k - 1 : -1;
            if (object[p] >= objects.size()) {
                throw new IllegalStateException("scene " + scene.index() + ": instance mask value " + k + " but only "
                        + objects.size() + " objects");
            }
            if (object[p] >= 0) {
                ToyWorldObject o = objects.get(object[p]);
                labels[ToyFamily.COLOUR.ordinal()][p] = 1 + o.colour().ordinal();
                labels[ToyFamily.SHAPE.ordinal()][p] = 1 + o.shape().ordinal();
                labels[ToyFamily.TEXTURE.ordinal()][p] = 1 + o.texture().ordinal();
            }
            labels[ToyFamily.BACKGROUND.ordinal()][p] = bgCover[p] >= MIN_COVER ? 1 + scene.background().ordinal() : 0;
        }
        ToyWorldObject big = scene.largestObject();
        labels[ToyFamily.COUNT.ordinal()][0] = objects.size() - 1;
        labels[ToyFamily.SCENE_BACKGROUND.ordinal()][0] = scene.background().ordinal();
        labels[ToyFamily.LARGEST_COLOUR.ordinal()][0] = big.colour().ordinal();
        labels[ToyFamily.LARGEST_SHAPE.ordinal()][0] = big.shape().ordinal();
        labels[ToyFamily.LARGEST_TEXTURE.ordinal()][0] = big.texture().ordinal();
        return new SceneTruth(inst.gridHeight(), inst.gridWidth(), labels, object, objectCover, bgCover);
    }
}
