package saelab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.demo.PaperSmokePlanTest;
import saelab.demo.PlanKinds;
import saelab.demo.PlanRunner;
import saelab.heads.HeadKind;
import saelab.io.Json;
import saelab.plan.PlanReader;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The dashboards over a paper plan's outputs ({@link ServedRun#ofRun} on the paper-shaped smoke run: golden tiny models,
 * toy-world images in the datasets' layouts): every analysed SAE is a feature set whose latent pages draw dataset images,
 * every heads step a control bench named after it, the VLM control step's LLaVA a VLM bench, and an edit on a dataset image
 * answers; in a real browser, a latent of a dataset SAE opens with its top images drawn, the segmentation dashboard shows
 * an ADE20K-layout image's mask, the classification and zero-shot dashboards an ImageNet-layout image's probabilities, and
 * the VLM dashboard the tiny LLaVA's sampled answers before and after a latent's edit.
 */
class PaperRunServeTest {

    @TempDir
    static Path tmp;

    private static ServedRun run;
    private static Path work;
    private static Path dataRoot;
    private static DashboardServer server;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        Path root = PaperSmokePlanTest.dataRoot(tmp.resolve("data"));
        dataRoot = root;
        work = tmp.resolve("work");
        PlanRunner.run(PlanReader.read(PaperSmokePlanTest.planFile(), PlanKinds.ALL),
                new PlanRunner.Options(work, Set.of(), null, root, new PrintStream(OutputStream.nullOutputStream())));
        run = ServedRun.ofRun(work);
        server = DashboardServer.start(run, DashboardServer.Options.defaults());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void inABrowserALatentPageShowsDatasetImagesAndTheSegmentationPageAMask() throws Exception {
        JsonNode map = json("api/sets/dinov2-in1k-patch/map");
        int latent = -1;
        for (int i = 0; i < map.get("latents").size() && latent < 0; i++) {
            if (!map.get("log10_frequency").get(i).isNull()) {
                latent = map.get("latents").get(i).asInt(); // a latent that fired has top images
            }
        }
        assertTrue(latent >= 0, "some latent of the smoke SAE fired");
        try (Browser browser = new Browser()) {
            var d = browser.driver;
            d.get(server.url() + "feature-map.html?set=dinov2-in1k-patch&latent=" + latent);
            String wanted = String.valueOf(latent);
            browser.wait.until(x -> wanted.equals(x.findElement(By.id("latent")).getDomAttribute("data-latent")));
            List<WebElement> imgs = d.findElements(By.cssSelector("#top-images img"));
            assertFalse(imgs.isEmpty(), "the latent page lists top images");
            browser.wait.until(x -> imgs.stream().allMatch(img -> Boolean.TRUE.equals(d.executeScript(
                    "return arguments[0].complete && arguments[0].naturalWidth > 0;", img))));
            assertFalse(d.findElement(By.id("error")).isDisplayed());

            d.get(server.url() + "segment-control.html?backbone=dinov2-ade20k&image=0");
            browser.wait.until(x -> x.findElement(By.tagName("body")).getDomAttribute("data-answered") != null
                    && "ready".equals(x.findElement(By.tagName("body")).getDomAttribute("data-state")));
            assertTrue(d.findElement(By.id("changed-count")).getText().contains("no edit"), d.findElement(By.id("changed-count")).getText());
            assertFalse(d.findElement(By.id("error")).isDisplayed());

            for (String head : List.of("classify", "zeroshot")) {
                d.get(server.url() + head + "-control.html?backbone=clip-in1k&image=0");
                browser.wait.until(x -> x.findElement(By.tagName("body")).getDomAttribute("data-answered") != null
                        && "ready".equals(x.findElement(By.tagName("body")).getDomAttribute("data-state")));
                List<WebElement> bars = d.findElements(By.cssSelector("#bars g[data-class]"));
                assertFalse(bars.isEmpty(), head + ": the head's classes are drawn");
                for (WebElement g : bars) {
                    assertEquals(g.getDomAttribute("data-before"), g.getDomAttribute("data-after"), head + ": no edit yet");
                }
                assertFalse(d.findElement(By.id("error")).isDisplayed(), head);
            }

            d.get(server.url() + "vlm-control.html?backbone=llava&image=0");
            browser.wait.until(x -> !"busy".equals(x.findElement(By.tagName("body")).getDomAttribute("data-state")));
            assertEquals("ready", d.findElement(By.tagName("body")).getDomAttribute("data-state"), d.findElement(By.id("error")).getText());
            d.findElement(By.id("add-named")).click();
            WebElement samples = d.findElement(By.id("samples"));
            samples.clear();
            samples.sendKeys("6");
            d.findElement(By.id("go")).click();
            browser.wait.until(x -> List.of("done", "failed", "cancelled").contains(
                    String.valueOf(x.findElement(By.tagName("body")).getDomAttribute("data-job"))));
            assertEquals("done", d.findElement(By.tagName("body")).getDomAttribute("data-job"), d.findElement(By.id("error")).getText());
            assertFalse(d.findElements(By.cssSelector("#answers tbody tr")).isEmpty(), "the answers before and after are listed");
            assertTrue(d.findElement(By.id("answers-caption")).getText().contains("of 6 paired answers changed"),
                    d.findElement(By.id("answers-caption")).getText());
        }
    }

