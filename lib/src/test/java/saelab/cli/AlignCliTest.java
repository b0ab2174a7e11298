package saelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import saelab.analysis.AlignmentSummary;
import saelab.analysis.NeuronAlignment;
import saelab.io.Safetensors;
import saelab.model.Golden;
import saelab.sae.SaeCheckpoint;
import saelab.sae.SaeConfig;
import saelab.sae.SaeKind;

/**
 * {@code saelab align} on the golden fixture models of every family: an SAE whose decoder rows (and one encoder
 * column) are planted on output directions of block 1's MLP neurons, read independently from the fixture files
 * (fc2 / c_proj columns, times DINOv2's LayerScale), is found at cosine 1 on the right neurons; and the errors
 * for a layer that contradicts the checkpoint, a block the model lacks, a missing tensor and a foreign SAE.
 */
class AlignCliTest {

    static final int D = 32;
    static final int M = 128;
    static final int F = 40;
    static final String TRAINED_ON_1 = "cache /data/cache (saelab-cache/1), layer 1, patches, seed 0";

    @TempDir
    Path tmp;

    /** Neuron j's output direction read straight from the fixture file: column j, times the layer scale when given. */
    static float[] neuron(Path file, String tensor, String scale, int j) throws IOException {
        Map<String, Safetensors.Tensor> t = Safetensors.read(file).tensors();
        float[] w = t.get(tensor).values();
        float[] ls = scale == null ? null : t.get(scale).values();
        float[] c = new float[D];
        for (int i = 0; i < D; i++) {
            c[i] = w[i * M + j] * (ls == null ? 1f : ls[i]);
        }
        return c;
    }

    /** An SAE with decoder row 5 = -2 x neuron 3, row 17 = neuron 100, encoder column 5 = neuron 7, the rest random. */
    static Path plantedSae(Path file, int dModel, float[] n3, float[] n100, float[] n7, Map<String, Object> provenance) throws IOException {
        SplittableRandom rng = new SplittableRandom(9);
        float[] wEnc = new float[dModel * F];
        float[] wDec = new float[F * dModel];
        for (int i = 0; i < wEnc.length; i++) {
            wEnc[i] = (float) rng.nextGaussian();
            wDec[i] = (float) rng.nextGaussian();
        }
        if (n3 != null) {
            for (int i = 0; i < dModel; i++) {
                wDec[5 * dModel + i] = -2f * n3[i];
                wDec[17 * dModel + i] = n100[i];
                wEnc[i * F + 5] = 0.3f * n7[i];
            }
        }
        SaeCheckpoint.write(file, SaeConfig.inference(SaeKind.RELU, dModel, F, 0, "raw"),
                new SaeCheckpoint.Arrays(wEnc, new float[F], wDec, new float[dModel], null), provenance);
        return file;
    }

    @ParameterizedTest
    @CsvSource({
        "dinov2, model.safetensors, encoder.layer.1.mlp.fc2.weight, encoder.layer.1.layer_scale2.lambda1",
        "dinov2_registers, model.safetensors, encoder.layer.1.mlp.fc2.weight, encoder.layer.1.layer_scale2.lambda1",
        "clip, model.safetensors, vision_model.encoder.layers.1.mlp.fc2.weight, ",
        "siglip, model.safetensors, vision_model.encoder.layers.1.mlp.fc2.weight, ",
        "bioclip, open_clip_model.safetensors, visual.transformer.resblocks.1.mlp.c_proj.weight, "})
    void findsPlantedNeurons(String fixture, String file, String tensor, String scale) throws IOException {
        Path model = Golden.dir(fixture);
        Path weights = model.resolve(file);
        Path sae = plantedSae(tmp.resolve("sae.safetensors"), D, neuron(weights, tensor, scale, 3), neuron(weights, tensor, scale, 100),
                neuron(weights, tensor, scale, 7), Map.of("input", TRAINED_ON_1));
        Path out = tmp.resolve("align");
        CliRun.Result r = CliRun.run("align", "--sae", sae.toString(), "--model", model.toString(), "--out", out.toString(),
                "--random", "200");
        assertEquals(0, r.code(), r.err());
        List<String> csv = Files.readAllLines(out.resolve("alignment.csv"));
        assertEquals(NeuronAlignment.CSV_HEADER, csv.get(0));
        assertEquals(F + 1, csv.size());
        String[] five = csv.get(1 + 5).split(",");
        assertEquals("5", five[0]);
        assertEquals(1.0, Double.parseDouble(five[3]), 1e-5, csv.get(6));
        assertEquals("3", five[4]);
        assertEquals(1.0, Double.parseDouble(five[1]), 1e-5, csv.get(6));
        assertEquals("7", five[2]);
        String[] seventeen = csv.get(1 + 17).split(",");
        assertEquals(1.0, Double.parseDouble(seventeen[3]), 1e-5);
        assertEquals("100", seventeen[4]);
        for (int i = 0; i < F; i++) {
            if (i != 5 && i != 17) {
                assertTrue(Double.parseDouble(csv.get(1 + i).split(",")[3]) < 0.99, csv.get(1 + i));
            }
        }
        AlignmentSummary s = AlignmentSummary.read(out.resolve(AlignmentSummary.FILE));
        assertEquals(1, s.layer());
        assertEquals("provenance.input", s.layerSource());
        assertEquals(tensor, s.tensor());
        assertEquals(scale, s.layerScale());
        assertEquals(M, s.dMlp());
        assertEquals(F, s.latents());
        assertEquals(200, s.randomDraws());
        assertEquals(1.0, s.decoder().max(), 1e-5);
        assertTrue(s.random().median() > 0.1 && s.random().max() < 0.99, "random baseline " + s.random());
        assertEquals(2.0 / F, s.decoderAboveRandomQ99(), 0.1, "the two planted latents, and a few random ones by chance");
        for (String ext : List.of("png", "pdf", "csv")) {
            assertTrue(Files.size(out.resolve("alignment-histogram." + ext)) > 0, ext);
        }
        List<String> hist = Files.readAllLines(out.resolve("alignment-histogram.csv"));
        assertEquals("bin_low,bin_high,decoder_share,encoder_share,random_share,decoder_count,encoder_count,random_count", hist.get(0));
        double dec = 0;
        double rnd = 0;
        for (String line : hist.subList(1, hist.size())) {
            String[] f = line.split(",");
            dec += Double.parseDouble(f[5]);
            rnd += Double.parseDouble(f[7]);
        }
        assertEquals(F, dec, 1e-9);
        assertEquals(200, rnd, 1e-9);
        assertTrue(r.out().contains("decoder directions: median"), r.out());
    }

