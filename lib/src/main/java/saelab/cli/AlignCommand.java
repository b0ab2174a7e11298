package saelab.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import saelab.analysis.AlignmentSummary;
import saelab.analysis.MlpOutputWeights;
import saelab.analysis.NeuronAlignment;
import saelab.analysis.RecordedLayer;
import saelab.plot.AnalysisPlots;
import saelab.sae.SaeCheckpoint;
import saelab.sae.SaeConfig;

/** {@code saelab align}: how closely each SAE latent lines up with one MLP neuron of the block it reads. */
@Command(name = "align", mixinStandardHelpOptions = true,
        description = {"Neuron alignment: per latent, the max |cos| of its decoder and encoder directions with the output direction of",
                "any MLP neuron of block L (the block whose output resid_post[L] the SAE reads), against random unit directions.",
                "Writes alignment.csv, alignment-summary.json and alignment-histogram.{png,pdf,csv}."})
final class AlignCommand implements Callable<Integer> {

    @Mixin
    SaeFileOption sae;

    @Mixin
    ModelOptions model;

    @Option(names = "--layer", description = "block index, 0-based (default: the layer the SAE's provenance records; must agree with it)")
    Integer layer;

    @Mixin
    LatentsOption latents;

    @Option(names = "--random", defaultValue = "1000", description = "random unit directions in the baseline (default ${DEFAULT-VALUE})")
    int random;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the baseline (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--ignore-layer-scale",
            description = "use DINOv2's raw fc2 columns instead of the LayerScale-weighted directions the block actually writes")
    boolean ignoreLayerScale;

    @Mixin
    OutputFolderOption out;

    @Override
    public Integer call() throws Exception {
        Path checkpoint = sae.file();
        Path outDir = out.folder();
        RecordedLayer l = RecordedLayer.resolve(checkpoint, layer, "--layer");
        SaeConfig cfg = SaeCheckpoint.config(checkpoint);
        SaeCheckpoint.Arrays arrays = SaeCheckpoint.readArrays(checkpoint, cfg);
        int[] ids = latents.ids(cfg.dSae());
        Path folder = model.folder();
        try (NDManager nd = NDManager.newBaseManager()) {
            MlpOutputWeights w = MlpOutputWeights.load(folder, l.layer(),
                    ignoreLayerScale ? MlpOutputWeights.LayerScale.IGNORE : MlpOutputWeights.LayerScale.APPLY, nd);
            NeuronAlignment a = NeuronAlignment.forSae(arrays, cfg, checkpoint.toString(), ids, w, random, seed, nd);
            Files.createDirectories(outDir);
            a.writeCsv(outDir.resolve("alignment.csv"));
            System.out.println("wrote " + outDir.resolve("alignment.csv"));
            AlignmentSummary s = AlignmentSummary.of(a, w, checkpoint.toAbsolutePath().toString(), model.model, l.field(), seed);
            System.out.println("wrote " + s.write(outDir));
            for (Path f : AnalysisPlots.alignmentHistogram("alignment-histogram", a.decMax(), a.encMax(), a.randomMax()).write(outDir)) {
                System.out.println("wrote " + f);
            }
            System.out.println(s.describe());
        }
        return 0;
    }
}
