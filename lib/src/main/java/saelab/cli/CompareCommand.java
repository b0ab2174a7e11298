package saelab.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import saelab.analysis.CrossModelMatching;
import saelab.analysis.CrossModelOutputs;
import saelab.analysis.SparseCodes;

/** {@code saelab compare}: latents of two SAEs matched by their codes on the same images. */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Cross-model comparison: the Pearson correlation of every pair of latents of two SAEs over the same patches",
                "(or images), each latent's best match on the other side, mutual pairs, and the share of live latents without a",
                "counterpart at 0.3, 0.5 and 0.7. Reads the codes 'saelab analyze --codes' writes (analysis folder or its codes/).",
                "Writes matches-a.csv, matches-b.csv and summary.json."})
final class CompareCommand implements Callable<Integer> {

    @Option(names = "--a", required = true, paramLabel = "DIR", description = "codes of model A (an analysis folder with codes/, or codes/)")
    Path a;

    @Option(names = "--b", required = true, paramLabel = "DIR", description = "codes of model B, over the same images in the same order")
    Path b;

    @Option(names = "--names", paramLabel = "A,B", split = ",", description = "what to call A and B in the summary (default: a,b)")
    String[] names;

    @Option(names = "--unit", defaultValue = "patch", description = "patch (same grid) or image (a latent's maximum over the patches); default ${DEFAULT-VALUE}")
    String unit;

    @Option(names = "--max-table-mib", defaultValue = "1024", description = "largest d_a x d_b table of doubles accepted, MiB (default ${DEFAULT-VALUE})")
    long maxTableMib;

    @Mixin
    OutputFolderOption out;

    @Override
    public Integer call() throws Exception {
        CrossModelMatching.Unit u = switch (unit.strip().toLowerCase(Locale.ROOT)) {
            case "patch" -> CrossModelMatching.Unit.PATCH;
            case "image" -> CrossModelMatching.Unit.IMAGE;
            default -> throw new IllegalArgumentException("--unit is '" + unit + "'; expected patch or image");
        };
        if (maxTableMib < 1) {
            throw new IllegalArgumentException("--max-table-mib is " + maxTableMib + "; expected a positive number of MiB");
        }
        String[] n = names == null ? new String[] {"a", "b"} : names;
        if (n.length != 2) {
            throw new IllegalArgumentException("--names holds " + n.length + " names; expected two, A,B");
        }
        Path dir = out.folder();
        try (SparseCodes ca = SparseCodes.open(codesDir(a, "--a")); SparseCodes cb = SparseCodes.open(codesDir(b, "--b"))) {
            CrossModelMatching.Result r = CrossModelMatching.measure(CrossModelMatching.PatchCodes.of(ca), CrossModelMatching.PatchCodes.of(cb),
                    new CrossModelMatching.Options(u, maxTableMib << 20));
            Map<String, Object> inputs = new LinkedHashMap<>();
            inputs.put("a", a.toString());
            inputs.put("b", b.toString());
            Map<String, Object> s = CrossModelOutputs.write(dir, r, u, n, inputs);
            System.out.printf(Locale.ROOT, "%d %s units; %s: %s; %s: %s; %d mutual pairs%n", r.units(), unit, n[0],
                    ((Map<?, ?>) s.get("a")).get("no_counterpart_share"), n[1], ((Map<?, ?>) s.get("b")).get("no_counterpart_share"),
                    (Integer) s.get("mutual_pairs"));
            System.out.println("wrote " + dir.resolve("summary.json"));
        }
        return 0;
    }

    private static Path codesDir(Path dir, String option) {
        Path c = Files.isRegularFile(dir.resolve(SparseCodes.FOLDER).resolve(SparseCodes.INDEX)) ? dir.resolve(SparseCodes.FOLDER) : dir;
        if (!Files.isRegularFile(c.resolve(SparseCodes.INDEX))) {
            throw new IllegalArgumentException(option + ": " + dir + " holds no " + SparseCodes.INDEX + " (nor " + SparseCodes.FOLDER + "/"
                    + SparseCodes.INDEX + "); expected the codes of 'saelab analyze --codes'");
        }
        return c;
    }
}
