package saelab.intervene;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import saelab.capture.ExampleLoader;
import saelab.capture.PreprocessGeometry;
import saelab.data.DatasetManifest;
import saelab.data.DatasetManifestFiles;
import saelab.image.Preprocessor;
import saelab.image.ResizeRule;
import saelab.model.VisionTower;
import saelab.store.TokenLayout;

/**
 * The held-out images of a protocol run, in dataset order (the first {@code maxImages}), decoded, preprocessed and,
 * for segmentation, labelled per patch exactly as {@code saelab capture} does ({@link ExampleLoader}: the model's
 * preprocessing, then the label map's per-patch majority labels under the same resize and crop). The dataset is a spec
 * {@code KIND:PATH} with a split, as {@code saelab capture --dataset} takes, or {@code manifest:FILE} from
 * {@code saelab dataset manifest}. An image that cannot be decoded, or whose label map is missing or unreadable, is
 * skipped and counted ({@link Image#problem}).
 */
public final class ProtocolImages {

    /**
     * One loaded image.
     *
     * @param index       0-based position in the run
     * @param path        its path relative to the dataset root
     * @param pixels      {@code [3, H, W]} preprocessed, or null when it could not be used
     * @param patchLabels its per-patch labels (raster order), or null without label maps
     * @param label       its image-level label, or −1
     * @param problem     why it could not be used, or null
     */
    public record Image(int index, String path, float[] pixels, int[] patchLabels, int label, String problem) {}

    private final DatasetManifest manifest;
    private final List<DatasetManifest.Example> examples;
    private final ExampleLoader loader;
    private final ResizeRule.Size size;
    private final TokenLayout layout;

    private ProtocolImages(DatasetManifest manifest, List<DatasetManifest.Example> examples, ExampleLoader loader, ResizeRule.Size size,
                           TokenLayout layout) {
        this.manifest = manifest;
        this.examples = examples;
        this.loader = loader;
        this.size = size;
        this.layout = layout;
    }

    /**
     * Lists the images of a dataset.
     *
     * @param dataset     {@code KIND:PATH} or {@code manifest:FILE}
     * @param split       the split of a dataset spec (ignored for a manifest)
     * @param pre         the model's preprocessing (must give one image size)
     * @param tower       the model
     * @param patchLabels whether per-patch labels are needed (segmentation)
     * @param maxImages   the most images used, ≥ 1
     * @throws IllegalArgumentException when the dataset cannot be read, has no images, lacks the labels the task needs,
     *                                  or the preprocessing gives images of different sizes
     */
    public static ProtocolImages open(String dataset, String split, Preprocessor pre, VisionTower tower, boolean patchLabels, int maxImages)
            throws IOException {
        if (maxImages < 1) {
            throw new IllegalArgumentException("--max-images is " + maxImages + "; expected at least 1");
        }
        DatasetManifest m = DatasetManifestFiles.forSpec(dataset, split);
        List<DatasetManifest.Example> list = m.examples();
        if (list.isEmpty()) {
            throw new IllegalArgumentException("the dataset " + dataset + " lists no images");
        }
        list = list.subList(0, Math.min(maxImages, list.size()));
        ResizeRule.Size size = pre.config().fixedOutputSize();
        if (size == null) {
            throw new IllegalArgumentException(pre.config().source() + ": the preprocessing (" + pre.config().describe() + ") gives images of"
                    + " different sizes; the protocol needs a centre crop or a fixed resize");
        }
        TokenLayout layout = tower.layout(size.height(), size.width());
        if (patchLabels && list.getFirst().annotation() == null) {
            throw new IllegalArgumentException("the dataset " + dataset + " has no label maps; control segment needs per-patch ground truth"
                    + " (a dataset with label maps, e.g. ade20k:PATH)");
        }
        if (!patchLabels && list.stream().allMatch(e -> e.label() < 0)) {
            throw new IllegalArgumentException("the dataset " + dataset + " has no image labels; control classify needs a labelled dataset");
        }
        var geometry = patchLabels ? PreprocessGeometry.of(pre.config()).orElseThrow(() -> new IllegalArgumentException(
                pre.config().source() + ": the preprocessing does not resize; per-patch labels need the resize + crop geometry")) : null;
        ExampleLoader loader = new ExampleLoader(Path.of(m.root()), pre, geometry, tower.patchSize(), layout.gridH(), layout.gridW());
        return new ProtocolImages(m, list, loader, size, layout);
    }

    /** The images listed (at most {@code maxImages}). */
    public int size() {
        return examples.size();
    }

    /** The dataset's root folder: {@link Image#path()} is relative to it. */
    public Path root() {
        return Path.of(manifest.root());
    }

    /** The dataset's class names, index = label. */
    public List<String> classes() {
        return manifest.classes();
    }

    /** The dataset reader's name, e.g. {@code ade20k}. */
    public String kind() {
        return manifest.kind();
    }

    /** The background label scored nowhere (ADE20K's 0, as mmsegmentation's {@code reduce_zero_label}), or −1. */
    public int ignoreLabel() {
        return "ade20k".equals(manifest.kind()) ? 0 : -1;
    }

    /** The dataset manifest's checksum of the listed examples. */
    public String checksum() {
        return DatasetManifest.checksum(examples);
    }

    /** The preprocessed image size. */
    public ResizeRule.Size imageSize() {
        return size;
    }

    /** The token layout of every image. */
    public TokenLayout layout() {
        return layout;
    }

    /** Loads image i (decoding and preprocessing it). */
    public Image load(int i) {
        DatasetManifest.Example e = examples.get(i);
        ExampleLoader.Loaded l = loader.load(i, e);
        int[] labels = null;
        if (l.labels() != null) {
            labels = new int[l.labels().length];
            for (int p = 0; p < labels.length; p++) {
                labels[p] = l.labels()[p];
            }
        }
        return new Image(i, e.path(), l.pixels(), labels, e.label(), l.problem());
    }
}
