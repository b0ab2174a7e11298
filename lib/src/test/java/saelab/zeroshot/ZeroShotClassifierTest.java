package saelab.zeroshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import saelab.model.Golden;
import saelab.model.LoadedModel;
import saelab.model.ModelLoader;
import saelab.model.MappedSafetensors;
import saelab.text.Padding;
import saelab.text.Tokenizer;

/**
 * The zero-shot classifier on the golden CLIP and SigLIP models (random weights, tiny vocabularies):
 * class vectors against the recipe recomputed prompt by prompt in double precision, logits against
 * exp(scale)·cos (+ bias) recomputed by hand, predictions against the argmax.
 */
class ZeroShotClassifierTest {

    /**
     * Words to ids below the fixtures' vocabulary of 1000: a stable hash into [3, 990), start 998 and end 999
     * (the highest ids, so CLIP's legacy argmax pooling finds the end token), padding 0.
     */
    static final class WordTokenizer implements Tokenizer {
        private final int ctx;

        WordTokenizer(int ctx) {
            this.ctx = ctx;
        }

        public int contextLength() {
            return ctx;
        }

        public int vocabularySize() {
            return 1000;
        }

        public int startTokenId() {
            return 998;
        }

        public int endTokenId() {
            return 999;
        }

        public int padTokenId() {
            return 0;
        }

        public Padding defaultPadding() {
            return Padding.ZERO;
        }

        public int[] encode(String text, int contextLength) {
            String[] words = text.toLowerCase(java.util.Locale.ROOT).split("[^a-z]+");
            int[] ids = new int[contextLength];
            int n = 0;
            ids[n++] = 998;
            for (String w : words) {
                if (!w.isEmpty() && n < contextLength - 1) {
                    ids[n++] = 3 + Math.floorMod(w.hashCode(), 987);
                }
            }
            ids[n++] = 999;
            return java.util.Arrays.copyOf(ids, n);
        }
    }

    private static final List<String> CLASSES = List.of("cat", "dog", "tree frog");
    private static final List<String> TEMPLATES = List.of("a photo of a {}.", "a drawing of the {}.", "itap of a {}.");

    private static double[] unit(float[] v, int from, int len) {
        double s = 0;
        for (int i = 0; i < len; i++) {
            s += (double) v[from + i] * v[from + i];
        }
        double n = Math.sqrt(s);
        double[] out = new double[len];
        for (int i = 0; i < len; i++) {
            out[i] = v[from + i] / n;
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"clip", "siglip"})
    void classVectorsLogitsAndPredictionsFollowTheRecipe(String fixture) throws IOException {
        try (LoadedModel m = ModelLoader.load(Golden.dir(fixture));
             NDManager nd = NDManager.newBaseManager();
             MappedSafetensors in = MappedSafetensors.open(Golden.dir(fixture).resolve("inputs.safetensors"))) {
            int ctx = (int) m.text().contextLength();
            WordTokenizer tok = new WordTokenizer(ctx);
            try (ZeroShotClassifier zs = ZeroShotClassifier.build(m.dual(), tok, CLASSES, TEMPLATES, nd, 2)) {
                float[] got = zs.classVectors().toFloatArray();
                int e = (int) zs.classVectors().getShape().get(1);
                assertEquals(CLASSES.size(), zs.classVectors().getShape().get(0));
                for (int c = 0; c < CLASSES.size(); c++) {
                    double[] mean = new double[e];
                    for (String t : TEMPLATES) {
                        long[] row = new long[ctx];
                        int[] ids = tok.encode(t.replace("{}", CLASSES.get(c)), ctx);
                        for (int i = 0; i < ids.length; i++) {
                            row[i] = ids[i];
                        }
                        try (NDManager one = nd.newSubManager()) {
                            double[] u = unit(m.text().forward(one, new long[][] {row}).textEmbeds().toFloatArray(), 0, e);
                            for (int i = 0; i < e; i++) {
                                mean[i] += u[i] / TEMPLATES.size();
                            }
                        }
                    }
                    double norm = Math.sqrt(java.util.Arrays.stream(mean).map(x -> x * x).sum());
                    for (int i = 0; i < e; i++) {
                        assertEquals(mean[i] / norm, got[c * e + i], 1e-5, fixture + " class " + c + " dim " + i);
                    }
                }
                NDArray px = in.load("pixel_values", nd);
                NDArray img = m.vision().forward(px).imageEmbeds();
                float[] imgV = img.toFloatArray();
                int n = (int) img.getShape().get(0);
                float[] logits = zs.logits(img).toFloatArray();
                int[] pred = zs.predict(img);
                double scale = Math.exp(m.dual().logitScale());
                double bias = m.dual().logitBias() == null ? 0 : m.dual().logitBias();
                for (int i = 0; i < n; i++) {
                    double[] u = unit(imgV, i * e, e);
                    int best = 0;
                    for (int c = 0; c < CLASSES.size(); c++) {
                        double cos = 0;
                        for (int k = 0; k < e; k++) {
                            cos += u[k] * got[c * e + k];
                        }
                        double want = scale * cos + bias;
                        assertEquals(want, logits[i * CLASSES.size() + c], 1e-4 * Math.max(1, Math.abs(want)),
                                fixture + " logit " + i + "," + c);
                        if (logits[i * CLASSES.size() + c] > logits[i * CLASSES.size() + best]) {
                            best = c;
                        }
                    }
                    assertEquals(best, pred[i], "prediction of image " + i);
                }
                assertEquals(CLASSES, zs.classNames());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5})
    void batchSizeDoesNotChangeTheClassVectors(int batch) throws IOException {
        try (LoadedModel m = ModelLoader.load(Golden.dir("clip")); NDManager nd = NDManager.newBaseManager()) {
            WordTokenizer tok = new WordTokenizer((int) m.text().contextLength());
            try (ZeroShotClassifier a = ZeroShotClassifier.build(m.dual(), tok, CLASSES, TEMPLATES, nd, batch);
                 ZeroShotClassifier b = ZeroShotClassifier.build(m.dual(), tok, CLASSES, TEMPLATES, nd, 64)) {
                float[] x = a.classVectors().toFloatArray();
                float[] y = b.classVectors().toFloatArray();
                for (int i = 0; i < x.length; i++) {
                    assertEquals(y[i], x[i], 1e-6, "entry " + i);
                }
            }
        }
    }

    @org.junit.jupiter.api.Test
    void emptyInputsAreRejected() throws IOException {
        try (LoadedModel m = ModelLoader.load(Golden.dir("clip")); NDManager nd = NDManager.newBaseManager()) {
            WordTokenizer tok = new WordTokenizer((int) m.text().contextLength());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ZeroShotClassifier.build(m.dual(), tok, List.of(), TEMPLATES, nd, 4));
            assertTrue(e.getMessage().contains("at least one class name"), e.getMessage());
        }
    }
}
