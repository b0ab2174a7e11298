package saelab.sae;

/**
 * The architecture and training recipe of one SAE. Read and written as JSON (snake_case), stored in
 * every checkpoint.
 *
 * @param kind           activation: relu (with L1) or topk
 * @param dModel         input width
 * @param dSae           number of latents
 * @param l1             sparsity coefficient lambda of the L1 term (relu only): loss = MSE + lambda × mean over
 *                       the batch of the sum of the codes; MSE is the mean over batch and dimensions
 * @param k              active latents per row (topk only)
 * @param lr             Adam learning rate after warm-up
 * @param warmupSteps    steps of linear learning-rate warm-up from lr/warmup to lr
 * @param schedule       after warm-up: {@code constant} or {@code cosine} (decaying towards 0, reached when the last step ends)
 * @param l1WarmupSteps  steps of linear warm-up of lambda from 0 (0 = none); it scales the loss term itself
 * @param batchSize      rows per step
 * @param steps          optimiser steps
 * @param gradClip       clip the global gradient norm to this (0 = off)
 * @param seed           seed of the initialisation and of the data order
 */
public record SaeConfig(SaeKind kind, int dModel, int dSae, double l1, int k, double lr, int warmupSteps, String schedule,
                        int l1WarmupSteps, int batchSize, long steps, double gradClip, long seed) {

    public SaeConfig {
        if (kind == null) {
            throw new IllegalArgumentException("SAE kind is missing; expected relu or topk");
        }
        if (dModel <= 0 || dSae <= 0) {
            throw new IllegalArgumentException("d_model and d_sae must be positive, got " + dModel + " and " + dSae);
        }
        if (kind == SaeKind.TOPK && (k <= 0 || k > dSae)) {
            throw new IllegalArgumentException("a topk SAE needs 0 < k <= d_sae, got k=" + k + ", d_sae=" + dSae);
        }
        if (kind == SaeKind.RELU && !(l1 >= 0)) {
            throw new IllegalArgumentException("a relu SAE needs l1 >= 0, got " + l1);
        }
        if (!(lr > 0) || warmupSteps < 0 || l1WarmupSteps < 0 || batchSize <= 0 || steps <= 0 || !(gradClip >= 0)) {
            throw new IllegalArgumentException("need lr > 0, warm-ups >= 0, batch > 0, steps > 0, grad clip >= 0; got lr=" + lr
                    + ", warmup=" + warmupSteps + ", l1 warmup=" + l1WarmupSteps + ", batch=" + batchSize + ", steps=" + steps
                    + ", grad clip=" + gradClip);
        }
        if (schedule == null) {
            schedule = "constant";
        }
        if (!schedule.equals("constant") && !schedule.equals("cosine")) {
            throw new IllegalArgumentException("schedule is '" + schedule + "'; expected constant or cosine");
        }
    }

    /** Learning rate at step {@code step} (0-based): linear warm-up, then constant or cosine decay. */
    public double lrAt(long step) {
        if (warmupSteps > 0 && step < warmupSteps) {
            return lr * (step + 1) / warmupSteps;
        }
        if (schedule.equals("cosine")) {
            long decay = Math.max(1, steps - warmupSteps);
            double t = Math.min(1.0, (double) (step - warmupSteps) / decay);
            return lr * 0.5 * (1 + Math.cos(Math.PI * t));
        }
        return lr;
    }

    /** Sparsity coefficient at step {@code step}: linear warm-up from 0 when {@code l1WarmupSteps > 0}. */
    public double l1At(long step) {
        if (kind != SaeKind.RELU) {
            return 0;
        }
        return l1WarmupSteps > 0 && step < l1WarmupSteps ? l1 * (step + 1) / l1WarmupSteps : l1;
    }
}
