package saelab.capture;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongConsumer;
import saelab.data.Ade20kDataset;
import saelab.data.Dataset;
import saelab.data.DatasetManifest;
import saelab.data.Datasets;
import saelab.data.ImageProblems;
import saelab.data.ManifestOptions;
import saelab.data.ResizeCropGeometry;
import saelab.image.Preprocessor;
import saelab.image.ResizeRule;
import saelab.io.Json;
import saelab.io.Progress;
import saelab.model.LoadOptions;
import saelab.model.LoadedModel;
import saelab.model.ModelLoader;
import saelab.model.VisionOutput;
import saelab.model.VisionTower;
import saelab.store.ActivationCache;
import saelab.store.CacheManifest;
import saelab.store.CacheSpec;
import saelab.store.Completeness;
import saelab.store.CacheWriter;
import saelab.store.ImageRecord;
import saelab.store.RecordedLayer;
import saelab.store.TokenLayout;

/**
 * Dataset to model to activation cache: the capture of the issue "activation capture at scale".
 *
 * <p><b>Flow.</b> The dataset's manifest (ordered, checksummed list) is cut to {@code --limit} (the
 * <i>capture list</i>) and to the part's range; a pool of {@code threads} threads decodes and
 * preprocesses images ({@link ExampleLoader}) into bounded, ordered batches ({@link OrderedBatches});
 * the calling thread runs the vision tower on each batch (one forward pass records every requested
 * block; DJL records no gradients outside a {@code GradientCollector}, so this is inference only),
 * picks the stored tokens, and appends them with their per-patch labels to the cache through
 * {@link CacheWriter}. Progress (images/s, time left) goes to the log; a {@link CaptureSummary} comes back.
 *
 * <p><b>moondream2.</b> A moondream2 folder is captured at its projection input ({@link MoondreamCapture}).
 *
 * <p><b>Final layer.</b> Besides block outputs, {@code layers} may name {@link RecordedLayer#FINAL} (the final
 * norm of every token of the last block's output, {@code VisionHead.normAll}) and {@link RecordedLayer#POOLED}
 * (the pooled output before projection, written at every stored token position); a capture that records
 * either runs the whole tower and its head instead of stopping after the last recorded block.
 *
 * <p><b>Determinism.</b> Batch boundaries are the multiples of the batch size in the capture list,
 * whatever the part or the resume point, and images are written in list order; so the same images go
 * through the same batched forward in every run, and the shards are byte-identical between runs.
 *
 * <p><b>Problems.</b> An image that is missing, empty, truncated or not an image is reported by path
 * and skipped ({@code SKIP_AND_COUNT}) or stops the run ({@code STOP}); RGBA and other modes are
 * converted to RGB as Pillow's {@code convert("RGB")} does.
 *
 * <p><b>Resume.</b> When the output folder holds an unfinished cache of the same capture (model and
 * weights checksum, preprocessing, layers, tokens, dtype, dataset list checksum, part range, batch size,
 * limit, device), the run continues after the last image of its last complete shard; anything else is an
 * error naming the field that differs.
 */
public final class CapturePipeline {

    private CapturePipeline() {}

    /**
     * Runs a capture.
     *
     * @param log progress, skipped images and notes (standard error on the command line)
     * @throws IllegalArgumentException for bad options or input (naming the file or option), and under the STOP policy
     *                                  for the first unreadable image
     * @throws IllegalStateException    when the output folder holds a different cache
     */
    public static CaptureSummary run(CaptureOptions o, PrintStream log) throws IOException, InterruptedException {
        return run(o, log, written -> { });
    }

    /**
     * Runs a capture, calling {@code afterBatch} with the number of images in the cache (complete shards
     * and the open one) after every appended batch (for progress displays in notebooks).
     *
     * @see #run(CaptureOptions, PrintStream)
     */
    /** Dataset spec prefix of a saved dataset manifest ({@code manifest:FILE}), used as is. */
    public static final String MANIFEST_PREFIX = saelab.data.DatasetManifestFiles.SPEC_PREFIX;

