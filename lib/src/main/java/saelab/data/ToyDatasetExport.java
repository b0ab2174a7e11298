package saelab.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import saelab.io.AtomicFiles;
import saelab.io.FileTrees;
import saelab.io.Json;

/**
 * Writes toy-world scenes ({@link ToyWorld}) in the layouts of the real datasets, so that the readers of
 * {@link Datasets} (and every step after them) run on small local material. Two splits each: the training split is
 * scenes {@code 0..images-1} of the world, the held-out split scenes {@code 0..valImages-1} of the same world with the
 * next seed (new draws of the same distribution). Image-level labels (ImageNet, iNat2021, CUB) are the largest
 * object's colour ({@link ToyWorldColour}, one class per colour, in enum order); ADE20K's label maps are the colour
 * segmentation (0 = background, {@code 1 + colour ordinal} for the object on top, as {@link ToyWorldScene#colourMask()}),
 * read with ADE20K's own 151 class names, since the real layout has no class list of its own. Images are JPEG as
 * distributed (quality 0.95), label maps 8-bit grey PNG.
 * <pre>
 * imagenet  (Kaggle)  LOC_synset_mapping.txt (1000 lines: the reader needs all 1000 classes; the colours are the first
 *                     synsets, n00000001.., the rest are named "unused toy class k"), ILSVRC/Data/CLS-LOC/train/WNID/
 *                     WNID_N.JPEG, ILSVRC/Data/CLS-LOC/val/ILSVRC2012_val_NNNNNNNN.JPEG (flat) with LOC_val_solution.csv
 * inat2021            train_mini.json and val.json (images, annotations, categories with kingdom ... specific_epithet),
 *                     train_mini/DIR/UUID.jpg and val/DIR/UUID.jpg, DIR = "NNNNN_Kingdom_..._genus_epithet"
 * ade20k              ADEChallengeData2016/images/{training,validation}/ADE_{train,val}_NNNNNNNN.jpg and
 *                     annotations/{training,validation}/*.png
 * cub200              CUB_200_2011/images.txt, image_class_labels.txt, train_test_split.txt, classes.txt,
 *                     images/NNN.Colour/Colour_NNNN.jpg (training scenes first, then the held-out ones)
 * </pre>
 * The folder is written whole or not at all: into a staging folder beside it, swapped in at the end, with
 * {@value #MARKER} (what was written) last; a non-empty folder without that file is refused, never overwritten.
 */
public final class ToyDatasetExport {

    /** The record of an export, inside its folder. */
    public static final String MARKER = "toy-export.json";
    /** Format of {@link #MARKER}. */
    public static final String FORMAT = "saelab-toy-export/1";
    /** Number of ImageNet-1K classes the Kaggle synset list must hold ({@link ImageNetClasses#COUNT}). */
    static final int IMAGENET_CLASSES = ImageNetClasses.COUNT;
    private static final float JPEG_QUALITY = 0.95f;

    /** A real dataset layout. */
    public enum Layout {
        IMAGENET, INAT2021, ADE20K, CUB200;

        /** The reader's name ({@link Datasets#KINDS}). */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The training and held-out split names of the layout's reader. */
        public List<String> splits() {
            return switch (this) {
                case IMAGENET, ADE20K -> List.of("train", "val");
                case INAT2021 -> List.of("train_mini", "val");
                case CUB200 -> List.of("train", "test");
            };
        }

        /** Parses {@code imagenet}, {@code inat2021}, {@code ade20k} or {@code cub200}. */
        public static Layout parse(String text, String field) {
            for (Layout l : values()) {
                if (l.id().equalsIgnoreCase(text == null ? "" : text.strip())) {
                    return l;
                }
            }
            throw new IllegalArgumentException(field + " is '" + text + "'; expected imagenet, inat2021, ade20k or cub200");
        }
    }

