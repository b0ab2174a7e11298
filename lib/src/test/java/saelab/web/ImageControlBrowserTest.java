package saelab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import saelab.io.Json;

/**
 * Dashboards 3 and 5 in a real browser: pick a latent at a clicked patch, slide it, and watch the class probabilities
 * change (the bars on the page equal the API's answer for the same edit); on the zero-shot page, type a class list and
 * see the probabilities over exactly those classes; a bad class name gets one sentence.
 */
class ImageControlBrowserTest {

    private static DashboardServer server;
    private static Browser browser;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        server = DashboardServer.start(ServedRun.ofRun(WebFixtures.demoRun()), DashboardServer.Options.defaults());
        browser = new Browser();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            server.close();
        }
    }

    private String answered() {
        return browser.driver.findElement(By.tagName("body")).getDomAttribute("data-answered");
    }

    private void waitAnsweredAfter(String previous) {
        browser.wait.until(d -> {
            String now = answered();
            return now != null && !now.equals(previous) && "ready".equals(d.findElement(By.tagName("body")).getDomAttribute("data-state"));
        });
    }

    /** The bars on the page: class name to {before, after}. */
    private Map<String, double[]> bars() {
        Map<String, double[]> out = new HashMap<>();
        for (WebElement g : browser.driver.findElements(By.cssSelector("#bars g[data-class]"))) {
            out.put(g.getDomAttribute("data-class"), new double[] {Double.parseDouble(g.getDomAttribute("data-before")),
                    Double.parseDouble(g.getDomAttribute("data-after"))});
        }
        return out;
    }

    private int pickLatentAtSomePatch() {
        var d = browser.driver;
        WebElement canvas = d.findElement(By.id("picture"));
        int[][] spots = Spots.acrossCanvas();
        for (int[] s : spots) {
            new Actions(d).moveToElement(canvas, s[0], s[1]).click().perform();
            browser.wait.until(x -> x.findElement(By.id("patch-title")).getText().startsWith("Latents at patch ")
                    && "ready".equals(x.findElement(By.tagName("body")).getDomAttribute("data-state")));
            List<WebElement> rows = d.findElements(By.cssSelector("#patch-latents li"));
            if (!rows.isEmpty()) {
                int latent = Integer.parseInt(rows.getFirst().getDomAttribute("data-latent"));
                String previous = answered();
                rows.getFirst().findElement(By.tagName("button")).click();
                waitAnsweredAfter(previous);
                return latent;
            }
        }
        throw new AssertionError("no clicked patch listed an active latent");
    }

    /** Slides the only slider to both ends; each time the page's bars equal the API's; returns whether any probability moved. */
    private boolean slideBothEnds(String head, int latent, String classes) throws Exception {
        WebElement slider = browser.driver.findElement(By.cssSelector("#edits input[type=range]"));
        boolean moved = false;
        for (Keys end : List.of(Keys.END, Keys.HOME)) {
            String previous = answered();
            slider.sendKeys(end);
            waitAnsweredAfter(previous);
            double value = Double.parseDouble(slider.getDomProperty("value"));
            JsonNode api = edit(head, latent, value, classes);
            Map<String, double[]> shown = bars();
            assertEquals(api.get("after").get("top").size(), shown.size());
            for (JsonNode row : api.get("after").get("top")) {
                double[] s = shown.get(row.get("name").asText());
                assertEquals(row.get("probability").asDouble(), s[1], 1e-6, row.toString());
                assertEquals(row.get("before").asDouble(), s[0], 1e-6, row.toString());
                moved |= Math.abs(s[1] - s[0]) > 1e-6;
            }
        }
        return moved;
    }

    @Test
    void classificationProbabilitiesFollowTheSlider() throws Exception {
        var d = browser.driver;
        d.get(server.url() + "classify-control.html?backbone=clip&image=1");
        browser.wait.until(x -> answered() != null);
        Map<String, double[]> clean = bars();
        assertFalse(clean.isEmpty());
        clean.values().forEach(v -> assertEquals(v[0], v[1], 1e-9, "without an edit, before and after are the same"));
        int latent = pickLatentAtSomePatch();
        assertTrue(slideBothEnds("classify", latent, null), "setting a latent to ±20 × its maximum moves some probability");
        assertTrue(d.getCurrentUrl().contains("latents=" + latent), d.getCurrentUrl());
        browser.screenshot(WebFixtures.screenshots().resolve("classify-control.png"));
    }

    @Test
    void zeroShotOverTypedClasses() throws Exception {
        var d = browser.driver;
        d.get(server.url() + "zeroshot-control.html?backbone=clip&image=1");
        browser.wait.until(x -> answered() != null);
        WebElement box = d.findElement(By.id("classes"));
        box.clear();
        box.sendKeys("red\ngreen\nblue");
        String previous = answered();
        d.findElement(By.cssSelector("#classes-form button[type=submit]")).click();
        waitAnsweredAfter(previous);
        assertEquals(java.util.Set.of("red", "green", "blue"), bars().keySet());
        double sum = bars().values().stream().mapToDouble(v -> v[1]).sum();
        assertEquals(1.0, sum, 1e-4, "probabilities over the typed classes sum to 1");
        assertTrue(d.getCurrentUrl().contains("classes=red%7Cgreen%7Cblue"), d.getCurrentUrl());
        int latent = pickLatentAtSomePatch();
        assertTrue(slideBothEnds("zeroshot", latent, "red|green|blue"), "an edit moves some zero-shot probability");
        browser.screenshot(WebFixtures.screenshots().resolve("zeroshot-control.png"));

        box = d.findElement(By.id("classes"));
        box.clear();
        box.sendKeys("red\n<script>");
        d.findElement(By.cssSelector("#classes-form button[type=submit]")).click();
        browser.wait.until(x -> x.findElement(By.id("error")).getText().contains("field 'classes' holds '<script>'"));
    }

    private static JsonNode edit(String head, int latent, double value, String classes) throws Exception {
        String cls = classes == null ? "" : ",\"classes\":[\"" + String.join("\",\"", classes.split("\\|")) + "\"]";
        String body = "{\"operation\":\"set\",\"latents\":[" + latent + "],\"values\":[" + value + "]" + cls + "}";
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + "api/control/" + head + "/clip/images/1/edit"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return Json.mapper().readTree(r.body());
    }
}