    public static CaptureSummary run(CaptureOptions o, PrintStream log, LongConsumer afterBatch)
            throws IOException, InterruptedException {
        if (saelab.lm.moondream.MoondreamForward.isMoondreamFolder(o.modelDir())) {
            return MoondreamCapture.run(o, log, afterBatch); // its projection input, one image (and crop tiling) at a time
        }
        if (o.layers().contains(RecordedLayer.PROJECTION)) {
            throw new IllegalArgumentException("--layers projection: only a moondream2 model has a projection input to record; "
                    + o.modelDir() + " is a vision tower, expected block indices, final or pooled");
        }
        long t0 = System.nanoTime();
        Listing listing = listing(o, log);
        DatasetManifest full = listing.full();
        List<DatasetManifest.Example> list = listing.list();
        String listChecksum = listing.checksum();
        long[] range = listing.range();

        Preprocessor pre = Preprocessor.load(o.modelDir());
        ResizeRule.Size size = pre.config().fixedOutputSize();
        if (size == null) {
            throw new IllegalArgumentException(pre.config().source() + ": the preprocessing (" + pre.config().describe()
                    + ") gives images of different sizes; a capture batches images of one size, so it needs a centre crop or a"
                    + " fixed resize");
        }
        try (LoadedModel model = ModelLoader.load(o.modelDir(), new LoadOptions(o.device(), DataType.FLOAT32, null))) {
            VisionTower tower = model.vision();
            for (int l : o.layers()) {
                if (!RecordedLayer.isReserved(l) && l >= tower.depth()) {
                    throw new IllegalArgumentException("--layers: block " + l + " does not exist; the model in " + o.modelDir()
                            + " has blocks 0.." + (tower.depth() - 1) + " (0-based)");
                }
            }
            TokenLayout ml = tower.layout(size.height(), size.width());
            int[] select = selectTokens(o.tokens(), ml, o.modelDir());
            TokenLayout stored = new TokenLayout(o.tokens().cls(),
                    o.tokens().registers() ? ml.registers() : 0, o.tokens().patches() ? ml.gridH() : 0,
                    o.tokens().patches() ? ml.gridW() : 0);

            boolean annotated = !list.isEmpty() && list.getFirst().annotation() != null;
            boolean labels = annotated && o.tokens().patches();
            if (annotated && !labels) {
                log.println("note: the dataset has label maps, but patch tokens are not stored, so no patch labels are written");
            }
            ResizeCropGeometry geometry = labels ? CaptureIdentity.geometry(pre.config()) : null;
            CacheManifest.PatchLabelInfo labelInfo = labels
                    ? new CacheManifest.PatchLabelInfo(full.classes(), "ade20k".equals(full.kind()) ? 0 : -1) : null;
            if (labels && "ade20k".equals(full.kind()) && !Ade20kDataset.BACKGROUND.equals(full.classes().getFirst())) {
                throw new IllegalStateException("ADE20K class 0 is '" + full.classes().getFirst() + "', expected background");
            }

            ObjectNode config = identityConfig(o, listing);
            CacheSpec spec = new CacheSpec(CaptureIdentity.model(o), CaptureIdentity.dataset(full, listChecksum),
                    CaptureIdentity.preprocessing(pre.config()), o.layers(), stored, Math.toIntExact(tower.width()), o.dtype(),
                    labelInfo, config);

            CaptureSummary done = alreadyComplete(o, spec, config, range, t0, log);
            if (done != null) {
                return done;
            }
            try (CacheWriter writer = CacheWriter.createOrResume(o.out(), spec, o.maxShardBytes())) {
                long start = resumePoint(o, writer, range, log);
                long resumedAt = writer.imagesWritten() == 0 ? -1 : start;
                return capture(o, log, afterBatch, t0, pre, tower, size, select, list, range, start, resumedAt, geometry, writer, full.root());
            }
        }
    }