    /**
     * What was written.
     *
     * @param layout    the layout
     * @param dir       the dataset root (what a {@code KIND:PATH} spec names)
     * @param train     scenes in the training split
     * @param heldOut   scenes in the held-out split
     * @param classes   the label names (colours for image labels; ADE20K: the label values 0..8 of the colour mask)
     */
    public record Summary(Layout layout, Path dir, int train, int heldOut, List<String> classes) {}

    private ToyDatasetExport() {}

    /**
     * Writes {@code images} training scenes and {@code heldOut} held-out scenes of {@code world} to {@code dir}.
     *
     * @throws IllegalArgumentException for counts below 1 or above 99,999, or a non-empty {@code dir} that is not an export
     */
    public static Summary write(Layout layout, Path dir, ToyWorld world, int images, int heldOut) throws IOException {
        for (int n : new int[] {images, heldOut}) {
            if (n < 1 || n > 99_999) {
                throw new IllegalArgumentException("toy export: " + n + " images requested; expected 1 to 99999 per split");
            }
        }
        Path target = dir.toAbsolutePath().normalize();
        if (Files.exists(target) && !Files.isDirectory(target)) {
            throw new IllegalArgumentException(target + " is a file; expected a folder for the " + layout.id() + " export");
        }
        if (FileTrees.nonEmpty(target) && !Files.isRegularFile(target.resolve(MARKER))) {
            throw new IllegalArgumentException(target + ": not empty and has no " + MARKER + "; the toy export replaces its whole"
                    + " folder, so give it an empty or new folder");
        }
        ToyWorld held = new ToyWorld(world.imageSize(), world.minObjects(), world.maxObjects(), world.seed() + 1);
        Path staging = FileTrees.stageBeside(target);
        try {
            switch (layout) {
                case IMAGENET -> imagenet(staging, world, images, held, heldOut);
                case INAT2021 -> inat(staging, world, images, held, heldOut);
                case ADE20K -> ade20k(staging, world, images, held, heldOut);
                case CUB200 -> cub(staging, world, images, held, heldOut);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("format", FORMAT);
            m.put("layout", layout.id());
            m.put("world", world);
            m.put("held_out_world", held);
            m.put("splits", Map.of(layout.splits().get(0), images, layout.splits().get(1), heldOut));
            m.put("generator", ToyWorldWriter.GENERATOR);
            AtomicFiles.writeBytes(staging.resolve(MARKER), Json.mapper().writeValueAsBytes(m));
            FileTrees.replace(staging, target);
        } finally {
            FileTrees.deleteTree(staging);
        }
        return new Summary(layout, target, images, heldOut, layout == Layout.ADE20K ? ToyWorld.colourNames() : colours());
    }

    /** The image-level class names: the colour words, in enum order (label = colour ordinal). */
    public static List<String> colours() {
        return ToyWorld.colourNames().subList(1, ToyWorld.colourLabelCount());
    }

    private static int colourOf(ToyWorldScene sc) {
        return sc.largestObject().colour().ordinal();
    }

    // ---- ImageNet (Kaggle) ----

    /** The synset-like id of class {@code k} (0-based): {@code n00000001} ...; sorted order is class order. */
    static String wnid(int k) {
        return String.format(Locale.ROOT, "n%08d", k + 1);
    }

    private static void imagenet(Path root, ToyWorld world, int n, ToyWorld held, int nHeld) throws IOException {
        List<String> colours = colours();
        List<String> mapping = new ArrayList<>(IMAGENET_CLASSES);
        for (int k = 0; k < IMAGENET_CLASSES; k++) {
            mapping.add(wnid(k) + " " + (k < colours.size() ? colours.get(k) : "unused toy class " + k));
        }
        lines(root.resolve(ImageNetDataset.SYNSET_MAPPING), mapping);
        Path train = root.resolve(ImageNetDataset.KAGGLE_DIR).resolve("train");
        Path val = root.resolve(ImageNetDataset.KAGGLE_DIR).resolve("val");
        Files.createDirectories(val);
        forEach(world, n, (i, sc) -> {
            String w = wnid(colourOf(sc));
            jpeg(train.resolve(w).resolve(String.format(Locale.ROOT, "%s_%d.JPEG", w, i + 1)), sc);
        });
        String[] rows = new String[nHeld];
        forEach(held, nHeld, (i, sc) -> {
            String stem = String.format(Locale.ROOT, "ILSVRC2012_val_%08d", i + 1);
            jpeg(val.resolve(stem + ".JPEG"), sc);
            ToyWorldObject o = sc.largestObject();
            rows[i] = stem + "," + wnid(colourOf(sc)) + " " + o.minX() + " " + o.minY() + " " + (o.maxX() + 1) + " " + (o.maxY() + 1);
        });
        List<String> csv = new ArrayList<>();
        csv.add("ImageId,PredictionString");
        csv.addAll(List.of(rows));
        lines(root.resolve(ImageNetDataset.VAL_SOLUTION), csv);
    }

    // ---- iNat2021 ----

    private static void inat(Path root, ToyWorld world, int n, ToyWorld held, int nHeld) throws IOException {
        List<String> colours = colours();
        List<Map<String, Object>> categories = new ArrayList<>();
        List<String> dirs = new ArrayList<>();
        for (int k = 0; k < colours.size(); k++) {
            String genus = Character.toUpperCase(colours.get(k).charAt(0)) + colours.get(k).substring(1);
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("id", k);
            c.put("name", genus + " toy");
            c.put("common_name", colours.get(k) + " toy");
            c.put("supercategory", "Toys");
            c.put("kingdom", "Toyworld");
            c.put("phylum", "Figurae");
            c.put("class", "Colores");
            c.put("order", "Colores");
            c.put("family", "Colores");
            c.put("genus", genus);
            c.put("specific_epithet", "toy");
            String d = String.format(Locale.ROOT, "%05d_Toyworld_Figurae_Colores_Colores_Colores_%s_toy", k, genus);
            c.put("image_dir_name", d);
            categories.add(c);
            dirs.add(d);
        }
        inatSplit(root, "train_mini", world, n, categories, dirs, 0);
        inatSplit(root, "val", held, nHeld, categories, dirs, n);
    }

    private static void inatSplit(Path root, String split, ToyWorld world, int n, List<Map<String, Object>> categories,
                                  List<String> dirs, int firstId) throws IOException {
        List<Map<String, Object>> images = new ArrayList<>();
        List<Map<String, Object>> annotations = new ArrayList<>();
        String[] files = new String[n];
        int[] labels = new int[n];
        forEach(world, n, (i, sc) -> {
            int k = colourOf(sc);
            // a name-based UUID of the split and index, in the real files' UUID form
            String uuid = java.util.UUID.nameUUIDFromBytes((split + "/" + i).getBytes(StandardCharsets.UTF_8)).toString();
            files[i] = split + "/" + dirs.get(k) + "/" + uuid + ".jpg";
            labels[i] = k;
            jpeg(root.resolve(files[i]), sc);
        });
        for (int i = 0; i < n; i++) {
            Map<String, Object> im = new LinkedHashMap<>();
            im.put("id", firstId + i);
            im.put("width", world.imageSize());
            im.put("height", world.imageSize());
            im.put("file_name", files[i]);
            images.add(im);
            Map<String, Object> an = new LinkedHashMap<>();
            an.put("id", firstId + i);
            an.put("image_id", firstId + i);
            an.put("category_id", labels[i]);
            annotations.add(an);
        }
        Map<String, Object> file = new LinkedHashMap<>();
        file.put("info", Map.of("description", "toy-world scenes in the iNat2021 layout (saelab toy export)"));
        file.put("images", images);
        file.put("annotations", annotations);
        file.put("categories", categories);
        AtomicFiles.writeBytes(root.resolve(split + ".json"), Json.mapper().writeValueAsBytes(file));
    }

    // ---- ADE20K ----

    private static void ade20k(Path root, ToyWorld world, int n, ToyWorld held, int nHeld) throws IOException {
        Path ade = root.resolve(Ade20kDataset.DIR);
        for (String[] s : new String[][] {{"training", "train"}, {"validation", "val"}}) {
            boolean train = s[1].equals("train");
            Path images = ade.resolve("images").resolve(s[0]);
            Path annotations = ade.resolve("annotations").resolve(s[0]);
            Files.createDirectories(images);
            Files.createDirectories(annotations);
            forEach(train ? world : held, train ? n : nHeld, (i, sc) -> {
                String stem = String.format(Locale.ROOT, "ADE_%s_%08d", s[1], i + 1);
                jpeg(images.resolve(stem + ".jpg"), sc);
                try {
                    ImageIO.write(ToyWorldWriter.grayImage(sc.size(), sc.colourMask()), "png", annotations.resolve(stem + ".png").toFile());
                } catch (IOException e) {
                    throw new UncheckedIOException("toy export: cannot write the label map of " + stem + " under " + annotations, e);
                }
            });
        }
    }

    // ---- CUB-200-2011 ----

    private static void cub(Path root, ToyWorld world, int n, ToyWorld held, int nHeld) throws IOException {
        Path base = root.resolve("CUB_200_2011");
        List<String> colours = colours();
        List<String> classDirs = new ArrayList<>();
        List<String> classes = new ArrayList<>();
        for (int k = 0; k < colours.size(); k++) {
            String name = String.format(Locale.ROOT, "%03d.%s", k + 1, Character.toUpperCase(colours.get(k).charAt(0))
                    + colours.get(k).substring(1) + "_toy");
            classDirs.add(name);
            classes.add((k + 1) + " " + name);
        }
        int total = n + nHeld;
        String[] images = new String[total];
        String[] labels = new String[total];
        String[] split = new String[total];
        for (boolean train : new boolean[] {true, false}) {
            int offset = train ? 0 : n;
            forEach(train ? world : held, train ? n : nHeld, (i, sc) -> {
                int id = offset + i + 1;
                int k = colourOf(sc);
                String path = classDirs.get(k) + "/" + classDirs.get(k).substring(4) + String.format(Locale.ROOT, "_%04d", id) + ".jpg";
                jpeg(base.resolve("images").resolve(path), sc);
                images[id - 1] = id + " " + path;
                labels[id - 1] = id + " " + (k + 1);
                split[id - 1] = id + " " + (train ? 1 : 0);
            });
        }
        lines(base.resolve("images.txt"), List.of(images));
        lines(base.resolve("image_class_labels.txt"), List.of(labels));
        lines(base.resolve("train_test_split.txt"), List.of(split));
        lines(base.resolve("classes.txt"), classes);
    }

    // ---- files ----

    /** Work on one scene. */
    @FunctionalInterface
    private interface SceneWork {
        void accept(int index, ToyWorldScene scene) throws IOException;
    }

    /** Renders scenes {@code 0..n-1} of {@code world} in parallel (scene i is a function of the seed and i alone). */
    private static void forEach(ToyWorld world, int n, SceneWork work) {
        IntStream.range(0, n).parallel().forEach(i -> {
            try {
                work.accept(i, world.scene(i));
            } catch (IOException e) {
                throw new UncheckedIOException("toy export: cannot write scene " + i, e);
            }
        });
    }

    private static void jpeg(Path file, ToyWorldScene sc) throws IOException {
        Files.createDirectories(file.getParent());
        BufferedImage img = ToyWorldWriter.rgbImage(sc);
        var it = ImageIO.getImageWritersByFormatName("jpeg");
        if (!it.hasNext()) {
            throw new IllegalStateException("ImageIO has no JPEG writer");
        }
        ImageWriter w = it.next();
        try (OutputStream out = Files.newOutputStream(file); ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            w.setOutput(ios);
            ImageWriteParam p = w.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(JPEG_QUALITY);
            w.write(null, new IIOImage(img, null, null), p);
        } finally {
            w.dispose();
        }
    }

    private static void lines(Path file, List<String> lines) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }
}
