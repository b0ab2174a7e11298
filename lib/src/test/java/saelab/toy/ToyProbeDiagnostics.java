package saelab.toy;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import saelab.data.ToyWorld;
import saelab.data.ToyWorldObject;
import saelab.image.Preprocessor;
import saelab.model.LoadedModel;
import saelab.model.ModelLoader;

/**
 * A diagnostic main, not a test (issue 14: why does the largest object's shape probe at chance?). Prints held-out
 * linear probes ({@link LinearProbe}) of the largest object's colour, shape and texture, fitted on scenes
 * {@code [0, 2048)} and scored on {@code [8192, 9216)} of toy world seed 0, on two feature sets, and the shape
 * and texture probes split by the largest object's size and by the scene's object count. Modes:
 * <ul>
 *   <li>{@code folder DIR}: a trained toy backbone; the pooled CLS and the mean final patch token (as
 *       {@link ToyEvaluation}); with {@code -Dtoy.block=B} the raw CLS and mean patch of block B's output; with
 *       {@code -Dtoy.objectPooled=true} the final tokens (block B's raw output when {@code toy.block} is set too)
 *       averaged over the patches at least half covered by the largest object, and over the patches no object touches;</li>
 *   <li>{@code random clip|dinov2}: the same for an untrained model of the demo spec;</li>
 *   <li>{@code pixels}: raw pixels, as the mean 8x8 patch and an 8x8-pooled image;</li>
 *   <li>{@code masks P}: ground-truth silhouettes, the mean over P-pixel patches of the binary object mask (any
 *       object, and the largest object only).</li>
 * </ul>
 * Run it with the test classpath, e.g. {@code java -cp lib/target/test-classes:lib/target/classes:DEPS
 * saelab.toy.ToyProbeDiagnostics folder work/demo/...}.
 */
public final class ToyProbeDiagnostics {

    private ToyProbeDiagnostics() {}

    public static void main(String[] args) throws Exception {
        int image = Integer.getInteger("toy.image", 64);
        ToyWorld world = new ToyWorld(image, 1, 3, 0);
        ToyBackboneSpec spec = ToyBackboneSpec.demo(ToyBackboneKind.CLIP);
        TorchThreads threads = TorchThreads.set(1);
        Path scratch = null;
        try {
            Path dir;
            switch (args[0]) {
                case "folder" -> dir = Path.of(args[1]);
                case "random" -> {
                    ToyBackboneSpec s = ToyBackboneSpec.demo(ToyBackboneKind.parse(args[1]));
                    dir = Files.createTempDirectory("toy-random");
                    scratch = dir;
                    try (NDManager m = NDManager.newBaseManager(Device.cpu()); ToySetup setup = ToySetup.prepare(dir, s, world, m)) {
                        setup.saveWeights(dir);
                    }
                }
                case "masks" -> {
                    int p = Integer.parseInt(args[1]);
                    double[][][] tr = maskFeatures(world, 0, ToyEvaluation.PROBE_TRAIN_MAX, p);
                    double[][][] te = maskFeatures(world, spec.trainImages(), 1024, p);
                    report("object masks, patch " + p + ": mean over patches of the binary object mask (all objects | largest only)", tr[0], tr[1],
                            largest(world, 0, ToyEvaluation.PROBE_TRAIN_MAX), te[0], te[1], largest(world, spec.trainImages(), 1024),
                            counts(world, spec.trainImages(), 1024));
                    return;
                }
                case "pixels" -> {
                    pixels(world, spec);
                    return;
                }
                default -> throw new IllegalArgumentException("expected folder DIR, random KIND or pixels");
            }
            ToyData data = new ToyData(world, Preprocessor.load(dir));
            try (LoadedModel model = ModelLoader.load(dir)) {
                if (Boolean.getBoolean("toy.objectPooled")) {
                    double[][][] tr = objectPooled(model, data, world, 0, ToyEvaluation.PROBE_TRAIN_MAX);
                    double[][][] te = objectPooled(model, data, world, spec.trainImages(), 1024);
                    report(args[args.length - 1] + " final tokens pooled over the largest object's patches (CLS column) | over background"
                            + " patches", tr[0], tr[1], largest(world, 0, ToyEvaluation.PROBE_TRAIN_MAX), te[0], te[1],
                            largest(world, spec.trainImages(), 1024), counts(world, spec.trainImages(), 1024));
                    return;
                }
                Integer block = Integer.getInteger("toy.block");
                if (block != null) {
                    double[][][] tr = blockFeatures(model, data, 0, ToyEvaluation.PROBE_TRAIN_MAX, block);
                    double[][][] te = blockFeatures(model, data, spec.trainImages(), 1024, block);
                    report(args[args.length - 1] + " block " + block + " (raw residual: CLS | mean patch)", tr[0], tr[1],
                            largest(world, 0, ToyEvaluation.PROBE_TRAIN_MAX), te[0], te[1], largest(world, spec.trainImages(), 1024),
                            counts(world, spec.trainImages(), 1024));
                    return;
                }
                ToyEvaluation.Features train = ToyEvaluation.features(model, data, 0, ToyEvaluation.PROBE_TRAIN_MAX);
                ToyEvaluation.Features test = ToyEvaluation.features(model, data, spec.trainImages(), 1024);
                report(args[0] + " " + args[args.length - 1], train.cls(), train.meanPatch(), train.largest(), test.cls(), test.meanPatch(),
                        test.largest(), counts(world, spec.trainImages(), 1024));
            }
        } finally {
            threads.restore();
            if (scratch != null) {
                saelab.io.FileTrees.deleteTree(scratch);
            }
        }
    }

