package saelab.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import saelab.config.Workspace;
import saelab.io.Verbosity;
import saelab.manifest.DataManifests;
import saelab.manifest.DataRoot;
import saelab.store.ActivationCache;
import saelab.store.CacheManifest;
import saelab.store.CacheVerifier;
import saelab.store.Completeness;
import saelab.store.StorageDtype;
import saelab.store.SyntheticCache;

/** {@code saelab cache ...}: look at, check and make activation caches. */
@Command(name = "cache", mixinStandardHelpOptions = true, description = "Inspect, verify or synthesise activation caches.",
        subcommands = {CacheCommand.Info.class, CacheCommand.Verify.class, CacheCommand.Synth.class, CacheCommand.Register.class, CacheMergeCommand.class})
final class CacheCommand {

    @Command(name = "info", mixinStandardHelpOptions = true, description = "Summarise a cache (saelab or saev format).")
    static final class Info implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "the cache folder")
        Path dir;

        @Override
        public Integer call() {
            try (ActivationCache c = ActivationCache.open(dir, Completeness.ALLOW_INCOMPLETE)) {
                long bytes = (long) c.nImages() * c.layers().size() * c.tokens().tokens() * c.dModel() * c.dtype().bytes();
                System.out.printf(Locale.ROOT, "cache     %s (%s)%n", c.dir(), c.format());
                CacheManifest m = c.manifest();
                if (m != null) {
                    System.out.printf("model     %s%s%n", m.model().id(), m.model().revision() == null ? "" : " @ " + m.model().revision());
                    System.out.printf("dataset   %s%s%n", m.dataset().manifestId(), m.dataset().split() == null ? "" : " / " + m.dataset().split());
                    System.out.printf("state     %s%n", m.complete() ? "complete" : "INCOMPLETE (resume the capture)");
                }
                System.out.printf(Locale.ROOT, "images    %d%n", c.nImages());
                System.out.printf("layers    %s (0-based block indices, resid_post)%n", c.layers());
                System.out.printf("tokens    %s cls, %d registers, %dx%d patches = %d per image%n", c.tokens().cls() ? "1" : "no",
                        c.tokens().registers(), c.tokens().gridH(), c.tokens().gridW(), c.tokens().tokens());
                System.out.printf("d_model   %d, stored as %s%n", c.dModel(), c.dtype().id());
                System.out.printf(Locale.ROOT, "size      %.3f GB%s%n", bytes / 1e9,
                        m == null ? "" : " in " + m.shards().size() + " shard(s) of up to " + m.imagesPerShard() + " images");
                System.out.printf("labels    %s%n", c.hasPatchLabels()
                        ? "per patch, " + (c.labelClasses().isEmpty() ? "classes unnamed" : c.labelClasses().size() + " classes")
                          + ", background " + c.backgroundLabel() : "none");
            }
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Recompute checksums and sizes; exit 1 naming each bad file.")
    static final class Verify implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "the cache folder")
        Path dir;

        @Option(names = "--quiet", description = "print problems only")
        boolean quiet;

        @Override
        public Integer call() {
            CliPaths.requireFolder(dir, "an activation cache folder");
            List<CacheVerifier.Problem> problems = CacheVerifier.verify(dir, line -> {
                if (!quiet) {
                    System.out.println("  " + line);
                }
            });
            if (problems.isEmpty()) {
                System.out.println("ok: " + dir + " matches its manifest");
                return 0;
            }
            System.err.println(problems.size() + " problem(s) in " + dir + ":");
            problems.forEach(p -> System.err.println("  " + p));
            return 1;
        }
    }

    @Command(name = "register", mixinStandardHelpOptions = true,
            description = "Write data-manifests/caches/ID.json for a cache under the data root.")
    static final class Register implements Callable<Integer> {
        @Parameters(paramLabel = "LOCATION", description = "the cache folder, relative to the data root")
        String location;

        @Option(names = "--id", required = true, description = "manifest id")
        String id;

        @Option(names = "--note", description = "what the cache is")
        String note;

        @Override
        public Integer call() throws Exception {
            Workspace ws = Workspace.locate();
            Path root = DataRoot.find().orElseThrow(() -> new IllegalStateException(
                    "no data root: set " + DataRoot.VAR + " or data_root in ~/.config/saelab/config.json"));
            Path file = DataManifests.registerCache(ws.manifests(), id, root, location, note);
            System.out.println("wrote " + ws.root().relativize(file));
            return 0;
        }
    }

    @Command(name = "synth", mixinStandardHelpOptions = true,
            description = "Write a cache of random activations of a given size (for benchmarks).")
    static final class Synth implements Callable<Integer> {
        @Option(names = "--images", required = true, description = "number of images")
        long images;

        @Option(names = "--tokens", defaultValue = "197", description = "tokens per image: CLS + patches (default ${DEFAULT-VALUE})")
        int tokens;

        @Option(names = "--d", defaultValue = "768", description = "d_model (default ${DEFAULT-VALUE})")
        int d;

        @Option(names = "--dtype", defaultValue = "f16", description = "f32, f16 or bf16 (default ${DEFAULT-VALUE})")
        String dtype;

        @Option(names = "--layers", defaultValue = "1", description = "recorded layers (default ${DEFAULT-VALUE})")
        int layers;

        @Option(names = "--label-classes", defaultValue = "0", description = "random patch labels 0..N-1, 0 = background")
        int labelClasses;

        @Option(names = "--shard-mb", defaultValue = "1024", description = "shard size limit in MB (default ${DEFAULT-VALUE})")
        long shardMb;

        @Option(names = "--seed", defaultValue = "0")
        long seed;

        @Option(names = "--out", required = true, description = "output folder (must not hold a cache)")
        Path out;

        @Override
        public Integer call() throws Exception {
            CacheManifest m = SyntheticCache.write(out, images, tokens, d, StorageDtype.parse(dtype, "--dtype"), layers,
                    labelClasses, seed, shardMb * 1_000_000L, Verbosity.PROGRESS);
            System.out.printf(Locale.ROOT, "wrote %s: %d images in %d shard(s)%n", out, m.nImages(), m.shards().size());
            return 0;
        }
    }
}
