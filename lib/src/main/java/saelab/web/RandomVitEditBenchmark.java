package saelab.web;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import saelab.heads.HeadKind;
import saelab.heads.HeadProvenance;
import saelab.heads.LinearHead;
import saelab.heads.SegmentationHead;
import saelab.intervene.ImageIntervention;
import saelab.intervene.InterventionBenchmark;
import saelab.io.Json;
import saelab.model.ForwardBenchmark;
import saelab.model.VisionTower;
import saelab.sae.Sae;

/**
 * Part 2 of the dashboards' benchmark: what the server runs for one slider move of the segmentation dashboard, timed in
 * process on a ViT-B/14-shaped DINOv2 tower with random weights ({@link ForwardBenchmark#syntheticDinov2}), a random
 * ReLU SAE ({@link InterventionBenchmark#randomSae}) on the output of the block {@code rest} blocks before the last, and
 * a random linear segmentation head (N(0, 1/D) weights, as {@code saelab bench intervene}'s per-patch head): the
 * request checked ({@link EditRequest#check}), {@link ImageIntervention#apply} of a set edit of one latent on every
 * patch (delta splice, the SAE's error kept), the blocks after the edit block, the head, and the answer JSON built
 * ({@code ControlApi.edit}) and serialised compactly as the server does. HTTP (part 1) comes on top. Also the opening
 * of a new image: the blocks up to the edit block and the clean prediction (preprocessing of a decoded image excluded;
 * random pixels stand for it). The edited latent is the one most active on the image, and its unit (the slider's
 * "max") is its maximum there.
 */
final class RandomVitEditBenchmark {

    private static final ObjectWriter COMPACT = Json.mapper().writer().without(SerializationFeature.INDENT_OUTPUT);

    private RandomVitEditBenchmark() {}

    static void run(DashboardBenchmark.Options o, PrintStream out, List<Figure> figures) throws java.io.IOException {
        int block = o.layers() - 1 - o.rest();
        try (NDManager weights = NDManager.newBaseManager(Device.cpu())) {
            long t0 = System.nanoTime();
            VisionTower tower = ForwardBenchmark.syntheticDinov2(weights, o.width(), o.layers(), o.heads(), o.patch(), o.image(), o.seed());
            List<String> classes = new ArrayList<>();
            classes.add("background");
            for (int c = 1; c < o.classes(); c++) {
                classes.add("class " + c);
            }
            float[] w = weights.randomNormal(0f, (float) (1 / Math.sqrt(o.width())), new Shape(o.classes(), o.width()), DataType.FLOAT32)
                    .toFloatArray();
            HeadProvenance prov = new HeadProvenance(HeadKind.SEGMENT, "random ViT", null, null, null, null, block, o.width(), classes, 0,
                    null, null);
            SegmentationHead head = SegmentationHead.of(new LinearHead(w, new float[o.classes()], prov), tower);
            try (Sae sae = InterventionBenchmark.randomSae(o.width(), o.dSae(), weights)) {
                int grid = o.image() / o.patch();
                out.printf(Locale.ROOT, "  model: DINOv2-shaped ViT, random weights: width %d, %d blocks, %d heads, patch %d, %d px (%d x %d patches"
                                + " + CLS); ReLU SAE d_sae %d on block %d's output (%d block(s) after it); linear segmentation head, %d classes;"
                                + " libtorch threads %d; built in %.1f s%n", o.width(), o.layers(), o.heads(), o.patch(), o.image(), grid, grid,
                        o.dSae(), block, o.rest(), o.classes(), JniUtils.getNumThreads(), (System.nanoTime() - t0) / 1e9);
                ImageIntervention session = null;
                try {
                    int opens = Math.max(1, o.newImages());
                    double[] open = new double[opens];
                    for (int i = -1; i < opens; i++) { // one warm-up opening
                        long s = System.nanoTime();
                        ImageIntervention next = openRandomImage(tower, sae, block, head, o, i + 1);
                        if (i >= 0) {
                            open[i] = (System.nanoTime() - s) / 1e6;
                        }
                        if (session != null) {
                            session.close();
                        }
                        session = next;
                    }
                    add(figures, out, "new image (blocks 0.." + block + " and the clean prediction: blocks after it, head)", open);
                    int latent = mostActive(session, o.dSae());
                    double max = Math.max(maxCode(session, latent), 1e-6);
                    out.printf(Locale.ROOT, "  edited latent %d (most active on the image; its maximum there %.3g is the slider's unit)%n", latent, max);
                    for (int i = 0; i < o.warmup(); i++) {
                        move(session, latent, max, HttpEditBenchmark.sliderValue(i * 7), o.dSae());
                    }
                    double[] ms = new double[o.edits()];
                    for (int i = 0; i < ms.length; i++) {
                        long s = System.nanoTime();
                        move(session, latent, max, HttpEditBenchmark.sliderValue(i), o.dSae());
                        ms[i] = (System.nanoTime() - s) / 1e6;
                    }
                    add(figures, out, "slider move in process (check, edit on all patches, blocks " + (block + 1) + ".." + (o.layers() - 1)
                            + ", final norm, head, answer JSON; HTTP not included)", ms);
                } finally {
                    if (session != null) {
                        session.close();
                    }
                }
            }
        }
    }

    /** One image of random pixels opened as the server opens a decoded one (after preprocessing). */
    private static ImageIntervention openRandomImage(VisionTower tower, Sae sae, int block, SegmentationHead head, DashboardBenchmark.Options o,
                                                     int index) {
        try (NDManager nd = NDManager.newBaseManager(Device.cpu())) {
            nd.getEngine().setRandomSeed((int) (o.seed() + 1000 + index));
            NDArray pixels = nd.randomNormal(new Shape(1, 3, o.image(), o.image()));
            var outBlocks = tower.forwardBlocks(pixels, Set.of(block));
            return ImageIntervention.ofResidual(tower, sae, block, head, outBlocks.blocks().get(block), outBlocks.layout(), null);
        }
    }

    /** One slider position: what the server does for {@code POST .../edit}, up to the serialised answer. */
    private static byte[] move(ImageIntervention s, int latent, double max, double value, int dSae) throws java.io.IOException {
        EditRequest req = new EditRequest("set", new int[] {latent}, new double[] {value}, null, null).check(dSae, s.layout());
        Map<String, Object> answer = ControlApi.edit(s, req, l -> max);
        return COMPACT.writeValueAsBytes(answer);
    }

    /** The latent with the largest code on any token of the image. */
    private static int mostActive(ImageIntervention s, int dSae) {
        int[] all = new int[dSae];
        for (int l = 0; l < dSae; l++) {
            all[l] = l;
        }
        float[] codes = s.session().codes(all);
        int best = 0;
        float bestValue = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < codes.length; i++) {
            if (codes[i] > bestValue) {
                bestValue = codes[i];
                best = i % dSae;
            }
        }
        return best;
    }

    private static double maxCode(ImageIntervention s, int latent) {
        double m = 0;
        for (float v : s.session().codes(new int[] {latent})) {
            m = Math.max(m, v);
        }
        return m;
    }

    private static void add(List<Figure> figures, PrintStream out, String what, double[] ms) {
        Figure f = new Figure(2, what, Timings.of(ms), LoadAverage.now());
        f.print(out);
        figures.add(f);
    }
}
