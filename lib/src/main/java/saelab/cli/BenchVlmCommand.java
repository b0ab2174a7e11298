package saelab.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import saelab.lm.LmBenchmark;

/** {@code saelab bench vlm}: prefill and KV-cache decoding tokens/s of a random Qwen2-0.5B-shaped decoder. */
@Command(name = "vlm", mixinStandardHelpOptions = true,
        description = {"Tokens/s of a VLM's language model, a random decoder of Qwen2-0.5B's shape (that of llava-interleave-qwen-0.5b):",
                "a timed prefill of the prompt, then greedy decoding with the KV cache; prints 'prefill tokens/s: N' and",
                "'decode tokens/s: N' last. Compare with torch_lm.py at the same options on the same machine."})
final class BenchVlmCommand implements Callable<Integer> {

    @Option(names = "--width", description = "model width (default ${DEFAULT-VALUE})", defaultValue = "896")
    int width;

    @Option(names = "--layers", description = "decoder layers (default ${DEFAULT-VALUE})", defaultValue = "24")
    int layers;

    @Option(names = "--heads", description = "query heads (default ${DEFAULT-VALUE})", defaultValue = "14")
    int heads;

    @Option(names = "--kv-heads", description = "key/value heads (default ${DEFAULT-VALUE})", defaultValue = "2")
    int kvHeads;

    @Option(names = "--mlp", description = "SwiGLU hidden width (default ${DEFAULT-VALUE})", defaultValue = "4864")
    int mlp;

    @Option(names = "--vocab", description = "vocabulary, rows of the tied embedding and head (default ${DEFAULT-VALUE})", defaultValue = "151936")
    int vocab;

    @Option(names = "--theta", defaultValue = "1e6", description = "RoPE base (default ${DEFAULT-VALUE})")
    double theta;

    @Option(names = "--prompt", defaultValue = "600", description = "prompt tokens, e.g. 576 image tokens + text (default ${DEFAULT-VALUE})")
    int prompt;

    @Option(names = "--new", defaultValue = "32", description = "tokens decoded greedily after the prompt (default ${DEFAULT-VALUE})")
    int newTokens;

    @Option(names = "--threads", defaultValue = "2", description = "libtorch intra-op threads (default ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the random weights and prompt (default ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() {
        LmBenchmark.run(new LmBenchmark.Options(width, layers, heads, kvHeads, mlp, vocab, theta, prompt, newTokens, threads, seed),
                System.out);
        return 0;
    }
}
