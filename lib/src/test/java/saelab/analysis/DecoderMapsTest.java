package saelab.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PCA and UMAP maps of planted decoder directions, and maps.csv written and read back. */
class DecoderMapsTest {

    static final int D = 12;

    @TempDir
    Path tmp;

    /** Rows on the unit circle of the plane spanned by axes 3 and 7, at random scales (normalised away). */
    @Test
    void pcaRecoversThePlantedPlane() {
        int n = 40;
        float[] w = new float[n * D];
        double[][] unit = new double[n][D];
        SplittableRandom rng = new SplittableRandom(1);
        for (int i = 0; i < n; i++) {
            double a = rng.nextDouble(0, 2 * Math.PI);
            double s = rng.nextDouble(0.5, 3);
            w[i * D + 3] = (float) (s * Math.cos(a));
            w[i * D + 7] = (float) (s * Math.sin(a));
            double norm = Math.hypot(w[i * D + 3], w[i * D + 7]);
            unit[i][3] = w[i * D + 3] / norm;
            unit[i][7] = w[i * D + 7] / norm;
        }
        int[] ids = LatentSelection.parse(null, n, "test");
        DecoderMaps.Maps m = DecoderMaps.compute(w, n, D, ids, new DecoderMaps.Options(0, 15, 0, 0));
        // all points lie in the plane: the 2-d projection keeps every pairwise distance
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                double want = Math.hypot(unit[i][3] - unit[j][3], unit[i][7] - unit[j][7]);
                double got = Math.hypot(m.pcaX()[i] - m.pcaX()[j], m.pcaY()[i] - m.pcaY()[j]);
                assertEquals(want, got, 1e-5, "distance " + i + "-" + j);
            }
            assertTrue(Double.isNaN(m.umapX()[i]), "UMAP off");
        }
    }

    /** Two tight clusters around orthogonal directions stay apart in the UMAP map, deterministically. */
    @Test
    void umapKeepsPlantedClustersApart() throws IOException {
        int per = 30;
        int n = 2 * per;
        float[] w = new float[n * D];
        SplittableRandom rng = new SplittableRandom(2);
        for (int i = 0; i < n; i++) {
            int axis = i < per ? 0 : 5;
            for (int c = 0; c < D; c++) {
                w[i * D + c] = (float) (0.05 * rng.nextGaussian());
            }
            w[i * D + axis] += 1f;
        }
        int[] ids = LatentSelection.parse(null, n, "test");
        DecoderMaps.Options o = new DecoderMaps.Options(1000, 10, 100, 7);
        DecoderMaps.Maps m = DecoderMaps.compute(w, n, D, ids, o);
        double[] c0 = centroid(m, 0, per);
        double[] c1 = centroid(m, per, n);
        double sep = Math.hypot(c0[0] - c1[0], c0[1] - c1[1]);
        for (int i = 0; i < n; i++) {
            double[] own = i < per ? c0 : c1;
            double[] other = i < per ? c1 : c0;
            double dOwn = Math.hypot(m.umapX()[i] - own[0], m.umapY()[i] - own[1]);
            double dOther = Math.hypot(m.umapX()[i] - other[0], m.umapY()[i] - other[1]);
            assertTrue(dOwn < dOther && dOwn < sep / 2, "point " + i + " is " + dOwn + " from its cluster and " + dOther
                    + " from the other; centroids " + sep + " apart");
        }
        DecoderMaps.Maps again = DecoderMaps.compute(w, n, D, ids, o);
        assertArrayEquals(m.umapX(), again.umapX(), "same seed, same map");
        assertArrayEquals(m.pcaX(), again.pcaX());

        List<String> labels = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            labels.add(i % 3 == 0 ? null : "class, " + (i < per ? "a" : "b"));
        }
        Path file = DecoderMaps.write(tmp, m, null, labels);
        assertEquals(tmp.resolve(DecoderMaps.FILE), file);
        List<DecoderMaps.Row> back = DecoderMaps.read(tmp);
        assertEquals(n, back.size());
        for (int i = 0; i < n; i++) {
            DecoderMaps.Row r = back.get(i);
            assertEquals(i, r.latent());
            assertEquals(m.pcaX()[i], r.pcaX());
            assertEquals(m.umapY()[i], r.umapY());
            assertTrue(Double.isNaN(r.frequency()));
            if (i % 3 == 0) {
                assertNull(r.topLabel());
            } else {
                assertEquals("class  " + (i < per ? "a" : "b"), r.topLabel());
            }
        }
    }

    @Test
    void samplesForUmapAndRejectsBadInput() throws IOException {
        int n = 50;
        float[] w = new float[n * D];
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rng.nextGaussian();
        }
        int[] ids = LatentSelection.parse(null, n, "test");
        DecoderMaps.Maps m = DecoderMaps.compute(w, n, D, ids, new DecoderMaps.Options(20, 5, 50, 1));
        int mapped = 0;
        for (double x : m.umapX()) {
            mapped += Double.isNaN(x) ? 0 : 1;
        }
        assertEquals(20, mapped, "UMAP on a sample of 20");
        assertEquals(20, DecoderMaps.sample(n, 20, 1).length);
        assertThrows(IllegalArgumentException.class, () -> DecoderMaps.compute(w, n, D + 1, ids, DecoderMaps.Options.DEFAULT));
        w[4 * D] = 0;
        float[] zeroRow = w.clone();
        for (int c = 0; c < D; c++) {
            zeroRow[4 * D + c] = 0;
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DecoderMaps.compute(zeroRow, n, D, ids, DecoderMaps.Options.DEFAULT));
        assertTrue(e.getMessage().contains("latent 4"), e.getMessage());
        Files.writeString(tmp.resolve(DecoderMaps.FILE), DecoderMaps.HEADER + "\n1,2,3\n");
        e = assertThrows(IllegalArgumentException.class, () -> DecoderMaps.read(tmp));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    }

    private static double[] centroid(DecoderMaps.Maps m, int from, int to) {
        double x = 0;
        double y = 0;
        for (int i = from; i < to; i++) {
            x += m.umapX()[i];
            y += m.umapY()[i];
        }
        return new double[] {x / (to - from), y / (to - from)};
    }
}