    private static CaptureSummary capture(CaptureOptions o, PrintStream log, LongConsumer afterBatch, long t0, Preprocessor pre, VisionTower tower, ResizeRule.Size size,
                                          int[] select, List<DatasetManifest.Example> list, long[] range, long start,
                                          long resumedAt, ResizeCropGeometry geometry, CacheWriter writer, String root)
            throws IOException, InterruptedException {
        TokenLayout ml = tower.layout(size.height(), size.width());
        ExampleLoader loader = new ExampleLoader(Path.of(root), pre, geometry, tower.patchSize(),
                ml.gridH(), ml.gridW());
        ImageProblems problems = new ImageProblems(o.policy());
        long batchStart = Math.max(range[0], start / o.batch() * o.batch());
        int perImage = 3 * size.height() * size.width();
        int layers = o.layers().size();
        int d = Math.toIntExact(tower.width());
        int patches = o.tokens().patches() ? ml.patches() : 0;
        Set<Integer> record = new LinkedHashSet<>(o.layers());
        record.removeIf(RecordedLayer::isReserved);
        Progress progress = new Progress("capture", "images", range[1] - start, log, 2000);
        long processed = 0;
        long written = 0;
        OrderedBatches.OnLoaded onLoaded = l -> {
            if (l.problem() != null && l.position() >= start) {
                String path = list.get((int) l.position()).path();
                problems.report(path, l.problem());
                log.println("skipped " + path + ": " + l.problem());
            }
        };
        int window = Math.max(2 * o.batch(), 4 * o.threads());
        try (OrderedBatches batches = new OrderedBatches(batchStart, range[1], o.batch(), o.threads(), window, 2,
                pos -> loader.load(pos, list.get((int) pos)), onLoaded)) {
            OrderedBatches.Batch b;
            while ((b = batches.next()) != null) {
                List<ExampleLoader.Loaded> ok = new ArrayList<>();
                for (ExampleLoader.Loaded l : b.images()) {
                    if (l.pixels() != null) {
                        ok.add(l);
                    }
                }
                long fresh = b.images().stream().filter(l -> l.position() >= start).count();
                List<ExampleLoader.Loaded> keep = ok.stream().filter(l -> l.position() >= start).toList();
                if (!keep.isEmpty()) {
                    float[] acts = forward(tower, o.device(), ok, keep, perImage, size, record, o.layers(), select, d);
                    List<ImageRecord> records = new ArrayList<>(keep.size());
                    short[] lab = geometry == null ? null : new short[keep.size() * patches];
                    for (int i = 0; i < keep.size(); i++) {
                        ExampleLoader.Loaded l = keep.get(i);
                        DatasetManifest.Example e = list.get((int) l.position());
                        records.add(new ImageRecord(l.position(), e.path(), e.label()));
                        if (lab != null) {
                            System.arraycopy(l.labels(), 0, lab, i * patches, patches);
                        }
                    }
                    writer.append(records, acts, lab);
                    written += keep.size();
                    afterBatch.accept(writer.imagesWritten());
                }
                processed += fresh;
                progress.advance(fresh);
            }
        }
        progress.finish();
        CacheManifest m = writer.finish();
        return new CaptureSummary(o.out(), m, range[1] - range[0], resumedAt, processed, written, problems.list(),
                (System.nanoTime() - t0) / 1e9);
    }

