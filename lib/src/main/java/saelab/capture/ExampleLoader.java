package saelab.capture;

import java.io.IOException;
import java.nio.file.Path;
import saelab.data.DatasetManifest;
import saelab.data.LabelMap;
import saelab.data.PatchLabels;
import saelab.data.ResizeCropGeometry;
import saelab.image.ImageDecoder;
import saelab.image.Preprocessor;
import saelab.image.ResizeRule;
import saelab.image.RgbImage;
import saelab.io.ConfinedPaths;

/**
 * Decodes and preprocesses one example of a dataset manifest (on a pool thread): the image to
 * float32 {@code [3, H, W]} with the model's {@link Preprocessor} (RGBA, grayscale, palette and CMYK
 * images are converted to RGB by {@link ImageDecoder} as Pillow's {@code convert("RGB")} does), and,
 * when the capture stores patch labels, the example's label map to per-patch majority labels
 * ({@link PatchLabels}) under the same resize and crop. A file that is missing, empty, truncated or not
 * an image gives a {@link Loaded} with a problem instead of throwing; other errors are thrown. Public so that the
 * intervention protocol reads its held-out images and their per-patch labels exactly as a capture does.
 */
public final class ExampleLoader {

    /**
     * One loaded example.
     *
     * @param position 0-based position in the capture list
     * @param pixels   {@code [3, H, W]}, or null when the example could not be used
     * @param labels   per-patch labels {@code [patches]}, or null (no labels stored, or a problem)
     * @param problem  what was wrong, or null
     */
    public record Loaded(long position, float[] pixels, short[] labels, String problem) {}

    private final Path root;
    private final Preprocessor preprocessor;
    private final ResizeCropGeometry labelGeometry;
    private final int patchSize;
    private final int gridH;
    private final int gridW;

    /**
     * @param root          the dataset root the example paths are relative to
     * @param preprocessor  the model's preprocessing
     * @param labelGeometry the preprocessing's resize + crop for label maps, or null when no patch labels are stored
     * @param patchSize     the model's patch size in pixels
     * @param gridH         the patch rows the labels must have
     * @param gridW         the patch columns the labels must have
     */
    public ExampleLoader(Path root, Preprocessor preprocessor, ResizeCropGeometry labelGeometry, int patchSize, int gridH, int gridW) {
        this.root = root;
        this.preprocessor = preprocessor;
        this.labelGeometry = labelGeometry;
        this.patchSize = patchSize;
        this.gridH = gridH;
        this.gridW = gridW;
    }

    /** Loads example {@code e} at capture-list position {@code position}. */
    public Loaded load(long position, DatasetManifest.Example e) {
        float[] pixels;
        try {
            // relative without '..' (the manifest checks it too); links inside the user's own dataset root are followed
            Path file = ConfinedPaths.resolveLexically(root, e.path(), "the dataset manifest", "examples[" + position + "].path");
            RgbImage img = ImageDecoder.decode(file);
            ResizeRule.Size size = preprocessor.outputSize(img.width(), img.height());
            pixels = new float[3 * size.width() * size.height()];
            preprocessor.applyInto(img, pixels, 0);
        } catch (IOException | IllegalArgumentException ex) {
            return new Loaded(position, null, null, describe(ex));
        }
        if (labelGeometry == null) {
            return new Loaded(position, pixels, null, null);
        }
        if (e.annotation() == null) {
            return new Loaded(position, null, null, "no label map listed for it, but the capture stores patch labels");
        }
        try {
            Path mapFile = ConfinedPaths.resolveLexically(root, e.annotation().path(), "the dataset manifest",
                    "examples[" + position + "].annotation.path");
            PatchLabels pl = PatchLabels.of(LabelMap.read(mapFile), labelGeometry, patchSize);
            if (pl.gridHeight() != gridH || pl.gridWidth() != gridW) {
                return new Loaded(position, null, null, "label map " + e.annotation().path() + " gives a " + pl.gridHeight() + "x"
                        + pl.gridWidth() + " patch grid, the model sees " + gridH + "x" + gridW);
            }
            short[] labels = new short[pl.count()];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = (short) pl.labels()[i];
            }
            return new Loaded(position, pixels, labels, null);
        } catch (IOException | IllegalArgumentException ex) {
            return new Loaded(position, null, null, "label map " + e.annotation().path() + ": " + describe(ex));
        }
    }

    private String describe(Exception ex) {
        return problem(root, ex);
    }

    /**
     * How the problem list words an image that could not be read: {@code missing}, or the decoder's message without the
     * leading absolute path (the list names the path relative to the dataset root already).
     */
    static String problem(Path root, Exception ex) {
        String m = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
        if (ex instanceof java.nio.file.NoSuchFileException) {
            return "missing";
        }
        // the decoder's messages start with the absolute path; the problem list names the relative path already
        String abs = root.toString();
        int at = m.indexOf(abs);
        if (at == 0) {
            int colon = m.indexOf(": ");
            if (colon > 0) {
                m = m.substring(colon + 2);
            }
        }
        return m;
    }
}
