package saelab.sae;

import java.util.List;

/**
 * The architecture and training recipe of one SAE. Read and written as JSON (snake_case), stored in
 * every checkpoint. Fields added after the first format version default, when absent from older
 * JSON, to the behaviour from before they existed.
 *
 * @param kind           activation: relu (L1), topk, batchtopk or jumprelu (L0), see {@link SaeKind}
 * @param dModel         input width
 * @param dSae           number of latents
 * @param l1             sparsity coefficient λ: of the L1 term for relu (loss = MSE + λ × mean over the batch of
 *                       the sum of the codes), of the L0 term for jumprelu (λ × mean number of active latents);
 *                       MSE is the mean over batch and dimensions
 * @param k              active latents per row (topk), on average per row (batchtopk)
 * @param lr             Adam learning rate after warm-up
 * @param warmupSteps    steps of linear learning-rate warm-up from lr/warmup to lr
 * @param schedule       after warm-up: {@code constant} or {@code cosine} (decaying towards 0, reached when the last step ends)
 * @param l1WarmupSteps  steps of linear warm-up of λ from 0 (0 = none); it scales the loss term itself
 * @param batchSize      rows per step
 * @param steps          optimiser steps
 * @param gradClip       clip the global gradient norm to this (0 = off)
 * @param seed           seed of the initialisation and of the data order
 * @param matryoshka     Matryoshka prefix sizes (Bussmann et al., "Learning Multi-Level Features with
 *                       Matryoshka Sparse Autoencoders", 2025): the loss is the mean over the prefixes m of the
 *                       MSE of reconstructing from latents [0, m) only; strictly increasing, the last equal to
 *                       d_sae (appended when missing); empty = the plain objective. topk and batchtopk only.
 * @param auxK           AuxK (Gao et al. 2024): the k_aux largest pre-activations among dead latents
 *                       reconstruct the main reconstruction's residual, weighted by {@code auxCoeff} (0 = off)
 * @param auxCoeff       weight α of the AuxK loss (Gao et al. use 1/32)
 * @param deadTokens     a latent is dead when it has not fired in this many training tokens (AuxK and resampling)
 * @param bandwidth      jumprelu: width ε of the rectangle kernel of the straight-through estimator
 * @param initThreshold  jumprelu: initial threshold θ of every latent
 * @param resampleEvery  steps between resamplings of dead latents (0 = never); see {@link SaeTrainer}
 * @param encoderInput   {@code centered}: the encoder sees x − b_dec (the paper era, SAELens'
 *                       apply_b_dec_to_input); {@code raw}: it sees x (current saev)
 * @param normalizeInput scale inputs by one constant so their mean L2 norm is sqrt(d_model) during training;
 *                       the saved checkpoint has the scale folded in and works on raw inputs
 * @param geometricMedianInit initialise b_dec to the geometric median of the first batch (otherwise zero)
 *
 * <p>An SAE whose training recipe is unknown (imported from another tool) has lr, batch_size and steps
 * all 0; see {@link #inference}. Such a config cannot be trained.
 */