    /**
     * One batched forward over every loaded image of a batch; returns the stored tokens of the images of
     * {@code keep} as {@code [keep, layers, tokens, d_model]}.
     */
    private static float[] forward(VisionTower tower, ai.djl.Device device, List<ExampleLoader.Loaded> ok, List<ExampleLoader.Loaded> keep, int perImage,
                                   ResizeRule.Size size, Set<Integer> record, List<Integer> layers, int[] select, int d) {
        int n = ok.size();
        float[] packed = new float[Math.multiplyExact(n, perImage)];
        for (int i = 0; i < n; i++) {
            System.arraycopy(ok.get(i).pixels(), 0, packed, i * perImage, perImage);
        }
        int skip = n - keep.size(); // dropped images (before the resume point) come first in a batch
        int tokens = select.length;
        float[] acts = new float[Math.multiplyExact(keep.size(), layers.size() * tokens * d)];
        boolean afterBlocks = layers.stream().anyMatch(RecordedLayer::isReserved);
        try (NDManager nd = NDManager.newBaseManager(device)) {
            NDArray px = nd.create(packed, new Shape(n, 3, size.height(), size.width()));
            VisionOutput out;
            NDArray finalTokens = null;
            if (afterBlocks) {
                // the whole tower and its head; the last block is kept so that the final norm can be applied to every token
                Set<Integer> withLast = new LinkedHashSet<>(record);
                withLast.add(tower.depth() - 1);
                out = tower.forward(px, withLast);
                if (layers.contains(RecordedLayer.FINAL)) {
                    finalTokens = tower.head().normAll(out.blocks().get(tower.depth() - 1));
                }
            } else {
                out = tower.forwardBlocks(px, record); // stops after the last recorded block
            }
            for (int li = 0; li < layers.size(); li++) {
                int layer = layers.get(li);
                NDArray x = switch (layer) {
                    case RecordedLayer.FINAL -> finalTokens;
                    case RecordedLayer.POOLED -> out.pooled();
                    default -> out.blocks().get(layer);
                };
                boolean pooled = layer == RecordedLayer.POOLED; // [B, D]: one vector per image, written at every stored token
                long seq = pooled ? 1 : x.getShape().get(1);
                float[] v = (x.getDataType() == DataType.FLOAT32 ? x : x.toType(DataType.FLOAT32, false)).toFloatArray();
                for (int i = 0; i < keep.size(); i++) {
                    int src = skip + i;
                    for (int t = 0; t < tokens; t++) {
                        int from = pooled ? src * d : (int) ((src * seq + select[t]) * d);
                        System.arraycopy(v, from, acts, ((i * layers.size() + li) * tokens + t) * d, d);
                    }
                }
            }
        }
        return acts;
    }

