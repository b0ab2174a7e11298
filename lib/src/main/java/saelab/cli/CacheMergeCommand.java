package saelab.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import saelab.capture.PartsMerger;

/** {@code saelab cache merge}: joins the part caches of one capture into one cache, linking the shard files. */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = {"Join the caches of 'saelab capture --part i/n' into one cache by manifest: shard files are hard-linked",
                "(symbolic links where hard links are refused), never copied. Checks that the parts agree and cover the list."})
final class CacheMergeCommand implements Callable<Integer> {

    @Parameters(paramLabel = "PART", arity = "1..*", description = "the part cache folders, in any order")
    List<Path> parts;

    @Option(names = "--out", required = true, description = "the merged cache folder (must not hold a cache)")
    Path out;

    @Override
    public Integer call() throws Exception {
        PartsMerger.Result r = PartsMerger.merge(parts, out);
        System.out.printf("merged %d part(s): %d images in %d shard(s), %s links, into %s%n", parts.size(), r.manifest().nImages(),
                r.manifest().shards().size(), r.links().name().toLowerCase(java.util.Locale.ROOT), out);
        return 0;
    }
}
