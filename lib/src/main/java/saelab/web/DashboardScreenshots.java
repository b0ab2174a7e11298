package saelab.web;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import saelab.io.AtomicFiles;

/**
 * Screenshots of the dashboards for the figures folder, taken by the system Chromium's own headless screenshot mode
 * (no WebDriver needed: every view's state lives in its address). Chromium's virtual-time budget lets the page finish
 * its requests before the picture is taken. Used by the main command when Chromium is installed; the browser tests
 * drive the same pages through Selenium.
 */
public final class DashboardScreenshots {

    /** Debian's Chromium binary (not the /usr/bin wrapper script), or {@code SAELAB_CHROMIUM}. */
    public static final Path DEFAULT_CHROMIUM = Path.of(System.getenv().getOrDefault("SAELAB_CHROMIUM", "/usr/lib/chromium/chromium"));

    private static final long TIMEOUT_SECONDS = 120;

    private DashboardScreenshots() {}

    /**
     * Pictures each view of a running server into {@code dir} (PNG, 1400x900), atomically.
     *
     * @return the files written
     * @throws IllegalArgumentException when Chromium is missing or fails (naming the view)
     */
    public static List<Path> take(URI server, Map<String, String> views, Path dir, Path chromium) throws IOException, InterruptedException {
        if (!Files.isExecutable(chromium)) {
            throw new IllegalArgumentException("Chromium is not installed at " + chromium
                    + "; install it with 'apt-get install chromium' (or set SAELAB_CHROMIUM) to take dashboard screenshots");
        }
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        for (Map.Entry<String, String> v : views.entrySet()) {
            Path profile = Files.createTempDirectory("saelab-chromium");
            Path tmp = Files.createTempFile(dir, ".shot-", ".png");
            try {
                Process p = new ProcessBuilder(chromium.toString(), "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                        "--user-data-dir=" + profile, "--window-size=1400,900", "--virtual-time-budget=30000",
                        "--screenshot=" + tmp, server.resolve(v.getValue()).toString())
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalArgumentException("Chromium took more than " + TIMEOUT_SECONDS + " s to picture " + v.getValue());
                }
                if (p.exitValue() != 0 || Files.size(tmp) == 0) {
                    throw new IllegalArgumentException("Chromium exited with status " + p.exitValue() + " and no picture of " + v.getValue());
                }
                Path target = dir.resolve(v.getKey());
                AtomicFiles.writeBytes(target, Files.readAllBytes(tmp));
                written.add(target);
            } finally {
                Files.deleteIfExists(tmp);
                try (var files = Files.walk(profile)) {
                    files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }
        return written;
    }
}