    /** Sequence indices of the stored tokens, in storage order (CLS, registers, patches). */
    static int[] selectTokens(TokenSelection sel, TokenLayout ml, Path modelDir) {
        List<Integer> idx = new ArrayList<>();
        if (sel.cls()) {
            if (ml.clsIndex() < 0) {
                throw new IllegalArgumentException("--tokens asks for cls, but the model in " + modelDir + " has no class token");
            }
            idx.add(ml.clsIndex());
        }
        if (sel.registers()) {
            if (ml.registers() == 0) {
                throw new IllegalArgumentException("--tokens asks for registers, but the model in " + modelDir
                        + " has no register tokens");
            }
            for (int r : ml.registerIndices()) {
                idx.add(r);
            }
        }
        if (sel.patches()) {
            for (int p = 0; p < ml.patches(); p++) {
                idx.add(ml.firstPatch() + p);
            }
        }
        return idx.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * What a capture reads: the dataset's full list, the capture list (cut to {@code --limit}), its checksum, and this
     * part's range of it.
     */
    record Listing(DatasetManifest full, List<DatasetManifest.Example> list, String checksum, long[] range) {}

    /** The dataset's list as the options name it (a saved manifest is read as is), cut to the limit and the part. */
    static Listing listing(CaptureOptions o, PrintStream log) throws IOException {
        DatasetManifest full;
        if (o.dataset().startsWith(MANIFEST_PREFIX)) {
            // a list made before with 'saelab dataset manifest': no walk over the files
            full = saelab.data.DatasetManifestFiles.read(Path.of(o.dataset().substring(MANIFEST_PREFIX.length())));
        } else {
            Dataset dataset = Datasets.open(o.dataset(), o.split());
            full = dataset.manifest(ManifestOptions.DEFAULT.withPolicy(o.policy()).withThreads(Math.min(8, o.threads())));
        }
        if (!full.skipped().isEmpty()) {
            log.println("dataset: " + full.skipped().size() + " listed file(s) left out of the list (missing or not files):");
            full.skipped().stream().limit(ImageProblems.SHOWN).forEach(p -> log.println("  " + p));
        }
        List<DatasetManifest.Example> list = full.examples();
        String listChecksum = full.checksum();
        if (o.limit() > 0 && o.limit() < list.size()) {
            list = list.subList(0, (int) o.limit());
            listChecksum = DatasetManifest.checksum(list);
        }
        long[] range = o.part() == null ? new long[] {0, list.size()}
                : DatasetManifest.sliceRange(list.size(), o.part().index(), o.part().count());

        return new Listing(full, list, listChecksum, range);
    }

    /** The capture's identity ({@link CaptureIdentity#config}) with the dataset's image class names when it has image labels. */
    static ObjectNode identityConfig(CaptureOptions o, Listing l) {
        ObjectNode config = CaptureIdentity.config(o, l.range()[0], l.range()[1], l.list().size());
        if (!"ade20k".equals(l.full().kind()) && !l.full().classes().isEmpty() && l.list().stream().anyMatch(e -> e.label() >= 0)) {
            // image labels index the dataset's classes; the names travel with the cache so that heads and tables name them
            config.set(CacheManifest.CONFIG_IMAGE_CLASSES, Json.mapper().valueToTree(l.full().classes()));
        }
        return config;
    }

    /**
     * The summary of a cache the output folder already holds complete for the same capture, or null when there is none (or
     * an unfinished one of the same capture, which the writer resumes).
     *
     * @throws IllegalStateException when the folder holds another capture's cache
     */
    static CaptureSummary alreadyComplete(CaptureOptions o, CacheSpec spec, ObjectNode config, long[] range, long t0, PrintStream log)
            throws IOException {
        if (!Files.exists(o.out().resolve(CacheManifest.FILE_NAME))) {
            return null;
        }
        CacheManifest existing = ActivationCache.readManifest(o.out());
        CaptureIdentity.checkResumable(o.out(), existing.provenance() == null ? null : existing.provenance().config(), config);
        if (!existing.complete()) {
            return null;
        }
        checkSame(o.out(), existing, spec);
        log.println("the cache in " + o.out() + " is already complete (" + existing.nImages() + " images); nothing to do");
        return new CaptureSummary(o.out(), existing, range[1] - range[0], range[1], 0, 0, List.of(), (System.nanoTime() - t0) / 1e9);
    }

    /** The list position to go on from: the part's first, or after the last image of a resumed cache's complete shards. */
    static long resumePoint(CaptureOptions o, CacheWriter writer, long[] range, PrintStream log) throws IOException {
        if (writer.imagesWritten() == 0) {
            return range[0];
        }
        long start;
        try (ActivationCache c = ActivationCache.open(o.out(), Completeness.ALLOW_INCOMPLETE)) {
            start = c.image(c.nImages() - 1).datasetIndex() + 1;
        }
        log.println("resuming " + o.out() + ": " + writer.imagesWritten() + " images in complete shards; continuing at list position "
                + start);
        return start;
    }

    private static void checkSame(Path dir, CacheManifest m, CacheSpec spec) {
        String differs = !Objects.equals(m.model(), spec.model()) ? "model"
                : !Objects.equals(m.dataset(), spec.dataset()) ? "dataset"
                : !Objects.equals(m.layers(), spec.layers()) ? "layers"
                : !Objects.equals(m.tokens(), spec.tokens()) ? "tokens"
                : m.storageDtype() != spec.dtype() ? "dtype"
                : !Objects.equals(m.preprocessing(), spec.preprocessing()) ? "preprocessing" : null;
        if (differs != null) {
            throw new IllegalStateException("the complete cache in " + dir + " was made by another capture: its field '" + differs
                    + "' differs from this run's; use another output folder");
        }
    }

}
