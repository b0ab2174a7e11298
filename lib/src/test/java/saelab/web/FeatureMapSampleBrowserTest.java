package saelab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.Select;

/**
 * The feature map of a set larger than the UMAP sample, in a real browser: the UMAP view draws only the sampled latents
 * and its legend says that the others are not drawn there and that PCA shows all (it used to claim they were "shown
 * under PCA" in the UMAP view); switching to PCA draws every latent.
 */
class FeatureMapSampleBrowserTest {

    @TempDir
    Path tmp;

    @Test
    void theLegendSaysWhichLatentsTheUmapViewLeavesOut() throws Exception {
        FeatureSet set = FeatureMapBenchmark.write(tmp, 400, 8, 1);
        ServedRun run = new ServedRun("sampled", List.of(set), List.of(), List.of());
        try (DashboardServer server = DashboardServer.start(run, new DashboardServer.Options(0, 100)); Browser browser = new Browser()) {
            var d = browser.driver;
            d.get(server.url() + "feature-map.html?set=" + set.id() + "&proj=umap");
            browser.wait.until(x -> "ready".equals(x.findElement(By.tagName("body")).getDomAttribute("data-state")));
            assertEquals("100", d.findElement(By.id("map")).getDomAttribute("data-points"), "the UMAP view draws the sample");
            String legend = d.findElement(By.id("legend")).getText();
            assertTrue(legend.startsWith("100 latents"), legend);
            assertTrue(legend.contains("300 latents outside the UMAP sample are not drawn here"), legend);
            assertTrue(legend.contains("the PCA projection shows all"), legend);

            new Select(d.findElement(By.id("proj"))).selectByValue("pca");
            browser.wait.until(x -> "400".equals(x.findElement(By.id("map")).getDomAttribute("data-points")));
            String pca = d.findElement(By.id("legend")).getText();
            assertTrue(pca.startsWith("400 latents") && !pca.contains("outside"), pca);
        }
    }
}