    private static HttpResponse<byte[]> send(HttpRequest.Builder b) throws Exception {
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static JsonNode json(String path) throws Exception {
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(URI.create(server.url() + path)));
        assertEquals(200, r.statusCode(), path + ": " + new String(r.body()));
        return Json.mapper().readTree(r.body());
    }

    @Test
    void everySaeIsAFeatureSetAndEveryHeadsStepABench() {
        assertEquals(List.of("dinov2-in1k-patch", "clip-in1k-patch", "clip-inat21-patch", "bioclip-inat21-patch", "llava-in1k-patch"),
                run.featureSets().stream().map(FeatureSet::id).toList());
        assertEquals(List.of("dinov2-ade20k", "dinov2-cub", "clip-in1k"), run.benches().stream().map(ServedRun.Bench::backbone).toList());
        assertEquals(Set.of(HeadKind.SEGMENT), run.benches().get(0).heads().keySet());
        assertEquals(Set.of(HeadKind.CLASSIFY, HeadKind.ZEROSHOT), run.benches().get(2).heads().keySet());
        assertEquals("clip-in1k-patch", run.benches().get(2).featureSet(), "the bench edits the SAE of that feature set");
        assertTrue(run.benches().get(2).images().get(HeadKind.ZEROSHOT)[0].contains("source-in1k-val"),
                "zero-shot images come from the held-out dataset source: " + String.join(" ", run.benches().get(2).images().get(HeadKind.ZEROSHOT)));
        assertEquals(List.of("llava"), run.vlms().stream().map(ServedRun.Vlm::backbone).toList(), "the VLM control step's model source");
        assertTrue(run.vlms().getFirst().images()[0].contains("source-in1k-val"), "asked about the held-out dataset's images");
    }