    /**
     * The mean final patch token over the patches at least half covered by the largest object (the most covered
     * patch when none is), and over the patches no object touches (all patches when every one is touched).
     */
    private static double[][][] objectPooled(LoadedModel model, ToyData data, ToyWorld world, int from, int n) {
        double[][] obj = new double[n][];
        double[][] bg = new double[n][];
        for (int start = 0; start < n; start += 128) {
            int k = Math.min(128, n - start);
            ToyBatch batch = data.range(from + start, k);
            try (NDManager m = NDManager.newBaseManager()) {
                var pixels = m.create(batch.pixels().values(), new ai.djl.ndarray.types.Shape(batch.pixels().shape()));
                Integer pooledBlock = Integer.getInteger("toy.block"); // the block's raw output, or the final tokens
                var h = pooledBlock == null ? model.vision().forward(pixels).lastHiddenState()
                        : model.vision().forward(pixels, java.util.Set.of(pooledBlock)).blocks().get(pooledBlock);
                long t = h.getShape().get(1);
                long d = h.getShape().get(2);
                float[] all = h.toFloatArray();
                for (int i = 0; i < k; i++) {
                    var sc = world.scene(from + start + i);
                    int s = sc.size();
                    int g = (int) Math.round(Math.sqrt(t - 1));
                    int p = s / g;
                    int want = sc.largest() + 1;
                    double[] cover = new double[g * g];
                    boolean[] touched = new boolean[g * g];
                    for (int y = 0; y < s; y++) {
                        for (int x = 0; x < s; x++) {
                            int inst = sc.instanceMask()[y * s + x] & 0xFF;
                            int q = (y / p) * g + x / p;
                            cover[q] += inst == want ? 1.0 / (p * p) : 0;
                            touched[q] |= inst != 0;
                        }
                    }
                    int best = 0;
                    for (int q = 1; q < g * g; q++) {
                        best = cover[q] > cover[best] ? q : best;
                    }
                    double[] o = new double[(int) d];
                    double[] b = new double[(int) d];
                    int no = 0;
                    int nb = 0;
                    boolean anyFree = false;
                    for (int q = 0; q < g * g; q++) {
                        anyFree |= !touched[q];
                    }
                    for (int q = 0; q < g * g; q++) {
                        boolean inObj = cover[q] >= 0.5 || (cover[best] < 0.5 && q == best);
                        boolean inBg = !anyFree || !touched[q];
                        for (int j = 0; j < d; j++) {
                            float v = all[(int) ((i * t + 1 + q) * d + j)];
                            if (inObj) {
                                o[j] += v;
                            }
                            if (inBg) {
                                b[j] += v;
                            }
                        }
                        no += inObj ? 1 : 0;
                        nb += inBg ? 1 : 0;
                    }
                    for (int j = 0; j < d; j++) {
                        o[j] /= no;
                        b[j] /= nb;
                    }
                    obj[start + i] = o;
                    bg[start + i] = b;
                }
            }
        }
        return new double[][][] {obj, bg};
    }