    @Test
    void dinov2LayerScaleChangesTheDirections() throws IOException {
        Path model = Golden.dir("dinov2");
        Path weights = model.resolve("model.safetensors");
        String t = "encoder.layer.1.mlp.fc2.weight";
        String ls = "encoder.layer.1.layer_scale2.lambda1";
        Path sae = plantedSae(tmp.resolve("sae.safetensors"), D, neuron(weights, t, ls, 3), neuron(weights, t, null, 100),
                neuron(weights, t, ls, 7), Map.of("input", TRAINED_ON_1));
        Path out = tmp.resolve("raw");
        CliRun.Result r = CliRun.run("align", "--sae", sae.toString(), "--model", model.toString(), "--out", out.toString(),
                "--random", "50", "--ignore-layer-scale", "--latents", "5,17");
        assertEquals(0, r.code(), r.err());
        List<String> csv = Files.readAllLines(out.resolve("alignment.csv"));
        assertEquals(3, csv.size());
        // latent 5 was planted on the layer-scaled direction, latent 17 on the raw column
        assertTrue(Double.parseDouble(csv.get(1).split(",")[3]) < 0.99, csv.get(1));
        assertEquals(1.0, Double.parseDouble(csv.get(2).split(",")[3]), 1e-5, csv.get(2));
        assertEquals(null, AlignmentSummary.read(out.resolve(AlignmentSummary.FILE)).layerScale());
    }

    @Test
    void errorsNameTheFileTheFieldAndTheTensor() throws IOException {
        Path model = Golden.dir("dinov2");
        Path out = tmp.resolve("out");
        Path trained = plantedSae(tmp.resolve("trained.safetensors"), D, null, null, null, Map.of("input", TRAINED_ON_1));
        CliRun.Result r = CliRun.run("align", "--sae", trained.toString(), "--model", model.toString(), "--out", out.toString(),
                "--layer", "2");
        assertEquals(2, r.code());
        assertTrue(r.err().contains(trained.toString()) && r.err().contains("'provenance.input'") && r.err().contains("--layer is 2"), r.err());

        Path deep = plantedSae(tmp.resolve("deep.safetensors"), D, null, null, null,
                Map.of("input", "cache /c (saelab-cache/1), layer 3, patches, seed 0"));
        r = CliRun.run("align", "--sae", deep.toString(), "--model", model.toString(), "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains(model.resolve("config.json").toString()) && r.err().contains("'num_hidden_layers'")
                && r.err().contains("block 3"), r.err());

        Path bare = plantedSae(tmp.resolve("bare.safetensors"), D, null, null, null, Map.of());
        r = CliRun.run("align", "--sae", bare.toString(), "--model", model.toString(), "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("pass --layer"), r.err());
        r = CliRun.run("align", "--sae", bare.toString(), "--model", model.toString(), "--out", out.toString(), "--layer", "0",
                "--random", "20");
        assertEquals(0, r.code(), r.err());
        assertEquals("--layer", AlignmentSummary.read(out.resolve(AlignmentSummary.FILE)).layerSource());

        Path narrow = plantedSae(tmp.resolve("narrow.safetensors"), 16, null, null, null, Map.of("input", TRAINED_ON_1));
        r = CliRun.run("align", "--sae", narrow.toString(), "--model", model.toString(), "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains(narrow.toString()) && r.err().contains("d_model 16") && r.err().contains("'encoder.layer.1.mlp.fc2.weight'")
                && r.err().contains("width 32"), r.err());

        Path broken = tmp.resolve("broken");
        Files.createDirectories(broken);
        Files.copy(model.resolve("config.json"), broken.resolve("config.json"));
        Safetensors.write(broken.resolve("model.safetensors"),
                Map.of("encoder.layer.0.mlp.fc2.weight", new Safetensors.Tensor(new long[] {D, M}, new float[D * M])), Map.of());
        r = CliRun.run("align", "--sae", trained.toString(), "--model", broken.toString(), "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains(broken.resolve("model.safetensors").toString())
                && r.err().contains("'encoder.layer.1.mlp.fc2.weight'") && r.err().contains("missing"), r.err());
    }
}
