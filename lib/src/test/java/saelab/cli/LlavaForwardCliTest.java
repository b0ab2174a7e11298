package saelab.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import saelab.io.SafetensorsFile;
import saelab.model.Golden;
import saelab.model.MappedSafetensors;

/**
 * {@code saelab forward --generate 8} on a LLaVA folder writes exactly the tensor names of the fixture's
 * {@code outputs.safetensors}, and one loop over them matches every float (atol 1e-4 + rtol 1e-4; pad.logits only at
 * the real tokens, as the fixture README says) and every id exactly, dtype included.
 */
class LlavaForwardCliTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"llava_llama", "llava_qwen2"})
    void forwardWithGenerateReproducesEveryOutput(String fixture) throws IOException {
        Path model = Golden.dir(fixture);
        Path out = dir.resolve(fixture + ".safetensors");
        ForwardCliTest.Result r = ForwardCliTest.run("forward", "--model", model.toString(), "--inputs",
                model.resolve("inputs.safetensors").toString(), "--out", out.toString(), "--generate", "8");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("llava model"), r.out());
        double max = 0;
        try (MappedSafetensors want = MappedSafetensors.open(model.resolve("outputs.safetensors"));
             MappedSafetensors got = MappedSafetensors.open(out);
             MappedSafetensors in = MappedSafetensors.open(model.resolve("inputs.safetensors"));
             ai.djl.ndarray.NDManager nd = ai.djl.ndarray.NDManager.newBaseManager()) {
            assertEquals(new TreeMap<>(want.entries()).keySet(), new TreeMap<>(got.entries()).keySet(), "tensor names");
            long[] padMask = in.load("pad.attention_mask", nd).toLongArray();
            for (Map.Entry<String, SafetensorsFile.Entry> e : want.entries().entrySet()) {
                String name = e.getKey();
                SafetensorsFile.Entry g = got.entries().get(name);
                assertEquals(e.getValue().dtype(), g.dtype(), name + " dtype");
                assertArrayEquals(e.getValue().shape(), g.shape(), name + " shape");
                if (!e.getValue().isFloat()) {
                    assertArrayEquals(want.load(name, nd).toLongArray(), got.load(name, nd).toLongArray(), fixture + " " + name);
                    continue;
                }
                float[] w = want.load(name, nd).toFloatArray();
                float[] a = got.load(name, nd).toFloatArray();
                int perPosition = name.equals("pad.logits") ? (int) e.getValue().shape()[2] : 0;
                for (int i = 0; i < w.length; i++) {
                    if (perPosition > 0 && padMask[i / perPosition] == 0) {
                        continue; // the reference's values at pad positions are meaningless
                    }
                    double diff = Math.abs((double) a[i] - w[i]);
                    if (!(diff <= Golden.ATOL + Golden.RTOL * Math.abs(w[i]))) {
                        fail(fixture + " " + name + " at flat index " + i + ": expected " + w[i] + ", got " + a[i]);
                    }
                    max = Math.max(max, diff);
                }
            }
            assertTrue(got.metadata().get("saelab.inputs_sha256").matches("[0-9a-f]{64}"), got.metadata().toString());
        }
        System.out.printf("saelab forward %s --generate 8: max |diff| %.3g%n", fixture, max);
    }

    @Test
    void withoutGenerateThereAreNoGeneratedTensors() throws IOException {
        Path model = Golden.dir("llava_qwen2");
        Path out = dir.resolve("o.safetensors");
        ForwardCliTest.Result r = ForwardCliTest.run("forward", "--model", model.toString(), "--inputs",
                model.resolve("inputs.safetensors").toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        try (MappedSafetensors got = MappedSafetensors.open(out)) {
            assertTrue(got.entries().keySet().stream().noneMatch(n -> n.contains("generate")), got.entries().keySet().toString());
            assertTrue(got.entries().containsKey("pad.logits") && got.entries().containsKey("edited.logits"));
        }
    }

    @Test
    void generateOnAVisionModelIsOneSentence() {
        Path model = Golden.dir("clip");
        ForwardCliTest.Result r = ForwardCliTest.run("forward", "--model", model.toString(), "--inputs",
                model.resolve("inputs.safetensors").toString(), "--out", dir.resolve("o.safetensors").toString(), "--generate", "3");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--generate") && r.err().lines().count() == 1, r.err());
        assertTrue(!Files.exists(dir.resolve("o.safetensors")));
    }

    /** The fixture's inputs with {@code input_ids} replaced and {@code extra} float tensors added, written to a new file. */
    private Path inputs(String fixture, java.util.function.UnaryOperator<long[]> ids, Map<String, saelab.io.Safetensors.Tensor> extra)
            throws IOException {
        Path file = dir.resolve("in-" + System.nanoTime() + ".safetensors");
        Map<String, saelab.io.Safetensors.Tensor> floats = new TreeMap<>(extra);
        Map<String, saelab.io.Safetensors.LongTensor> longs = new TreeMap<>();
        try (MappedSafetensors in = MappedSafetensors.open(Golden.dir(fixture).resolve("inputs.safetensors"));
             ai.djl.ndarray.NDManager nd = ai.djl.ndarray.NDManager.newBaseManager()) {
            for (SafetensorsFile.Entry e : in.entries().values()) {
                ai.djl.ndarray.NDArray a = in.load(e.name(), nd);
                if (e.isFloat()) {
                    floats.put(e.name(), new saelab.io.Safetensors.Tensor(e.shape(), a.toFloatArray()));
                } else {
                    long[] v = a.toLongArray();
                    longs.put(e.name(), new saelab.io.Safetensors.LongTensor(e.shape(), e.name().equals("input_ids") ? ids.apply(v) : v));
                }
            }
        }
        saelab.io.Safetensors.write(file, floats, longs, Map.of());
        return file;
    }

    @Test
    void badLlavaInputsAreOneSentence() throws IOException {
        Path model = Golden.dir("llava_llama");
        Path out = dir.resolve("o.safetensors");
        Path fewer = inputs("llava_llama", ids -> {
            long[] c = ids.clone();
            for (int i = 0; i < c.length; i++) {
                if (c[i] == 300) {
                    c[i] = 5;
                    break;
                }
            }
            return c;
        }, Map.of());
        ForwardCliTest.Result r = ForwardCliTest.run("forward", "--model", model.toString(), "--inputs", fewer.toString(), "--out",
                out.toString());
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("saelab forward: error: input_ids hold 31 image tokens (id 300) but 2 image(s) give 32 features"),
                r.err());
        Path unknown = inputs("llava_llama", ids -> ids, Map.of("pixel_values_2", new saelab.io.Safetensors.Tensor(new long[] {1}, new float[1])));
        ForwardCliTest.Result u = ForwardCliTest.run("forward", "--model", model.toString(), "--inputs", unknown.toString(), "--out",
                out.toString());
        assertEquals(2, u.code(), u.err());
        assertTrue(u.err().contains("'pixel_values_2' is not an input of a LLaVA model") && u.err().contains("edit.scale"), u.err());
        ForwardCliTest.Result g = ForwardCliTest.run("forward", "--model", model.toString(), "--inputs",
                model.resolve("inputs.safetensors").toString(), "--out", out.toString(), "--generate", "-1");
        assertEquals(2, g.code(), g.err());
        assertTrue(g.err().contains("--generate is -1"), g.err());
        assertTrue(!Files.exists(out));
    }
}
