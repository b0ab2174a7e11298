package saelab.web;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.imageio.ImageIO;
import saelab.heads.HeadKind;
import saelab.image.RgbImage;
import saelab.intervene.EditTokens;
import saelab.intervene.ErrorPolicy;
import saelab.intervene.ImageIntervention;
import saelab.intervene.InterventionResult;
import saelab.intervene.LatentEdit;
import saelab.intervene.Prediction;
import saelab.intervene.SpliceForm;
import saelab.io.Json;
import saelab.plot.ImageGrid;
import saelab.plot.ModelView;
import saelab.store.TokenLayout;

/**
 * The control dashboards' JSON API (segmentation, classification and zero-shot control share it; {@code {head}} is
 * {@code segment}, {@code classify} or {@code zeroshot}):
 * <pre>
 * GET  /api/control/{head}                                         backbones with such a head: classes, images, grid
 * GET  /api/control/{head}/{backbone}/images/{i}.png               image i as the model sees it (resized and cropped)
 * GET  /api/control/{head}/{backbone}/images/{i}[?classes=a|b|c]   the clean prediction (mask or class probabilities);
 *                                                                  zero-shot: typed class names instead of the run's
 * GET  /api/control/{head}/{backbone}/images/{i}/patches/{p}       the latents most active at patch p, very frequent ones masked
 * POST /api/control/{head}/{backbone}/images/{i}/edit              an {@link EditRequest}: the prediction after the edit
 * </pre>
 * Edits go through {@link ImageIntervention} (the exact delta splice, the SAE's error kept), so that the clean
 * prediction shown is the model's own and a slider move costs the edit, the blocks after the edit block and the head.
 */
final class ControlApi implements AutoCloseable {

    /** Latents firing on at least this share of patch tokens are left out of a patch's list (they fire everywhere). */
    static final double FREQUENT = 0.1;
    /** Latents listed per patch. */
    static final int PER_PATCH = 8;
    /** Classes listed for an image head. */
    static final int TOP_CLASSES = 8;

    private static final ObjectMapper STRICT = Json.mapper().copy().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private final Map<String, ServedRun.Bench> specs;
    private final Map<String, ControlBench> benches = new ConcurrentHashMap<>();

    ControlApi(List<ServedRun.Bench> specs) {
        this.specs = new LinkedHashMap<>();
        for (ServedRun.Bench s : specs) {
            this.specs.put(s.backbone(), s);
        }
    }

    void register(RoutesConfig routes) {
        routes.get("/api/control/{head}", ctx -> ctx.json(backbones(head(ctx))));
        routes.get("/api/control/{head}/{backbone}/images/{image}", ctx -> {
            String file = ctx.pathParam("image");
            HeadKind kind = head(ctx);
            ControlBench b = bench(ctx, kind);
            if (file.endsWith(".png")) {
                int i = parseIndex(file.substring(0, file.length() - 4), "image");
                byte[] png;
                synchronized (b.lock()) {
                    png = png(ModelView.of(b.preprocessor(), b.image(kind, i)));
                }
                ctx.contentType("image/png").header("Cache-Control", "max-age=3600").result(png);
                return;
            }
            int i = parseIndex(file, "image");
            List<String> typed = TypedClasses.parse(ctx.queryParam("classes"));
            synchronized (b.lock()) {
                ImageIntervention s = b.session(kind, i, typed);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("image", i);
                m.put("path", b.images(kind).paths().get(i));
                m.put("grid", new int[] {s.layout().gridH(), s.layout().gridW()});
                m.put("classes", s.classes());
                m.put("block", b.block());
                m.put("clean", prediction(s.clean(), s.classes(), null));
                ctx.json(m);
            }
        });
        routes.get("/api/control/{head}/{backbone}/images/{image}/patches/{patch}", ctx -> {
            HeadKind kind = head(ctx);
            ControlBench b = bench(ctx, kind);
            int i = parseIndex(ctx.pathParam("image"), "image");
            int p = parseIndex(ctx.pathParam("patch"), "patch");
            synchronized (b.lock()) {
                ctx.json(activeLatents(b, b.session(kind, i), p));
            }
        });
        routes.post("/api/control/{head}/{backbone}/images/{image}/edit", ctx -> {
            HeadKind kind = head(ctx);
            ControlBench b = bench(ctx, kind);
            int i = parseIndex(ctx.pathParam("image"), "image");
            EditRequest req;
            try {
                req = STRICT.readValue(ctx.bodyAsBytes(), EditRequest.class);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalArgumentException("the edit request is not valid: " + Json.describe(e));
            }
            if (req == null) {
                throw new IllegalArgumentException("the edit request is empty; expected {\"operation\", \"latents\", \"values\", \"patches\"}");
            }
            List<String> typed = TypedClasses.check(req.classes());
            synchronized (b.lock()) {
                ImageIntervention s = b.session(kind, i, typed);
                req.check(b.dSae(), s.layout());
                ctx.json(edit(s, req, b::maximum));
            }
        });
    }

