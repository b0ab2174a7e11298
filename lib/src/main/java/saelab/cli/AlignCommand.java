package saelab.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import saelab.analysis.AlignmentSummary;
import saelab.analysis.LatentSelection;
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

    @Option(names = "--sae", required = true, description = "sae.safetensors")
    Path sae;

    @Option(names = "--model", required = true,
            description = "model folder (config.json + model.safetensors, or open_clip_config.json + open_clip_model.safetensors),"
                    + " or a hub id ORG/NAME[@REVISION]")
    String model;

    @Option(names = "--revision", defaultValue = "main", description = "hub revision (default ${DEFAULT-VALUE})")
    String revision;

    @Option(names = "--layer", description = "block index, 0-based (default: the layer the SAE's provenance records; must agree with it)")
    Integer layer;

    @Option(names = "--latents", description = "latents to score, e.g. 0-1023,2000 (default: all)")
    String latents;

    @Option(names = "--random", defaultValue = "1000", description = "random unit directions in the baseline (default ${DEFAULT-VALUE})")
    int random;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the baseline (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--ignore-layer-scale",
            description = "use DINOv2's raw fc2 columns instead of the LayerScale-weighted directions the block actually writes")
    boolean ignoreLayerScale;

    @Option(names = "--out", required = true, description = "output folder")
    Path out;

    @Override
    public Integer call() throws Exception {
        RecordedLayer l = RecordedLayer.resolve(sae, layer, "--layer");
        SaeConfig cfg = SaeCheckpoint.config(sae);
        SaeCheckpoint.Arrays arrays = SaeCheckpoint.readArrays(sae, cfg);
        int[] ids = LatentSelection.parse(latents, cfg.dSae(), "--latents");
        Path folder = saelab.hub.ModelLocator.resolve(model, revision);
        try (NDManager nd = NDManager.newBaseManager()) {
            MlpOutputWeights w = MlpOutputWeights.load(folder, l.layer(),
                    ignoreLayerScale ? MlpOutputWeights.LayerScale.IGNORE : MlpOutputWeights.LayerScale.APPLY, nd);
            NeuronAlignment a = NeuronAlignment.forSae(arrays, cfg, sae.toString(), ids, w, random, seed, nd);
            Files.createDirectories(out);
            a.writeCsv(out.resolve("alignment.csv"));
            System.out.println("wrote " + out.resolve("alignment.csv"));
            AlignmentSummary s = AlignmentSummary.of(a, w, sae.toAbsolutePath().toString(), model, l.field(), seed);
            System.out.println("wrote " + s.write(out));
            for (Path f : AnalysisPlots.alignmentHistogram("alignment-histogram", a.decMax(), a.encMax(), a.randomMax()).write(out)) {
                System.out.println("wrote " + f);
            }
            System.out.println(s.describe());
        }
        return 0;
    }
}
