package saelab.demo;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import saelab.analysis.ConceptMatching;
import saelab.analysis.FamilyMatching;
import saelab.data.ToyWorld;
import saelab.io.Json;
import saelab.io.Safetensors;

/**
 * The ground-truth labels of a captured toy world ({@link ToyGroundTruth}) in one safetensors file, readable from
 * Python with {@code safetensors} alone: per family a float32 tensor of label values (exact small integers),
 * {@code [images, grid_h, grid_w]} for patch families and {@code [images]} for image families, images in cache
 * order; {@code scene_index} [images]; {@code object_cover} and {@code background_cover} [images, grid_h, grid_w].
 * The metadata holds the format, the rule and per family its unit and class names ({@code families}, JSON).
 */
public final class TruthFile {

    /** The file name inside the truth step's folder. */
    public static final String FILE = "truth.safetensors";
    /** Format tag in the metadata. */
    public static final String FORMAT = "saelab-toy-truth/1";

    /**
     * Read labels.
     *
     * @param images   images (cache order)
     * @param gridH    patch rows
     * @param gridW    patch columns
     * @param families per family, its classes and its labels (patch families {@code [images * gridH * gridW]})
     */
    public record Labels(long images, int gridH, int gridW, Map<ToyFamily, List<String>> classes, Map<ToyFamily, short[]> labels) {

        /** The families as inputs of {@link FamilyMatching}, in {@link ToyFamily} order, restricted to one unit kind or all. */
        public List<FamilyMatching.Family> families(ConceptMatching.Unit only) {
            List<FamilyMatching.Family> out = new ArrayList<>();
            for (ToyFamily f : labels.keySet()) {
                if (only == null || f.unit() == only) {
                    out.add(new FamilyMatching.Family(f.id(), f.unit(), classes.get(f), labels.get(f)));
                }
            }
            return out;
        }
    }

    private TruthFile() {}

    /**
     * Writes the file.
     *
     * @param labels per family (ordinal) the labels of all images, concatenated in cache order
     */
    static void write(Path file, ToyWorld world, long images, int gridH, int gridW, int patchSize, int[][] labels, int[] sceneIndex,
                      float[] objectCover, float[] backgroundCover) throws IOException {
        Map<String, Safetensors.Tensor> t = new LinkedHashMap<>();
        Map<String, Object> fam = new LinkedHashMap<>();
        for (ToyFamily f : ToyFamily.values()) {
            int[] l = labels[f.ordinal()];
            float[] v = new float[l.length];
            for (int i = 0; i < l.length; i++) {
                v[i] = l[i];
            }
            boolean patch = f.unit() == ConceptMatching.Unit.PATCH;
            t.put(f.id(), new Safetensors.Tensor(patch ? new long[] {images, gridH, gridW} : new long[] {images}, v));
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("unit", f.unit().name().toLowerCase(java.util.Locale.ROOT));
            d.put("classes", f.classes(world));
            fam.put(f.id(), d);
        }
        float[] si = new float[sceneIndex.length];
        for (int i = 0; i < si.length; i++) {
            si[i] = sceneIndex[i];
        }
        t.put("scene_index", new Safetensors.Tensor(new long[] {images}, si));
        t.put("object_cover", new Safetensors.Tensor(new long[] {images, gridH, gridW}, objectCover));
        t.put("background_cover", new Safetensors.Tensor(new long[] {images, gridH, gridW}, backgroundCover));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("rule", "object label when one object covers >= " + ToyGroundTruth.MIN_COVER + " of the patch's pixels, else"
                + " none; background label when background covers >= " + ToyGroundTruth.MIN_COVER + "; see saelab.demo.ToyGroundTruth");
        meta.put("families", Json.mapper().writeValueAsString(fam));
        meta.put("patch_size", Integer.toString(patchSize));
        Safetensors.write(file, t, meta);
    }

    /**
     * Reads a truth file.
     *
     * @throws IllegalArgumentException when it is not a truth file of this format (naming the file and the field)
     */
    public static Labels read(Path file) throws IOException {
        Safetensors.Contents c = Safetensors.read(file);
        if (!FORMAT.equals(c.metadata().get("format"))) {
            throw new IllegalArgumentException(file + ": metadata field 'format' is '" + c.metadata().get("format") + "'; expected "
                    + FORMAT);
        }
        String famJson = c.metadata().get("families");
        if (famJson == null) {
            throw new IllegalArgumentException(file + ": metadata field 'families' is missing");
        }
        Map<String, Map<String, Object>> fam = Json.mapper().readValue(famJson, new TypeReference<>() { });
        Safetensors.Tensor cover = c.tensors().get("object_cover");
        if (cover == null || cover.shape().length != 3) {
            throw new IllegalArgumentException(file + ": tensor 'object_cover' [images, grid_h, grid_w] is missing");
        }
        long images = cover.shape()[0];
        int gh = (int) cover.shape()[1];
        int gw = (int) cover.shape()[2];
        Map<ToyFamily, List<String>> classes = new LinkedHashMap<>();
        Map<ToyFamily, short[]> labels = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, Object>> e : fam.entrySet()) {
            ToyFamily f = ToyFamily.parse(e.getKey());
            Object cl = e.getValue().get("classes");
            if (!(cl instanceof List<?> list)) {
                throw new IllegalArgumentException(file + ": metadata 'families." + f.id() + ".classes' is missing");
            }
            List<String> names = list.stream().map(String::valueOf).toList();
            Safetensors.Tensor ten = f.unit() == ConceptMatching.Unit.PATCH ? c.require(file, f.id(), images, gh, gw)
                    : c.require(file, f.id(), images);
            float[] v = ten.values();
            short[] s = new short[v.length];
            for (int i = 0; i < v.length; i++) {
                if (v[i] != Math.rint(v[i]) || v[i] < -1 || v[i] >= names.size()) {
                    throw new IllegalArgumentException(file + ": tensor '" + f.id() + "' holds " + v[i] + " at " + i + "; expected a"
                            + " label 0.." + (names.size() - 1) + " (or -1)");
                }
                s[i] = (short) v[i];
            }
            classes.put(f, names);
            labels.put(f, s);
        }
        return new Labels(images, gh, gw, classes, labels);
    }
}
