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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;
import saelab.intervene.EditOperation;
import saelab.intervene.EditTokens;
import saelab.intervene.ErrorPolicy;
import saelab.intervene.LatentEdit;
import saelab.intervene.VlmAsk;
import saelab.io.Json;
import saelab.lm.AnswerTally;
import saelab.lm.SamplingOptions;
import saelab.lm.llava.AnswerSampling;
import saelab.plot.ImageGrid;

/**
 * The VLM dashboard's API (dashboard 4). Sampling takes seconds to minutes, so a request starts a job that the page polls:
 * <pre>
 * GET  /api/vlm                               the run's VLMs: images, d_sae, the latents concepts name
 * GET  /api/vlm/{backbone}/images/{i}.png     image i as the vision tower sees it
 * POST /api/vlm/{backbone}/ask                an {@link AskRequest}: starts a job, answers {"job": id}
 * GET  /api/vlm/jobs/{id}                     state (queued, running, done, cancelled, failed), answers done of total,
 *                                             rate and time left; when done the top answers before and after
 * POST /api/vlm/jobs/{id}/cancel              stops the job after the batch being decoded
 * </pre>
 * Jobs run one at a time, through {@link VlmAsk} (the same seeds before and after the edit, the SAE's error kept).
 */
final class VlmApi implements AutoCloseable {

    /** Answers listed per side. */
    static final int TOP = 5;
    /** Jobs remembered (the oldest finished ones are forgotten). */
    static final int KEPT_JOBS = 64;
    /** Longest answer, in tokens. */
    static final int MAX_NEW_TOKENS = 8;

    private static final ObjectMapper STRICT = Json.mapper().copy().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    /** One sampling job. */
    static final class Job {
        final String id;
        final int total;
        final AtomicInteger done = new AtomicInteger();
        final AtomicBoolean cancel = new AtomicBoolean();
        final AtomicLong started = new AtomicLong();
        volatile String state = "queued";
        volatile Map<String, Object> result;
        volatile String error;

        Job(String id, int total) {
            this.id = id;
            this.total = total;
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("job", id);
            m.put("state", state);
            m.put("done", done.get());
            m.put("total", total);
            long t0 = started.get();
            double seconds = t0 == 0 ? 0 : (System.nanoTime() - t0) / 1e9;
            double rate = seconds > 0 ? done.get() / seconds : 0;
            m.put("answers_per_second", rate);
            m.put("seconds_left", rate > 0 && state.equals("running") ? (total - done.get()) / rate : null);
            m.put("error", error);
            m.put("result", result);
            return m;
        }
    }

