package saelab.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import saelab.capture.CaptureOptions;
import saelab.capture.CapturePipeline;
import saelab.capture.CaptureSummary;
import saelab.capture.PartSpec;
import saelab.capture.TokenSelection;
import saelab.data.ProblemPolicy;
import saelab.hub.ModelLocator;
import saelab.store.RecordedLayer;
import saelab.store.StorageDtype;

/** {@code saelab capture}: a dataset through a model into an activation cache (resumable, splittable into parts). */
@Command(name = "capture", mixinStandardHelpOptions = true,
        description = {"Runs a vision model over a dataset and writes the activations of some blocks to a cache.",
                "Rerunning the same command on the same --out resumes after the last complete shard.",
                "--part i/n (or SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT) captures slice i of n; join parts with 'saelab cache merge'."})
final class CaptureCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "model folder, or hub id owner/name[@revision]")
    String model;

    @Mixin
    DatasetOptions data;

    @Option(names = "--layers", required = true, split = ",",
            description = "block indices to record, 0-based (resid_post), and final (final-normed tokens) or pooled (pooled output), e.g. 10,11,final,pooled")
    List<String> layers;

    @Option(names = "--tokens", defaultValue = "cls,patches", description = "cls, registers, patches, comma-separated (default ${DEFAULT-VALUE})")
    String tokens;

    @Option(names = "--dtype", defaultValue = "f16", description = "storage type: f32, f16 or bf16 (default ${DEFAULT-VALUE})")
    String dtype;

    @Option(names = "--out", required = true, description = "cache folder (created, or resumed)")
    Path out;

    @Option(names = "--batch", defaultValue = "64", description = "images per forward pass (default ${DEFAULT-VALUE}); keep it when resuming")
    int batch;

    @Mixin
    DeviceOption device;

    @Option(names = "--part", description = "i/n: capture the contiguous slice i (0-based) of n; default from SLURM_ARRAY_TASK_ID/COUNT")
    String part;


    @Option(names = "--policy", defaultValue = "skip", description = "unreadable images: skip (report and count) or stop (default ${DEFAULT-VALUE})")
    String policy;


    @Option(names = "--shard-mb", defaultValue = "1024", description = "shard size limit in MB (default ${DEFAULT-VALUE})")
    long shardMb;

    @Override
    public Integer call() throws Exception {
        CliPaths.requireWritable(out);
        Path dir = ModelLocator.resolve(model, null);
        String revision = null;
        if (!Files.isDirectory(Path.of(model)) && dir.getFileName() != null && dir.getFileName().toString().matches("[0-9a-f]{40}")) {
            revision = dir.getFileName().toString();
        }
        PartSpec p = part != null ? PartSpec.parse(part, "--part") : PartSpec.fromEnvironment(System.getenv());
        CaptureOptions.Builder b = CaptureOptions.builder(dir, data.dataset, data.split,
                        layers.stream().map(l -> RecordedLayer.parse(l, "--layers")).toList(), TokenSelection.parse(tokens), out)
                .model(model, revision).dtype(StorageDtype.parse(dtype, "--dtype")).batch(batch).device(device.device())
                .part(p).limit(data.limit).policy(policy(policy)).maxShardBytes(shardMb * 1_000_000L);
        if (data.threads != null) {
            b.threads(data.threads);
        }
        CaptureOptions o = b.build();
        if (p != null) {
            System.err.println("capturing part " + p + " into " + out);
        }
        CaptureSummary s = CapturePipeline.run(o, System.err);
        System.out.print(s.describe());
        return 0;
    }

    static ProblemPolicy policy(String text) {
        return switch (text == null ? "" : text.strip().toLowerCase(Locale.ROOT)) {
            case "skip", "skip_and_count" -> ProblemPolicy.SKIP_AND_COUNT;
            case "stop" -> ProblemPolicy.STOP;
            default -> throw new IllegalArgumentException("--policy is '" + text + "'; expected skip or stop");
        };
    }
}
