package saelab.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import saelab.io.Json;

/**
 * One page of the system Chromium, headless, driven over the Chrome DevTools Protocol (a WebSocket of JSON commands,
 * as documented at chromedevtools.github.io/devtools-protocol: {@code Page.navigate}, {@code Runtime.evaluate}), for
 * the dashboards' benchmark. Not WebDriver: the JDK's own WebSocket client and Jackson are enough for the two commands
 * needed, and Selenium stays a test dependency.
 *
 * <p>Why not {@code --dump-dom} like {@link DashboardScreenshots}: that mode needs {@code --virtual-time-budget} to
 * wait for the page's requests, and under virtual time the page's clock ({@code performance.now()}) does not advance
 * while script runs, so every redraw would measure 0 ms. Here the page runs in real time.
 */
final class DevToolsPage implements AutoCloseable {

    private static final Duration START = Duration.ofSeconds(60);

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

    private DevToolsPage(Process process, Path profile, WebSocket socket) {
        this.process = process;
        this.profile = profile;
        this.socket = socket;
    }

    /**
     * Starts Chromium (headless, its own temporary profile, a 1400 × 900 window) and attaches to its first page.
     *
     * @throws IllegalArgumentException when Chromium is not installed at {@code chromium} or does not start
     */
    static DevToolsPage open(Path chromium) throws IOException, InterruptedException {
        if (!Files.isExecutable(chromium)) {
            throw new IllegalArgumentException("Chromium is not installed at " + chromium
                    + "; install it with 'apt-get install chromium' (or set SAELAB_CHROMIUM) to time the pages in a browser");
        }
        Path profile = Files.createTempDirectory("saelab-chromium");
        Process p = new ProcessBuilder(chromium.toString(), "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--hide-scrollbars", "--window-size=1400,900", "--remote-debugging-port=0", "--user-data-dir=" + profile, "about:blank")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            // Chromium writes the port it chose and the browser's path into the profile once it listens
            Path active = profile.resolve("DevToolsActivePort");
            long deadline = System.nanoTime() + START.toNanos();
            List<String> lines = List.of();
            while (lines.size() < 2) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalArgumentException("Chromium at " + chromium + " did not open its DevTools port within " + START.toSeconds() + " s");
                }
                Thread.sleep(100);
                if (Files.isRegularFile(active)) {
                    lines = Files.readAllLines(active, StandardCharsets.UTF_8);
                }
            }
            int port = Integer.parseInt(lines.getFirst().trim());
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> list = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
                    HttpResponse.BodyHandlers.ofString());
            String ws = null;
            for (JsonNode target : Json.mapper().readTree(list.body())) {
                if ("page".equals(target.path("type").asText())) {
                    ws = target.path("webSocketDebuggerUrl").asText();
                    break;
                }
            }
            if (ws == null) {
                throw new IllegalArgumentException("Chromium at " + chromium + " lists no page to attach to");
            }
            DevToolsPage[] self = new DevToolsPage[1];
            WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create(ws), new WebSocket.Listener() {
                private final StringBuilder text = new StringBuilder();

                @Override
                public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                    text.append(data);
                    if (last) {
                        String message = text.toString();
                        text.setLength(0);
                        self[0].answer(message);
                    }
                    w.request(1);
                    return null;
                }
            }).get(START.toSeconds(), TimeUnit.SECONDS);
            self[0] = new DevToolsPage(p, profile, socket);
            return self[0];
        } catch (ExecutionException | TimeoutException e) {
            p.destroyForcibly();
            delete(profile);
            throw new IllegalArgumentException("could not attach to Chromium's DevTools: " + e.getMessage());
        } catch (IOException | InterruptedException | RuntimeException e) {
            p.destroyForcibly();
            delete(profile);
            throw e;
        }
    }

    private void answer(String message) {
        try {
            JsonNode m = Json.mapper().readTree(message);
            if (m.has("id")) {
                CompletableFuture<JsonNode> f = pending.remove(m.get("id").asInt());
                if (f != null) {
                    f.complete(m);
                }
            }
        } catch (IOException e) {
            // an event we cannot parse is not ours to answer
        }
    }

    /** Sends one command and waits for its answer's {@code result}. */
    private JsonNode command(String method, Map<String, Object> params, Duration timeout) throws IOException, InterruptedException {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        pending.put(id, f);
        ObjectNode c = Json.mapper().createObjectNode();
        c.put("id", id);
        c.put("method", method);
        c.set("params", Json.mapper().valueToTree(params));
        socket.sendText(Json.mapper().writeValueAsString(c), true);
        JsonNode m;
        try {
            m = f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            pending.remove(id);
            throw new IllegalArgumentException("Chromium did not answer " + method + " within " + timeout.toSeconds() + " s");
        }
        if (m.has("error")) {
            throw new IllegalArgumentException("Chromium refused " + method + ": " + m.get("error").path("message").asText());
        }
        return m.path("result");
    }

    /** Opens an address in the page (returns once navigation has started; wait for what the page writes with {@link #waitFor}). */
    void navigate(URI url) throws IOException, InterruptedException {
        JsonNode r = command("Page.navigate", Map.of("url", url.toString()), START);
        if (r.hasNonNull("errorText")) {
            throw new IllegalArgumentException("Chromium could not open " + url + ": " + r.get("errorText").asText());
        }
    }

    /**
     * The value of a JavaScript expression in the page (a promise is awaited), as JSON.
     *
     * @throws IllegalArgumentException when the expression throws (with the page's message) or the page does not answer in time
     */
    JsonNode evaluate(String expression, Duration timeout) throws IOException, InterruptedException {
        JsonNode r = command("Runtime.evaluate", Map.of("expression", expression, "awaitPromise", true, "returnByValue", true,
                "timeout", timeout.toMillis()), timeout.plusSeconds(5));
        if (r.has("exceptionDetails")) {
            JsonNode d = r.get("exceptionDetails");
            throw new IllegalArgumentException("the page threw: " + d.path("exception").path("description").asText(d.path("text").asText()));
        }
        return r.path("result").path("value");
    }

    /**
     * Polls an expression every 100 ms until it gives a non-empty string, and returns that string.
     *
     * @throws IllegalArgumentException when it has not within {@code timeout}; {@code what} names the wait in the sentence
     */
    String waitFor(String expression, Duration timeout, String what) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "the page never showed it";
        while (System.nanoTime() < deadline) {
            try {
                JsonNode v = evaluate(expression, Duration.ofSeconds(30));
                if (v.isTextual() && !v.asText().isEmpty()) {
                    return v.asText();
                }
            } catch (IllegalArgumentException e) {
                last = e.getMessage(); // e.g. the page is between two documents while it navigates
            }
            Thread.sleep(100);
        }
        throw new IllegalArgumentException("waited " + timeout.toSeconds() + " s for " + what + " in Chromium; " + last);
    }

    @Override
    public void close() {
        socket.abort();
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        delete(profile);
    }

    private static void delete(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // best effort: a temporary profile
        }
    }
}