    /** The CLS token and the mean patch token of block {@code block}'s output. */
    private static double[][][] blockFeatures(LoadedModel model, ToyData data, int from, int n, int block) {
        double[][] cls = new double[n][];
        double[][] mean = new double[n][];
        for (int start = 0; start < n; start += 128) {
            int k = Math.min(128, n - start);
            ToyBatch batch = data.range(from + start, k);
            try (NDManager m = NDManager.newBaseManager()) {
                var pixels = m.create(batch.pixels().values(), new ai.djl.ndarray.types.Shape(batch.pixels().shape()));
                var out = model.vision().forward(pixels, java.util.Set.of(block));
                var h = out.blocks().get(block);
                long d = h.getShape().get(2);
                float[] c = h.get(new ai.djl.ndarray.index.NDIndex(":, 0, :")).toFloatArray();
                float[] p = h.get(new ai.djl.ndarray.index.NDIndex(":, 1:, :")).mean(new int[] {1}).toFloatArray();
                for (int i = 0; i < k; i++) {
                    cls[start + i] = new double[(int) d];
                    mean[start + i] = new double[(int) d];
                    for (int j = 0; j < d; j++) {
                        cls[start + i][j] = c[(int) (i * d + j)];
                        mean[start + i][j] = p[(int) (i * d + j)];
                    }
                }
            }
        }
        return new double[][][] {cls, mean};
    }

    /** Ground-truth silhouettes: the mean over patches of each patch's binary mask (any object | the largest object). */
    private static double[][][] maskFeatures(ToyWorld world, int from, int n, int p) {
        double[][] all = new double[n][];
        double[][] big = new double[n][];
        for (int i = 0; i < n; i++) {
            var sc = world.scene(from + i);
            int s = sc.size();
            int g = s / p;
            double[] a = new double[p * p];
            double[] b = new double[p * p];
            int want = sc.largest() + 1;
            for (int y = 0; y < s; y++) {
                for (int x = 0; x < s; x++) {
                    int inst = sc.instanceMask()[y * s + x] & 0xFF;
                    a[(y % p) * p + (x % p)] += inst != 0 ? 1.0 / (g * g) : 0;
                    b[(y % p) * p + (x % p)] += inst == want ? 1.0 / (g * g) : 0;
                }
            }
            all[i] = a;
            big[i] = b;
        }
        return new double[][][] {all, big};
    }

    /** Raw pixels: the mean of the 8x8 patches' pixels (192 values) and a 4x4-pooled image. */
    private static void pixels(ToyWorld world, ToyBackboneSpec spec) {
        int trainN = ToyEvaluation.PROBE_TRAIN_MAX;
        int testN = 1024;
        double[][][] tr = pixelFeatures(world, 0, trainN);
        double[][][] te = pixelFeatures(world, spec.trainImages(), testN);
        report("pixels (mean 8x8 patch | 8x8-pooled image)", tr[0], tr[1], largest(world, 0, trainN), te[0], te[1],
                largest(world, spec.trainImages(), testN), counts(world, spec.trainImages(), testN));
    }

