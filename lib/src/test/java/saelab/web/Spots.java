package saelab.web;

/** Where a test clicks on a 320 px image canvas, as offsets from its centre: a 6 x 6 lattice, the middle first. */
final class Spots {

    private Spots() {}

    static int[][] acrossCanvas() {
        int[] steps = {0, -45, 45, -90, 90, -135};
        int[][] out = new int[steps.length * steps.length][];
        int i = 0;
        for (int dy : steps) {
            for (int dx : steps) {
                out[i++] = new int[] {dx, dy};
            }
        }
        return out;
    }
}
