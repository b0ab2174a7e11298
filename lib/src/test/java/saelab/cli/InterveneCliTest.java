package saelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.heads.HeadKind;
import saelab.heads.HeadProvenance;
import saelab.heads.LinearHead;
import saelab.io.Json;
import saelab.io.Npy;
import saelab.sae.Sae;
import saelab.sae.SaeCheckpoint;
import saelab.sae.SaeConfig;
import saelab.sae.SaeKind;
import saelab.store.RecordedLayer;

/**
 * {@code saelab intervene} end to end: a segmentation head on the tiny DINOv2 (with registers, 4 x 4 patches), a
 * zero-shot head made by {@code saelab head zeroshot} on the tiny CLIP (text tower, a byte-level tokenizer), and each
 * bad input as one line with exit code 2.
 */
class InterveneCliTest {

    @TempDir
    Path tmp;

    private static Path sae(Path file, int dModel, int dSae, Integer layer) throws Exception {
        try (NDManager nd = NDManager.newBaseManager()) {
            Sae s = Sae.initialise(SaeConfig.builder(SaeKind.RELU, dModel, dSae).seed(2).build(), nd);
            Map<String, Object> prov = new LinkedHashMap<>();
            if (layer != null) {
                prov.put("layer", layer);
            }
            SaeCheckpoint.write(file, s, prov);
        }
        return file;
    }

    private static Path segmentationHead(Path file, String modelId, String sha, int classes) throws Exception {
        SplittableRandom rng = new SplittableRandom(1);
        float[] w = new float[classes * 32];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        List<String> names = java.util.stream.IntStream.range(0, classes).mapToObj(i -> "class " + i).toList();
        new LinearHead(w, new float[classes], new HeadProvenance(HeadKind.SEGMENT, modelId, null, sha, null, null, RecordedLayer.FINAL, 32,
                names, -1, null, null)).save(file);
        return file;
    }

    private static Path edit(Path file, String json) throws Exception {
        Files.writeString(file, json);
        return file;
    }

