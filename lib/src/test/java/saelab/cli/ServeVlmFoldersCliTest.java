package saelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.intervene.MoondreamFixtures;
import saelab.io.Json;
import saelab.model.Golden;
import saelab.web.DashboardServer;
import saelab.web.FolderVlms;
import saelab.web.ServedRun;

/**
 * The VLM dashboard asks a moondream2 model given by its folders ({@code saelab serve --vlm DIR --vlm-sae CKPT
 * --vlm-analysis DIR --vlm-images DATASET}): on the golden moondream fixture (word-level tokenizer), with an SAE trained on
 * its captured projection input and that SAE's analysis, the API lists it as a moondream model and samples answers before
 * and after an edit through the splice on its projection input; a folder that is no VLM, one without a tokenizer, or a
 * missing folder is one sentence naming the option.
 */
class ServeVlmFoldersCliTest {

    @TempDir
    Path tmp;

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void aMoondreamModelGivenByFoldersIsAskedThroughItsProjectionSplice() throws Exception {
        Path model = MoondreamFixtures.folder(tmp.resolve("moondream"));
        Path images = Files.createDirectories(tmp.resolve("images/a"));
        for (int i = 0; i < 2; i++) {
            Files.copy(Golden.dir("moondream").resolve("image.png"), images.resolve("img" + i + ".png"));
        }
        String dataset = "folder:" + tmp.resolve("images");
        Path cache = tmp.resolve("cache");
        CliRun.Result cap = CliRun.run("capture", "--model", model.toString(), "--dataset", dataset, "--layers", "projection", "--tokens",
                "patches", "--dtype", "f32", "--out", cache.toString());
        assertEquals(0, cap.code(), cap.err());
        Path sae = tmp.resolve("sae");
        CliRun.Result train = CliRun.run("train", "--cache", cache.toString(), "--layer", "projection", "--d-sae", "48", "--steps", "4",
                "--batch", "256", "--warmup", "1", "--out", sae.toString());
        assertEquals(0, train.code(), train.err());
        Path analysis = tmp.resolve("analysis");
        CliRun.Result an = CliRun.run("analyze", "--sae", sae.resolve("sae.safetensors").toString(), "--cache", cache.toString(), "--layer",
                "projection", "--k", "4", "--out", analysis.toString());
        assertEquals(0, an.code(), an.err());

        List<ServedRun.Vlm> vlms = FolderVlms.of(List.of(new FolderVlms.Given(null, model, sae.resolve("sae.safetensors"), analysis, null,
                dataset, null)), Set.of());
        assertEquals("moondream", vlms.getFirst().backbone(), "the id comes from the model folder's name");
        try (DashboardServer server = DashboardServer.start(new ServedRun("t", List.of(), List.of(), vlms), DashboardServer.Options.defaults())) {
            JsonNode list = Json.mapper().readTree(get(server.url().resolve("api/vlm")));
            assertEquals("moondream", list.get(0).path("family").asText(), list.toString());
            assertEquals(2, list.get(0).path("images").asInt());
            assertEquals(48, list.get(0).path("d_sae").asInt());
            JsonNode r = ask(server.url(), "{\"image\":1,\"question\":\"w17 w42 w8\",\"operation\":\"set\",\"latents\":[0,1,2],"
                    + "\"values\":[0,0,0],\"samples\":3,\"temperature\":1.0,\"seed\":5}");
            assertEquals(3, r.path("samples").asInt());
            int before = 0;
            for (JsonNode a : r.path("before")) {
                before += a.path("count").asInt();
            }
            assertEquals(3, before, "every sampled answer before the edit is tallied: " + r);
            assertTrue(r.path("after").isArray() && r.path("changed_pairs").isInt(), r.toString());
            assertTrue(get(server.url().resolve("api/vlm/moondream/images/0.png")).length() > 0, "the image tile");
        }
    }

    @Test
    void aWrongVlmFolderIsOneSentenceNamingTheOption() throws Exception {
        Path sae = tmp.resolve("sae.safetensors");
        Path analysis = Files.createDirectories(tmp.resolve("analysis"));
        CliRun.Result missing = CliRun.run("serve", "--vlm", tmp.resolve("nothing").toString(), "--vlm-sae", sae.toString(), "--vlm-analysis",
                analysis.toString(), "--vlm-images", "folder:" + tmp);
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("a LLaVA or moondream2 model folder for --vlm") && missing.err().strip().lines().count() == 1,
                missing.err());
        CliRun.Result notVlm = CliRun.run("serve", "--vlm", analysis.toString(), "--vlm-sae", sae.toString(), "--vlm-analysis",
                analysis.toString(), "--vlm-images", "folder:" + tmp);
        assertEquals(2, notVlm.code());
        assertTrue(notVlm.err().contains("holds neither a LLaVA model") && notVlm.err().contains("--vlm " + analysis), notVlm.err());
        Path model = MoondreamFixtures.folder(tmp.resolve("moondream"));
        Path realSae = tmp.resolve("real-sae.safetensors");
        saelab.sae.SaeCheckpoint.write(realSae, saelab.sae.SaeConfig.builder(saelab.sae.SaeKind.RELU, 24, 8).build(),
                new saelab.sae.SaeCheckpoint.Arrays(new float[24 * 8], new float[8], new float[8 * 24], new float[24], null), java.util.Map.of());
        Path realAnalysis = Files.createDirectories(tmp.resolve("real-analysis"));
        Files.writeString(realAnalysis.resolve(saelab.analysis.AnalysisIndex.FILE), "{}");
        CliRun.Result noImages = CliRun.run("serve", "--vlm", model.toString(), "--vlm-sae", realSae.toString(), "--vlm-analysis",
                realAnalysis.toString(), "--vlm-images", "folder:" + tmp.resolve("no-such-images"));
        assertEquals(2, noImages.code());
        assertTrue(noImages.err().contains("--vlm-images folder:" + tmp.resolve("no-such-images") + ": ")
                && noImages.err().contains("folder not found"), noImages.err());
        Files.delete(model.resolve("tokenizer.json"));
        CliRun.Result noTok = CliRun.run("serve", "--vlm", model.toString(), "--vlm-sae", sae.toString(), "--vlm-analysis", analysis.toString(),
                "--vlm-images", "folder:" + tmp);
        assertEquals(2, noTok.code());
        assertTrue(noTok.err().contains("has no tokenizer.json"), noTok.err());
    }

    private static String get(URI uri) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    private static JsonNode ask(URI base, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(base.resolve("api/vlm/moondream/ask")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        String id = Json.mapper().readTree(r.body()).get("job").asText();
        for (int i = 0; i < 1200; i++) {
            JsonNode s = Json.mapper().readTree(get(base.resolve("api/vlm/jobs/" + id)));
            if (s.get("state").asText().equals("done")) {
                return s.get("result");
            }
            assertTrue(List.of("queued", "running").contains(s.get("state").asText()), s.toString());
            Thread.sleep(100);
        }
        throw new AssertionError("the sampling job did not finish in 120 s");
    }
}
