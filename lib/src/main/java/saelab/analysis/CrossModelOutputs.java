package saelab.analysis;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import saelab.io.AtomicFiles;
import saelab.io.Json;

/**
 * The files of a cross-model comparison ({@link CrossModelMatching}), each written atomically:
 * <ul>
 *   <li>{@code matches-a.csv} / {@code matches-b.csv}: latent, fires (units where it fired), best (its best match on the
 *       other side, −1 when it never fired), r, second_r (the runner-up's correlation), mutual (1 when the two are each
 *       other's best match);</li>
 *   <li>{@code summary.json}: units, latents and live latents of each side, mutual pairs, and for each threshold of
 *       {@link #THRESHOLDS} the share of each side's live latents whose best correlation is below it (no counterpart).</li>
 * </ul>
 */
public final class CrossModelOutputs {

    /** Thresholds at which "no counterpart" is counted. */
    public static final double[] THRESHOLDS = {0.3, 0.5, 0.7};

    private CrossModelOutputs() {}

    /**
     * Writes the files.
     *
     * @param names  what to call side A and side B in the summary (e.g. {@code clip-patch}, {@code dinov2-patch})
     * @param inputs the inputs, as recorded in the summary
     * @return the summary written
     */
    public static Map<String, Object> write(Path dir, CrossModelMatching.Result r, CrossModelMatching.Unit unit, String[] names,
                                            Map<String, Object> inputs) throws IOException {
        java.nio.file.Files.createDirectories(dir);
        List<CrossModelMatching.Match> a = new ArrayList<>();
        for (int i = 0; i < r.dA(); i++) {
            a.add(r.bestForA(i));
        }
        List<CrossModelMatching.Match> b = new ArrayList<>();
        for (int j = 0; j < r.dB(); j++) {
            b.add(r.bestForB(j));
        }
        AtomicFiles.writeString(dir.resolve("matches-a.csv"), csv(a, r.firesA(), b));
        AtomicFiles.writeString(dir.resolve("matches-b.csv"), csv(b, r.firesB(), a));
        int mutual = 0;
        for (CrossModelMatching.Match m : a) {
            if (m.other() >= 0 && b.get(m.other()).other() == m.latent()) {
                mutual++;
            }
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("format", "saelab-compare/1");
        s.put("unit", unit.name().toLowerCase(Locale.ROOT));
        s.put("units", r.units());
        s.put("inputs", inputs);
        s.put("a", side(names[0], a, r.firesA()));
        s.put("b", side(names[1], b, r.firesB()));
        s.put("mutual_pairs", mutual);
        s.put("definition", "Pearson correlation of two latents' codes over the shared units, zeros included; a live latent has no"
                + " counterpart at threshold t when its best correlation on the other side is below t");
        Json.write(dir.resolve("summary.json"), s);
        return s;
    }

    private static Map<String, Object> side(String name, List<CrossModelMatching.Match> matches, long[] fires) {
        int live = 0;
        for (long f : fires) {
            live += f > 0 ? 1 : 0;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("latents", fires.length);
        m.put("live", live);
        Map<String, Object> unmatched = new LinkedHashMap<>();
        for (double t : THRESHOLDS) {
            int n = 0;
            for (CrossModelMatching.Match x : matches) {
                if (fires[x.latent()] > 0 && !(x.r() >= t)) {
                    n++;
                }
            }
            unmatched.put(String.format(Locale.ROOT, "%.1f", t), live == 0 ? null : (double) n / live);
        }
        m.put("no_counterpart_share", unmatched);
        return m;
    }

    private static String csv(List<CrossModelMatching.Match> side, long[] fires, List<CrossModelMatching.Match> other) {
        StringBuilder sb = new StringBuilder("latent,fires,best,r,second_r,mutual\n");
        for (CrossModelMatching.Match m : side) {
            boolean mutual = m.other() >= 0 && other.get(m.other()).other() == m.latent();
            sb.append(m.latent()).append(',').append(fires[m.latent()]).append(',').append(m.other()).append(',')
                    .append(num(m.r())).append(',').append(num(m.second())).append(',').append(mutual ? 1 : 0).append('\n');
        }
        return sb.toString();
    }

    private static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6f", v) : "";
    }
}