public record SaeConfig(SaeKind kind, int dModel, int dSae, double l1, int k, double lr, int warmupSteps, String schedule,
                        int l1WarmupSteps, int batchSize, long steps, double gradClip, long seed,
                        List<Integer> matryoshka, int auxK, double auxCoeff, long deadTokens, double bandwidth,
                        double initThreshold, long resampleEvery, String encoderInput, boolean normalizeInput,
                        boolean geometricMedianInit) {

    /** Default of {@link #auxCoeff}, as Gao et al. (2024). */
    public static final double DEFAULT_AUX_COEFF = 1.0 / 32;
    /** Default of {@link #bandwidth} and {@link #initThreshold}, as Rajamanoharan et al. (2024). */
    public static final double DEFAULT_BANDWIDTH = 1e-3;

    public SaeConfig {
        if (kind == null) {
            throw new IllegalArgumentException("SAE kind is missing; expected relu, topk, batchtopk or jumprelu");
        }
        if (dModel <= 0 || dSae <= 0) {
            throw new IllegalArgumentException("d_model and d_sae must be positive, got " + dModel + " and " + dSae);
        }
        if (kind.selectsTopK() && (k <= 0 || k > dSae)) {
            throw new IllegalArgumentException("a " + kind.id() + " SAE needs 0 < k <= d_sae, got k=" + k + ", d_sae=" + dSae);
        }
        if (kind.hasPenalty() && !(l1 >= 0)) {
            throw new IllegalArgumentException("a " + kind.id() + " SAE needs l1 >= 0, got " + l1);
        }
        boolean recipeUnknown = lr == 0 && batchSize == 0 && steps == 0;
        if (!recipeUnknown && (!(lr > 0) || batchSize <= 0 || steps <= 0) || warmupSteps < 0 || l1WarmupSteps < 0 || !(gradClip >= 0)) {
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
        matryoshka = matryoshkaPrefixes(matryoshka, dSae, kind);
        if (auxK < 0 || auxK > dSae || !(auxCoeff >= 0) || deadTokens < 0 || resampleEvery < 0) {
            throw new IllegalArgumentException("need 0 <= aux_k <= d_sae, aux_coeff >= 0, dead_tokens >= 0, resample_every >= 0;"
                    + " got aux_k=" + auxK + ", aux_coeff=" + auxCoeff + ", dead_tokens=" + deadTokens + ", resample_every="
                    + resampleEvery);
        }
        if (auxK > 0 && !kind.selectsTopK()) {
            throw new IllegalArgumentException("aux_k applies to topk and batchtopk SAEs, not " + kind.id());
        }
        if ((auxK > 0 || resampleEvery > 0) && deadTokens == 0) {
            throw new IllegalArgumentException("aux_k and resample_every need dead_tokens > 0 (tokens without firing that make a"
                    + " latent dead)");
        }
        if (kind == SaeKind.JUMPRELU && !(bandwidth > 0 && initThreshold > 0)) {
            throw new IllegalArgumentException("a jumprelu SAE needs bandwidth > 0 and init_threshold > 0, got " + bandwidth
                    + " and " + initThreshold);
        }
        if (encoderInput == null) {
            encoderInput = "centered";
        }
        if (!encoderInput.equals("centered") && !encoderInput.equals("raw")) {
            throw new IllegalArgumentException("encoder_input is '" + encoderInput + "'; expected centered (x - b_dec) or raw (x)");
        }
    }

    /**
     * The config of an SAE used for inference only, whose training recipe is unknown (an imported
     * checkpoint): lr, batch_size and steps are 0.
     *
     * @param k            active latents for topk and batchtopk (else ignored, stored as 0)
     * @param encoderInput {@code centered} or {@code raw}
     */
    public static SaeConfig inference(SaeKind kind, int dModel, int dSae, int k, String encoderInput) {
        return builder(kind, dModel, dSae).k(kind.selectsTopK() ? k : 0).encoderInput(encoderInput).build();
    }

    /** Whether the config has a training recipe (false for {@link #inference} configs). */
    public boolean trainable() {
        return steps > 0;
    }

    private static List<Integer> matryoshkaPrefixes(List<Integer> given, int dSae, SaeKind kind) {
        if (given == null || given.isEmpty()) {
            return List.of();
        }
        if (!kind.selectsTopK()) {
            throw new IllegalArgumentException("a Matryoshka objective applies to topk and batchtopk SAEs, not " + kind.id());
        }
        java.util.ArrayList<Integer> p = new java.util.ArrayList<>();
        int prev = 0;
        for (Integer m : given) {
            if (m == null || m <= prev || m > dSae) {
                throw new IllegalArgumentException("matryoshka prefixes must increase strictly within (0, d_sae=" + dSae + "], got "
                        + given);
            }
            p.add(m);
            prev = m;
        }
        if (prev != dSae) {
            p.add(dSae);
        }
        return List.copyOf(p);
    }

    /**
     * A builder of a config of {@code kind}, {@code dModel} inputs and {@code dSae} latents. Unset fields default to
     * the recipe without the newer options: no sparsity coefficient, k, learning rate, warm-up, batch or steps (set
     * them to train), constant schedule, no gradient clipping, seed 0, no Matryoshka, no AuxK, no resampling, centred
     * encoder input, no input normalisation, zero b_dec, and for jumprelu the default bandwidth and threshold. The
     * setters are named as the fields (see the record's parameters).
     */
    public static Builder builder(SaeKind kind, int dModel, int dSae) {
        return new Builder(kind, dModel, dSae);
    }

    /** A builder starting from this config. */
    public Builder toBuilder() {
        Builder b = new Builder(kind, dModel, dSae);
        b.l1 = l1;
        b.k = k;
        b.lr = lr;
        b.warmupSteps = warmupSteps;
        b.schedule = schedule;
        b.l1WarmupSteps = l1WarmupSteps;
        b.batchSize = batchSize;
        b.steps = steps;
        b.gradClip = gradClip;
        b.seed = seed;
        b.matryoshka = matryoshka;
        b.auxK = auxK;
        b.auxCoeff = auxCoeff;
        b.deadTokens = deadTokens;
        b.bandwidth = bandwidth;
        b.initThreshold = initThreshold;
        b.resampleEvery = resampleEvery;
        b.encoderInput = encoderInput;
        b.normalizeInput = normalizeInput;
        b.geometricMedianInit = geometricMedianInit;
        return b;
    }

    /** Builder of {@link SaeConfig}; {@link #build} validates as the record does. */
    public static final class Builder {
        private final SaeKind kind;
        private final int dModel;
        private final int dSae;
        private double l1;
        private int k;
        private double lr;
        private int warmupSteps;
        private String schedule = "constant";
        private int l1WarmupSteps;
        private int batchSize;
        private long steps;
        private double gradClip;
        private long seed;
        private List<Integer> matryoshka = List.of();
        private int auxK;
        private double auxCoeff = DEFAULT_AUX_COEFF;
        private long deadTokens;
        private double bandwidth = DEFAULT_BANDWIDTH;
        private double initThreshold = DEFAULT_BANDWIDTH;
        private long resampleEvery;
        private String encoderInput = "centered";
        private boolean normalizeInput;
        private boolean geometricMedianInit;

        private Builder(SaeKind kind, int dModel, int dSae) {
            this.kind = kind;
            this.dModel = dModel;
            this.dSae = dSae;
        }

        public Builder l1(double v) {
            l1 = v;
            return this;
        }

        public Builder k(int v) {
            k = v;
            return this;
        }

        public Builder lr(double v) {
            lr = v;
            return this;
        }

        public Builder warmupSteps(int v) {
            warmupSteps = v;
            return this;
        }

        public Builder schedule(String v) {
            schedule = v;
            return this;
        }

        public Builder l1WarmupSteps(int v) {
            l1WarmupSteps = v;
            return this;
        }

        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        public Builder steps(long v) {
            steps = v;
            return this;
        }

        public Builder gradClip(double v) {
            gradClip = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder matryoshka(List<Integer> v) {
            matryoshka = v;
            return this;
        }

        public Builder auxK(int v) {
            auxK = v;
            return this;
        }

        public Builder auxCoeff(double v) {
            auxCoeff = v;
            return this;
        }

        public Builder deadTokens(long v) {
            deadTokens = v;
            return this;
        }

        public Builder bandwidth(double v) {
            bandwidth = v;
            return this;
        }

        public Builder initThreshold(double v) {
            initThreshold = v;
            return this;
        }

        public Builder resampleEvery(long v) {
            resampleEvery = v;
            return this;
        }

        public Builder encoderInput(String v) {
            encoderInput = v;
            return this;
        }

        public Builder normalizeInput(boolean v) {
            normalizeInput = v;
            return this;
        }

        public Builder geometricMedianInit(boolean v) {
            geometricMedianInit = v;
            return this;
        }

        /** @throws IllegalArgumentException when the config is invalid (see {@link SaeConfig}) */
        public SaeConfig build() {
            return new SaeConfig(kind, dModel, dSae, l1, k, lr, warmupSteps, schedule, l1WarmupSteps, batchSize, steps, gradClip,
                    seed, matryoshka, auxK, auxCoeff, deadTokens, bandwidth, initThreshold, resampleEvery, encoderInput,
                    normalizeInput, geometricMedianInit);
        }
    }

    /** Whether the encoder subtracts b_dec from its input. */
    public boolean centered() {
        return encoderInput.equals("centered");
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

    /** Sparsity coefficient at step {@code step}: linear warm-up from 0 when {@code l1WarmupSteps > 0}; 0 without a penalty. */
    public double l1At(long step) {
        if (!kind.hasPenalty()) {
            return 0;
        }
        return l1WarmupSteps > 0 && step < l1WarmupSteps ? l1 * (step + 1) / l1WarmupSteps : l1;
    }
}
