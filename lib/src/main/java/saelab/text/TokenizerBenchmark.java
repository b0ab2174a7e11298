package saelab.text;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * Throughput of a tokenizer on the zero-shot ImageNet prompts (1,000 class names x 80 OpenAI templates = 80,000
 * prompts), one thread: the first pass over a freshly loaded tokenizer (CLIP's BPE cache filling up), then warm
 * passes. A measurement, printed; not a test.
 */
public final class TokenizerBenchmark {

    /**
     * The figures of one run.
     *
     * @param prompts          prompts per pass
     * @param tokens           ids per pass (with start and end tokens)
     * @param firstPassSeconds the first pass
     * @param warmPromptsPerSecond median rate of the warm passes, prompts/s
     * @param warmTokensPerSecond  median rate of the warm passes, ids/s
     */
    public record Result(int prompts, long tokens, double firstPassSeconds, double warmPromptsPerSecond,
                         double warmTokensPerSecond) {}

    private TokenizerBenchmark() {}

    /**
     * The benchmark's prompts: {@link PromptTemplates#expand} of {@code classNames} over the 80 OpenAI templates
     * (80,000 for ImageNet's 1,000 names, {@code saelab.data.ImageNetClasses#openAiNames}).
     */
    public static List<String> prompts(List<String> classNames) {
        return PromptTemplates.expand(classNames, PromptTemplates.openAi80());
    }

    /** Times {@code warmPasses} passes after the first and prints the figures, "tokens/s: N" last. */
    public static Result run(Tokenizer tokenizer, List<String> prompts, int warmPasses, PrintStream out) {
        if (warmPasses < 1) {
            throw new IllegalArgumentException("warm passes is " + warmPasses + "; expected at least 1");
        }
        long t0 = System.nanoTime();
        long tokens = pass(tokenizer, prompts);
        double first = (System.nanoTime() - t0) / 1e9;
        double[] rates = new double[warmPasses];
        for (int p = 0; p < warmPasses; p++) {
            long t = System.nanoTime();
            pass(tokenizer, prompts);
            rates[p] = prompts.size() / ((System.nanoTime() - t) / 1e9);
        }
        java.util.Arrays.sort(rates);
        double median = rates[warmPasses / 2];
        Result r = new Result(prompts.size(), tokens, first, median, median * tokens / prompts.size());
        out.println("tokenizer: " + tokenizer);
        out.printf(Locale.ROOT, "prompts: %d per pass, %d ids (%.2f per prompt)%n", r.prompts(), r.tokens(), (double) r.tokens() / r.prompts());
        out.printf(Locale.ROOT, "first pass: %.3f s (%.0f prompts/s)%n", first, prompts.size() / first);
        out.printf(Locale.ROOT, "warm passes: %d, median %.0f prompts/s%n", warmPasses, r.warmPromptsPerSecond());
        out.printf(Locale.ROOT, "tokens/s: %.0f%n", r.warmTokensPerSecond());
        return r;
    }

    private static long pass(Tokenizer tokenizer, List<String> prompts) {
        long n = 0;
        for (String p : prompts) {
            n += tokenizer.encode(p).length;
        }
        return n;
    }
}
