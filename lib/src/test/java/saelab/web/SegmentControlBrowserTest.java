package saelab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import saelab.io.Json;

/**
 * Dashboard 2 in a real browser: a person clicks a patch, reads the latents active there, picks one, moves its
 * slider to both ends, and sees the mask after the edit change; the count of changed patches on the page equals what
 * the API computes for the same edit, the address keeps the edit, and a failed request shows its sentence.
 */
class SegmentControlBrowserTest {

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

    @Test
    void clickAPatchPickALatentSlideItAndWatchTheMaskChange() throws Exception {
        var d = browser.driver;
        d.get(server.url() + "segment-control.html?backbone=dinov2&image=2");
        browser.wait.until(x -> answered() != null);
        assertTrue(d.findElement(By.id("changed-count")).getText().contains("no edit"));
        WebElement before = d.findElement(By.id("before"));

        // click patches until one lists latents (a person tries the objects)
        List<WebElement> rows = List.of();
        int[][] spots = Spots.acrossCanvas();
        for (int[] s : spots) {
            new Actions(d).moveToElement(before, s[0], s[1]).click().perform();
            browser.wait.until(x -> x.findElement(By.id("patch-title")).getText().startsWith("Latents at patch ")
                    && "ready".equals(x.findElement(By.tagName("body")).getDomAttribute("data-state")));
            rows = d.findElements(By.cssSelector("#patch-latents li"));
            if (!rows.isEmpty()) {
                break;
            }
        }
        assertFalse(rows.isEmpty(), "some patch has active latents");
        int latent = Integer.parseInt(rows.getFirst().getDomAttribute("data-latent"));
        String previous = answered();
        rows.getFirst().findElement(By.tagName("button")).click();
        waitAnsweredAfter(previous);
        assertTrue(d.findElement(By.id("changed-count")).getText().matches(": \\d+ of \\d+ patches changed class"),
                d.findElement(By.id("changed-count")).getText());

        // slide to both ends; the page's count equals the API's for the same edit, and some position changes the mask
        WebElement slider = d.findElement(By.cssSelector("#edits input[type=range]"));
        List<Integer> counts = new ArrayList<>();
        for (Keys end : List.of(Keys.END, Keys.HOME)) {
            previous = answered();
            slider.sendKeys(end);
            waitAnsweredAfter(previous);
            double value = Double.parseDouble(slider.getDomProperty("value"));
            assertEquals(end == Keys.END ? 20 : -20, value);
            int shown = Integer.parseInt(d.findElement(By.id("after")).getDomAttribute("data-changed"));
            assertEquals(apiChanged(latent, value), shown, "the page shows what the API computes");
            counts.add(shown);
            assertTrue(d.getCurrentUrl().contains("latents=" + latent) && d.getCurrentUrl().contains("values=" + (int) value),
                    d.getCurrentUrl());
        }
        assertTrue(counts.stream().anyMatch(c -> c > 0), "setting a latent to ±20 × its maximum changes some patch: " + counts);
        browser.screenshot(WebFixtures.screenshots().resolve("segment-control.png"));

        // the address reopens the same edit
        String url = d.getCurrentUrl();
        d.get(url);
        browser.wait.until(x -> x.findElements(By.cssSelector("#edits input[type=range]")).size() == 1 && answered() != null
                && "ready".equals(x.findElement(By.tagName("body")).getDomAttribute("data-state")));
        assertEquals(String.valueOf(counts.getLast()), d.findElement(By.id("after")).getDomAttribute("data-changed"));

        // only selected patches, with none selected: one sentence, no request
        d.get(server.url() + "segment-control.html?backbone=dinov2&image=2&scope=selected&latents=" + latent + "&values=5");
        browser.wait.until(x -> x.findElement(By.id("error")).getText().contains("select patches on the image first"));
    }

    private static int apiChanged(int latent, double value) throws Exception {
        String body = "{\"operation\":\"set\",\"latents\":[" + latent + "],\"values\":[" + value + "]}";
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + "api/control/segment/dinov2/images/2/edit"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode j = Json.mapper().readTree(r.body());
        return j.get("changed").size();
    }
}
