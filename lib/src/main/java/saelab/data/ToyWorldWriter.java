package saelab.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import saelab.io.AtomicFiles;
import saelab.io.FileTrees;
import saelab.io.Json;
import saelab.io.Sha256;

/**
 * Writes {@code n} toy-world scenes ({@link ToyWorld}) to a folder, in the layouts the dataset readers read:
 * <pre>
 * DIR/world.json                                        config, its hash, class lists, counts
 * DIR/captions.jsonl                                    one JSON object per image, by index
 * DIR/images/COLOUR_SHAPE/NNNNNN.png                    image folder ({@code folder:DIR/images}),
 *                                                       class = the largest object's colour_shape
 * DIR/ADEChallengeData2016/images/training/toy_NNNNNN.png       ADE20K layout ({@code ade20k:DIR}): RGB PNG
 * DIR/ADEChallengeData2016/annotations/training/toy_NNNNNN.png  8-bit grey label map ({@link ToyWorld#classNames()})
 * DIR/ADEChallengeData2016/classes.txt                  the label names, line k = label k (0 = background)
 * DIR/views/colour/ADEChallengeData2016/...             {@link #COLOUR_VIEW}: the same images in the ADE20K layout
 *                                                       ({@code ade20k:DIR/views/colour}), label map 0 = background,
 *                                                       1 + colour ordinal ({@link ToyWorld#colourNames()} in its
 *                                                       classes.txt): the colour of the object on top per pixel
 * DIR/views/largest_colour/COLOUR/NNNNNN.png            {@link #LARGEST_COLOUR_VIEW}: image folder
 *                                                       ({@code folder:DIR/views/largest_colour}), class = the
 *                                                       largest object's colour word
 * </pre>
 * Images are PNG (lossless: JPEG would blur the exact colours the masks describe). Only classes that occur
 * get a folder in {@code images/} and {@code views/largest_colour/} (torchvision's {@code ImageFolder} rejects
 * empty class folders). The largest object is {@link ToyWorldScene#largestObject()} in both image folders.
 *
 * <p>Content-addressed: {@code world.json} holds the SHA-256 of the config, the image count and the
 * generator version; when it matches, {@link #write} does nothing. Otherwise everything is written to a
 * staging folder beside {@code DIR} and swapped in by renames, so {@code DIR} is always either the old
 * world or the complete new one ({@code world.json} is the last file written, through {@link AtomicFiles}). The
 * writer owns {@code DIR}: it refuses to replace a non-empty folder that is not a toy world. The image files
 * are not forced to disk one by one (measured: 60k {@code fsync} calls took 15 s of a 34 s run), so the swap
 * guards against a crashed or killed process but not against power loss; the world is cheap to regenerate and
 * {@code saelab verify} checks its files. All four copies of an image (the two image folders and the two ADE20K
 * layouts) are hard links to one file where the file system allows it ({@link #isImageCopy} tells the copies
 * apart from the ADE20K original).
 */
public final class ToyWorldWriter {

    /** Changes whenever the generator's output for a given config changes. */
    public static final String GENERATOR = "saelab-toy-world/2";
    /** The ADE20K-layout subfolder. */
    public static final String ADE_DIR = Ade20kDataset.DIR;
    /** The image folder by the largest object's {@code colour_shape} ({@code folder:DIR/images}). */
    public static final String FOLDER_VIEW = "images";
    /**
     * The colour-segmentation view: a folder holding an ADE20K layout ({@code ade20k:DIR/views/colour}) whose
     * labels are {@link ToyWorld#colourNames()}.
     */
    public static final String COLOUR_VIEW = "views/colour";
    /** The image folder by the largest object's colour word ({@code folder:DIR/views/largest_colour}). */
    public static final String LARGEST_COLOUR_VIEW = "views/largest_colour";

    /** What {@link #write} did. */
    public enum Outcome {
        /** The folder already held this world. */
        UNCHANGED,
        /** The world was (re)written. */
        WRITTEN
    }

    private ToyWorldWriter() {}