    /**
     * The address query of a showcase view of a head's dashboard, or null when the run has no such head: image 0 of the
     * first backbone with the head, the latent named after the class the head predicts there (for segmentation the most
     * frequent class other than background) set to −2 × its maximum, the dose at which the demo's protocol shows the
     * colour latents' effect.
     */
    String showcase(HeadKind kind) throws IOException {
        for (ServedRun.Bench s : specs.values()) {
            if (!s.heads().containsKey(kind)) {
                continue;
            }
            ControlBench b = bench(s.backbone());
            String cls;
            synchronized (b.lock()) {
                ImageIntervention session = b.session(kind, 0);
                Prediction p = session.clean();
                cls = session.classes().get(p.mask() == null ? p.top() : frequentNonBackground(p.mask(), session.classes()));
            }
            String q = "backbone=" + s.backbone() + "&image=0";
            var latent = b.namedLatent(cls);
            return latent.isPresent() ? q + "&latents=" + latent.get() + "&values=-2" : q;
        }
        return null;
    }

    private static int frequentNonBackground(int[] mask, List<String> classes) {
        int[] counts = new int[classes.size()];
        for (int c : mask) {
            counts[c]++;
        }
        int best = 0;
        for (int c = 0; c < counts.length; c++) {
            boolean background = classes.get(c).equals("background");
            if (!background && (classes.get(best).equals("background") || counts[c] > counts[best])) {
                best = c;
            }
        }
        return best;
    }

    /**
     * Runs a checked edit request on an open image and builds the answer the page draws: the prediction after the edit
     * (with the clean one for reference), the patches whose class changed, and the amounts applied ({@code maximum}
     * gives a latent's maximum, the slider's unit). Also what {@link DashboardBenchmark} times in process.
     */
    static Map<String, Object> edit(ImageIntervention s, EditRequest req, java.util.function.IntToDoubleFunction maximum) {
        float[] amounts = new float[req.latents().length];
        for (int k = 0; k < amounts.length; k++) {
            amounts[k] = (float) (req.values()[k] * maximum.applyAsDouble(req.latents()[k]));
        }
        EditTokens tokens = req.allPatches() ? EditTokens.allPatches() : EditTokens.patches(req.patches());
        LatentEdit e = new LatentEdit(null, tokens, req.latents(), req.op(), amounts, ErrorPolicy.KEEP);
        InterventionResult r = s.apply(e, SpliceForm.DELTA);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("after", prediction(r.after(), r.classes(), r.before()));
        if (r.before().mask() != null) {
            List<Integer> changed = new ArrayList<>();
            for (int p = 0; p < r.before().mask().length; p++) {
                if (r.before().mask()[p] != r.after().mask()[p]) {
                    changed.add(p);
                }
            }
            m.put("changed", changed);
        }
        m.put("edited_tokens", r.editedTokens());
        m.put("max_delta_norm", r.maxDeltaNorm());
        m.put("amounts", amounts);
        return m;
    }

