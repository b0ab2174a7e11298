package saelab.web;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The browser of the dashboards' tests: Debian's Chromium, headless, driven by Selenium through the matching
 * chromedriver, both found at fixed paths (or {@code SAELAB_CHROMIUM} / {@code SAELAB_CHROMEDRIVER}) so Selenium
 * Manager never tries to download anything. Missing, the tests fail (never skip) and say how to install them.
 */
final class Browser implements AutoCloseable {

    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("SAELAB_CHROMIUM", "/usr/lib/chromium/chromium"));
    static final Path DRIVER = Path.of(System.getenv().getOrDefault("SAELAB_CHROMEDRIVER", "/usr/bin/chromedriver"));

    final ChromeDriver driver;
    final WebDriverWait wait;
    private final Path profile;

    Browser() throws IOException {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(DRIVER)) {
            fail("the browser tests need Chromium at " + CHROMIUM + " and chromedriver at " + DRIVER
                    + "; ./saelab test installs them (apt-get install chromium chromium-driver), or set SAELAB_CHROMIUM and SAELAB_CHROMEDRIVER");
        }
        profile = Files.createTempDirectory("saelab-chromium");
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM.toFile());
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1400,1000",
                "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, o);
        wait = new WebDriverWait(driver, Duration.ofSeconds(60));
    }

    /** Writes what the browser shows to {@code file} (PNG). */
    void screenshot(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        byte[] png = driver.getScreenshotAs(OutputType.BYTES);
        saelab.io.AtomicFiles.writeBytes(file, png);
    }

    @Override
    public void close() throws IOException {
        try {
            driver.quit();
        } finally {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
