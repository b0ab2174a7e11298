package saelab.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import saelab.io.Safetensors;
import saelab.model.Golden;

/**
 * {@code saelab forward} reproduces every fixture's outputs file through the command line (same
 * tensor names, atol 1e-4 + rtol 1e-4), and {@code saelab bench forward} reports images/s last.
 */
class ForwardCliTest {

    record Result(int code, String out, String err) {}

    @TempDir
    Path dir;

    static Result run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = Main.run(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @CsvSource({"dinov2, outputs.safetensors, ''", "dinov2, outputs_transformers-4.44.2.safetensors, offset",
            "dinov2_registers, outputs.safetensors, ''", "clip, outputs.safetensors, ''", "siglip, outputs.safetensors, ''",
            "bioclip, outputs.safetensors, ''"})
    void forwardReproducesTheFixture(String fixture, String outputs, String interpolation) throws IOException {
        Path model = Golden.dir(fixture);
        Path out = dir.resolve(fixture + ".safetensors");
        List<String> args = new java.util.ArrayList<>(List.of("forward", "--model", model.toString(), "--inputs",
                model.resolve("inputs.safetensors").toString(), "--out", out.toString()));
        if (!interpolation.isEmpty()) {
            args.addAll(List.of("--pos-interpolation", interpolation));
        }
        Result r = run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        Map<String, Safetensors.Tensor> want = Safetensors.read(model.resolve(outputs)).tensors();
        Safetensors.Contents got = Safetensors.read(out);
        assertEquals(new TreeMap<>(want).keySet(), new TreeMap<>(got.tensors()).keySet(), "tensor names");
        double max = 0;
        try (ai.djl.ndarray.NDManager nd = ai.djl.ndarray.NDManager.newBaseManager()) {
            for (Map.Entry<String, Safetensors.Tensor> e : want.entrySet()) {
                Safetensors.Tensor g = got.tensors().get(e.getKey());
                assertArrayEquals(e.getValue().shape(), g.shape(), e.getKey());
                max = Math.max(max, Golden.assertClose(fixture + " " + e.getKey(), e.getValue(),
                        nd.create(g.values(), new ai.djl.ndarray.types.Shape(g.shape()))));
            }
        }
        assertTrue(got.metadata().get("saelab.inputs_sha256").matches("[0-9a-f]{64}"), got.metadata().toString());
        System.out.printf("saelab forward %s (%s): %d tensors, max |diff| %.3g%n", fixture, outputs, want.size(), max);
    }

    @Test
    void badInputsAreOneSentence() throws IOException {
        Path model = Golden.dir("dinov2");
        Result r = run("forward", "--model", model.toString(), "--inputs", model.resolve("inputs.safetensors").toString(), "--out",
                dir.resolve("o.safetensors").toString(), "--pos-interpolation", "bilinear");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--pos-interpolation") && r.err().contains("antialias"), r.err());

        // token ids for a model without a text tower
        Result t = run("forward", "--model", model.toString(), "--inputs", Golden.dir("clip").resolve("inputs.safetensors").toString(), "--out",
                dir.resolve("o.safetensors").toString());
        assertEquals(2, t.code());
        assertTrue(t.err().contains("'input_ids'") && t.err().contains("no text tower"), t.err());
        assertTrue(!Files.exists(dir.resolve("o.safetensors")));

        Result d = run("forward", "--model", model.toString(), "--inputs", model.resolve("inputs.safetensors").toString(), "--out",
                dir.resolve("o.safetensors").toString(), "--dtype", "f16");
        assertEquals(2, d.code());
        assertTrue(d.err().contains("GPU"), d.err());
    }

    @Test
    void benchForwardPrintsImagesPerSecondLast() {
        Result r = run("bench", "forward", "--synthetic", "dinov2", "--width", "32", "--layers", "2", "--heads", "4", "--patch", "8",
                "--image", "32", "--batch", "2", "--iters", "1");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.getLast().matches("images/s: [0-9.]+"), r.out());
        Result m = run("bench", "forward", "--model", Golden.dir("siglip").toString(), "--batch", "2", "--iters", "1");
        assertEquals(0, m.code(), m.err());
        assertTrue(m.out().lines().toList().getLast().startsWith("images/s: "), m.out());
        Result bad = run("bench", "forward", "--batch", "2");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--synthetic"), bad.err());
    }
}
