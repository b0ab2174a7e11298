package saelab.cli;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import saelab.data.DatasetManifest;
import saelab.data.DatasetManifestFiles;
import saelab.data.Datasets;
import saelab.data.ImageProblems;
import saelab.data.ManifestOptions;
import saelab.data.ProblemPolicy;
import saelab.io.Verbosity;

/** {@code saelab dataset ...}: dataset manifests (the ordered image lists a capture reads). */
@Command(name = "dataset", mixinStandardHelpOptions = true, description = "Build or inspect dataset manifests.",
        subcommands = {DatasetCommand.Manifest.class, DatasetCommand.Info.class})
final class DatasetCommand {

    @Command(name = "manifest", mixinStandardHelpOptions = true,
            description = "List a dataset (ordered files, sizes, labels, classes, checksum) into a JSON manifest.")
    static final class Manifest implements Callable<Integer> {
        @Parameters(paramLabel = "SPEC", description = "KIND[,OPTION=VALUE...]:PATH with KIND folder, imagenet, inat2021,"
                + " ade20k or cub200 (e.g. inat2021,level=genus:/data/inat2021)")
        String spec;

        @Option(names = "--split", description = "split: imagenet train|val, inat2021 train_mini|train|val, ade20k train|val,"
                + " cub200 train|test|all; for folder a subfolder (default: the whole folder)")
        String split;

        @Option(names = "--sha256", description = "also record the SHA-256 of every file (reads every byte)")
        boolean sha256;

        @Option(names = "--strict", description = "stop at missing files instead of skipping and counting them")
        boolean strict;

        @Option(names = "--threads", description = "threads that look at the files (default: up to 8)")
        Integer threads;

        @Option(names = "--part", paramLabel = "I/N", description = "write only part I (0-based) of N of the list")
        String part;

        @Option(names = "--out", required = true, description = "output file (.json, or .json.gz compressed)")
        Path out;

        @Override
        public Integer call() throws IOException {
            ManifestOptions o = ManifestOptions.DEFAULT.withSha256(sha256)
                    .withPolicy(strict ? ProblemPolicy.STOP : ProblemPolicy.SKIP_AND_COUNT).withVerbosity(Verbosity.PROGRESS);
            CliPaths.requireWritable(out);
            if (threads != null) {
                o = o.withThreads(threads);
            }
            DatasetManifest m = Datasets.open(spec, split).manifest(o);
            if (part != null) {
                int[] p = parsePart(part);
                m = m.slice(p[0], p[1]);
            }
            DatasetManifestFiles.write(out, m);
            System.out.printf(Locale.ROOT, "wrote %s: %d images, %d classes, checksum %s%n", out, m.size(), m.classes().size(),
                    m.checksum());
            if (!m.skipped().isEmpty()) {
                ImageProblems p = new ImageProblems(ProblemPolicy.SKIP_AND_COUNT);
                p.addAll(m.skipped());
                System.out.println("skipped " + p.summary());
            }
            return 0;
        }
    }

    @Command(name = "info", mixinStandardHelpOptions = true,
            description = "Summarise a dataset manifest and check its checksum.")
    static final class Info implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "the manifest (.json or .json.gz)")
        Path file;

        @Override
        public Integer call() throws IOException {
            DatasetManifest m;
            try {
                m = DatasetManifestFiles.read(file);
            } catch (NoSuchFileException e) {
                throw new IllegalArgumentException(file + " does not exist; expected a dataset manifest (.json or .json.gz)", e);
            }
            System.out.printf("dataset   %s%s%s%n", m.kind(), m.split() == null ? "" : " / " + m.split(),
                    m.options().isEmpty() ? "" : " " + m.options());
            System.out.printf("root      %s%n", m.root());
            System.out.printf(Locale.ROOT, "images    %d%s%n", m.size(), m.slice() == null ? ""
                    : " (part " + m.slice().part() + " of " + m.slice().parts() + ": images " + m.slice().first() + ".."
                    + (m.slice().first() + m.size() - 1) + " of " + m.slice().total() + ")");
            System.out.printf("classes   %d%s%n", m.classes().size(), m.classes().isEmpty() ? ""
                    : ", e.g. " + m.classes().getFirst() + (m.classes().size() > 1 ? " ... " + m.classes().getLast() : ""));
            System.out.printf("skipped   %d%n", m.skipped().size());
            System.out.printf("checksum  %s (matches the list)%n", m.checksum());
            return 0;
        }
    }

    /** {@code "i/n"} with {@code 0 <= i < n}. */
    static int[] parsePart(String s) {
        String[] p = s.split("/");
        try {
            if (p.length == 2) {
                int i = Integer.parseInt(p[0].strip());
                int n = Integer.parseInt(p[1].strip());
                if (n >= 1 && i >= 0 && i < n) {
                    return new int[] {i, n};
                }
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--part: expected I/N with 0 <= I < N (0-based part index), got '" + s + "'");
    }
}