    /** A prediction as JSON: the mask of a segmentation head, or the top classes of an image head (with {@code ref}'s top too). */
    private static Map<String, Object> prediction(Prediction p, List<String> classes, Prediction ref) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (p.mask() != null) {
            m.put("mask", p.mask());
            return m;
        }
        Integer[] order = new Integer[p.classes()];
        for (int c = 0; c < order.length; c++) {
            order[c] = c;
        }
        Arrays.sort(order, Comparator.comparingDouble(c -> -Math.max(p.probabilities()[c], ref == null ? 0 : ref.probabilities()[c])));
        List<Map<String, Object>> top = new ArrayList<>();
        for (int k = 0; k < Math.min(TOP_CLASSES, order.length); k++) {
            int c = order[k];
            top.add(Map.of("class", c, "name", classes.get(c), "probability", p.probabilities()[c],
                    "before", ref == null ? p.probabilities()[c] : ref.probabilities()[c]));
        }
        m.put("top", top);
        m.put("best", p.top());
        return m;
    }

    private Map<String, Object> activeLatents(ControlBench b, ImageIntervention s, int patch) {
        TokenLayout layout = s.layout();
        if (patch >= layout.patches()) {
            throw new IllegalArgumentException("patch " + patch + " is outside 0.." + (layout.patches() - 1) + " of the "
                    + layout.gridH() + " x " + layout.gridW() + " grid");
        }
        int dSae = b.dSae();
        int[] all = new int[dSae];
        for (int l = 0; l < dSae; l++) {
            all[l] = l;
        }
        float[] codes = s.session().codes(all);
        int token = layout.firstPatch() + patch;
        var an = b.analysis();
        List<int[]> ranked = new ArrayList<>();
        int masked = 0;
        for (int l = 0; l < dSae; l++) {
            float v = codes[token * dSae + l];
            if (v <= 0) {
                continue;
            }
            int row = an.rowOf(l);
            if (row >= 0 && an.frequency(row) >= FREQUENT) {
                masked++;
                continue;
            }
            ranked.add(new int[] {l, Float.floatToIntBits(v)});
        }
        ranked.sort(Comparator.comparingDouble(x -> -Float.intBitsToFloat(x[1])));
        List<Map<String, Object>> out = new ArrayList<>();
        for (int k = 0; k < Math.min(PER_PATCH, ranked.size()); k++) {
            int l = ranked.get(k)[0];
            int row = an.rowOf(l);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("latent", l);
            m.put("value", Float.intBitsToFloat(ranked.get(k)[1]));
            m.put("max", b.maximum(l));
            m.put("frequency", row < 0 ? null : an.frequency(row));
            String set = specs.get(b.backbone()).featureSet();
            m.put("example", row < 0 || set == null ? null : "/api/sets/" + set + "/latents/" + l + "/top/0.png");
            out.add(m);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("patch", patch);
        m.put("latents", out);
        m.put("masked_frequent", masked);
        m.put("frequent_threshold", FREQUENT);
        return m;
    }

    private List<Map<String, Object>> backbones(HeadKind kind) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ServedRun.Bench s : specs.values()) {
            if (!s.heads().containsKey(kind)) {
                continue;
            }
            ControlBench b = bench(s.backbone());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("backbone", s.backbone());
            m.put("classes", b.head(kind).classes());
            m.put("images", b.images(kind).paths().size());
            m.put("block", b.block());
            m.put("d_sae", b.dSae());
            out.add(m);
        }
        return out;
    }

    private static HeadKind head(Context ctx) {
        String h = ctx.pathParam("head");
        for (HeadKind k : HeadKind.values()) {
            if (k.id().equals(h)) {
                return k;
            }
        }
        throw new NotFoundResponse("no control dashboard for head '" + Params.printable(h) + "'; expected segment, classify or zeroshot");
    }

    private ControlBench bench(Context ctx, HeadKind kind) {
        String id = ctx.pathParam("backbone");
        ServedRun.Bench s = specs.get(id);
        if (s == null || !s.heads().containsKey(kind)) {
            throw new NotFoundResponse("no backbone '" + Params.printable(id) + "' with a " + kind.id() + " head in this run; GET /api/control/"
                    + kind.id() + " lists them");
        }
        return bench(id);
    }

    private ControlBench bench(String id) {
        return benches.computeIfAbsent(id, k -> {
            try {
                return ControlBench.load(specs.get(k));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static int parseIndex(String v, String name) {
        if (!v.matches("[0-9]{1,9}")) {
            throw new IllegalArgumentException("path parameter '" + name + "' is '" + Params.printable(v) + "'; expected a non-negative integer");
        }
        return Integer.parseInt(v);
    }

    private static byte[] png(RgbImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(ImageGrid.toBuffered(image), "png", out);
        return out.toByteArray();
    }

    @Override
    public void close() {
        benches.values().forEach(ControlBench::close);
        benches.clear();
    }
}