    private static double[][][] pixelFeatures(ToyWorld world, int from, int n) {
        double[][] meanPatch = new double[n][];
        double[][] pooled = new double[n][];
        for (int i = 0; i < n; i++) {
            var sc = world.scene(from + i);
            int s = sc.size();
            double[] mp = new double[3 * 64];
            int g = s / 8;
            double[] pool = new double[3 * g * g];
            for (int y = 0; y < s; y++) {
                for (int x = 0; x < s; x++) {
                    int c = sc.pixel(x, y);
                    for (int ch = 0; ch < 3; ch++) {
                        double v = ((c >> (16 - 8 * ch)) & 0xFF) / 255.0;
                        mp[ch * 64 + (y % 8) * 8 + (x % 8)] += v / (g * g);
                        pool[ch * g * g + (y / 8) * g + (x / 8)] += v / 64;
                    }
                }
            }
            meanPatch[i] = mp;
            pooled[i] = pool;
        }
        return new double[][][] {meanPatch, pooled};
    }

    private static List<ToyWorldObject> largest(ToyWorld world, int from, int n) {
        List<ToyWorldObject> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(world.scene(from + i).largestObject());
        }
        return out;
    }

    private static int[] counts(ToyWorld world, int from, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = world.scene(from + i).objects().size();
        }
        return out;
    }

    private static void report(String name, double[][] trCls, double[][] trMean, List<ToyWorldObject> trL, double[][] teCls, double[][] teMean,
                               List<ToyWorldObject> teL, int[] teCount) {
        System.out.println("== " + name + "  (first feature set = CLS, second = mean patch)");
        String[] attrs = {"colour", "shape", "texture"};
        for (String a : attrs) {
            int[] trY = trL.stream().mapToInt(o -> attr(o, a)).toArray();
            int[] teY = teL.stream().mapToInt(o -> attr(o, a)).toArray();
            LinearProbe.Result c = LinearProbe.fitAndScore(trCls, trY, teCls, teY);
            LinearProbe.Result m = LinearProbe.fitAndScore(trMean, trY, teMean, teY);
            System.out.printf(Locale.ROOT, "%-8s CLS %.3f  mean %.3f  chance %.3f%n", a, c.accuracy(), m.accuracy(), c.chance());
        }
        for (String a : new String[] {"shape", "texture"}) {
            int[] trY = trL.stream().mapToInt(o -> attr(o, a)).toArray();
            for (var size : saelab.data.ToyWorldSize.values()) {
                sub(a + " | largest " + size.word(), trCls, trMean, trY, teCls, teMean, teL, a, i -> teL.get(i).size() == size);
            }
            for (int k = 1; k <= 3; k++) {
                int kk = k;
                sub(a + " | " + k + " object(s)", trCls, trMean, trY, teCls, teMean, teL, a, i -> teCount[i] == kk);
            }
        }
    }

    private static void sub(String label, double[][] trCls, double[][] trMean, int[] trY, double[][] teCls, double[][] teMean,
                            List<ToyWorldObject> teL, String a, Predicate<Integer> keep) {
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < teL.size(); i++) {
            if (keep.test(i)) {
                idx.add(i);
            }
        }
        double[][] c = idx.stream().map(i -> teCls[i]).toArray(double[][]::new);
        double[][] m = idx.stream().map(i -> teMean[i]).toArray(double[][]::new);
        int[] y = idx.stream().mapToInt(i -> attr(teL.get(i), a)).toArray();
        LinearProbe.Result rc = LinearProbe.fitAndScore(trCls, trY, c, y);
        LinearProbe.Result rm = LinearProbe.fitAndScore(trMean, trY, m, y);
        System.out.printf(Locale.ROOT, "  %-26s n=%4d  CLS %.3f  mean %.3f  (majority %.3f)%n", label, idx.size(), rc.accuracy(), rm.accuracy(),
                rc.chance());
    }

    private static int attr(ToyWorldObject o, String a) {
        return switch (a) {
            case "colour" -> o.colour().ordinal();
            case "shape" -> o.shape().ordinal();
            default -> o.texture().ordinal();
        };
    }
}
