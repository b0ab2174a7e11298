package saelab.demo;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.IntStream;
import saelab.analysis.AnalysisResult;
import saelab.analysis.RecordedLayer;
import saelab.heads.HeadKind;
import saelab.heads.LinearHead;
import saelab.heads.SegmentationHead;
import saelab.image.Preprocessor;
import saelab.intervene.EditOperation;
import saelab.intervene.EditSession;
import saelab.intervene.EditTokens;
import saelab.intervene.ErrorPolicy;
import saelab.intervene.LatentEdit;
import saelab.intervene.ProtocolImages;
import saelab.intervene.SpliceForm;
import saelab.io.Npy;
import saelab.model.LoadOptions;
import saelab.model.LoadedModel;
import saelab.model.ModelLoader;
import saelab.model.VisionOutput;
import saelab.sae.Sae;
import saelab.sae.SaeCheckpoint;
import saelab.store.TokenKind;
import saelab.store.TokenLayout;

/**
 * Why ablating one latent per colour flips few patches in the demo's segmentation control run (issue 14): on the held-out
 * world, for each colour, how strongly the chosen latent fires on the colour's patches (mean activation over its maximum),
 * its share of the token's SAE code mass there, and the target change rate when the top 1, 3, 5 or 10 latents by training
 * F1 for the colour are ablated together, and when every latent is (only the SAE's error and decoder bias left). Not a
 * test: a program over a finished {@code saelab demo} work folder.
 *
 * <pre>java -cp lib/target/test-classes:lib/target/classes:$(deps) saelab.demo.ToyControlDiagnostics work/demo [images]</pre>
 */
public final class ToyControlDiagnostics {

    private static final int[] TOP = {1, 3, 5, 10};

    private ToyControlDiagnostics() {}

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args.length > 0 ? args[0] : "work/demo");
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        DemoOutputs d = DemoOutputs.open(work);
        Path model = d.model("dinov2");
        Path saeFile = d.sae("dinov2", TokenKind.PATCHES);
        AnalysisResult an = AnalysisResult.read(d.analysis("dinov2", TokenKind.PATCHES));
        float[] f1 = Npy.readFloats(d.concepts("dinov2", TokenKind.PATCHES).resolve("concept_f1_colour.npy"), -1, -1);
        saelab.intervene.LatentMaxima maxima = saelab.intervene.LatentMaxima.of(an, "the analysis");
        int block = RecordedLayer.resolve(saeFile, null, "the edit block").layer();
        try (LoadedModel m = ModelLoader.load(model, new LoadOptions(Device.cpu(), DataType.FLOAT32, null));
             NDManager nd = NDManager.newBaseManager()) {
            Sae sae = SaeCheckpoint.read(saeFile, nd);
            int dSae = sae.config().dSae();
            SegmentationHead head = SegmentationHead.of(LinearHead.load(d.dir("heads-dinov2").resolve(HeadKind.SEGMENT.id() + ".safetensors")),
                    m.vision());
            int classes = head.classes().size();
            ProtocolImages images = ProtocolImages.open("ade20k:" + d.heldOutWorld().resolve(saelab.data.ToyWorldWriter.COLOUR_VIEW), "train",
                    Preprocessor.load(model), m.vision(), true, n);
            // latents of each colour ranked by training F1 (rows of concept_f1_colour.npy are the family's classes, none first)
            int[][] ranked = new int[classes][];
            for (int c = 1; c < classes; c++) {
                final int row = c;
                ranked[c] = IntStream.range(0, dSae).boxed().sorted(Comparator.comparingDouble(l -> -f1[row * dSae + l]))
                        .mapToInt(Integer::intValue).toArray();
            }
            int variants = TOP.length + 1;
            long[][] changed = new long[classes][variants];
            long[] target = new long[classes];
            double[] actSum = new double[classes];
            double[] shareSum = new double[classes];
            for (int i = 0; i < images.size(); i++) {
                ProtocolImages.Image img = images.load(i);
                try (NDManager s = nd.newSubManager()) {
                    var size = images.imageSize();
                    NDArray pixels = s.create(img.pixels(), new Shape(1, 3, size.height(), size.width()));
                    VisionOutput full = m.vision().forward(pixels, Set.of(block));
                    TokenLayout layout = full.layout();
                    int[] clean = saelab.intervene.ControlProtocol.argmax(head.logits(full, s).toFloatArray(), classes);
                    NDArray x = full.blocks().get(block);
                    NDArray codes = sae.encode(x.reshape(-1, m.vision().width()));
                    float[] code = codes.toFloatArray();
                    int first = layout.firstPatch();
                    int[] labels = img.patchLabels();
                    try (EditSession session = EditSession.ofResidual(m.vision(), sae, block, x.duplicate(), layout, new int[][] {labels})) {
                        for (int c = 1; c < classes; c++) {
                            int count = 0;
                            for (int p = 0; p < labels.length; p++) {
                                if (labels[p] == c) {
                                    count++;
                                    int row = (first + p) * dSae;
                                    float a = code[row + ranked[c][0]];
                                    double mass = 0;
                                    for (int l = 0; l < dSae; l++) {
                                        mass += code[row + l];
                                    }
                                    actSum[c] += a / maxima.of(ranked[c][0]);
                                    shareSum[c] += mass > 0 ? a / mass : 0;
                                }
                            }
                            if (count == 0) {
                                continue;
                            }
                            target[c] += count;
                            for (int v = 0; v < variants; v++) {
                                int[] latents = v < TOP.length ? Arrays.copyOf(ranked[c], TOP[v]) : IntStream.range(0, dSae).toArray();
                                LatentEdit e = new LatentEdit(null, EditTokens.ofClass(c), latents, EditOperation.ABLATE, new float[latents.length],
                                        ErrorPolicy.KEEP);
                                int[] after = saelab.intervene.ControlProtocol.argmax(session.logits(e, SpliceForm.DELTA, head, s).toFloatArray(), classes);
                                for (int p = 0; p < labels.length; p++) {
                                    if (labels[p] == c && after[p] != clean[p]) {
                                        changed[c][v]++;
                                    }
                                }
                            }
                        }
                    }
                }
            }
            System.out.printf(Locale.ROOT, "%d held-out images; target change rate when the top-m latents by training F1 are ablated%n", images.size());
            System.out.printf(Locale.ROOT, "%-8s %7s %8s %9s %9s", "colour", "patches", "act/max", "code share", "latent");
            for (int t : TOP) {
                System.out.printf(Locale.ROOT, " %7s", "top-" + t);
            }
            System.out.printf(Locale.ROOT, " %7s%n", "all");
            List<String> names = head.classes();
            for (int c = 1; c < classes; c++) {
                System.out.printf(Locale.ROOT, "%-8s %7d %8.3f %9.3f %9d", names.get(c), target[c], actSum[c] / target[c], shareSum[c] / target[c],
                        ranked[c][0]);
                for (int v = 0; v < variants; v++) {
                    System.out.printf(Locale.ROOT, " %7.3f", changed[c][v] / (double) target[c]);
                }
                System.out.println();
            }
        }
    }
}
