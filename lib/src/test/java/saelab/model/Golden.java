package saelab.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.ndarray.NDArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import saelab.io.Safetensors;

/**
 * Locates the golden reference fixtures ({@code src/test/resources/golden/}, surefire runs in
 * {@code lib/}) and compares arrays with them at the team's tolerance, atol 1e-4 + rtol 1e-4.
 */
public final class Golden {

    public static final double ATOL = 1e-4;
    public static final double RTOL = 1e-4;

    private Golden() {}

    /** The fixture folder {@code name}; fails (never skips) when it is missing. */
    public static Path dir(String name) {
        Path d = Path.of("src/test/resources/golden", name);
        if (!Files.isDirectory(d)) {
            fail("golden fixture folder " + d.toAbsolutePath() + " is missing (it is part of the repository: restore lib/src/test/resources/golden from git)");
        }
        return d;
    }

    /** The float32 tensors of a fixture file. */
    public static Map<String, Safetensors.Tensor> tensors(String name, String file) throws IOException {
        return Safetensors.read(dir(name).resolve(file)).tensors();
    }

    /**
     * Asserts {@code actual} has {@code expected}'s shape and every value within atol + rtol * |expected|.
     *
     * @return the largest absolute difference
     */
    public static double assertClose(String label, Safetensors.Tensor expected, NDArray actual) {
        assertArrayEquals(expected.shape(), actual.getShape().getShape(), label + ": shape");
        float[] got = actual.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        float[] want = expected.values();
        double max = 0;
        int worst = -1;
        for (int i = 0; i < want.length; i++) {
            double diff = Math.abs((double) got[i] - want[i]);
            if (!(diff <= ATOL + RTOL * Math.abs(want[i]))) {
                if (worst < 0 || diff > Math.abs((double) got[worst] - want[worst])) {
                    worst = i;
                }
            }
            max = Math.max(max, Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff);
        }
        if (worst >= 0) {
            fail(label + ": max |diff| " + max + "; at flat index " + worst + " expected " + want[worst] + ", got " + got[worst]
                    + ", beyond atol " + ATOL + " + rtol " + RTOL);
        }
        return max;
    }

    /**
     * As {@link #assertClose(String, Safetensors.Tensor, NDArray)} for an expected array, comparing only the flat indices
     * where {@code keep} is true (all when null), e.g. a padded batch's real tokens.
     *
     * @return the largest absolute difference over the compared values
     */
    public static double assertClose(String label, NDArray expected, NDArray actual, boolean[] keep) {
        assertArrayEquals(expected.getShape().getShape(), actual.getShape().getShape(), label + ": shape");
        float[] want = expected.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        float[] got = actual.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        double max = 0;
        for (int i = 0; i < want.length; i++) {
            if (keep != null && !keep[i]) {
                continue;
            }
            double diff = Math.abs((double) got[i] - want[i]);
            if (!(diff <= ATOL + RTOL * Math.abs(want[i]))) {
                fail(label + ": at flat index " + i + " expected " + want[i] + ", got " + got[i] + " (|diff| " + diff + ")");
            }
            max = Math.max(max, diff);
        }
        return max;
    }

        /** The shape as text. */
    public static String shape(Safetensors.Tensor t) {
        return Arrays.toString(t.shape());
    }
}
