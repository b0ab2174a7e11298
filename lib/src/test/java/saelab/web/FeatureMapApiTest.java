package saelab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import saelab.analysis.AnalysisResult;
import saelab.demo.DemoOutputs;
import saelab.io.Json;
import saelab.store.TokenKind;

/** The feature map's JSON answers against the analysis files they come from. */
class FeatureMapApiTest {

    private static DashboardServer server;
    private static DemoOutputs demo;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        Path work = WebFixtures.demoRun();
        demo = DemoOutputs.open(work);
        server = DashboardServer.start(ServedRun.ofRun(work), DashboardServer.Options.defaults());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<byte[]> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + path)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static JsonNode json(String path) throws Exception {
        HttpResponse<byte[]> r = get(path);
        assertEquals(200, r.statusCode(), new String(r.body()));
        return Json.mapper().readTree(r.body());
    }

    @Test
    void theMapHasOneFinitePointPerAnalysedLatentWithItsFrequency() throws Exception {
        AnalysisResult ar = AnalysisResult.read(demo.analysis("dinov2", TokenKind.PATCHES));
        JsonNode map = json("api/sets/dinov2-patch/map");
        assertEquals(ar.rows(), map.get("latents").size());
        for (int i = 0; i < ar.rows(); i++) {
            assertEquals((int) ar.index().latents().get(i), map.get("latents").get(i).asInt());
            assertTrue(Double.isFinite(map.get("pca_x").get(i).asDouble()) && Double.isFinite(map.get("umap_y").get(i).asDouble()));
            if (ar.fires()[i] > 0) {
                assertEquals(Math.log10(ar.frequency(i)), map.get("log10_frequency").get(i).asDouble(), 1e-9);
            } else {
                assertTrue(map.get("log10_frequency").get(i).isNull(), "a latent that never fired has no log frequency");
            }
        }
    }

    @Test
    void aLatentPageListsItsTopImagesNearestLatentsAndConcepts() throws Exception {
        AnalysisResult ar = AnalysisResult.read(demo.analysis("clip", TokenKind.PATCHES));
        int row = 0;
        for (int i = 1; i < ar.rows(); i++) {
            row = ar.fires()[i] > ar.fires()[row] ? i : row;
        }
        int latent = ar.index().latents().get(row);
        JsonNode page = json("api/sets/clip-patch/latents/" + latent);
        assertEquals(ar.frequency(row), page.get("frequency").asDouble(), 1e-12);
        int k = ar.index().k();
        JsonNode top = page.get("top_images");
        assertTrue(top.size() > 0 && top.size() <= k);
        assertEquals(ar.topImages().images()[row * k], top.get(0).get("image").asInt());
        JsonNode nearest = page.get("nearest");
        assertEquals(FeatureMapApi.NEAREST, nearest.size());
        for (int i = 0; i < nearest.size(); i++) {
            assertNotEquals(latent, nearest.get(i).get("latent").asInt(), "a latent is not its own neighbour");
            if (i > 0) {
                assertTrue(nearest.get(i - 1).get("cosine").asDouble() >= nearest.get(i).get("cosine").asDouble());
            }
        }
        assertEquals(ar.index().histogramBins(), page.get("histogram").get("counts").size());

        HttpResponse<byte[]> png = get(top.get(0).get("url").asText().substring(1));
        assertEquals("image/png", png.headers().firstValue("Content-Type").orElse(""));
        BufferedImage tile = ImageIO.read(new ByteArrayInputStream(png.body()));
        assertTrue(tile.getWidth() > 0 && tile.getHeight() > 0);
    }

    @Test
    void conceptsPointAtTheirBestLatent() throws Exception {
        var t = tech.tablesaw.api.Table.read().csv(demo.concepts("clip", TokenKind.PATCHES).resolve("concepts.csv").toFile());
        int latent = t.intColumn("best_f1_latent").get(0);
        String name = t.stringColumn("name").get(0);
        JsonNode concepts = json("api/sets/clip-patch/latents/" + latent).get("concepts");
        boolean found = false;
        for (JsonNode c : concepts) {
            found |= c.get("name").asText().equals(name);
        }
        assertTrue(found, name + " should be listed on latent " + latent + ": " + concepts);
    }
}
