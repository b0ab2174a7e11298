package saelab.web;

import com.fasterxml.jackson.databind.SerializationFeature;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import saelab.io.Json;

/**
 * The dashboards' web server: Javalin on the loopback interface only, the JSON API of each dashboard and the static
 * pages ({@code /saelab/web/static} on the classpath, d3 from its WebJar under {@code /webjars/}).
 *
 * <p>Security, for a server that reads local files on behalf of a browser: it binds 127.0.0.1 only; a request whose
 * {@code Host} header is not a loopback name (127.0.0.1, localhost, [::1]) is refused (DNS rebinding); no CORS headers
 * are ever sent, so other origins cannot read answers; a body is read only when its {@code Content-Type} is JSON (a
 * cross-site form cannot send one without a CORS preflight the server never grants) and at most
 * {@link #MAX_BODY_BYTES}; every answer carries a strict content security policy (scripts, styles, images and
 * requests from this origin only, no inline script, no framing); images are addressed by index in the run's own
 * outputs, never by path. Errors are JSON {@code {"error": "one sentence"}} with 400, 403, 404 or 500.
 */
public final class DashboardServer implements AutoCloseable {

    /** Largest request body accepted. */
    public static final long MAX_BODY_BYTES = 64 * 1024;
    /** The content security policy of every answer. */
    public static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static final Set<String> LOOPBACK_HOSTS = Set.of("127.0.0.1", "localhost", "[::1]");

    private final Javalin app;
    private final FeatureMapApi featureMap;
    private final ControlApi control;
    private final VlmApi vlm;

    private DashboardServer(Javalin app, FeatureMapApi featureMap, ControlApi control, VlmApi vlm) {
        this.app = app;
        this.featureMap = featureMap;
        this.control = control;
        this.vlm = vlm;
    }

    /**
     * Settings.
     *
     * @param port    the port on 127.0.0.1 (0: an ephemeral one)
     * @param umapMax at most this many latents per feature set get UMAP coordinates when a set's analysis has no map
     */
    public record Options(int port, int umapMax) {
        public Options {
            if (port < 0 || port > 65535 || umapMax < 0) {
                throw new IllegalArgumentException("port must be in 0..65535 and the UMAP limit >= 0; got " + port + " and " + umapMax);
            }
        }

        /** An ephemeral port, UMAP of up to 5,000 latents per set. */
        public static Options defaults() {
            return new Options(0, 5000);
        }
    }

    /** Starts a server over a run; {@link #url()} says where. */
    public static DashboardServer start(ServedRun run, Options o) {
        FeatureMapApi featureMap = new FeatureMapApi(run, o.umapMax());
        ControlApi control = new ControlApi(run.benches());
        VlmApi vlm = new VlmApi(run.vlms());
        Javalin app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            // compact JSON: a map of 25,000 latents is a few MB indented
            config.jsonMapper(new JavalinJackson(Json.mapper().copy().disable(SerializationFeature.INDENT_OUTPUT), false));
            config.http.maxRequestSize = MAX_BODY_BYTES;
            config.staticFiles.add(s -> {
                s.hostedPath = "/";
                s.directory = "/saelab/web/static";
                s.location = Location.CLASSPATH;
            });
            config.staticFiles.enableWebjars();
            config.routes.before(DashboardServer::guard);
            config.routes.get("/api/run", ctx -> ctx.json(Map.of("name", run.name())));
            featureMap.register(config.routes);
            control.register(config.routes);
            vlm.register(config.routes);
            config.routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), e.getMessage()));
            config.routes.exception(IllegalArgumentException.class, (e, ctx) -> error(ctx, 400, e.getMessage()));
            config.routes.exception(UncheckedIOException.class, (e, ctx) -> error(ctx, 500, e.getCause().getMessage()));
            config.routes.exception(Exception.class, (e, ctx) -> {
                Throwable root = e.getCause() instanceof IllegalArgumentException iae ? iae : e;
                int status = root instanceof IllegalArgumentException ? 400 : 500;
                error(ctx, status, root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage());
            });
            config.routes.error(404, ctx -> {
                if (ctx.result() == null) {
                    error(ctx, 404, "no page or API route at " + Params.printable(ctx.path()));
                }
            });
        });
        app.start("127.0.0.1", o.port());
        return new DashboardServer(app, featureMap, control, vlm);
    }

    /** The security checks and headers applied to every request (see the class comment). */
    private static void guard(Context ctx) {
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Referrer-Policy", "no-referrer");
        String host = ctx.header("Host");
        if (host == null || !LOOPBACK_HOSTS.contains(hostName(host))) {
            throw new ForbiddenResponse("Host header '" + Params.printable(String.valueOf(host))
                    + "' is not a loopback name; open the dashboards at http://127.0.0.1:PORT/");
        }
        String method = ctx.method().name();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            String type = ctx.contentType();
            if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
                throw new HttpResponseException(HttpStatus.UNSUPPORTED_MEDIA_TYPE.getCode(),
                        method + " " + Params.printable(ctx.path()) + " needs Content-Type application/json");
            }
            if (ctx.contentLength() > MAX_BODY_BYTES) {
                throw new HttpResponseException(HttpStatus.CONTENT_TOO_LARGE.getCode(), "the request body has " + ctx.contentLength()
                        + " bytes; at most " + MAX_BODY_BYTES + " are accepted");
            }
        }
    }

    /** The host part of a Host header ({@code name[:port]} or {@code [v6][:port]}), lower-cased. */
    static String hostName(String header) {
        String h = header.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? h : h.substring(0, end + 1);
        }
        int colon = h.indexOf(':');
        return colon < 0 ? h : h.substring(0, colon);
    }

    private static void error(Context ctx, int status, String message) {
        ctx.status(status).json(Map.of("error", message == null ? "error " + status : message));
    }

    /**
     * The addresses of the views worth a screenshot on this run, by file name: the feature map of the first feature set
     * with its showcase latent open, and each control dashboard the run has with its showcase edit
     * ({@code ControlApi.showcase}, {@code VlmApi.showcase}).
     */
    public Map<String, String> showcaseViews() throws java.io.IOException {
        FeatureSetView first = featureMap.view(featureMap.firstSetId());
        Map<String, String> views = new java.util.LinkedHashMap<>();
        views.put("feature-map.png", "feature-map.html?set=" + first.set().id() + "&latent=" + first.showcaseLatent());
        for (saelab.heads.HeadKind kind : saelab.heads.HeadKind.values()) {
            String q = control.showcase(kind);
            if (q != null) {
                views.put(kind.id() + "-control.png", kind.id() + "-control.html?" + q);
            }
        }
        String q = vlm.showcase();
        if (q != null) {
            views.put("vlm-control.png", "vlm-control.html?" + q);
        }
        return views;
    }

    /** The port on 127.0.0.1. */
    public int port() {
        return app.port();
    }

    /** The server's base URL, e.g. {@code http://127.0.0.1:41234/}. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + port() + "/");
    }

    @Override
    public void close() {
        app.stop();
        featureMap.close();
        control.close();
        vlm.close();
    }
}
