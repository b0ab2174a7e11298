package saelab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import saelab.io.Json;

/**
 * Dashboard 4 in a real browser: a person picks a concept's latent, asks a question, watches the progress and reads the
 * answer table, whose rows equal the API's tallies for the same request (sampling is seeded); a long run is cancelled
 * from the page; an empty question gets one sentence.
 */
class VlmControlBrowserTest {

    private static DashboardServer server;
    private static Browser browser;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        ServedRun run = ServedRun.ofRun(WebFixtures.demoRun());
        // three protocol steps ask the one toy VLM: the page offers it once
        org.junit.jupiter.api.Assertions.assertEquals(List.of("clip"), run.vlms().stream().map(ServedRun.Vlm::backbone).toList());
        server = DashboardServer.start(run, DashboardServer.Options.defaults());
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

    private String job() {
        return browser.driver.findElement(By.tagName("body")).getDomAttribute("data-job");
    }

    @Test
    void askSeeTheAnswersBeforeAndAfterAndCancel() throws Exception {
        var d = browser.driver;
        d.get(server.url() + "vlm-control.html?backbone=clip&image=1");
        browser.wait.until(x -> !"busy".equals(x.findElement(By.tagName("body")).getDomAttribute("data-state")));
        assertEquals("ready", d.findElement(By.tagName("body")).getDomAttribute("data-state"), d.findElement(By.id("error")).getText());
        Select named = new Select(d.findElement(By.id("named")));
        assertFalse(named.getOptions().isEmpty(), "the concepts name latents to pick");
        int latent = Integer.parseInt(named.getFirstSelectedOption().getDomAttribute("value"));
        d.findElement(By.id("add-named")).click();
        assertEquals(1, d.findElements(By.cssSelector("#edits input[type=range]")).size());

        WebElement question = d.findElement(By.id("question"));
        question.clear();
        question.sendKeys("what colour is the circle?");
        WebElement samples = d.findElement(By.id("samples"));
        samples.clear();
        samples.sendKeys("12");
        d.findElement(By.id("go")).click();
        browser.wait.until(x -> List.of("done", "failed", "cancelled").contains(String.valueOf(job())));
        assertEquals("done", job(), d.findElement(By.id("error")).getText());
        List<String[]> rows = new ArrayList<>();
        for (WebElement tr : d.findElements(By.cssSelector("#answers tbody tr"))) {
            List<WebElement> td = tr.findElements(By.tagName("td"));
            rows.add(new String[] {td.get(0).getText(), td.get(1).getText(), td.get(2).getText(), td.get(3).getText()});
        }
        assertFalse(rows.isEmpty());
        assertTrue(d.getCurrentUrl().contains("latents=" + latent) && d.getCurrentUrl().contains("run=1"), d.getCurrentUrl());

        JsonNode api = ask("{\"image\":1,\"question\":\"what colour is the circle?\",\"operation\":\"set\",\"latents\":[" + latent
                + "],\"values\":[0],\"samples\":12,\"temperature\":1,\"seed\":0}");
        for (int i = 0; i < rows.size(); i++) {
            JsonNode b = api.get("before").get(i);
            if (b != null) {
                assertEquals(b.get("answer").asText(), rows.get(i)[0]);
                assertEquals(b.get("count").asText(), rows.get(i)[1]);
            }
            JsonNode a = api.get("after").get(i);
            if (a != null) {
                assertEquals(a.get("answer").asText(), rows.get(i)[2]);
                assertEquals(a.get("count").asText(), rows.get(i)[3]);
            }
        }
        String caption = d.findElement(By.id("answers-caption")).getText();
        assertTrue(caption.contains(api.get("changed_pairs").asInt() + " of 12 paired answers changed"), caption);
        browser.screenshot(WebFixtures.screenshots().resolve("vlm-control.png"));

        // a long run, cancelled from the page: it stops before the end
        samples.clear();
        samples.sendKeys("512");
        d.findElement(By.id("go")).click();
        browser.wait.until(x -> "running".equals(job()) || "queued".equals(job()));
        d.findElement(By.id("cancel")).click();
        browser.wait.withTimeout(Duration.ofSeconds(120)).until(x -> "cancelled".equals(job()));
        String progress = d.findElement(By.id("progress-text")).getText();
        assertTrue(progress.startsWith("cancelled: ") && !progress.contains("1024 of 1024"), progress);

        // an empty question: one sentence
        question.clear();
        d.findElement(By.id("go")).click();
        browser.wait.until(x -> x.findElement(By.id("error")).getText().contains("field 'question' must be 1 to 300 printable characters"));
    }

    private static JsonNode ask(String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + "api/vlm/clip/ask"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        String id = Json.mapper().readTree(r.body()).get("job").asText();
        for (int i = 0; i < 1200; i++) {
            JsonNode s = Json.mapper().readTree(HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + "api/vlm/jobs/" + id)).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            if (s.get("state").asText().equals("done")) {
                return s.get("result");
            }
            assertTrue(List.of("queued", "running").contains(s.get("state").asText()), s.toString());
            Thread.sleep(100);
        }
        throw new AssertionError("the sampling job did not finish in 120 s");
    }
}
