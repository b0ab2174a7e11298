package saelab.lm.moondream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import saelab.io.Safetensors;
import saelab.model.Checkpoint;
import saelab.model.Golden;

/**
 * moondream2's text decoder against the golden fixture (the reference's encode_image prefill and query
 * prefill on a tiny random model), from the fixture's own image embeddings and prompt ids, at atol 1e-4 +
 * rtol 1e-4: the residual after each block over the 730-token image prefix (bidirectional), the prompt's
 * embeddings, its residuals (causal over the cached prefix) and its last logits.
 */
class MoondreamTextGoldenTest {

    static Safetensors.Tensor want(String name) throws IOException {
        return MoondreamFixture.tensor("outputs.safetensors", name);
    }

    static MoondreamText loadText() throws IOException {
        MoondreamConfig cfg = MoondreamConfig.read(MoondreamFixture.dir().resolve("config.json"));
        try (Checkpoint ckpt = Checkpoint.single(MoondreamFixture.dir().resolve("model.safetensors"))) {
            return MoondreamText.load(cfg, ckpt, Device.cpu());
        }
    }

    @Test
    void prefixAndPromptMatchBlockByBlock() throws IOException {
        Safetensors.Tensor img = want("vision.image_embeds");
        long[] promptIds = MoondreamFixture.longs("inputs.safetensors", "prompt_ids");
        long[] promptPos = MoondreamFixture.longs("inputs.safetensors", "prompt_pos_ids");
        try (MoondreamText text = loadText(); NDManager nd = NDManager.newBaseManager()) {
            assertEquals(730, text.prefixLength());
            assertEquals(730, promptPos[0]);
            NDArray bos = text.embed(new long[] {0}, nd);
            NDArray image = nd.create(img.values(), new Shape(1, 729, 64));
            NDArray prefix = NDArrays.concat(new NDList(bos, image), 1);
            try (MoondreamKvCache cache = text.newCache(2048, nd)) {
                MoondreamText.Output p = text.forward(prefix, cache, true);
                double e0 = Golden.assertClose("text.prefix.block.0", want("text.prefix.block.0"), p.blocks().get(0));
                double e1 = Golden.assertClose("text.prefix.block.1", want("text.prefix.block.1"), p.blocks().get(1));
                assertEquals(730, cache.length());
                NDArray emb = text.embed(promptIds, nd);
                Golden.assertClose("text.prompt.inputs_embeds", want("text.prompt.inputs_embeds"), emb);
                MoondreamText.Output q = text.forward(emb, cache, true);
                double e2 = Golden.assertClose("text.prompt.block.0", want("text.prompt.block.0"), q.blocks().get(0));
                double e3 = Golden.assertClose("text.prompt.block.1", want("text.prompt.block.1"), q.blocks().get(1));
                double e4 = Golden.assertClose("text.prompt.last_logits", want("text.prompt.last_logits"), text.lastLogits(q.hidden()));
                assertEquals(740, cache.length());
                System.out.printf("moondream text: max |diff| prefix %.3g %.3g, prompt %.3g %.3g, logits %.3g%n", e0, e1, e2, e3, e4);
            }
        }
    }
}
