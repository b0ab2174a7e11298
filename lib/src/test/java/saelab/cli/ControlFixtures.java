package saelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import saelab.image.Preprocessor;
import saelab.io.Json;
import saelab.model.LoadOptions;
import saelab.model.LoadedModel;
import saelab.model.ModelLoader;
import saelab.model.VisionOutput;
import saelab.model.VisionTower;
import saelab.sae.SaeCheckpoint;
import saelab.sae.SaeConfig;
import saelab.sae.SaeKind;

/**
 * What the {@code saelab control} tests share: the planted ReLU SAE on a width-32 golden model, a hand-written concepts
 * folder, an image-folder dataset, the argument list of a run, the {@code per-class.csv} reader and the one-line error
 * check.
 */
final class ControlFixtures {

    /** The planted latent: it fires with value {@link #K} on every token and decodes to the planted direction. */
    static final int PLANTED = 5;
    /** The planted latent's constant value (it must dominate the residual stream). */
    static final float K = 400f;
    /** The golden models' width. */
    static final int D = 32;
    /** The planted SAE's latents. */
    static final int D_SAE = 16;

    /** The columns of {@code per-class.csv}. */
    static final List<String> HEADER = List.of("class", "name", "latent", "condition", "draws", "images_with_class", "target_units",
            "target_rate", "target_lower", "target_upper", "off_target_rate", "off_target_lower", "off_target_upper", "collateral_rate",
            "collateral_lower", "collateral_upper", "delta_iou", "delta_iou_lower", "delta_iou_upper", "delta_p", "delta_p_lower",
            "delta_p_upper", "real_minus_control", "real_minus_control_lower", "real_minus_control_upper", "p_value", "p_holm");

    private ControlFixtures() {}

    /** A unit vector of width {@link #D} with zero mean (so a LayerNorm keeps its direction). */
    static float[] unitZeroMean(SplittableRandom rng) {
        double[] g = new double[D];
        double mean = 0;
        for (int j = 0; j < D; j++) {
            g[j] = rng.nextGaussian();
            mean += g[j] / D;
        }
        double norm = 0;
        for (int j = 0; j < D; j++) {
            g[j] -= mean;
            norm += g[j] * g[j];
        }
        float[] u = new float[D];
        for (int j = 0; j < D; j++) {
            u[j] = (float) (g[j] / Math.sqrt(norm));
        }
        return u;
    }

    /**
     * A ReLU SAE reading block {@code layer}: latent {@value #PLANTED} constant K (zero encoder column, bias K), decoder
     * {@code u}; latents 6..13 constant K with random unit decoders (the frequency-matched pool); latents 0..4 random
     * encoder columns, bias 0; latents 14, 15 never fire.
     */
    static Path plantedSae(Path file, float[] u, int layer) throws Exception {
        SplittableRandom rng = new SplittableRandom(3);
        float[] wEnc = new float[D * D_SAE];
        float[] bEnc = new float[D_SAE];
        float[] wDec = new float[D_SAE * D];
        for (int l = 0; l < D_SAE; l++) {
            float[] dir = l == PLANTED ? u : unitZeroMean(rng);
            System.arraycopy(dir, 0, wDec, l * D, D);
            if (l < PLANTED) {
                for (int j = 0; j < D; j++) {
                    wEnc[j * D_SAE + l] = (float) rng.nextGaussian();
                }
            }
            bEnc[l] = l >= PLANTED && l <= 13 ? K : l > 13 ? -1f : 0f;
        }
        SaeCheckpoint.write(file, SaeConfig.builder(SaeKind.RELU, D, D_SAE).build(), new SaeCheckpoint.Arrays(wEnc, bEnc, wDec, new float[D], null),
                Map.of("layer", layer));
        return file;
    }

    /**
     * A concepts folder as {@code saelab concepts} writes it: {@code concepts.csv} with one row per entry of
     * {@code rows} (class id → name and chosen latent, −1 for none) and {@code source.json} naming the SAE checksum.
     */
    static Path concepts(Path dir, String saeSha, List<ConceptRow> rows) throws Exception {
        return concepts(dir, saeSha, null, Map.of("", rows));
    }

