package saelab.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.io.SafetensorsFile;
import saelab.model.Golden;
import saelab.model.MappedSafetensors;

/**
 * {@code saelab forward --generate 8} on the moondream folder writes exactly the tensor names of the fixture's
 * {@code outputs.safetensors}, every float within atol 1e-4 + rtol 1e-4 and the generated ids exactly, dtype and shape
 * included; so any input set in the fixture's layout is checked by one command and one comparison.
 */
class MoondreamForwardCliTest {

    @TempDir
    Path dir;

    @Test
    void forwardWithGenerateReproducesEveryOutput() throws IOException {
        Path model = Golden.dir("moondream");
        Path out = dir.resolve("moondream.safetensors");
        ForwardCliTest.Result r = ForwardCliTest.run("forward", "--model", model.toString(), "--inputs",
                model.resolve("inputs.safetensors").toString(), "--out", out.toString(), "--generate", "8");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("moondream model"), r.out());
        try (MappedSafetensors want = MappedSafetensors.open(model.resolve("outputs.safetensors"));
             MappedSafetensors got = MappedSafetensors.open(out); NDManager nd = NDManager.newBaseManager()) {
            assertEquals(new TreeMap<>(want.entries()).keySet(), new TreeMap<>(got.entries()).keySet(), "tensor names");
            for (Map.Entry<String, SafetensorsFile.Entry> e : want.entries().entrySet()) {
                String name = e.getKey();
                SafetensorsFile.Entry g = got.entries().get(name);
                assertEquals(e.getValue().dtype(), g.dtype(), name + " dtype");
                assertArrayEquals(e.getValue().shape(), g.shape(), name + " shape");
                if (!e.getValue().isFloat()) {
                    assertArrayEquals(want.load(name, nd).toLongArray(), got.load(name, nd).toLongArray(), name);
                    continue;
                }
                float[] w = want.load(name, nd).toFloatArray();
                float[] a = got.load(name, nd).toFloatArray();
                for (int i = 0; i < w.length; i++) {
                    assertEquals(w[i], a[i], 1e-4 + 1e-4 * Math.abs(w[i]), name + "[" + i + "]");
                }
            }
        }
    }

    @Test
    void anUnknownInputOrABadTilingIsOneLine() throws IOException {
        Path model = Golden.dir("moondream");
        Path bad = dir.resolve("bad.safetensors");
        saelab.io.Safetensors.write(bad, Map.of("pixel_values", new saelab.io.Safetensors.Tensor(new long[] {1}, new float[] {0f})),
                Map.of());
        ForwardCliTest.Result r = ForwardCliTest.run("forward", "--model", model.toString(), "--inputs", bad.toString(), "--out",
                dir.resolve("o.safetensors").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().strip().startsWith("saelab forward: error: ") && r.err().contains("tensor 'pixel_values' is not an input of a"
                + " moondream model"), r.err());
    }
}
