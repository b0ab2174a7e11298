package saelab.cli;

import static saelab.cli.CliRun.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import saelab.cli.CliRun.Result;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.data.PlantedDictionary;
import saelab.io.Npy;
import saelab.io.Safetensors;

class TrainCliTest {

    private static final int D = 8;

    @TempDir
    Path dir;

    private Path input;

    @BeforeEach
    void writeInput() throws IOException {
        PlantedDictionary dict = PlantedDictionary.random(D, 12, 5);
        input = dir.resolve("x.npy");
        Npy.writeFloatMatrix(input, 300, D, dict.sample(300, 2, PlantedDictionary.AtomFrequency.POWER_LAW, 0.01, 6).x());
    }

    private Result train(Path out, String... kindArgs) {
        List<String> args = new java.util.ArrayList<>(List.of("train", "--input", input.toString(), "--d-sae", "16"));
        args.addAll(List.of(kindArgs));
        args.addAll(List.of("--lr", "1e-3", "--warmup", "5", "--batch", "32", "--steps", "20", "--out", out.toString(),
                "--save-decoder", out.resolve("W_dec.npy").toString(), "--log-every", "5", "--checkpoint-every", "10"));
        return run(args.toArray(String[]::new));
    }

    private static void assertTrained(Result r, Path out, String kind) throws IOException {
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("trained " + kind + " SAE d_model " + D + " d_sae 16: 20 steps, 640 tokens"), r.out());
        Path ckpt = out.resolve("sae.safetensors");
        assertTrue(Files.isRegularFile(ckpt));
        Safetensors.Contents c = Safetensors.read(ckpt);
        c.require(ckpt, "W_enc", D, 16);
        c.require(ckpt, "W_dec", 16, D);
        var cfg = saelab.io.Json.mapper().readTree(c.metadata().get("config"));
        assertTrue(cfg.get("kind").asText().equalsIgnoreCase(kind), cfg.toString());
        assertEquals(20, cfg.get("steps").asInt(), cfg.toString());
        List<String> metrics = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(5, metrics.size(), "steps 0, 5, 10, 15 and the last, 19: " + metrics);
        assertTrue(metrics.getLast().startsWith("{\"step\": 19,"), metrics.getLast());
        Npy.Matrix dec = Npy.readFloatMatrix(out.resolve("W_dec.npy"));
        assertEquals(16, dec.rows());
        assertEquals(D, dec.cols());
        assertEquals(java.util.Arrays.toString(c.tensors().get("W_dec").values()), java.util.Arrays.toString(dec.values()));
    }

    @Test
    void trainsTheNewerVariants() throws IOException {
        Path b = dir.resolve("batchtopk");
        assertTrained(train(b, "--sae", "batchtopk", "--k", "3", "--aux-k", "4", "--dead-tokens", "64", "--matryoshka", "4,8"), b,
                "batchtopk");
        Safetensors.Contents c = Safetensors.read(b.resolve("sae.safetensors"));
        c.require(b.resolve("sae.safetensors"), "threshold", 16);
        var cfg = saelab.io.Json.mapper().readTree(c.metadata().get("config"));
        assertEquals("[4,8,16]", cfg.get("matryoshka").toString());
        assertEquals(4, cfg.get("aux_k").asInt());
        Path j = dir.resolve("jumprelu");
        assertTrained(train(j, "--sae", "jumprelu", "--l1", "1e-3", "--normalize-input", "--geometric-median-init"), j, "jumprelu");
        var prov = saelab.io.Json.mapper().readTree(Safetensors.read(j.resolve("sae.safetensors")).metadata().get("provenance"));
        assertTrue(prov.get("input_scale").asDouble() > 0, prov.toString());
    }

    @Test
    void sweepTrainsEveryRunInItsOwnFolder() throws IOException {
        Path sweep = dir.resolve("sweep.json");
        Files.writeString(sweep, "{\"grid\": {\"l1\": [1e-3, 4e-3]}, \"runs\": [{\"name\": \"tk\", \"kind\": \"topk\", \"k\": 2}]}");
        Path out = dir.resolve("sweep");
        Result r = run("train", "--input", input.toString(), "--d-sae", "16", "--lr", "1e-3", "--warmup", "5", "--batch", "32",
                "--steps", "12", "--out", out.toString(), "--sweep", sweep.toString(), "--log-every", "0");
        assertEquals(0, r.code(), r.err());
        for (String name : List.of("l1=0.001", "l1=0.004", "tk")) {
            Path ckpt = out.resolve(name).resolve("sae.safetensors");
            assertTrue(Files.isRegularFile(ckpt), name + ": " + r.out());
        }
        var tk = saelab.io.Json.mapper().readTree(Safetensors.read(out.resolve("tk/sae.safetensors")).metadata().get("config"));
        assertEquals("topk", tk.get("kind").asText());
        assertEquals(3, r.out().lines().filter(l -> l.startsWith("trained ")).count(), r.out());
    }

    @Test
    void unavailableGpuAndBadOptionsAreReported() {
        Result gpu = train(dir.resolve("g"), "--device", "gpu:7");
        assertTrue(gpu.code() != 0, gpu.out());
        assertTrue(gpu.err().contains("--device gpu:7") && gpu.err().contains("GPU"), gpu.err());
        Result aux = train(dir.resolve("a"), "--sae", "relu", "--aux-k", "4");
        assertTrue(aux.code() != 0 && aux.err().contains("aux_k applies to topk and batchtopk"), aux.err());
        Result mat = train(dir.resolve("m"), "--sae", "topk", "--k", "2", "--matryoshka", "8,4");
        assertTrue(mat.code() != 0 && mat.err().contains("matryoshka prefixes must increase"), mat.err());
    }

    @Test
    void trainsAReluSae() throws IOException {
        Path out = dir.resolve("relu");
        assertTrained(train(out, "--sae", "relu", "--l1", "1e-3"), out, "relu");
    }

    @Test
    void trainsATopKSae() throws IOException {
        Path out = dir.resolve("topk");
        assertTrained(train(out, "--sae", "topk", "--k", "4"), out, "topk");
    }

    @Test
    void wrongDtypeIsAOneLineError() throws IOException {
        String dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (4, 2), }";
        String header = dict + " ".repeat((64 - (10 + dict.length() + 1) % 64) % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + 64).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII));
        Path f8 = dir.resolve("f8.npy");
        Files.write(f8, b.array());
        Path out = dir.resolve("never");
        Result r = run("train", "--input", f8.toString(), "--d-sae", "16", "--steps", "5", "--out", out.toString());
        assertEquals(2, r.code(), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("saelab train: error:") && r.err().contains("'<f8'") && r.err().contains(f8.toString()), r.err());
        assertFalse(Files.exists(out.resolve("sae.safetensors")));
    }

    @Test
    void stepsAndTokensTogetherAreAUsageError() {
        Result r = run("train", "--input", input.toString(), "--d-sae", "16", "--steps", "5", "--tokens", "100", "--out",
                dir.resolve("both").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--steps") && r.err().contains("--tokens"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        assertFalse(Files.exists(dir.resolve("both").resolve("sae.safetensors")));
    }

    @Test
    void unknownSaeKindIsAUsageError() {
        Result r = run("train", "--input", input.toString(), "--d-sae", "16", "--steps", "5", "--sae", "gated", "--out",
                dir.resolve("gated").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("'gated'"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void rerunningAFinishedRunDoesNothing() throws IOException {
        Path out = dir.resolve("twice");
        assertEquals(0, train(out, "--sae", "relu", "--l1", "1e-3").code());
        byte[] ckpt = Files.readAllBytes(out.resolve("sae.safetensors"));
        Result again = train(out, "--sae", "relu", "--l1", "1e-3");
        assertEquals(0, again.code(), again.err());
        assertFalse(again.err().contains("\tat "), again.err());
        assertTrue(again.out().contains("already complete"), again.out());
        assertTrue(java.util.Arrays.equals(ckpt, Files.readAllBytes(out.resolve("sae.safetensors"))), "checkpoint untouched");
        assertEquals(5, Files.readAllLines(out.resolve("metrics.jsonl")).size());
        assertEquals(16, Npy.readFloatMatrix(out.resolve("W_dec.npy")).rows());
    }
}
