package saelab.demo;

import java.util.Objects;
import saelab.sae.SaeConfig;
import saelab.sae.SaeKind;

/**
 * How the demo trains one SAE ({@link saelab.sae.SaeTrainer}), independent of the activation width: the number
 * of latents is {@code expansion × d_model} of the cache it trains on.
 *
 * @param kind      relu (L1 penalty, Bricken et al. 2023) or topk (Gao et al. 2024), or another {@link SaeKind}
 * @param expansion latents per input dimension
 * @param k         active latents per row (topk, batchtopk)
 * @param l1        sparsity coefficient (relu, jumprelu)
 * @param lr        Adam learning rate
 * @param warmup    learning-rate warm-up steps
 * @param batch     rows per step
 * @param steps     optimiser steps
 * @param seed      initialisation and data-order seed
 */
public record SaeRecipe(SaeKind kind, int expansion, int k, double l1, double lr, int warmup, int batch, long steps, long seed) {

    public SaeRecipe {
        Objects.requireNonNull(kind, "kind");
        if (expansion < 1 || batch < 1 || steps < 1 || warmup < 0 || !(lr > 0)) {
            throw new IllegalArgumentException("SAE recipe: need expansion >= 1, batch >= 1, steps >= 1, warmup >= 0, lr > 0; got "
                    + this);
        }
    }

    /** A TopK recipe (constant learning rate after the warm-up). */
    public static SaeRecipe topk(int expansion, int k, double lr, int warmup, int batch, long steps, long seed) {
        return new SaeRecipe(SaeKind.TOPK, expansion, k, 0, lr, warmup, batch, steps, seed);
    }

    /** The trainer config for inputs of width {@code dModel}: the paper's recipe (centred encoder input, constant schedule). */
    public SaeConfig config(int dModel) {
        return SaeConfig.builder(kind, dModel, expansion * dModel).l1(l1)
                .k(kind.selectsTopK() ? Math.min(k, expansion * dModel) : k).lr(lr).warmupSteps(warmup).batchSize(batch)
                .steps(steps).seed(seed).build();
    }
}
