package saelab.web;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The feature map's JSON API (dashboard 1):
 * <pre>
 * GET /api/sets                                   the run's feature sets (id, label)
 * GET /api/sets/{set}/map                         every analysed latent: PCA and UMAP of its decoder direction, log10
 *                                                 frequency, log10 mean value, label entropy (columns)
 * GET /api/sets/{set}/latents/{latent}            one latent's page (numbers, histogram, concepts, nearest, top images)
 * GET /api/sets/{set}/latents/{latent}/top/{rank}.png   a top image with the latent's patch heatmap
 * </pre>
 * Sets load on first use (a few seconds for UMAP of a few thousand latents) and stay loaded.
 */
final class FeatureMapApi implements AutoCloseable {

    /** Nearest latents listed on a latent's page. */
    static final int NEAREST = 8;

    private final ServedRun run;
    private final int umapMax;
    private final Map<String, FeatureSetView> views = new ConcurrentHashMap<>();

    FeatureMapApi(ServedRun run, int umapMax) {
        this.run = run;
        this.umapMax = umapMax;
    }

    void register(RoutesConfig routes) {
        routes.get("/api/sets", ctx -> ctx.json(sets()));
        routes.get("/api/sets/{set}/map", ctx -> ctx.json(view(ctx).mapJson()));
        routes.get("/api/sets/{set}/latents/{latent}", ctx -> ctx.json(view(ctx).latentJson(Params.nonNegativeInt(ctx, "latent"), NEAREST)));
        routes.get("/api/sets/{set}/latents/{latent}/top/{file}", ctx -> {
            String file = ctx.pathParam("file");
            if (!file.matches("[0-9]{1,4}\\.png")) {
                throw new NotFoundResponse("no such image '" + file + "'; expected RANK.png");
            }
            int rank = Integer.parseInt(file.substring(0, file.length() - 4));
            byte[] png = view(ctx).tilePng(Params.nonNegativeInt(ctx, "latent"), rank);
            ctx.contentType("image/png").header("Cache-Control", "max-age=3600").result(png);
        });
    }

    /** The id of the run's first feature set. */
    String firstSetId() {
        if (run.featureSets().isEmpty()) {
            throw new IllegalArgumentException("the run " + run.name() + " has no analysed SAE to show");
        }
        return run.featureSets().getFirst().id();
    }

    private List<Map<String, Object>> sets() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (FeatureSet f : run.featureSets()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", f.id());
            m.put("label", f.label());
            out.add(m);
        }
        return out;
    }

    FeatureSetView view(Context ctx) {
        return view(ctx.pathParam("set"));
    }

    /** The loaded set {@code id}; NotFoundResponse when the run has none. */
    FeatureSetView view(String id) {
        FeatureSet set = run.featureSet(id).orElseThrow(() -> new NotFoundResponse("no feature set '" + Params.printable(id)
                + "' in this run; GET /api/sets lists them"));
        return views.computeIfAbsent(set.id(), k -> {
            try {
                return FeatureSetView.load(set, umapMax);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Override
    public void close() {
        views.values().forEach(FeatureSetView::close);
        views.clear();
    }
}
