package saelab.toy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;
import saelab.data.ToyWorldColour;
import saelab.data.ToyWorldObject;
import saelab.data.ToyWorldShape;
import saelab.data.ToyWorldTexture;
import saelab.model.LoadedModel;
import saelab.model.ModelLoader;
import saelab.model.VisionOutput;
import saelab.text.Tokenizer;
import saelab.text.Tokenizers;

/**
 * The held-out checks of a saved toy backbone, run on the model folder as any saelab user would load it
 * ({@link ModelLoader}, the folder's {@code preprocessor_config.json} and tokenizer): linear probes for the
 * image class, and for the largest object's colour, shape and texture on their own, on the frozen pooled class
 * token and on the mean of the final patch tokens, fitted on training scenes and scored on the held-out scenes; and, for CLIP, image-to-caption retrieval inside held-out batches
 * ({@link CaptionRetrieval}).
 */
final class ToyEvaluation {

    /** Most training scenes the probes are fitted on. */
    static final int PROBE_TRAIN_MAX = 2048;
    /** Images per forward pass. */
    private static final int CHUNK = 128;

    /**
     * The checks' numbers.
     *
     * @param probeCls       probe accuracy on the pooled class token
     * @param probeMeanPatch probe accuracy on the mean final patch token
     * @param probeChance    majority-class accuracy
     * @param probeTrain     scenes the probes were fitted on
     * @param probeTest      held-out scenes they were scored on
     * @param retrieval      caption retrieval over the held-out scenes (CLIP), or null
     * @param attributes     probes for the largest object's colour, shape and texture, in that order
     */
    record Result(double probeCls, double probeMeanPatch, double probeChance, int probeTrain, int probeTest, CaptionRetrieval.Tally retrieval,
                  List<ToyAttributeProbe> attributes) {}

    /** One attribute of the largest object: its name, its number of values and the value of an object. */
    private record Attribute(String name, int classes, ToIntFunction<ToyWorldObject> value) {}

    /** The attributes probed besides the class: colour, shape and texture of the largest object. */
    private static final List<Attribute> ATTRIBUTES = List.of(
            new Attribute("colour", ToyWorldColour.values().length, o -> o.colour().ordinal()),
            new Attribute("shape", ToyWorldShape.values().length, o -> o.shape().ordinal()),
            new Attribute("texture", ToyWorldTexture.values().length, o -> o.texture().ordinal()));

    private ToyEvaluation() {}

    /** Features of a set of scenes. */
    record Features(double[][] cls, double[][] meanPatch, float[][] imageEmbeds, int[] labels, List<String> captions,
                            List<ToyWorldObject> largest) {

        int[] attribute(Attribute a) {
            return largest.stream().mapToInt(a.value()).toArray();
        }
    }

    /**
     * Runs the checks on the model in {@code modelDir}.
     *
     * @param data          the world, preprocessed as the folder says
     * @param spec          the training spec (train and held-out ranges; the retrieval batch size is its batch)
     */
    static Result run(Path modelDir, ToyData data, ToyBackboneSpec spec) throws IOException {
        int probeTrain = Math.min(spec.trainImages(), PROBE_TRAIN_MAX);
        try (LoadedModel model = ModelLoader.load(modelDir)) {
            Features train = features(model, data, 0, probeTrain);
            Features test = features(model, data, spec.trainImages(), spec.heldOutImages());
            LinearProbe.Result cls = LinearProbe.fitAndScore(train.cls(), train.labels(), test.cls(), test.labels());
            LinearProbe.Result mean = LinearProbe.fitAndScore(train.meanPatch(), train.labels(), test.meanPatch(), test.labels());
            CaptionRetrieval.Tally retrieval = null;
            if (spec.kind() == ToyBackboneKind.CLIP) {
                retrieval = retrieval(model, Tokenizers.fromFolder(modelDir), test, spec.batch());
            }
            List<ToyAttributeProbe> attributes = new ArrayList<>(ATTRIBUTES.size());
            for (Attribute a : ATTRIBUTES) {
                int[] trainY = train.attribute(a);
                int[] testY = test.attribute(a);
                LinearProbe.Result c = LinearProbe.fitAndScore(train.cls(), trainY, test.cls(), testY);
                LinearProbe.Result m = LinearProbe.fitAndScore(train.meanPatch(), trainY, test.meanPatch(), testY);
                attributes.add(new ToyAttributeProbe(a.name(), a.classes(), c.accuracy(), m.accuracy(), c.chance()));
            }
            return new Result(cls.accuracy(), mean.accuracy(), cls.chance(), probeTrain, spec.heldOutImages(), retrieval, List.copyOf(attributes));
        }
    }