    @Test
    void segmentationEditEndToEndAndEveryBadInputIsOneLine() throws Exception {
        Path model = CliFixtures.captureModel(tmp.resolve("model"));
        String sha = HeadProvenance.modelOf("m", model).weightsSha256();
        Path head = segmentationHead(tmp.resolve("seg.safetensors"), model.toString(), sha, 4);
        Path sae = sae(tmp.resolve("sae.safetensors"), 32, 48, 1);
        Path image = tmp.resolve("img.png");
        Files.write(image, CliFixtures.png(60, 64, 3));
        Path set = edit(tmp.resolve("set.json"), "{\"tokens\": \"all_patches\", \"latents\": [3, 7], \"operation\": \"set\", \"value\": 40.0}");
        Path out = tmp.resolve("out");
        CliRun.Result r = CliRun.run("intervene", "--model", model.toString(), "--sae", sae.toString(), "--head", head.toString(),
                "--image", image.toString(), "--edit", set.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("segmentation: "), r.out());
        for (String f : List.of("result.json", "delta_norms.npy", "mask_before.npy", "mask_after.npy", "intervene.png", "intervene.pdf",
                "intervene.csv")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        JsonNode j = Json.mapper().readTree(out.resolve("result.json").toFile());
        assertEquals("set", j.at("/spec/operation").asText());
        assertEquals(1, j.get("block").asInt()); // the SAE's recorded layer
        assertEquals("segment", j.get("head_kind").asText());
        assertEquals(sha, j.get("model_sha256").asText());
        assertEquals(21, j.at("/layout/tokens").asInt()); // CLS, 4 registers, 16 patches
        int[] before = Npy.readInts(out.resolve("mask_before.npy"), 4, 4);
        int[] after = Npy.readInts(out.resolve("mask_after.npy"), 4, 4);
        int changed = 0;
        long sumBefore = 0;
        for (int p = 0; p < 16; p++) {
            changed += before[p] != after[p] ? 1 : 0;
        }
        for (JsonNode c : j.get("before")) {
            sumBefore += c.get("patches").asLong();
        }
        assertEquals(16, sumBefore);
        assertEquals(changed, j.get("changed_patches").asInt());
        float[] norms = Npy.readFloats(out.resolve("delta_norms.npy"), 21);
        for (int t = 0; t < 5; t++) {
            assertEquals(0f, norms[t], "CLS and registers are not edited"); // token t
        }
        assertTrue(j.at("/delta_norm/max").asDouble() > 0);

        // bad input: one line each, exit 2
        String prefix = "saelab intervene: error: ";
        Path tooFar = edit(tmp.resolve("far.json"), "{\"tokens\": \"cls\", \"latents\": [48], \"operation\": \"ablate\"}");
        assertEquals(prefix + "latent 48 is outside the SAE's d_sae=48 latents (0-based 0..47)",
                bad(model, sae, head.toString(), image, tooFar));
        Path unknown = edit(tmp.resolve("op.json"), "{\"tokens\": \"cls\", \"latents\": [1], \"operation\": \"boost\"}");
        assertEquals(prefix + "edit spec " + unknown + ": operation is 'boost'; expected set, scale, add or ablate",
                bad(model, sae, head.toString(), image, unknown));
        Path otherBlock = edit(tmp.resolve("block.json"), "{\"block\": 2, \"tokens\": \"cls\", \"latents\": [1], \"operation\": \"ablate\"}");
        assertTrue(bad(model, sae, head.toString(), image, otherBlock).startsWith(prefix + sae + ": metadata field 'provenance.layer' records"
                + " layer 1 (\"1\"), but the edit's block is 2;"));
        Path ablate = edit(tmp.resolve("ablate.json"), "{\"tokens\": \"cls\", \"latents\": [1], \"operation\": \"ablate\"}");
        Path deep = sae(tmp.resolve("deep.safetensors"), 32, 48, 7);
        assertEquals(prefix + "block 7 is outside the model's 3 blocks (0-based 0..2)", bad(model, deep, head.toString(), image, ablate));
        Path narrow = sae(tmp.resolve("narrow.safetensors"), 16, 48, 1);
        assertEquals(prefix + "the SAE reads d_model=16 activations but the model's width is 32", bad(model, narrow, head.toString(), image, ablate));
        Path foreign = segmentationHead(tmp.resolve("foreign.safetensors"), "other/model", "ab".repeat(32), 4);
        assertTrue(bad(model, sae, foreign.toString(), image, ablate).startsWith(prefix + "the head " + foreign + " was trained on model"
                + " 'other/model' (weights abababababab), but the model " + model + " comes from model"), foreign.toString());
        Path broken = tmp.resolve("broken.png");
        Files.write(broken, new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        String undecodable = bad(model, sae, head.toString(), broken, ablate);
        assertTrue(undecodable.startsWith(prefix + broken), undecodable);
    }

    /** Runs an intervention expected to fail; returns its one line of standard error. */
    private String bad(Path model, Path sae, String head, Path image, Path edit) {
        CliRun.Result r = CliRun.run("intervene", "--model", model.toString(), "--sae", sae.toString(), "--head", head, "--image",
                image.toString(), "--edit", edit.toString(), "--out", tmp.resolve("bad").toString());
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(!Files.exists(tmp.resolve("bad/result.json")));
        return r.err().strip();
    }

    @Test
    void zeroShotHeadOnTinyClipEndToEnd() throws Exception {
        Path model = CliFixtures.clipModel(tmp.resolve("clip"));
        Path classes = tmp.resolve("classes.txt");
        Files.writeString(classes, "cat\ndog\ntree frog\n");
        Path zs = tmp.resolve("zs.safetensors");
        CliRun.Result made = CliRun.run("head", "zeroshot", "--model", model.toString(), "--classes", classes.toString(), "--templates",
                "simple7", "--out", zs.toString());
        assertEquals(0, made.code(), made.err());
        assertTrue(made.out().contains("zero-shot head, 3 classes, embedding width 24, 7 templates"), made.out());

        Path sae = sae(tmp.resolve("sae.safetensors"), 32, 40, 0);
        Path image = tmp.resolve("img.png");
        Files.write(image, CliFixtures.png(40, 36, 1));
        Path edit = edit(tmp.resolve("e.json"), "{\"tokens\": \"all_patches\", \"latents\": [2], \"operation\": \"add\", \"value\": 30}");
        Path out = tmp.resolve("out");
        CliRun.Result r = CliRun.run("intervene", "--model", model.toString(), "--sae", sae.toString(), "--head", "zeroshot:" + zs,
                "--image", image.toString(), "--edit", edit.toString(), "--out", out.toString(), "--top", "3", "--form", "full");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("zeroshot: top-1 "), r.out());
        JsonNode j = Json.mapper().readTree(out.resolve("result.json").toFile());
        assertEquals("zeroshot", j.get("head_kind").asText());
        assertEquals("full", j.get("form").asText());
        assertEquals(3, j.get("before").size());
        double p = 0;
        for (JsonNode c : j.get("before")) {
            p += c.get("probability").asDouble();
        }
        assertEquals(1.0, p, 1e-5); // all three classes listed
        assertTrue(List.of("cat", "dog", "tree frog").contains(j.at("/after/0/name").asText()));
        assertTrue(Files.readString(out.resolve("intervene.csv")).startsWith("class,name,probability_before,probability_after\n"));
        assertTrue(Files.size(out.resolve("intervene.png")) > 0 && !Files.exists(out.resolve("mask_before.npy")));

        // a zero-shot head given as a trained head, and a linear head given as zero-shot
        Path seg = segmentationHead(tmp.resolve("seg.safetensors"), model.toString(), null, 2);
        CliRun.Result asLinear = CliRun.run("intervene", "--model", model.toString(), "--sae", sae.toString(), "--head", zs.toString(),
                "--image", image.toString(), "--edit", edit.toString(), "--out", tmp.resolve("x").toString());
        assertEquals(2, asLinear.code());
        assertEquals("saelab intervene: error: " + zs + " is a zero-shot head; load it with ZeroShotHead.load (on the command line: --head"
                + " zeroshot:" + zs + ")", asLinear.err().strip());
        CliRun.Result asZs = CliRun.run("intervene", "--model", model.toString(), "--sae", sae.toString(), "--head", "zeroshot:" + seg,
                "--image", image.toString(), "--edit", edit.toString(), "--out", tmp.resolve("x").toString());
        assertEquals(2, asZs.code());
        assertEquals("saelab intervene: error: " + seg + " is a segment head, not a zero-shot head; pass it to --head without 'zeroshot:'",
                asZs.err().strip());
    }
}
