package saelab.lm;

import saelab.model.LinearWeights;

/**
 * The parameters of one decoder layer of transformers 4.45.2 {@code LlamaDecoderLayer} /
 * {@code Qwen2DecoderLayer}, with q/k/v stacked into one map ({@code [(H + 2 KV) hd, D]}, rows in the order
 * q, k, v) and gate/up into another ({@code [2 I, D]}, gate first): the same products in fewer calls.
 *
 * @param inputNorm     {@code input_layernorm}
 * @param qkv           {@code self_attn.{q,k,v}_proj}, stacked
 * @param output        {@code self_attn.o_proj}
 * @param postAttnNorm  {@code post_attention_layernorm}
 * @param gateUp        {@code mlp.{gate,up}_proj}, stacked
 * @param down          {@code mlp.down_proj}
 */
public record LayerWeights(RmsNorm inputNorm, LinearWeights qkv, LinearWeights output, RmsNorm postAttnNorm, LinearWeights gateUp,
                           LinearWeights down) {}