    static Features features(LoadedModel model, ToyData data, int from, int count) {
        double[][] cls = new double[count][];
        double[][] mean = new double[count][];
        float[][] embeds = new float[count][];
        int[] labels = new int[count];
        List<String> captions = new ArrayList<>(count);
        List<ToyWorldObject> largest = new ArrayList<>(count);
        for (int start = 0; start < count; start += CHUNK) {
            int n = Math.min(CHUNK, count - start);
            ToyBatch batch = data.range(from + start, n);
            System.arraycopy(batch.labels(), 0, labels, start, n);
            captions.addAll(batch.captions());
            largest.addAll(batch.largest());
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray pixels = m.create(batch.pixels().values(), new Shape(batch.pixels().shape()));
                VisionOutput out = model.vision().forward(pixels);
                long d = out.pooled().getShape().get(1);
                float[] pooled = out.pooled().toFloatArray();
                float[] patches = out.lastHiddenState().get(new NDIndex(":, 1:, :")).mean(new int[] {1}).toFloatArray();
                float[] emb = out.imageEmbeds() == null ? null : out.imageEmbeds().toFloatArray();
                long e = out.imageEmbeds() == null ? 0 : out.imageEmbeds().getShape().get(1);
                for (int i = 0; i < n; i++) {
                    cls[start + i] = row(pooled, i, d);
                    mean[start + i] = row(patches, i, d);
                    if (emb != null) {
                        embeds[start + i] = java.util.Arrays.copyOfRange(emb, (int) (i * e), (int) ((i + 1) * e));
                    }
                }
            }
        }
        return new Features(cls, mean, embeds, labels, captions, largest);
    }

    private static double[] row(float[] values, int i, long d) {
        double[] r = new double[(int) d];
        for (int j = 0; j < d; j++) {
            r[j] = values[(int) (i * d + j)];
        }
        return r;
    }

    /** Retrieval in consecutive batches of {@code batch} held-out scenes (a last batch of one joins the previous one). */
    private static CaptionRetrieval.Tally retrieval(LoadedModel model, Tokenizer tokenizer, Features test, int batch) {
        int n = test.captions().size();
        List<int[]> spans = new ArrayList<>();
        for (int start = 0; start < n; start += batch) {
            spans.add(new int[] {start, Math.min(n, start + batch)});
        }
        if (spans.size() > 1 && spans.getLast()[1] - spans.getLast()[0] < 2) {
            int[] last = spans.removeLast();
            spans.getLast()[1] = last[1];
        }
        CaptionRetrieval.Tally total = new CaptionRetrieval.Tally(0, 0, 0);
        for (int[] span : spans) {
            int size = span[1] - span[0];
            if (size < 2) {
                continue;
            }
            List<String> captions = test.captions().subList(span[0], span[1]);
            long e = test.imageEmbeds()[span[0]].length;
            float[] flat = new float[(int) (size * e)];
            for (int i = 0; i < size; i++) {
                System.arraycopy(test.imageEmbeds()[span[0] + i], 0, flat, (int) (i * e), (int) e);
            }
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray img = m.create(flat, new Shape(size, e));
                long[][] ids = ToyContrastiveObjective.tokenIds(tokenizer, captions, tokenizer.padTokenId());
                NDArray txt = model.text().forward(m, ids).textEmbeds();
                float[] logits = model.dual().logitsPerImage(img, txt).toFloatArray();
                float[][] rows = new float[size][size];
                for (int i = 0; i < size; i++) {
                    System.arraycopy(logits, i * size, rows[i], 0, size);
                }
                total = total.plus(CaptionRetrieval.score(rows, captions));
            }
        }
        return total;
    }
}
