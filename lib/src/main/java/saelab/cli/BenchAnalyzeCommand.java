package saelab.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import saelab.analysis.AnalysisBenchmark;

/**
 * {@code saelab bench analyze}: the feature pass on a synthetic cache with a random TopK SAE. The heap
 * limit is the JVM's: pass it through the launcher with {@code JAVA_TOOL_OPTIONS=-Xmx2g ./saelab bench analyze}.
 */
@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = {"Feature-pass throughput on a synthetic cache with a random TopK SAE; prints 'tokens/s: N',"
                + " 'matmul-fraction: F' and 'peak-heap-mb: M' last.",
                "Limit the heap with JAVA_TOOL_OPTIONS=-Xmx2g ./saelab bench analyze ..."})
final class BenchAnalyzeCommand implements Callable<Integer> {

    @Option(names = "--d-model", defaultValue = "768")
    int dModel;

    @Option(names = "--d-sae", defaultValue = "24576")
    int dSae;

    @Mixin
    FeaturePassOptions pass;

    @Option(names = "--sae-k", defaultValue = "32", description = "active latents per token of the TopK SAE (default ${DEFAULT-VALUE})")
    int saeK;

    @Option(names = "--patches-per-image", defaultValue = "256")
    int patches;

    @Option(names = "--tokens", defaultValue = "5000000", description = "patch tokens to pass (default ${DEFAULT-VALUE})")
    long tokens;

    @Option(names = "--tmp", description = "folder for the temporary synthetic cache (default: the system's)")
    Path tmp;

    @Override
    public Integer call() throws Exception {
        AnalysisBenchmark.Result r = AnalysisBenchmark.run(dModel, dSae, saeK, patches, tokens, pass.batch, pass.k, tmp, System.out);
        System.out.printf(Locale.ROOT, "tokens/s: %.1f%n", r.tokensPerSecond());
        System.out.printf(Locale.ROOT, "matmul-fraction: %.3f%n", r.matmulFraction());
        System.out.printf(Locale.ROOT, "peak-heap-mb: %.1f%n", r.peakHeapBytes() / 1e6);
        return 0;
    }
}
