package saelab.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import saelab.model.Checkpoint;
import saelab.model.LinearWeights;

/**
 * The parameters of a decoder language model read from a checkpoint under the tensor names of
 * transformers 4.45.2 {@code LlamaForCausalLM} / {@code Qwen2ForCausalLM}: {@code <model>embed_tokens.weight},
 * {@code <model>layers.<i>.{input_layernorm, self_attn.{q,k,v,o}_proj, post_attention_layernorm,
 * mlp.{gate,up,down}_proj}.*}, {@code <model>norm.weight} and the output head. For a plain causal LM the
 * model prefix is {@code model.} and the head {@code lm_head.weight}; inside a LLaVA checkpoint they are
 * {@code language_model.model.} and {@code language_model.lm_head.weight}. With {@code tie_word_embeddings}
 * the head is the token embedding (as the reference's {@code tie_weights}, whether or not a head tensor is
 * stored). Every shape is checked against the config; errors name the file and the tensor.
 *
 * @param embedTokens {@code [V, D]}
 * @param layers      one entry per decoder layer
 * @param finalNorm   {@code norm}
 * @param head        {@code [V, D]}; the same array as {@code embedTokens} when tied
 */
public record LmWeights(NDArray embedTokens, List<LayerWeights> layers, RmsNorm finalNorm, NDArray head) {

    /**
     * Reads the weights in float32 onto {@code manager}.
     *
     * @param modelPrefix prefix of the decoder's tensors, e.g. {@code language_model.model.}
     * @param headName    the output head's tensor, e.g. {@code language_model.lm_head.weight} (unused when tied)
     * @throws IllegalArgumentException when a tensor is missing or has another shape, naming the file and the tensor
     */
    public static LmWeights read(Checkpoint ckpt, String modelPrefix, String headName, LmConfig cfg, NDManager manager) {
        long d = cfg.hiddenSize();
        long v = cfg.vocabSize();
        long qOut = (long) cfg.heads() * cfg.headDim();
        long kvOut = (long) cfg.kvHeads() * cfg.headDim();
        long inter = cfg.intermediateSize();
        float eps = cfg.rmsNormEps();
        NDArray embed = take(ckpt, modelPrefix + "embed_tokens.weight", manager, v, d);
        List<LayerWeights> layers = new ArrayList<>();
        for (int l = 0; l < cfg.layers(); l++) {
            String p = modelPrefix + "layers." + l + ".";
            RmsNorm in = new RmsNorm(take(ckpt, p + "input_layernorm.weight", manager, d), eps);
            LinearWeights qkv = stacked(ckpt, manager, cfg.qkvBias(), d, new String[] {p + "self_attn.q_proj", p + "self_attn.k_proj",
                    p + "self_attn.v_proj"}, new long[] {qOut, kvOut, kvOut});
            LinearWeights o = new LinearWeights(take(ckpt, p + "self_attn.o_proj.weight", manager, d, qOut),
                    cfg.outputBias() ? take(ckpt, p + "self_attn.o_proj.bias", manager, d) : null);
            RmsNorm post = new RmsNorm(take(ckpt, p + "post_attention_layernorm.weight", manager, d), eps);
            LinearWeights gateUp = stacked(ckpt, manager, cfg.mlpBias(), d, new String[] {p + "mlp.gate_proj", p + "mlp.up_proj"},
                    new long[] {inter, inter});
            LinearWeights down = new LinearWeights(take(ckpt, p + "mlp.down_proj.weight", manager, d, inter),
                    cfg.mlpBias() ? take(ckpt, p + "mlp.down_proj.bias", manager, d) : null);
            layers.add(new LayerWeights(in, qkv, o, post, gateUp, down));
        }
        RmsNorm norm = new RmsNorm(take(ckpt, modelPrefix + "norm.weight", manager, d), eps);
        NDArray head;
        if (cfg.tieWordEmbeddings()) {
            head = embed;
        } else if (ckpt.has(headName)) {
            head = take(ckpt, headName, manager, v, d);
        } else {
            throw new IllegalArgumentException(ckpt.where(headName) + ": tensor '" + headName + "' is missing, and "
                    + cfg.source() + " has tie_word_embeddings false; expected the output head [" + v + ", " + d + "]");
        }
        return new LmWeights(embed, List.copyOf(layers), norm, head);
    }

    private static NDArray take(Checkpoint ckpt, String name, NDManager manager, long... shape) {
        return ckpt.take(name, manager, DataType.FLOAT32, shape);
    }

    /** Linears {@code <name>.weight [out_i, in]} (and biases) stacked along the output axis. */
    private static LinearWeights stacked(Checkpoint ckpt, NDManager manager, boolean bias, long in, String[] names, long[] outs) {
        NDList weights = new NDList();
        NDList biases = new NDList();
        try {
            for (int i = 0; i < names.length; i++) {
                weights.add(take(ckpt, names[i] + ".weight", manager, outs[i], in));
                if (bias) {
                    biases.add(take(ckpt, names[i] + ".bias", manager, outs[i]));
                }
            }
            return new LinearWeights(NDArrays.concat(weights, 0), bias ? NDArrays.concat(biases, 0) : null);
        } finally {
            weights.close();
            biases.close();
        }
    }
}
