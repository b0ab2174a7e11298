package saelab.lm;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import saelab.model.LinearWeights;

/**
 * Tokens per second of a decoder language model's prefill and of its greedy decoding with the {@link KvCache}, set up as
 * the PyTorch reference script {@code torch_lm.py} of the project's benchmarks does: a Qwen2-shaped decoder (q/k/v
 * biases, grouped-query attention, SwiGLU MLP, tied output head, RoPE theta 1e6) with every parameter drawn from
 * N(0, 0.02²), default shape Qwen2-0.5B's (the decoder of llava-interleave-qwen-0.5b: width 896, 24 layers, 14 heads,
 * 2 key/value heads, MLP 4864, vocabulary 151936); a prompt of random ids (default 600: 576 image tokens and some text).
 * A warm-up forward of the first 8 prompt tokens precedes the timed part; then one timed prefill of the whole prompt into
 * an empty cache (logits of the last position only), and {@code new} timed steps that each take the argmax of the last
 * logits and run that one token through the cache. Prefill tokens/s is the prompt length over the prefill's seconds,
 * decode tokens/s the new tokens over the steps' seconds, as the reference reports them.
 */
public final class LmBenchmark {

    /** Tokens of the warm-up forward, as the reference script. */
    static final int WARM_UP_TOKENS = 8;

    /**
     * The benchmark's shape and length.
     *
     * @param width     model width D
     * @param layers    decoder layers
     * @param heads     query heads
     * @param kvHeads   key/value heads (heads must be a multiple)
     * @param mlp       SwiGLU hidden width
     * @param vocab     vocabulary (rows of the tied embedding and head)
     * @param theta     RoPE base
     * @param prompt    prompt tokens (prefill)
     * @param newTokens tokens decoded greedily after the prompt
     * @param threads   libtorch intra-op threads
     * @param seed      seed of the random weights and prompt
     */
    public record Options(int width, int layers, int heads, int kvHeads, int mlp, int vocab, double theta, int prompt, int newTokens,
                          int threads, long seed) {

        /** Checks every size; one sentence naming the option otherwise. */
        public Options {
            check("width", width);
            check("layers", layers);
            check("heads", heads);
            check("kv-heads", kvHeads);
            check("mlp", mlp);
            check("vocab", vocab);
            check("prompt", prompt);
            check("new", newTokens);
            check("threads", threads);
            if (width % heads != 0 || (width / heads) % 2 != 0) {
                throw new IllegalArgumentException("--width " + width + " is not a multiple of --heads " + heads
                        + " with an even quotient; expected an even head width (rotary embeddings pair its halves)");
            }
            if (heads % kvHeads != 0) {
                throw new IllegalArgumentException("--heads " + heads + " is not a multiple of --kv-heads " + kvHeads
                        + "; expected whole groups of query heads per key/value head");
            }
            if (!(theta > 0) || Double.isInfinite(theta)) {
                throw new IllegalArgumentException("--theta is " + theta + "; expected a positive finite RoPE base");
            }
        }

        /** Parameters of the model (the tied head counted once). */
        public long parameters() {
            long d = width;
            long qkv = d + 2L * (d / heads) * kvHeads;
            long perLayer = d + qkv * d + qkv + d * d + d + 3L * mlp * d;
            return (long) vocab * d + layers * perLayer + d;
        }

        /** Qwen2-0.5B's decoder and the reference script's defaults: a 600-token prompt, 32 new tokens, 2 threads, seed 0. */
        public static Options qwen2Small() {
            return new Options(896, 24, 14, 2, 4864, 151936, 1e6, 600, 32, 2, 0);
        }

        /** These options with another prompt length, number of new tokens and thread count. */
        public Options with(int prompt, int newTokens, int threads) {
            return new Options(width, layers, heads, kvHeads, mlp, vocab, theta, prompt, newTokens, threads, seed);
        }

        /** The model's configuration (Qwen2 layout, tied head, max positions the prompt plus the new tokens). */
        public LmConfig config() {
            return new LmConfig(LmConfig.Family.QWEN2, vocab, width, mlp, layers, heads, kvHeads, width / heads, 1e-6f, theta,
                    prompt + newTokens, true, true, false, false, "synthetic Qwen2-shaped decoder");
        }

        private static void check(String option, int value) {
            if (value <= 0) {
                throw new IllegalArgumentException("--" + option + " is " + value + "; expected a positive whole number");
            }
        }
    }

    /**
     * A measurement.
     *
     * @param prefillTokensPerSecond prompt tokens over the prefill's wall time
     * @param decodeTokensPerSecond  new tokens over the decoding steps' wall time
     * @param prefillSeconds         the prefill's wall time
     * @param decodeSeconds          the decoding steps' wall time
     */
    public record Result(double prefillTokensPerSecond, double decodeTokensPerSecond, double prefillSeconds, double decodeSeconds) {}

    private static final float STD = 0.02f;

    private LmBenchmark() {}

