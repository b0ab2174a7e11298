package saelab.web;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import saelab.analysis.AnalysisIndex;
import saelab.analysis.AnalysisResult;
import saelab.analysis.LogHistogram;
import saelab.analysis.TopKLists;
import saelab.io.Json;
import saelab.sae.SaeCheckpoint;
import saelab.sae.SaeConfig;
import saelab.sae.SaeKind;

/**
 * Part 3 of the dashboards' benchmark: the feature map with many latents. A synthetic feature set is written the way
 * the real ones are ({@link SaeCheckpoint#write} of an SAE whose decoder rows are random unit directions, an analysis
 * folder through {@link AnalysisResult#write} whose frequencies are log-normal: log10 frequency N(−2.5, 0.7²) clipped
 * to [−5, −0.5], mean value when firing e^N(0, 0.5²), maximum 2 to 5 times the mean), served by a
 * {@link DashboardServer}, and the feature map page opened in Chromium with {@code bench=N} in its address, so that the
 * page times N redraws at different zoom transforms and hover look-ups itself (see {@code benchmark()} in
 * {@code js/feature-map.js}); the page is read through {@link DevToolsPage}.
 */
final class FeatureMapBenchmark {

    static final String SET = "synthetic";

    private FeatureMapBenchmark() {}

    /** Writes the synthetic set (SAE checkpoint and analysis folder) under {@code dir}. */
    static FeatureSet write(Path dir, int latents, int dModel, long seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        float[] wDec = new float[latents * dModel];
        for (int l = 0; l < latents; l++) {
            double norm = 0;
            for (int c = 0; c < dModel; c++) {
                float v = (float) r.nextGaussian();
                wDec[l * dModel + c] = v;
                norm += (double) v * v;
            }
            float inv = (float) (1 / Math.sqrt(norm));
            for (int c = 0; c < dModel; c++) {
                wDec[l * dModel + c] *= inv;
            }
        }
        SaeConfig cfg = SaeConfig.inference(SaeKind.RELU, dModel, latents, 0, "centered");
        Path sae = dir.resolve("sae.safetensors");
        SaeCheckpoint.write(sae, cfg, new SaeCheckpoint.Arrays(new float[dModel * latents], new float[latents], wDec, new float[dModel], null),
                Map.of("source", "saelab bench serve: random unit decoder directions"));

        long images = 10_000;
        int grid = 16;
        long patchTokens = images * grid * grid;
        long[] fires = new long[latents];
        double[] sum = new double[latents];
        float[] max = new float[latents];
        long[] clsFires = new long[latents];
        double[] clsSum = new double[latents];
        float[] clsMax = new float[latents];
        for (int l = 0; l < latents; l++) {
            double log10f = Math.clamp(-2.5 + 0.7 * r.nextGaussian(), -5, -0.5);
            fires[l] = Math.max(1, Math.round(Math.pow(10, log10f) * patchTokens));
            double mean = Math.exp(0.5 * r.nextGaussian());
            sum[l] = mean * fires[l];
            max[l] = (float) (mean * (2 + 3 * r.nextDouble()));
            clsFires[l] = Math.round(r.nextDouble() * Math.min(images, fires[l]));
            clsSum[l] = mean * clsFires[l];
            clsMax[l] = clsFires[l] == 0 ? 0 : max[l];
        }
        List<Integer> ids = new ArrayList<>(latents);
        for (int l = 0; l < latents; l++) {
            ids.add(l);
        }
        int k = 1;
        float[] values = new float[latents * k];
        int[] none = new int[latents * k];
        Arrays.fill(values, -1);
        Arrays.fill(none, -1);
        TopKLists.Sorted empty = new TopKLists.Sorted(values, none, none);
        List<Double> edges = Arrays.stream(LogHistogram.edges()).boxed().toList();
        AnalysisIndex index = new AnalysisIndex(AnalysisIndex.FORMAT, sae.getFileName().toString(), SaeKind.RELU.id(), latents, "synthetic",
                "none", "random unit decoder directions", 0, k, ids, images, grid * grid, grid, grid, true, patchTokens, images, edges,
                LogHistogram.BINS, 0, List.of());
        Path analysis = dir.resolve("analysis");
        new AnalysisResult(index, fires, sum, max, clsFires, clsSum, clsMax, new long[latents * LogHistogram.BINS], empty, empty, empty).write(analysis);
        return new FeatureSet(SET, "synthetic · " + latents + " random unit directions", sae, analysis, null, null, null, null);
    }