    @Test
    void featureSetsGivenByTheirFoldersAreServedAloneAndBadFoldersAreOneSentence() throws Exception {
        saelab.demo.DemoOutputs d = saelab.demo.DemoOutputs.open(work);
        Path sae = d.dir("sae-clip-in1k-patch").resolve("sae.safetensors");
        Path analysis = d.dir("analyze-clip-in1k-patch");
        Path cache = d.dir("capture-clip-in1k").resolve("cache");
        List<FeatureSet> sets = FolderFeatureSets.of(List.of(
                new FolderFeatureSets.Given(null, sae, analysis, cache, dataRoot.resolve("imagenet"), dataRoot.resolve("models/clip"),
                        d.dir("concepts-clip-in1k")),
                new FolderFeatureSets.Given(null, sae, analysis, null, null, null, null)));
        assertEquals(List.of(FolderFeatureSets.idFrom(analysis), FolderFeatureSets.idFrom(analysis) + "-2"),
                sets.stream().map(FeatureSet::id).toList(), "ids from the analysis folder's name, made distinct");
        try (DashboardServer alone = DashboardServer.start(new ServedRun("folders", sets, List.of(), List.of()),
                DashboardServer.Options.defaults())) {
            String id = sets.getFirst().id();
            HttpResponse<byte[]> map = send(HttpRequest.newBuilder(URI.create(alone.url() + "api/sets/" + id + "/map")));
            assertEquals(200, map.statusCode(), new String(map.body()));
            int latent = Json.mapper().readTree(map.body()).get("latents").get(0).asInt();
            HttpResponse<byte[]> page = send(HttpRequest.newBuilder(URI.create(alone.url() + "api/sets/" + id + "/latents/" + latent)));
            JsonNode top = Json.mapper().readTree(page.body()).get("top_images");
            assertTrue(top.size() > 0, new String(page.body()));
            HttpResponse<byte[]> tile = send(HttpRequest.newBuilder(URI.create(alone.url() + top.get(0).get("url").asText().substring(1))));
            assertEquals(200, tile.statusCode());
        }
        Path nowhere = tmp.resolve("nowhere");
        java.util.Map<String, FolderFeatureSets.Given> bad = new java.util.LinkedHashMap<>();
        bad.put(nowhere + " does not exist; expected an SAE checkpoint for --sae", new FolderFeatureSets.Given(null, nowhere, analysis, null, null,
                null, null));
        bad.put("--sae " + analysis.resolve("latents.csv") + " is not a readable SAE checkpoint", new FolderFeatureSets.Given(null,
                analysis.resolve("latents.csv"), analysis, null, null, null, null));
        bad.put("--analysis " + cache + " has no index.json", new FolderFeatureSets.Given(null, sae, cache, null, null, null, null));
        bad.put("--cache " + analysis + " has no manifest.json", new FolderFeatureSets.Given(null, sae, analysis, analysis, null, null, null));
        bad.put("feature set id 'Bad Id' must be", new FolderFeatureSets.Given("Bad Id", sae, analysis, null, null, null, null));
        for (var e : bad.entrySet()) {
            IllegalArgumentException x = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> FolderFeatureSets.of(List.of(e.getValue())));
            assertTrue(x.getMessage().startsWith(e.getKey()) && !x.getMessage().contains("\n"), x.getMessage());
        }
    }

    @Test
    void aLatentPageOfADatasetSaeDrawsItsTopImages() throws Exception {
        JsonNode map = json("api/sets/bioclip-inat21-patch/map");
        int latent = map.get("latents").get(0).asInt();
        JsonNode page = json("api/sets/bioclip-inat21-patch/latents/" + latent);
        JsonNode top = page.get("top_images");
        assertTrue(top.size() > 0, page.toString());
        HttpResponse<byte[]> tile = send(HttpRequest.newBuilder(URI.create(server.url() + top.get(0).get("url").asText().substring(1))));
        assertEquals(200, tile.statusCode());
        assertEquals("image/png", tile.headers().firstValue("content-type").orElse(""));
    }

    @Test
    void theImageHeadsOpenADatasetImageEach() throws Exception {
        for (String head : List.of("classify", "zeroshot")) {
            JsonNode list = json("api/control/" + head);
            assertTrue(list.size() > 0, head);
            for (JsonNode bench : list) {
                JsonNode image = json("api/control/" + head + "/" + bench.get("backbone").asText() + "/images/0");
                assertTrue(image.get("clean").isObject(), head + " " + bench + ": " + image);
            }
        }
    }

    @Test
    void aSegmentationEditOnADatasetImageAnswers() throws Exception {
        JsonNode list = json("api/control/segment");
        assertEquals("dinov2-ade20k", list.get(0).get("backbone").asText());
        JsonNode image = json("api/control/segment/dinov2-ade20k/images/0");
        assertEquals(2, image.get("grid").size());
        String body = "{\"operation\": \"set\", \"latents\": [0], \"values\": [-2], \"patches\": []}";
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(URI.create(server.url() + "api/control/segment/dinov2-ade20k/images/0/edit"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
        assertEquals(200, r.statusCode(), new String(r.body()));
        JsonNode after = Json.mapper().readTree(r.body());
        assertTrue(after.has("after") || after.has("edited"), after.toString());
    }
}