    /** The content hash of a world of {@code n} images: SHA-256 over the generator, the config and n. */
    public static String configHash(ToyWorld config, int n) {
        try {
            Map<String, Object> key = new LinkedHashMap<>();
            key.put("generator", GENERATOR);
            key.put("config", config);
            key.put("images", n);
            return Sha256.of(Json.mapper().writeValueAsBytes(key));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Whether {@code relativePath} (relative to the world's folder, {@code /}-separated) is a copy of an image of
     * the main ADE20K layout: under {@link #FOLDER_VIEW}, {@link #LARGEST_COLOUR_VIEW} or the colour view's
     * {@code images/}. File lists that hash the world skip these (same bytes, usually the same file).
     */
    public static boolean isImageCopy(String relativePath) {
        for (String view : List.of(FOLDER_VIEW, LARGEST_COLOUR_VIEW, COLOUR_VIEW + "/" + ADE_DIR + "/images")) {
            if (relativePath.equals(view) || relativePath.startsWith(view + "/")) {
                return true;
            }
        }
        return false;
    }

    /** The file stem of image {@code i}: zero-padded so that name order is index order. */
    static String stem(int i, int n) {
        int width = Math.max(6, Integer.toString(Math.max(0, n - 1)).length());
        String s = Integer.toString(i);
        return "0".repeat(Math.max(0, width - s.length())) + s;
    }

    /**
     * Writes {@code n} scenes of {@code config} to {@code dir}, or does nothing when it already holds them.
     *
     * @throws IllegalArgumentException for {@code n < 1}, or when {@code dir} is a non-empty folder without a
     *                                  {@code world.json}
     */
    public static Outcome write(Path dir, ToyWorld config, int n) throws IOException {
        if (n < 1) {
            throw new IllegalArgumentException("toy world: the number of images must be >= 1, got " + n);
        }
        dir = dir.toAbsolutePath().normalize();
        String hash = configHash(config, n);
        Path info = dir.resolve("world.json");
        if (Files.isRegularFile(info)) {
            JsonNode old = readInfo(info);
            if (hash.equals(old.path("config_sha256").asText())) {
                return Outcome.UNCHANGED;
            }
        } else if (FileTrees.nonEmpty(dir)) {
            throw new IllegalArgumentException(dir + ": not empty and has no world.json; the toy world writer"
                    + " replaces its whole folder, so give it an empty or new folder");
        }
        Path staging = FileTrees.stageBeside(dir);
        try {
            writeAll(staging, config, n, hash);
            FileTrees.replace(staging, dir);
        } finally {
            FileTrees.deleteTree(staging);
        }
        return Outcome.WRITTEN;
    }

    private static JsonNode readInfo(Path info) throws IOException {
        try {
            return Json.mapper().readTree(Files.readAllBytes(info));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // a corrupt world.json means an unknown world: it is rewritten
            return Json.mapper().createObjectNode();
        }
    }

    private static void writeAll(Path root, ToyWorld config, int n, String hash) throws IOException {
        Path folder = root.resolve(FOLDER_VIEW);
        Path colourFolder = root.resolve(LARGEST_COLOUR_VIEW);
        for (Path ade : List.of(root.resolve(ADE_DIR), root.resolve(COLOUR_VIEW).resolve(ADE_DIR))) {
            Files.createDirectories(ade.resolve("images").resolve("training"));
            Files.createDirectories(ade.resolve("annotations").resolve("training"));
        }
        List<String> classFolders = ToyWorld.classNames().subList(1, ToyWorld.labelCount());
        List<String> colourFolders = ToyWorld.colourNames().subList(1, ToyWorld.colourLabelCount());
        for (String c : classFolders) {
            Files.createDirectories(folder.resolve(c));
        }
        for (String c : colourFolders) {
            Files.createDirectories(colourFolder.resolve(c));
        }
        ObjectMapper mapper = Json.mapper().copy().disable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT);
        String[] lines = new String[n];
        int[] classOf = new int[n];
        int[] backgroundOf = new int[n];
        int[] countOf = new int[n];
        IntStream.range(0, n).parallel().forEach(i -> {
            ToyWorldScene sc = config.scene(i);
            String stem = stem(i, n);
            ViewFiles f = new ViewFiles(
                    FOLDER_VIEW + "/" + sc.className() + "/" + stem + ".png",
                    ADE_DIR + "/images/training/toy_" + stem + ".png",
                    ADE_DIR + "/annotations/training/toy_" + stem + ".png",
                    COLOUR_VIEW + "/" + ADE_DIR + "/images/training/toy_" + stem + ".png",
                    COLOUR_VIEW + "/" + ADE_DIR + "/annotations/training/toy_" + stem + ".png",
                    LARGEST_COLOUR_VIEW + "/" + sc.largestObject().colour().word() + "/" + stem + ".png");
            try {
                writePng(root.resolve(f.adeImage()), rgbImage(sc));
                for (String copy : List.of(f.folder(), f.colourImage(), f.largestColour())) {
                    linkOrCopy(root.resolve(f.adeImage()), root.resolve(copy));
                }
                writePng(root.resolve(f.adeAnnotation()), grayImage(sc.size(), sc.classMask()));
                writePng(root.resolve(f.colourAnnotation()), grayImage(sc.size(), sc.colourMask()));
                lines[i] = mapper.writeValueAsString(record(sc, f));
            } catch (IOException e) {
                throw new UncheckedIOException("toy world: cannot write image " + i + " under " + root, e);
            }
            classOf[i] = sc.label();
            backgroundOf[i] = sc.background().ordinal();
            countOf[i] = sc.objects().size();
        });
        // remove the class folders no image fell into (ImageFolder rejects empty classes)
        deleteEmpty(folder, classFolders);
        deleteEmpty(colourFolder, colourFolders);
        writeClasses(root.resolve(ADE_DIR), ToyWorld.classNames());
        writeClasses(root.resolve(COLOUR_VIEW).resolve(ADE_DIR), ToyWorld.colourNames());
        try (OutputStream out = Files.newOutputStream(root.resolve("captions.jsonl"))) {
            for (String line : lines) {
                out.write(line.getBytes(StandardCharsets.UTF_8));
                out.write('\n');
            }
        }
        AtomicFiles.writeBytes(root.resolve("world.json"), Json.mapper().writeValueAsBytes(
                info(config, n, hash, classOf, backgroundOf, countOf)));
    }

    /** The paths of one image's files, relative to the world's folder. */
    private record ViewFiles(String folder, String adeImage, String adeAnnotation, String colourImage,
                             String colourAnnotation, String largestColour) {}

    private static void deleteEmpty(Path parent, List<String> children) throws IOException {
        for (String c : children) {
            try (var s = Files.list(parent.resolve(c))) {
                if (s.findAny().isEmpty()) {
                    Files.delete(parent.resolve(c));
                }
            }
        }
    }

    /** An ADE20K layout's {@code classes.txt}: line k names label k ({@link Ade20kDataset} reads it). */
    private static void writeClasses(Path adeDir, List<String> names) throws IOException {
        Files.writeString(adeDir.resolve("classes.txt"), String.join("\n", names) + "\n", StandardCharsets.UTF_8);
    }

    private static Map<String, Object> record(ToyWorldScene sc, ViewFiles f) {
        ToyWorldObject big = sc.largestObject();
        Map<String, Object> labels = new LinkedHashMap<>();
        labels.put("class", sc.className());
        labels.put("class_index", sc.label() - 1);
        labels.put("label", sc.label());
        labels.put("shape", big.shape().word());
        labels.put("colour", big.colour().word());
        labels.put("texture", big.texture().word());
        labels.put("size", big.size().word());
        labels.put("background", sc.background().word());
        labels.put("count", sc.objects().size());
        List<Map<String, Object>> objects = new ArrayList<>();
        for (int k = 0; k < sc.objects().size(); k++) {
            ToyWorldObject o = sc.objects().get(k);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("instance", k + 1);
            m.put("label", o.classIndex());
            m.put("shape", o.shape().word());
            m.put("colour", o.colour().word());
            m.put("texture", o.texture().word());
            m.put("size", o.size().word());
            m.put("center", List.of(o.cx(), o.cy()));
            m.put("radius", o.radius());
            m.put("pixels", o.pixels());
            m.put("bbox", List.of(o.minX(), o.minY(), o.maxX() + 1, o.maxY() + 1));
            objects.add(m);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("index", sc.index());
        r.put("file", f.folder());
        r.put("ade_image", f.adeImage());
        r.put("ade_annotation", f.adeAnnotation());
        r.put("colour_image", f.colourImage());
        r.put("colour_annotation", f.colourAnnotation());
        r.put("largest_colour_file", f.largestColour());
        r.put("caption", sc.caption());
        r.put("labels", labels);
        r.put("objects", objects);
        return r;
    }

    private static Map<String, Object> info(ToyWorld config, int n, String hash, int[] classOf, int[] backgroundOf,
                                            int[] countOf) {
        List<String> names = ToyWorld.classNames();
        Map<String, Integer> perClass = new TreeMap<>();
        Map<String, Integer> perBackground = new LinkedHashMap<>();
        Map<String, Integer> perCount = new TreeMap<>();
        Map<String, Integer> perColour = new TreeMap<>();
        List<String> colourNames = ToyWorld.colourNames();
        for (int i = 0; i < n; i++) {
            perClass.merge(names.get(classOf[i]), 1, Integer::sum);
            perColour.merge(colourNames.get(ToyWorld.colourLabel(classOf[i])), 1, Integer::sum);
            perBackground.merge(ToyWorldBackground.values()[backgroundOf[i]].word(), 1, Integer::sum);
            perCount.merge(Integer.toString(countOf[i]), 1, Integer::sum);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", GENERATOR);
        m.put("config_sha256", hash);
        m.put("config", config);
        m.put("images", n);
        m.put("folder", "images");
        m.put("ade20k", ADE_DIR);
        m.put("captions", "captions.jsonl");
        Map<String, Object> colourView = new LinkedHashMap<>();
        colourView.put("ade20k", COLOUR_VIEW);
        colourView.put("label_names", colourNames);
        Map<String, Object> largestColourView = new LinkedHashMap<>();
        largestColourView.put("folder", LARGEST_COLOUR_VIEW);
        largestColourView.put("images_per_class", perColour);
        Map<String, Object> views = new LinkedHashMap<>();
        views.put("colour", colourView);
        views.put("largest_colour", largestColourView);
        m.put("views", views);
        m.put("label_names", names);
        m.put("shapes", words(ToyWorldShape.values()));
        m.put("colours", words(ToyWorldColour.values()));
        m.put("textures", words(ToyWorldTexture.values()));
        m.put("backgrounds", words(ToyWorldBackground.values()));
        m.put("sizes", words(ToyWorldSize.values()));
        m.put("images_per_class", perClass);
        m.put("images_per_background", perBackground);
        m.put("images_per_object_count", perCount);
        return m;
    }

    private static List<String> words(Enum<?>[] values) {
        List<String> out = new ArrayList<>();
        for (Enum<?> v : values) {
            out.add(v.name().toLowerCase(java.util.Locale.ROOT));
        }
        return out;
    }

    /** An 8-bit RGB image of a scene (stored BGR, as {@link BufferedImage#TYPE_3BYTE_BGR} wants). */
    static BufferedImage rgbImage(ToyWorldScene sc) {
        int s = sc.size();
        BufferedImage img = new BufferedImage(s, s, BufferedImage.TYPE_3BYTE_BGR);
        byte[] dst = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        byte[] src = sc.rgb();
        for (int p = 0; p < s * s; p++) {
            dst[3 * p] = src[3 * p + 2];
            dst[3 * p + 1] = src[3 * p + 1];
            dst[3 * p + 2] = src[3 * p];
        }
        return img;
    }

    /** An 8-bit grey image holding a label map's values as stored. */
    static BufferedImage grayImage(int s, byte[] values) {
        BufferedImage img = new BufferedImage(s, s, BufferedImage.TYPE_BYTE_GRAY);
        System.arraycopy(values, 0, ((DataBufferByte) img.getRaster().getDataBuffer()).getData(), 0, s * s);
        return img;
    }

    /** One PNG writer per thread: looking a writer up through {@link ImageIO#write} on every call costs more than encoding 64x64. */
    private static final ThreadLocal<ImageWriter> PNG = ThreadLocal.withInitial(() -> {
        var it = ImageIO.getImageWritersByFormatName("png");
        if (!it.hasNext()) {
            throw new IllegalStateException("ImageIO has no PNG writer");
        }
        return it.next();
    });

    private static void writePng(Path file, BufferedImage img) throws IOException {
        ImageWriter w = PNG.get();
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file));
             ImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
            w.setOutput(ios);
            ImageWriteParam param = w.getDefaultWriteParam();
            // the JDK's PNG writer maps quality q to deflate level round((1 - q) * 9): 0.75 gives level 2, much
            // faster than the default level 9 on these small images, the files a little larger
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(0.75f);
            w.write(null, new IIOImage(img, null, null), param);
        } finally {
            w.setOutput(null);
        }
    }

    /** The ADE20K image is the same file as the folder image: a hard link where the file system allows one. */
    private static void linkOrCopy(Path from, Path to) throws IOException {
        try {
            Files.createLink(to, from);
        } catch (UnsupportedOperationException | IOException e) {
            Files.copy(from, to);
        }
    }
}