    /**
     * Random weights of {@code cfg}'s shape, every parameter (norm weights and biases too) N(0, 0.02²) as the reference
     * script initialises them, drawn by libtorch's generator seeded with {@code seed} straight into native memory on
     * {@code manager} (about 4 bytes per parameter: 2 GB for Qwen2-0.5B, none of it on the Java heap).
     */
    public static LmWeights randomWeights(LmConfig cfg, NDManager manager, long seed) {
        manager.getEngine().setRandomSeed((int) seed);
        long d = cfg.hiddenSize();
        long q = (long) cfg.heads() * cfg.headDim();
        long kv = (long) cfg.kvHeads() * cfg.headDim();
        long inter = cfg.intermediateSize();
        NDArray embed = normal(manager, cfg.vocabSize(), d);
        List<LayerWeights> layers = new ArrayList<>();
        for (int l = 0; l < cfg.layers(); l++) {
            layers.add(new LayerWeights(new RmsNorm(normal(manager, d), cfg.rmsNormEps()),
                    new LinearWeights(normal(manager, q + 2 * kv, d), cfg.qkvBias() ? normal(manager, q + 2 * kv) : null),
                    new LinearWeights(normal(manager, d, q), null),
                    new RmsNorm(normal(manager, d), cfg.rmsNormEps()),
                    new LinearWeights(normal(manager, 2 * inter, d), null),
                    new LinearWeights(normal(manager, d, inter), null)));
        }
        return new LmWeights(embed, List.copyOf(layers), new RmsNorm(normal(manager, d), cfg.rmsNormEps()), embed);
    }

    /**
     * Runs the benchmark on the CPU, printing the settings and then {@code prefill tokens/s: N} and {@code decode tokens/s: N}
     * to {@code log}. libtorch's intra-op thread count is set to {@code o.threads()} for the run and put back afterwards.
     */
    public static Result run(Options o, PrintStream log) {
        long bytes = o.parameters() * Float.BYTES;
        long physical = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
        if (bytes > physical / 2) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "the model's %,d parameters need %.1f GB of float32, more than"
                    + " half of this machine's %.1f GB of memory; expected a smaller shape", o.parameters(), bytes / 1e9, physical / 1e9));
        }
        Engine.getInstance(); // loads libtorch before its thread count is touched
        int before = JniUtils.getNumThreads();
        JniUtils.setNumThreads(o.threads());
        LmConfig cfg = o.config();
        try (DecoderLm lm = randomModel(cfg, o.seed()); NDManager nd = NDManager.newBaseManager(Device.cpu())) {
            long[] prompt = new SplittableRandom(o.seed()).longs(o.prompt(), 0, o.vocab()).toArray();
            log.printf(Locale.ROOT, "saelab lm width %d layers %d heads %d/%d mlp %d vocab %d prompt %d new %d threads %d%n", o.width(),
                    o.layers(), o.heads(), o.kvHeads(), o.mlp(), o.vocab(), o.prompt(), o.newTokens(), o.threads());
            try (NDManager warm = nd.newSubManager(); KvCache cache = lm.newCache(warm)) {
                long[] head = Arrays.copyOf(prompt, Math.min(WARM_UP_TOKENS, prompt.length));
                step(lm, warm, head, cache);
            }
            try (NDManager timed = nd.newSubManager(); KvCache cache = lm.newCache(timed)) {
                long t0 = System.nanoTime();
                long next = step(lm, timed, prompt, cache);
                long t1 = System.nanoTime();
                for (int i = 0; i < o.newTokens(); i++) {
                    next = step(lm, timed, new long[] {next}, cache);
                }
                long t2 = System.nanoTime();
                double prefill = (t1 - t0) / 1e9;
                double decode = (t2 - t1) / 1e9;
                Result r = new Result(o.prompt() / prefill, o.newTokens() / decode, prefill, decode);
                log.printf(Locale.ROOT, "prefill tokens/s: %.1f%n", r.prefillTokensPerSecond());
                log.printf(Locale.ROOT, "decode tokens/s: %.2f%n", r.decodeTokensPerSecond());
                return r;
            }
        } finally {
            JniUtils.setNumThreads(before);
        }
    }

    /** A model over {@link #randomWeights} on a manager of its own. */
    private static DecoderLm randomModel(LmConfig cfg, long seed) {
        NDManager weights = NDManager.newBaseManager(Device.cpu());
        try {
            return DecoderLm.fromWeights(cfg, randomWeights(cfg, weights, seed), weights);
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    /** Runs {@code ids} through the cache and returns the argmax of the last position's logits. */
    private static long step(DecoderLm lm, NDManager parent, long[] ids, KvCache cache) {
        try (NDManager m = parent.newSubManager()) {
            NDArray embeds = lm.embed(m.create(ids, new Shape(1, ids.length)));
            NDArray logits = lm.forward(embeds, null, null, cache, DecoderLm.Keep.LAST_LOGITS).logits();
            return logits.argMax().toType(DataType.INT64, false).getLong();
        }
    }

    private static NDArray normal(NDManager m, long... shape) {
        return m.randomNormal(0f, STD, new Shape(shape), DataType.FLOAT32);
    }
}
