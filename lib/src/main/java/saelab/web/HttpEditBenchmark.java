package saelab.web;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import saelab.heads.HeadKind;
import saelab.io.Json;

/**
 * Part 1 of the dashboards' benchmark: a slider move on a control dashboard as the page sends it, timed over loopback
 * HTTP against a running {@link DashboardServer} (the JDK's HTTP/1.1 client, one connection kept alive as a browser
 * does), and, when a {@link DevToolsPage} is given, the same slider moved in Chromium up to the redrawn answer.
 *
 * <p>Per head (segmentation, classification): the first request after the server starts (loads the backbone's bench:
 * model, SAE, analysis, heads, and opens image 0), the first request of each of a few new images (decode, preprocess,
 * the blocks up to the edit block, the clean prediction: {@code GET .../images/{i}}), then warm-up and timed edit
 * requests {@code {"operation": "set", "latents": [l], "values": [v]}} on all patches, v stepping through the slider's
 * positions (−20 to +20 × the latent's maximum in steps of 0.5, the page's {@code <input type=range>}); the latent is
 * the most active one at the first patch of image 0 that lists any (what a person picks from the patch list).
 */
final class HttpEditBenchmark {

    /** The slider's positions: −20 to +20 in steps of 0.5, as in control-common.js. */
    static double sliderValue(int i) {
        return -20 + (Math.floorMod(i, 81)) * 0.5;
    }

    private final URI server;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final DashboardBenchmark.Options o;
    private final PrintStream out;
    private final List<Figure> figures;

    HttpEditBenchmark(URI server, DashboardBenchmark.Options o, PrintStream out, List<Figure> figures) {
        this.server = server;
        this.o = o;
        this.out = out;
        this.figures = figures;
    }

    /** Times one head's dashboard; prints what it times and the figures, or one line saying the run has no such head. */
    void run(HeadKind kind, DevToolsPage page) throws IOException, InterruptedException {
        String head = kind.id();
        long t0 = System.nanoTime();
        JsonNode list = get("api/control/" + head);
        if (list.isEmpty()) {
            out.println("  " + head + ": this run has no " + head + " head; nothing timed");
            return;
        }
        JsonNode b = list.get(0);
        String backbone = b.get("backbone").asText();
        int images = b.get("images").asInt();
        String base = "api/control/" + head + "/" + backbone + "/images/";
        JsonNode clean = get(base + "0");
        double firstMs = (System.nanoTime() - t0) / 1e6;
        JsonNode grid = clean.get("grid");
        int patches = grid.get(0).asInt() * grid.get(1).asInt();
        int latent = -1;
        double max = 0;
        for (int p = 0; p < patches && latent < 0; p++) {
            JsonNode at = get(base + "0/patches/" + p).get("latents");
            if (!at.isEmpty()) {
                latent = at.get(0).get("latent").asInt();
                max = at.get(0).get("max").asDouble();
            }
        }
        if (latent < 0) {
            out.println("  " + head + ": no latent fires (below the frequent-latent mask) on any patch of image 0; nothing timed");
            return;
        }
        out.printf(Locale.ROOT, "  %s: backbone %s, edit block %d, d_sae %d, %d x %d patches, %d classes, image 0 of %d, latent %d (max %.3g)%n",
                head, backbone, b.get("block").asInt(), b.get("d_sae").asInt(), grid.get(0).asInt(), grid.get(1).asInt(),
                b.get("classes").size(), images, latent, max);
        add(head + " first request after start (loads the bench: model, SAE, analysis, heads; opens image 0)", new double[] {firstMs});

        int fresh = Math.min(o.newImages(), images - 1);
        if (fresh > 0) {
            double[] open = new double[fresh];
            for (int i = 0; i < fresh; i++) {
                long s = System.nanoTime();
                get(base + (i + 1));
                open[i] = (System.nanoTime() - s) / 1e6;
            }
            add(head + " new image (GET images/{i}: decode, preprocess, blocks up to the edit block, clean prediction)", open);
        }

        String edit = base + "0/edit";
        for (int i = 0; i < o.warmup(); i++) {
            post(edit, latent, sliderValue(i * 7));
        }
        double[] ms = new double[o.edits()];
        for (int i = 0; i < ms.length; i++) {
            long s = System.nanoTime();
            JsonNode answer = post(edit, latent, sliderValue(i));
            ms[i] = (System.nanoTime() - s) / 1e6;
            if (!answer.has("after")) {
                throw new IllegalStateException("the edit answer of " + edit + " has no 'after' field: " + answer);
            }
        }
        add(head + " slider edit over HTTP (POST images/0/edit, set 1 latent on all patches, -20..+20 x max in steps of 0.5)", ms);

        if (page != null) {
            browser(page, kind, backbone, latent);
        }
    }

