package saelab.intervene;

import saelab.intervene.stats.ClassificationEffects;

/**
 * The raw counts of a protocol run, per class, image and slot ({@link ControlSlots}), from which every rate, interval
 * and test of the report is computed (so a report can be recomputed with other statistics without re-running the
 * model). Units: patches for segmentation, images for classification.
 * <ul>
 *   <li>segmentation, image with class c: target = its patches of truth c, other = its other scored patches; image
 *       without c: collateral = its scored patches (the edit then touches every patch);</li>
 *   <li>classification: target = 1 for an image labelled c, other = 1 for an image of another class; "changed" = the
 *       top-1 class flipped; {@link #deltaP} is p_after(c) − p_before(c) on every image.</li>
 * </ul>
 * Memory: 4·(6 + 3)·C·N·S bytes of counts (segmentation) or 4·6·C·N·S + 8·C·N·S (classification) for C classes, N
 * images and S slots; 1000 images × 150 classes × 8 slots take 43 MB.
 */
final class ProtocolTally {

    static final int TARGET_CHANGED = 0;
    static final int TARGET = 1;
    static final int OTHER_CHANGED = 2;
    static final int OTHER = 3;
    static final int COLLATERAL_CHANGED = 4;
    static final int COLLATERAL = 5;
    static final int FIELDS = 6;

    final int classes;
    final int images;
    final int slots;
    final int[] counts;
    /** Segmentation: [classes][images][slots][intersection, truth, predicted] of class c after the edit; else null. */
    final int[] iouAfter;
    /** Segmentation: [classes][images][intersection, truth, predicted] of class c before any edit; else null. */
    final int[] iouBefore;
    /** Classification: [classes][images][slots] Δp(c); else null. */
    final double[] deltaP;
    /** Classification: per class, the real edit's top-1 transitions on the images labelled c; else null. */
    final ClassificationEffects.Transitions[] transitions;

    ProtocolTally(int classes, int images, int slots, boolean segmentation) {
        this.classes = classes;
        this.images = images;
        this.slots = slots;
        int cells = Math.multiplyExact(Math.multiplyExact(classes, images), slots);
        this.counts = new int[Math.multiplyExact(cells, FIELDS)];
        this.iouAfter = segmentation ? new int[Math.multiplyExact(cells, 3)] : null;
        this.iouBefore = segmentation ? new int[Math.multiplyExact(classes * images, 3)] : null;
        this.deltaP = segmentation ? null : new double[cells];
        this.transitions = segmentation ? null : new ClassificationEffects.Transitions[classes];
        if (!segmentation) {
            for (int c = 0; c < classes; c++) {
                transitions[c] = new ClassificationEffects.Transitions();
            }
        }
    }

    /** The cell index of (class j, image i, slot s). */
    int cell(int j, int i, int s) {
        return (j * images + i) * slots + s;
    }

    /** Count {@code field} of a cell. */
    int count(int j, int i, int s, int field) {
        return counts[cell(j, i, s) * FIELDS + field];
    }

    void set(int j, int i, int s, int field, int value) {
        counts[cell(j, i, s) * FIELDS + field] = value;
    }
}
