package saelab.lm.moondream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;
import saelab.model.LinearWeights;
import saelab.model.NormWeights;

/**
 * Grouped-query attention in moondream2's text decoder (the reference's {@code enable_gqa}, which repeats
 * each key/value head for its consecutive group of query heads): a model with 4 query heads and 2
 * key/value heads equals the same model with 4 key/value heads in which heads 2g and 2g + 1 both copy
 * head g, over an image prefix, a prompt and a cached step.
 */
class MoondreamTextGqaTest {

    private static final int HEADS = 4;
    private static final int HD = 64;
    private static final int D = HEADS * HD;
    private static final int PREFIX = 730;

    private static MoondreamTextConfig config(int kvHeads) {
        return new MoondreamTextConfig(D, 32, 1, 50, 2048, HEADS, kvHeads, PREFIX, null);
    }

    private static LinearWeights linear(NDManager nd, int out, int in) {
        return new LinearWeights(nd.randomNormal(0, (float) (1 / Math.sqrt(in)), new Shape(out, in), ai.djl.ndarray.types.DataType.FLOAT32),
                nd.randomNormal(0, 0.2f, new Shape(out), ai.djl.ndarray.types.DataType.FLOAT32));
    }

    private static float[] run(MoondreamText text, NDArray prefix, NDArray prompt, NDArray step, NDManager nd) {
        try (MoondreamKvCache cache = text.newCache(PREFIX + 8, nd)) {
            float[] a = text.forward(prefix, cache, false).hidden().toFloatArray();
            float[] b = text.forward(prompt, cache, false).hidden().toFloatArray();
            float[] c = text.forward(step, cache, false).hidden().toFloatArray();
            float[] all = new float[a.length + b.length + c.length];
            System.arraycopy(a, 0, all, 0, a.length);
            System.arraycopy(b, 0, all, a.length, b.length);
            System.arraycopy(c, 0, all, a.length + b.length, c.length);
            return all;
        }
    }

    @Test
    void groupedHeadsEqualRepeatedHeads() {
        NDManager grouped = NDManager.newBaseManager();
        NDManager repeated = NDManager.newBaseManager();
        try (NDManager nd = NDManager.newBaseManager()) {
            nd.getEngine().setRandomSeed(3);
            int kv = 2;
            LinearWeights qkv = linear(grouped, (HEADS + 2 * kv) * HD, D);
            NDList rows = new NDList();
            rows.add(qkv.weight().get(new NDIndex(":{}", HEADS * HD)));
            NDList bias = new NDList();
            bias.add(qkv.bias().get(new NDIndex(":{}", HEADS * HD)));
            for (int part = 0; part < 2; part++) { // keys, then values
                for (int h = 0; h < HEADS; h++) {
                    long from = (long) (HEADS + part * kv + h / (HEADS / kv)) * HD;
                    rows.add(qkv.weight().get(new NDIndex("{}:{}", from, from + HD)));
                    bias.add(qkv.bias().get(new NDIndex("{}:{}", from, from + HD)));
                }
            }
            LinearWeights qkvRepeated = new LinearWeights(NDArrays.concat(rows, 0), NDArrays.concat(bias, 0));
            qkvRepeated.weight().attach(repeated);
            qkvRepeated.bias().attach(repeated);
            NormWeights ln = new NormWeights(grouped.ones(new Shape(D)), grouped.zeros(new Shape(D)), 1e-5f);
            LinearWeights proj = linear(grouped, D, D);
            LinearWeights fc1 = linear(grouped, 32, D);
            LinearWeights fc2 = linear(grouped, D, 32);
            NDArray wte = grouped.randomNormal(new Shape(50, D));
            LinearWeights head = linear(grouped, 50, D);
            var g = new MoondreamTextWeights(wte, List.of(new MoondreamTextWeights.Block(ln, qkv, proj, fc1, fc2)), ln, head);
            var r = new MoondreamTextWeights(wte, List.of(new MoondreamTextWeights.Block(ln, qkvRepeated, proj, fc1, fc2)), ln, head);
            MoondreamText gt = new MoondreamText(config(kv), g, PREFIX, grouped);
            MoondreamText rt = new MoondreamText(config(HEADS), r, PREFIX, repeated);
            NDArray prefix = nd.randomNormal(new Shape(1, PREFIX, D));
            NDArray prompt = nd.randomNormal(new Shape(1, 5, D));
            NDArray step = nd.randomNormal(new Shape(1, 1, D));
            float[] a = run(gt, prefix, prompt, step, nd);
            float[] b = run(rt, prefix, prompt, step, nd);
            for (int i = 0; i < a.length; i++) {
                assertEquals(b[i], a[i], 1e-4 + 1e-4 * Math.abs(b[i]), "value " + i);
            }
            rt.close(); // closes 'repeated'; the shared weights live on 'grouped'
            gt.close();
        }
    }
}