    /**
     * The same slider moved in the page: its value set and an {@code input} event dispatched, timed up to the page's
     * {@code data-answered} mark (the answer received and the mask or bars drawn) and up to the next animation frame
     * after it (what a person sees).
     */
    private void browser(DevToolsPage page, HeadKind kind, String backbone, int latent) throws IOException, InterruptedException {
        String head = kind.id();
        page.navigate(server.resolve(head + "-control.html?backbone=" + backbone + "&image=0&latents=" + latent + "&values=0"));
        page.waitFor("(document.body && document.body.dataset.answered && document.querySelector('#edits input[type=range]')) ? 'ready' : ''",
                Duration.ofMinutes(2), "the " + head + " dashboard to show its first answer");
        String script = """
                (async () => {
                  const slider = document.querySelector('#edits input[type=range]');
                  const answered = [], frame = [];
                  const value = i => String(-20 + ((i % 81) + 81) % 81 * 0.5);
                  const move = async i => {
                    const before = document.body.dataset.answered;
                    const done = new Promise((resolve, reject) => {
                      const watch = new MutationObserver(() => {
                        if (document.body.dataset.state === 'error') { watch.disconnect(); reject(new Error(document.getElementById('error').textContent)); }
                        else if (document.body.dataset.answered !== before) { watch.disconnect(); resolve(); }
                      });
                      watch.observe(document.body, { attributes: true });
                    });
                    const t0 = performance.now();
                    slider.value = value(i);
                    slider.dispatchEvent(new Event('input'));
                    await done;
                    const t1 = performance.now();
                    await new Promise(r => requestAnimationFrame(() => r()));
                    return [t1 - t0, performance.now() - t0];
                  };
                  for (let i = 0; i < WARMUP; i++) await move(i * 7);
                  for (let i = 0; i < EDITS; i++) { const [a, f] = await move(i); answered.push(a); frame.push(f); }
                  return { answered, frame };
                })()
                """.replace("WARMUP", String.valueOf(o.warmup())).replace("EDITS", String.valueOf(o.edits()));
        JsonNode r = page.evaluate(script, Duration.ofMinutes(10));
        String what = kind == HeadKind.SEGMENT ? "mask" : "bars";
        add(head + " in Chromium, slider input to answer drawn (request, JSON, " + what + " redraw)", doubles(r.get("answered")));
        add(head + " in Chromium, slider input to the next animation frame after it", doubles(r.get("frame")));
    }

    private static double[] doubles(JsonNode a) {
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).asDouble();
        }
        return v;
    }

    private void add(String what, double[] ms) {
        Figure f = new Figure(1, what, Timings.of(ms), LoadAverage.now());
        f.print(out);
        figures.add(f);
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(server.resolve(path)).header("Accept", "application/json").GET().build());
    }

    private JsonNode post(String path, int latent, double value) throws IOException, InterruptedException {
        String body = "{\"operation\":\"set\",\"latents\":[" + latent + "],\"values\":[" + value + "]}";
        return send(HttpRequest.newBuilder(server.resolve(path)).header("Content-Type", "application/json")
                .header("Accept", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private JsonNode send(HttpRequest r) throws IOException, InterruptedException {
        HttpResponse<byte[]> a = http.send(r, HttpResponse.BodyHandlers.ofByteArray());
        JsonNode body = Json.mapper().readTree(a.body());
        if (a.statusCode() != 200) {
            throw new IllegalStateException(r.method() + " " + r.uri().getPath() + " answered " + a.statusCode() + ": "
                    + body.path("error").asText(""));
        }
        return body;
    }
}