    /**
     * A concepts folder whose {@code concepts.csv} holds several label families, as the demo writes it: a {@code family}
     * column (before the others) and the rows of each family in the given order.
     */
    static Path concepts(Path dir, String saeSha, java.util.SequencedMap<String, List<ConceptRow>> families) throws Exception {
        return concepts(dir, saeSha, "family,", families);
    }

    private static Path concepts(Path dir, String saeSha, String familyColumn, Map<String, List<ConceptRow>> families) throws Exception {
        Files.createDirectories(dir);
        StringBuilder b = new StringBuilder((familyColumn == null ? "" : familyColumn) + "class,name,positives,prevalence,f1_all,"
                + "best_f1_latent,best_f1,best_f1_threshold,best_auroc_latent,best_auroc,random_latent_f1,random_latent_auroc,"
                + "random_direction_f1,random_direction_auroc,random_direction_max_auroc\n");
        for (Map.Entry<String, List<ConceptRow>> f : families.entrySet()) {
            for (ConceptRow r : f.getValue()) {
                String name = r.name().contains(",") ? "\"" + r.name() + "\"" : r.name();
                b.append(familyColumn == null ? "" : f.getKey() + ",").append(r.classId()).append(',').append(name)
                        .append(r.latent() < 0 ? ",0,0,,,,,,,,,,,\n"
                                : ",48,0.5,0.66," + r.latent() + ",0.9,1.0," + r.latent() + ",0.9,0.5,0.5,0.5,0.5,0.6\n");
            }
        }
        Files.writeString(dir.resolve("concepts.csv"), b.toString());
        Json.write(dir.resolve("source.json"), Map.of("sae_sha256", saeSha));
        return dir;
    }

    /** One row of a hand-written concepts.csv. */
    record ConceptRow(int classId, String name, int latent) {}

    /**
     * An image-folder dataset split {@code root/split/<class>/i.png} of {@code perClass} 64 x 64 images per class; class
     * k's images are dominated by one channel (red, green, blue, ...) with a gradient that varies by image.
     */
    static void imageFolder(Path root, String split, List<String> classes, int perClass, int seed) throws Exception {
        for (int k = 0; k < classes.size(); k++) {
            Path dir = Files.createDirectories(root.resolve(split).resolve(classes.get(k)));
            for (int i = 0; i < perClass; i++) {
                BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
                int s = seed + i * 13 + k * 5;
                for (int y = 0; y < 64; y++) {
                    for (int x = 0; x < 64; x++) {
                        int strong = 150 + ((x + y + s) & 0x3F);
                        int weak = (x * 3 + y * s) & 0x3F;
                        int shift = 16 - 8 * (k % 3);
                        int rgb = 0;
                        for (int c = 16; c >= 0; c -= 8) {
                            rgb |= (c == shift ? strong : weak) << c;
                        }
                        img.setRGB(x, y, rgb);
                    }
                }
                ImageIO.write(img, "png", dir.resolve(String.format("img_%02d.png", i)).toFile());
            }
        }
    }

    /**
     * The arguments of a {@code saelab control <task>} run with 4 random latents, 4 random directions, 400 bootstrap
     * replicates and doses −2, 0, 2 (unless {@code more} names {@code --doses}).
     */
    static String[] args(String task, Path model, Path sae, Path head, String dataset, Path concepts, Path analysis, Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("control", task, "--model", model.toString(), "--sae", sae.toString(), "--head",
                head.toString(), "--dataset", dataset, "--concepts", concepts.toString(), "--analysis", analysis.toString(), "--out",
                out.toString(), "--random-latents", "4", "--random-directions", "4", "--bootstrap", "400"));
        if (!List.of(more).contains("--doses")) {
            a.addAll(List.of("--doses", "-2,0,2"));
        }
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    /** Runs a command expected to fail: exit code 2 and one line of standard error, which is returned. */
    static String bad(String[] args) {
        CliRun.Result r = CliRun.run(args);
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        return r.err().strip();
    }

