package saelab.capture;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import saelab.data.DatasetManifest;
import saelab.data.ImageProblems;
import saelab.image.ImageDecoder;
import saelab.image.RgbImage;
import saelab.io.ConfinedPaths;
import saelab.io.Json;
import saelab.io.Progress;
import saelab.lm.moondream.CropSet;
import saelab.lm.moondream.MoondreamImageFeatures;
import saelab.lm.moondream.MoondreamModel;
import saelab.lm.moondream.MoondreamVision;
import saelab.lm.moondream.MoondreamVisionConfig;
import saelab.store.CacheManifest;
import saelab.store.CacheSpec;
import saelab.store.CacheWriter;
import saelab.store.ImageRecord;
import saelab.store.RecordedLayer;
import saelab.store.TokenLayout;

/**
 * {@link CapturePipeline} for a moondream2 folder: what its language model reads of an image, the projection input
 * ({@link RecordedLayer#PROJECTION}: the global crop's encoder features beside the stitched and pooled local crops'
 * features, {@code [27 × 27, 2 · enc_dim]}, no class token), one image at a time since each image has its own crop tiling.
 * The cache is like any other (patch tokens on a 27 × 27 grid), so {@code saelab train}, {@code analyze} and
 * {@code concepts} read it and the SAE it trains is the one {@code saelab vlm ask} splices into moondream. The list,
 * parts, limit, problem policy, shards and resumption are {@link CapturePipeline}'s; no per-patch labels are written (the
 * pooled grid follows the crops' tiling, not a fixed crop of the image).
 */
final class MoondreamCapture {

    private MoondreamCapture() {}

    /** Runs the capture of a moondream2 folder (see {@link CapturePipeline#run(CaptureOptions, PrintStream, LongConsumer)}). */
    static CaptureSummary run(CaptureOptions o, PrintStream log, LongConsumer afterBatch) throws IOException {
        long t0 = System.nanoTime();
        if (!o.layers().equals(List.of(RecordedLayer.PROJECTION))) {
            throw new IllegalArgumentException("--layers " + RecordedLayer.names(o.layers()).replaceAll("[\\[\\] ]", "") + ": a moondream2 model"
                    + " is captured at its projection input only; expected --layers projection");
        }
        if (o.tokens().cls() || o.tokens().registers() || !o.tokens().patches()) {
            throw new IllegalArgumentException("--tokens: moondream2's projection input has patch tokens only (no class or register"
                    + " token); expected --tokens patches");
        }
        CapturePipeline.Listing listing = CapturePipeline.listing(o, log);
        long[] range = listing.range();
        try (MoondreamModel model = MoondreamModel.load(o.modelDir(), o.device())) {
            MoondreamVision vision = model.vision();
            int side = model.config().vision().gridSide();
            int d = Math.toIntExact(vision.projection().inputDim());
            ObjectNode config = CapturePipeline.identityConfig(o, listing);
            CacheSpec spec = new CacheSpec(CaptureIdentity.model(o), CaptureIdentity.dataset(listing.full(), listing.checksum()),
                    preprocessing(model.config().vision()), o.layers(), new TokenLayout(false, 0, side, side), d, o.dtype(), null, config);
            CaptureSummary done = CapturePipeline.alreadyComplete(o, spec, config, range, t0, log);
            if (done != null) {
                return done;
            }
            try (CacheWriter writer = CacheWriter.createOrResume(o.out(), spec, o.maxShardBytes())) {
                long start = CapturePipeline.resumePoint(o, writer, range, log);
                long resumedAt = writer.imagesWritten() == 0 ? -1 : start;
                Path root = Path.of(listing.full().root());
                ImageProblems problems = new ImageProblems(o.policy());
                Progress progress = new Progress("capture", "images", range[1] - start, log, 2000);
                int perImage = side * side * d;
                List<ImageRecord> records = new ArrayList<>();
                float[] acts = new float[Math.multiplyExact(o.batch(), perImage)];
                long processed = 0;
                long written = 0;
                for (long pos = start; pos < range[1]; pos++) {
                    DatasetManifest.Example e = listing.list().get((int) pos);
                    RgbImage image;
                    try {
                        image = ImageDecoder.decode(ConfinedPaths.resolveLexically(root, e.path(), "the dataset manifest",
                                "examples[" + pos + "].path"));
                    } catch (IOException | IllegalArgumentException ex) {
                        String problem = ExampleLoader.problem(root, ex);
                        problems.report(e.path(), problem);
                        log.println("skipped " + e.path() + ": " + problem);
                        processed++;
                        progress.advance(1);
                        continue;
                    }
                    System.arraycopy(projectionInput(vision, image), 0, acts, records.size() * perImage, perImage);
                    records.add(new ImageRecord(pos, e.path(), e.label()));
                    if (records.size() == o.batch()) {
                        writer.append(List.copyOf(records), java.util.Arrays.copyOf(acts, records.size() * perImage), null);
                        written += records.size();
                        records.clear();
                        afterBatch.accept(writer.imagesWritten());
                    }
                    processed++;
                    progress.advance(1);
                }
                if (!records.isEmpty()) {
                    writer.append(List.copyOf(records), java.util.Arrays.copyOf(acts, records.size() * perImage), null);
                    written += records.size();
                    afterBatch.accept(writer.imagesWritten());
                }
                progress.finish();
                CacheManifest m = writer.finish();
                return new CaptureSummary(o.out(), m, range[1] - range[0], resumedAt, processed, written, problems.list(),
                        (System.nanoTime() - t0) / 1e9);
            }
        }
    }

    /** The projection input of one image, {@code [T · 2D]} row-major. */
    static float[] projectionInput(MoondreamVision vision, RgbImage image) {
        CropSet crops = vision.crops(image);
        try (NDManager nd = NDManager.newBaseManager()) {
            NDArray encoded = vision.encode(crops.normalised(nd));
            MoondreamImageFeatures f = vision.stitch(encoded, crops.tiling());
            return f.projectionInput().toFloatArray();
        }
    }

    /** What the cache records as its preprocessing: moondream's overlapping crops. */
    private static ObjectNode preprocessing(MoondreamVisionConfig v) {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("processor_type", "moondream2 overlap crops");
        n.put("crop_size", v.cropSize());
        n.put("max_crops", v.maxCrops());
        n.put("overlap_margin", v.overlapMargin());
        n.put("patch_size", v.encPatchSize());
        return n;
    }
}