    /** Serves the set, opens the map in {@code page} and prints the figures. */
    static void run(DashboardServer server, DevToolsPage page, DashboardBenchmark.Options o, PrintStream out, List<Figure> figures)
            throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest get = HttpRequest.newBuilder(server.url().resolve("api/sets/" + SET + "/map")).header("Accept", "application/json").build();
        long t0 = System.nanoTime();
        HttpResponse<byte[]> first = http.send(get, HttpResponse.BodyHandlers.ofByteArray());
        double firstMs = (System.nanoTime() - t0) / 1e6;
        if (first.statusCode() != 200) {
            throw new IllegalStateException("GET /api/sets/" + SET + "/map answered " + first.statusCode() + ": " + new String(first.body(),
                    java.nio.charset.StandardCharsets.UTF_8));
        }
        add(figures, out, "first map request (loads the set: decoder rows, PCA" + (o.umapMax() > 0 ? ", UMAP of up to " + o.umapMax() : "")
                + "; then the JSON)", new double[] {firstMs});
        double[] again = new double[3];
        for (int i = 0; i < again.length; i++) {
            long s = System.nanoTime();
            http.send(get, HttpResponse.BodyHandlers.ofByteArray());
            again[i] = (System.nanoTime() - s) / 1e6;
        }
        add(figures, out, String.format(Locale.ROOT, "map request of the loaded set (%.1f MB of JSON)", first.body().length / 1e6), again);

        page.navigate(server.url().resolve("feature-map.html?set=" + SET + "&proj=pca&bench=" + o.redraws()));
        String json = page.waitFor("(document.body && document.body.dataset.bench) || ''", Duration.ofMinutes(5),
                "the feature map's benchmark figures");
        JsonNode b = Json.mapper().readTree(json);
        if (b.has("error")) {
            throw new IllegalStateException("the feature map's benchmark failed: " + b.get("error").asText());
        }
        out.printf(Locale.ROOT, "  page: %d latents drawn (PCA projection), canvas %d x %d CSS px at device pixel ratio %s, Chromium headless,"
                        + " software raster (--disable-gpu)%n", b.get("points").asInt(), b.get("width").asInt(), b.get("height").asInt(),
                b.get("ratio").asText());
        add(figures, out, "page opened to first map drawn (page, d3, map JSON, parse, first draw)", new double[] {b.get("first_draw_ms").asDouble()});
        add(figures, out, "redraw at a zoom transform (paint until its pixels are readable; scales 1, 2, 4, 8, 16, 0.5)",
                doubles(b.get("redraw_ms")));
        add(figures, out, "redraw of the whole map (scale 1; also what a hover that changes the hovered point costs)",
                doubles(b.get("full_view_ms")));
        add(figures, out, "hover index build (quadtree; once per set, projection, colour or window size, never per zoom step)",
                doubles(b.get("index_ms")));
        add(figures, out, String.format(Locale.ROOT, "hover look-up (quadtree find within 8 px at scales 1 and 8; mean of 10,000, %d hits)",
                b.get("hover_found").asInt()), new double[] {b.get("hover_find_ms").asDouble()});
    }

    private static double[] doubles(JsonNode a) {
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).asDouble();
        }
        return v;
    }

    private static void add(List<Figure> figures, PrintStream out, String what, double[] ms) {
        Figure f = new Figure(3, what, Timings.of(ms), LoadAverage.now());
        f.print(out);
        figures.add(f);
    }
}