    /** The index of a {@code per-class.csv} column. */
    static int col(String name) {
        return HEADER.indexOf(name);
    }

    /** The rows of a {@code per-class.csv} (a single class) by condition; checks the header and the field count. */
    static Map<String, String[]> perClass(Path csv) throws Exception {
        List<String> lines = Files.readAllLines(csv);
        assertEquals(String.join(",", HEADER), lines.getFirst());
        Map<String, String[]> rows = new HashMap<>();
        for (String l : lines.subList(1, lines.size())) {
            String[] f = l.split(",", -1);
            assertEquals(HEADER.size(), f.length, l);
            rows.put(f[col("condition")], f);
        }
        return rows;
    }

    /** A number of a row. */
    static double value(String[] row, String column) {
        return Double.parseDouble(row[col(column)]);
    }

    /** The columns of {@code dose-response.csv}. */
    static final String DOSE_HEADER = "class,name,condition,draws,dose,target_rate,target_lower,target_upper,off_target_rate,off_target_lower,"
            + "off_target_upper,target_units,other_units";

    /**
     * Checks {@code dose-response.csv}: its header, and on every row with units both rates inside their 95% interval
     * (lower ≤ rate ≤ upper, all in [0, 1]); returns the rows (without the header) split into fields.
     */
    static List<String[]> doseRows(Path csv) throws Exception {
        List<String> lines = Files.readAllLines(csv);
        assertEquals(DOSE_HEADER, lines.getFirst());
        List<String[]> rows = new ArrayList<>();
        for (String l : lines.subList(1, lines.size())) {
            String[] f = l.split(",", -1);
            assertEquals(13, f.length, l);
            for (int at : new int[] {5, 8}) {
                if (f[at].isEmpty()) {
                    continue;
                }
                double rate = Double.parseDouble(f[at]);
                double lower = Double.parseDouble(f[at + 1]);
                double upper = Double.parseDouble(f[at + 2]);
                org.junit.jupiter.api.Assertions.assertTrue(0 <= lower && lower <= rate + 1e-9 && rate <= upper + 1e-9 && upper <= 1, l);
            }
            rows.add(f);
        }
        return rows;
    }

    /**
     * Per image, the clean readout of the tiny tower and the readouts with the residual after block 1 moved by −K·u
     * and by +K·u on the patch tokens (index 5 on: after the class and register tokens), as the planted latent's
     * ablation and its opposite would move it; asserts that K dominates the residual stream.
     */
    record Pushed(List<float[]> clean, List<float[]> minus, List<float[]> plus) {}

    static Pushed pushed(Path model, List<Path> images, float[] u, java.util.function.BiFunction<VisionOutput, VisionTower, float[]> readout)
            throws Exception {
        Preprocessor pre = Preprocessor.load(model);
        Pushed r = new Pushed(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        try (LoadedModel m = ModelLoader.load(model, new LoadOptions(Device.cpu(), DataType.FLOAT32, null));
             NDManager nd = NDManager.newBaseManager()) {
            VisionTower tower = m.vision();
            NDArray dir = nd.create(u, new Shape(1, 1, D));
            for (Path f : images) {
                NDArray px = nd.create(pre.apply(f), new Shape(1, 3, 56, 56));
                VisionOutput out = tower.forward(px, Set.of(1));
                NDArray x = out.blocks().get(1);
                assertTrue(x.norm(new int[] {2}).max().getFloat() * 20 < K, "K dominates the residual stream");
                NDArray mask = nd.zeros(new Shape(1, 21, 1));
                mask.set(new NDIndex(":, 5:, :"), 1f);
                NDArray push = dir.mul(mask).mul(K);
                r.clean().add(readout.apply(out, tower));
                r.minus().add(readout.apply(tower.forwardFrom(1, x.sub(push), Set.of(), out.layout()), tower));
                r.plus().add(readout.apply(tower.forwardFrom(1, x.add(push), Set.of(), out.layout()), tower));
            }
        }
        return r;
    }
}
