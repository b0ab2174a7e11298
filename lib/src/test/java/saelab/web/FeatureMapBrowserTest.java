package saelab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import saelab.analysis.AnalysisResult;
import saelab.demo.DemoOutputs;
import saelab.store.TokenKind;

/**
 * Dashboard 1 in a real browser, as a person uses it: the map draws every analysed latent; hovering a point shows its
 * id; clicking opens its page with loaded top images, the histogram and nearest latents; the address keeps the state
 * (reloading it reopens the latent); the search box finds a latent; another SAE can be chosen. Ends with a screenshot.
 */
class FeatureMapBrowserTest {

    private static DashboardServer server;
    private static Browser browser;
    private static DemoOutputs demo;

    @BeforeAll
    static void start() throws Exception {
        demo = DemoOutputs.open(WebFixtures.demoRun());
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

    private void waitReady() {
        browser.wait.until(d -> "ready".equals(d.findElement(By.tagName("body")).getDomAttribute("data-state")));
    }

    @Test
    void hoverClickSearchAndShareALatent() throws Exception {
        var d = browser.driver;
        AnalysisResult clip = AnalysisResult.read(demo.analysis("clip", TokenKind.PATCHES));
        d.get(server.url() + "feature-map.html?set=clip-patch");
        waitReady();
        WebElement canvas = d.findElement(By.id("map"));
        assertEquals(String.valueOf(clip.rows()), canvas.getDomAttribute("data-points"), "every analysed latent is drawn");
        assertFalse(d.findElement(By.id("error")).isDisplayed());

        // hover a latent that fired: the tooltip names it
        int latent = firedLatent(clip);
        Map<?, ?> pos = position(latent);
        int dx = (int) Math.round(((Number) pos.get("x")).doubleValue() - canvas.getSize().getWidth() / 2.0);
        int dy = (int) Math.round(((Number) pos.get("y")).doubleValue() - canvas.getSize().getHeight() / 2.0);
        new Actions(d).moveToElement(canvas, dx, dy).perform();
        WebElement tooltip = d.findElement(By.id("tooltip"));
        browser.wait.until(ExpectedConditions.visibilityOf(tooltip));
        assertTrue(tooltip.getText().startsWith("latent "), tooltip.getText());
        int hovered = Integer.parseInt(tooltip.getText().split(" ")[1]);
        assertEquals(pos, position(hovered), "the tooltip names the latent under the pointer (or one drawn at the same spot)");

        // click it: its page opens with what a person checks
        new Actions(d).moveToElement(canvas, dx, dy).click().perform();
        browser.wait.until(x -> String.valueOf(hovered).equals(x.findElement(By.id("latent")).getDomAttribute("data-latent")));
        waitReady();
        assertEquals("Latent " + hovered, d.findElement(By.id("latent-title")).getText());
        assertLoadedImages(clip.topImages().images().length / clip.rows() > 0);
        assertFalse(d.findElements(By.cssSelector("#histogram rect")).isEmpty(), "the histogram is drawn");
        List<WebElement> nearest = d.findElements(By.cssSelector("#nearest button"));
        assertEquals(FeatureMapApi.NEAREST, nearest.size());
        assertTrue(d.getCurrentUrl().contains("latent=" + hovered), d.getCurrentUrl());

        // the address is shareable: opening it again shows the same latent
        d.get(d.getCurrentUrl());
        browser.wait.until(x -> String.valueOf(hovered).equals(x.findElement(By.id("latent")).getDomAttribute("data-latent")));

        // a nearest latent's button opens that latent
        String next = d.findElements(By.cssSelector("#nearest button")).getFirst().getText().replace("latent ", "");
        d.findElements(By.cssSelector("#nearest button")).getFirst().click();
        browser.wait.until(x -> next.equals(x.findElement(By.id("latent")).getDomAttribute("data-latent")));

        // search by id
        int wanted = clip.index().latents().get(clip.rows() - 1);
        WebElement box = d.findElement(By.id("latent-id"));
        box.clear();
        box.sendKeys(String.valueOf(wanted));
        d.findElement(By.cssSelector("#search button")).click();
        browser.wait.until(x -> String.valueOf(wanted).equals(x.findElement(By.id("latent")).getDomAttribute("data-latent")));
        waitReady();
        browser.screenshot(WebFixtures.screenshots().resolve("feature-map.png"));

        // a latent outside the map gets one sentence
        box.clear();
        box.sendKeys("99999");
        d.findElement(By.cssSelector("#search button")).click();
        browser.wait.until(ExpectedConditions.textToBe(By.id("error"), "latent 99999 is not in this map"));

        // another SAE: the map redraws with its latents
        AnalysisResult dino = AnalysisResult.read(demo.analysis("dinov2", TokenKind.CLS));
        new Select(d.findElement(By.id("set"))).selectByValue("dinov2-cls");
        browser.wait.until(x -> String.valueOf(dino.rows()).equals(x.findElement(By.id("map")).getDomAttribute("data-points"))
                && "ready".equals(x.findElement(By.tagName("body")).getDomAttribute("data-state")));
        assertTrue(d.getCurrentUrl().contains("set=dinov2-cls"), d.getCurrentUrl());
    }

    private static int firedLatent(AnalysisResult r) {
        int best = 0;
        for (int i = 0; i < r.rows(); i++) {
            if (r.fires()[i] > r.fires()[best]) {
                best = i;
            }
        }
        return r.index().latents().get(best);
    }

    private static Map<?, ?> position(int latent) {
        Object p = browser.driver.executeScript("return window.saelabFeatureMap.screenPosition(arguments[0]);", latent);
        return (Map<?, ?>) p;
    }

    private static void assertLoadedImages(boolean expectSome) {
        List<WebElement> imgs = browser.driver.findElements(By.cssSelector("#top-images img"));
        assertEquals(expectSome, !imgs.isEmpty());
        browser.wait.until(x -> imgs.stream().allMatch(img -> Boolean.TRUE.equals(browser.driver.executeScript(
                "return arguments[0].complete && arguments[0].naturalWidth > 0;", img))));
    }
}
