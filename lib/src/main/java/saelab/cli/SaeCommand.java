package saelab.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import saelab.sae.SaeCheckpoint;
import saelab.sae.SaeConfig;
import saelab.sae.SaeImport;

/** {@code saelab sae}: work with SAE checkpoints; {@code sae import} converts other tools' checkpoints. */
@Command(name = "sae", mixinStandardHelpOptions = true, description = "Work with SAE checkpoints.",
        subcommands = {SaeCommand.Import.class})
final class SaeCommand {

    /** {@code saelab sae import SOURCE --out FILE.safetensors}. */
    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Convert a saev sae.pt (paper era or current) or a SAELens SAE folder (cfg.json +"
                    + " sae_weights.safetensors) into a saelab checkpoint, written atomically.")
    static final class Import implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "SOURCE", description = "saev sae.pt file, or SAELens folder")
        Path source;

        @Option(names = "--out", required = true, paramLabel = "FILE.safetensors", description = "saelab checkpoint to write")
        Path out;

        @Override
        public Integer call() throws Exception {
            if (Files.isDirectory(out)) {
                throw new IllegalArgumentException("--out " + out + " is a folder; give a file name such as "
                        + out.resolve("sae.safetensors"));
            }
            SaeImport.Imported im = SaeImport.read(source);
            SaeCheckpoint.write(out, im.config(), im.arrays(), im.provenance());
            SaeConfig c = im.config();
            System.out.printf(Locale.ROOT, "imported %s %s: kind %s%s, d_model %d, d_sae %d, encoder input %s; wrote %s%n",
                    im.provenance().get("source_format"), source, c.kind().id(), c.kind().selectsTopK() ? " (k " + c.k() + ")" : "",
                    c.dModel(), c.dSae(), c.encoderInput(), out);
            return 0;
        }
    }
}