    private final Map<String, ServedRun.Vlm> specs = new LinkedHashMap<>();
    private final Map<String, VlmBench> benches = new ConcurrentHashMap<>();
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final List<String> order = new ArrayList<>();
    private final AtomicLong nextJob = new AtomicLong(1);
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "saelab-vlm-sampling");
        t.setDaemon(true);
        return t;
    });

    VlmApi(List<ServedRun.Vlm> vlms) {
        for (ServedRun.Vlm v : vlms) {
            specs.put(v.backbone(), v);
        }
    }

    void register(RoutesConfig routes) {
        routes.get("/api/vlm", ctx -> ctx.json(list()));
        routes.get("/api/vlm/jobs/{job}", ctx -> ctx.json(job(ctx).json()));
        routes.post("/api/vlm/jobs/{job}/cancel", ctx -> {
            Job j = job(ctx);
            j.cancel.set(true);
            if (j.state.equals("queued")) {
                j.state = "cancelled";
            }
            ctx.json(j.json());
        });
        routes.get("/api/vlm/{backbone}/images/{image}", ctx -> {
            String file = ctx.pathParam("image");
            if (!file.matches("[0-9]{1,9}\\.png")) {
                throw new NotFoundResponse("no such image '" + Params.printable(file) + "'; expected INDEX.png");
            }
            VlmBench b = bench(ctx);
            int i = Integer.parseInt(file.substring(0, file.length() - 4));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            synchronized (b.lock()) {
                ImageIO.write(ImageGrid.toBuffered(b.view(i)), "png", out);
            }
            ctx.contentType("image/png").header("Cache-Control", "max-age=3600").result(out.toByteArray());
        });
        routes.post("/api/vlm/{backbone}/ask", ctx -> {
            VlmBench b = bench(ctx);
            AskRequest req;
            try {
                req = STRICT.readValue(ctx.bodyAsBytes(), AskRequest.class);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalArgumentException("the ask request is not valid: " + Json.describe(e));
            }
            if (req == null) {
                throw new IllegalArgumentException("the ask request is empty; expected {\"image\", \"question\", \"samples\", \"temperature\", ...}");
            }
            req.check(b.sae().config().dSae());
            if (req.image() < 0 || req.image() >= b.images()) {
                throw new IllegalArgumentException("field 'image' is " + req.image() + "; expected 0.." + (b.images() - 1));
            }
            ctx.json(submit(b, req).json());
        });
    }

    /**
     * The address query of a showcase view, or null when the run has no VLM: image 0 of the first VLM, "describe the
     * image.", 32 answers at temperature 1, and a swap edit: the latent named after the image's class suppressed, the
     * latent of another class of the same concept family set to 3 × its maximum (as the VLM protocol's swap edit).
     */
    String showcase() throws IOException {
        for (ServedRun.Vlm v : specs.values()) {
            VlmBench b = bench(v.backbone());
            String q = "backbone=" + v.backbone() + "&image=0&q=describe%20the%20image.&n=32&t=1&seed=0&run=1";
            String label = b.label(0);
            VlmBench.NamedLatent own = null;
            for (VlmBench.NamedLatent l : b.named()) {
                if (l.name().equals(label) && (own == null || l.f1() > own.f1())) {
                    own = l;
                }
            }
            if (own == null) {
                return q;
            }
            for (VlmBench.NamedLatent l : b.named()) {
                if (l.family().equals(own.family()) && l.latent() != own.latent()) {
                    return q + "&latents=" + own.latent() + "," + l.latent() + "&values=0,3";
                }
            }
            return q + "&latents=" + own.latent() + "&values=0";
        }
        return null;
    }

    private Job submit(VlmBench b, AskRequest req) {
        Job j = new Job(Long.toString(nextJob.getAndIncrement()), req.samples() * (req.edits() ? 2 : 1));
        synchronized (order) {
            order.add(j.id);
            while (order.size() > KEPT_JOBS) {
                jobs.remove(order.removeFirst());
            }
        }
        jobs.put(j.id, j);
        worker.submit(() -> run(b, req, j));
        return j;
    }

    private void run(VlmBench b, AskRequest req, Job j) {
        if (j.cancel.get()) {
            j.state = "cancelled";
            return;
        }
        j.state = "running";
        j.started.set(System.nanoTime());
        try {
            synchronized (b.lock()) {
                LatentEdit edit = null;
                if (req.edits()) {
                    float[] amounts = new float[req.latents().length];
                    for (int k = 0; k < amounts.length; k++) {
                        amounts[k] = (float) (req.values()[k] * b.maximum(req.latents()[k]));
                    }
                    edit = new LatentEdit(null, EditTokens.allPatches(), req.latents(),
                            EditOperation.parse(req.operation(), "operation"), amounts, ErrorPolicy.KEEP);
                }
                AnswerSampling.Options o = new AnswerSampling.Options(req.samples(), SamplingOptions.sample(req.temperature(), req.seed()),
                        MAX_NEW_TOKENS, 16);
                VlmAsk.Result r = b.ask(req.image(), req.question(), o, edit, n -> {
                    j.done.addAndGet(n);
                    if (j.cancel.get()) {
                        throw new CancellationException("cancelled");
                    }
                });
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("before", r.before().top(TOP));
                m.put("before_distinct", r.before().distinct());
                m.put("after", r.after() == null ? null : r.after().top(TOP));
                m.put("after_distinct", r.after() == null ? null : r.after().distinct());
                m.put("changed_pairs", r.changedPairs());
                m.put("samples", req.samples());
                j.result = m;
                j.state = "done";
            }
        } catch (CancellationException e) {
            j.state = "cancelled";
        } catch (IllegalArgumentException | IOException e) {
            j.error = e.getMessage();
            j.state = "failed";
        } catch (RuntimeException e) {
            j.error = "sampling failed: " + e;
            j.state = "failed";
        }
    }

    private List<Map<String, Object>> list() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ServedRun.Vlm v : specs.values()) {
            VlmBench b = bench(v.backbone());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("backbone", v.backbone());
            m.put("images", b.images());
            m.put("d_sae", b.sae().config().dSae());
            m.put("family", b.family());
            m.put("latents", b.named());
            m.put("max_samples", AskRequest.MAX_SAMPLES);
            out.add(m);
        }
        return out;
    }

    private Job job(Context ctx) {
        String id = ctx.pathParam("job");
        Job j = jobs.get(id);
        if (j == null) {
            throw new NotFoundResponse("no sampling job '" + Params.printable(id) + "' (jobs are kept for the last " + KEPT_JOBS + " requests)");
        }
        return j;
    }

    private VlmBench bench(Context ctx) {
        String id = ctx.pathParam("backbone");
        if (!specs.containsKey(id)) {
            throw new NotFoundResponse("no VLM over backbone '" + Params.printable(id) + "' in this run; GET /api/vlm lists them");
        }
        return bench(id);
    }

    private VlmBench bench(String id) {
        return benches.computeIfAbsent(id, k -> {
            try {
                return VlmBench.load(specs.get(k));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Override
    public void close() {
        jobs.values().forEach(j -> j.cancel.set(true));
        worker.shutdownNow();
        benches.values().forEach(VlmBench::close);
        benches.clear();
    }
}
