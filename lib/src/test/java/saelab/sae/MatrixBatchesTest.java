package saelab.sae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import saelab.io.Npy;

class MatrixBatchesTest {

    private static final int ROWS = 37;
    private static final int COLS = 3;

    /** Row r holds r, r + 0.25, r + 0.5, so a row's values identify it. */
    private static Npy.Matrix matrix() {
        float[] v = new float[ROWS * COLS];
        for (int r = 0; r < ROWS; r++) {
            for (int c = 0; c < COLS; c++) {
                v[r * COLS + c] = r + 0.25f * c;
            }
        }
        return new Npy.Matrix(ROWS, COLS, v);
    }

    /** Row ids of the next {@code n} rows, read in chunks of {@code chunk}; checks every row is intact. */
    private static int[] take(BatchSource src, int n, int chunk) {
        int[] ids = new int[n];
        float[] buf = new float[chunk * COLS];
        for (int done = 0; done < n; ) {
            int rows = Math.min(chunk, n - done);
            src.next(buf, rows);
            for (int r = 0; r < rows; r++) {
                int id = (int) buf[r * COLS];
                for (int c = 0; c < COLS; c++) {
                    assertEquals(id + 0.25f * c, buf[r * COLS + c], "row " + id + " copied whole");
                }
                ids[done + r] = id;
            }
            done += rows;
        }
        return ids;
    }

    @Test
    void everyRowOncePerEpoch() {
        MatrixBatches src = new MatrixBatches(matrix(), 5, 0, "test");
        assertEquals(COLS, src.dModel());
        assertEquals("test", src.describe());
        int[] ids = take(src, 4 * ROWS, 10);
        int[][] epochs = new int[4][];
        for (int e = 0; e < 4; e++) {
            epochs[e] = Arrays.copyOfRange(ids, e * ROWS, (e + 1) * ROWS);
            int[] sorted = epochs[e].clone();
            Arrays.sort(sorted);
            for (int r = 0; r < ROWS; r++) {
                assertEquals(r, sorted[r], "epoch " + e + " is a permutation of the rows");
            }
        }
        int[] identity = new int[ROWS];
        Arrays.setAll(identity, i -> i);
        assertFalse(Arrays.equals(identity, epochs[0]), "rows are shuffled");
        assertFalse(Arrays.equals(epochs[0], epochs[1]), "each epoch has a fresh order");
    }

    @Test
    void orderIsDeterministicBySeed() {
        int[] a = take(new MatrixBatches(matrix(), 9, 0, "a"), 3 * ROWS, 7);
        int[] b = take(new MatrixBatches(matrix(), 9, 0, "b"), 3 * ROWS, 13);
        int[] c = take(new MatrixBatches(matrix(), 10, 0, "c"), 3 * ROWS, 7);
        assertArrayEquals(a, b, "same seed, same order, whatever the chunking");
        assertFalse(Arrays.equals(a, c), "another seed gives another order");
    }

    @Test
    void startingAtASampleCountContinuesTheSameSequence() {
        int total = 5 * ROWS;
        int[] full = take(new MatrixBatches(matrix(), 3, 0, "full"), total, 16);
        for (int start : new int[] {0, 1, 7, ROWS - 1, ROWS, ROWS + 1, 2 * ROWS + 20, 4 * ROWS}) {
            int[] tail = take(new MatrixBatches(matrix(), 3, start, "tail"), total - start, 11);
            assertArrayEquals(Arrays.copyOfRange(full, start, total), tail, "start " + start);
        }
    }

    @Test
    void noRowsIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MatrixBatches(new Npy.Matrix(0, 4, new float[0]), 1, 0, "empty.npy"));
        assertTrue(e.getMessage().contains("empty.npy"), e.getMessage());
    }
}
