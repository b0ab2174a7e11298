package saelab.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import saelab.capture.CaptureOptions;
import saelab.capture.CapturePipeline;
import saelab.capture.CaptureSummary;
import saelab.capture.PartSpec;
import saelab.capture.TokenSelection;
import saelab.data.ProblemPolicy;
import saelab.hub.ModelLocator;
import saelab.store.StorageDtype;

/** {@code saelab capture}: a dataset through a model into an activation cache (resumable, splittable into parts). */
@Command(name = "capture", mixinStandardHelpOptions = true,
        description = {"Runs a vision model over a dataset and writes the activations of some blocks to a cache.",
                "Rerunning the same command on the same --out resumes after the last complete shard.",
                "--part i/n (or SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT) captures slice i of n; join parts with 'saelab cache merge'."})
final class CaptureCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "model folder, or hub id owner/name[@revision]")
    String model;

    @Option(names = "--dataset", required = true, description = "KIND[,OPTION=VALUE...]:PATH with KIND folder, imagenet, inat2021, ade20k or cub200;"
            + " or manifest:FILE, a list saved by 'saelab dataset manifest' (used as is, no walk over the files)")
    String dataset;

    @Option(names = "--split", description = "split (default: the reader's; train for imagenet and ade20k)")
    String split;

    @Option(names = "--layers", required = true, split = ",", description = "block indices to record, 0-based (resid_post), e.g. 10,11")
    List<Integer> layers;

    @Option(names = "--tokens", defaultValue = "cls,patches", description = "cls, registers, patches, comma-separated (default ${DEFAULT-VALUE})")
    String tokens;

    @Option(names = "--dtype", defaultValue = "f16", description = "storage type: f32, f16 or bf16 (default ${DEFAULT-VALUE})")
    String dtype;

    @Option(names = "--out", required = true, description = "cache folder (created, or resumed)")
    Path out;

    @Option(names = "--batch", defaultValue = "64", description = "images per forward pass (default ${DEFAULT-VALUE}); keep it when resuming")
    int batch;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, gpu or gpu:N (default ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--part", description = "i/n: capture the contiguous slice i (0-based) of n; default from SLURM_ARRAY_TASK_ID/COUNT")
    String part;

    @Option(names = "--limit", defaultValue = "0", description = "only the first N images of the dataset list (0 = all)")
    long limit;

    @Option(names = "--policy", defaultValue = "skip", description = "unreadable images: skip (report and count) or stop (default ${DEFAULT-VALUE})")
    String policy;

    @Option(names = "--threads", description = "decode + preprocess threads (default: available processors)")
    Integer threads;

    @Option(names = "--shard-mb", defaultValue = "1024", description = "shard size limit in MB (default ${DEFAULT-VALUE})")
    long shardMb;

    @Override
    public Integer call() throws Exception {
        Path dir = ModelLocator.resolve(model, null);
        String revision = null;
        if (!Files.isDirectory(Path.of(model)) && dir.getFileName() != null && dir.getFileName().toString().matches("[0-9a-f]{40}")) {
            revision = dir.getFileName().toString();
        }
        PartSpec p = part != null ? PartSpec.parse(part, "--part") : PartSpec.fromEnvironment(System.getenv());
        CaptureOptions.Builder b = CaptureOptions.builder(dir, dataset, split, layers, TokenSelection.parse(tokens), out)
                .model(model, revision).dtype(StorageDtype.parse(dtype, "--dtype")).batch(batch).device(TrainCommand.device(device))
                .part(p).limit(limit).policy(policy(policy)).maxShardBytes(shardMb * 1_000_000L);
        if (threads != null) {
            b.threads(threads);
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
