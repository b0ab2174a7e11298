package saelab.web;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import saelab.analysis.AnalysisResult;
import saelab.analysis.RecordedLayer;
import saelab.data.DatasetManifest;
import saelab.data.DatasetManifestFiles;
import saelab.heads.ClassificationHead;
import saelab.heads.HeadKind;
import saelab.heads.HeadProvenance;
import saelab.heads.LinearHead;
import saelab.heads.SegmentationHead;
import saelab.heads.TaskHead;
import saelab.heads.ZeroShotHead;
import saelab.image.ImageDecoder;
import saelab.image.Preprocessor;
import saelab.image.RgbImage;
import saelab.intervene.ImageIntervention;
import saelab.intervene.LatentMaxima;
import saelab.io.ConfinedPaths;
import saelab.model.LoadOptions;
import saelab.model.LoadedModel;
import saelab.model.ModelLoader;
import saelab.sae.Sae;
import saelab.sae.SaeCheckpoint;
import saelab.text.Tokenizers;

/**
 * One backbone's intervention bench for the control dashboards: the model, its preprocessing, the patch SAE with the
 * block it reads, the latents' maxima and frequencies (from the SAE's analysis), the task heads, and the images a
 * dashboard offers (a dataset listing). An image opened for a head is an {@link ImageIntervention} (the prefix up to
 * the edit block cached), kept in a small least-recently-used table so that each slider move costs only the edit, the
 * blocks after it and the head. Not thread-safe by itself: {@link #lock()} guards every use.
 */
final class ControlBench implements AutoCloseable {

    /** Open image sessions kept per bench (each holds the prefix twice, [1, T, D]). */
    static final int SESSIONS = 8;

    /** One image source: a dataset's listed files under its root. */
    record Images(String spec, Path root, List<String> paths) {}

    private final String backbone;
    private final LoadedModel model;
    private final Preprocessor preprocessor;
    private final NDManager manager;
    private final Sae sae;
    private final int block;
    private final AnalysisResult analysis;
    private final LatentMaxima maxima;
    private final Map<HeadKind, TaskHead> heads;
    private final Map<HeadKind, Images> images;
    private final LinkedHashMap<String, ImageIntervention> sessions = new LinkedHashMap<>(16, 0.75f, true);
    private final LinkedHashMap<List<String>, ZeroShotHead> typedHeads = new LinkedHashMap<>(16, 0.75f, true);
    private final ServedRun.Bench spec;
    private final Object lock = new Object();

    private ControlBench(ServedRun.Bench spec, String backbone, LoadedModel model, Preprocessor pre, NDManager manager, Sae sae, int block, AnalysisResult analysis,
                         Map<HeadKind, TaskHead> heads, Map<HeadKind, Images> images) {
        this.spec = spec;
        this.backbone = backbone;
        this.model = model;
        this.preprocessor = pre;
        this.manager = manager;
        this.sae = sae;
        this.block = block;
        this.analysis = analysis;
        this.maxima = LatentMaxima.of(analysis, "analysis of " + backbone);
        this.heads = heads;
        this.images = images;
    }

    /** Loads a bench (CPU, float32). */
    static ControlBench load(ServedRun.Bench s) throws IOException {
        Device cpu = Device.cpu();
        LoadedModel m = ModelLoader.load(s.model(), new LoadOptions(cpu, DataType.FLOAT32, null));
        NDManager nd = NDManager.newBaseManager(cpu);
        try {
            Sae sae = SaeCheckpoint.read(s.sae(), nd);
            int block = RecordedLayer.resolve(s.sae(), null, "the SAE's block").layer();
            AnalysisResult an = AnalysisResult.read(s.analysis());
            if (an.index().dSae() != sae.config().dSae()) {
                throw new IllegalArgumentException(s.analysis().resolve("index.json") + ": field d_sae is " + an.index().dSae()
                        + "; the SAE " + s.sae() + " has " + sae.config().dSae() + " latents; expected that SAE's analysis");
            }
            Map<HeadKind, TaskHead> heads = new EnumMap<>(HeadKind.class);
            for (Map.Entry<HeadKind, Path> h : s.heads().entrySet()) {
                heads.put(h.getKey(), switch (h.getKey()) {
                    case ZEROSHOT -> ZeroShotHead.load(h.getValue());
                    case SEGMENT -> SegmentationHead.of(LinearHead.load(h.getValue()), m.vision());
                    case CLASSIFY -> ClassificationHead.of(LinearHead.load(h.getValue()));
                });
            }
            Map<HeadKind, Images> images = new EnumMap<>(HeadKind.class);
            for (Map.Entry<HeadKind, String[]> e : s.images().entrySet()) {
                DatasetManifest listing = DatasetManifestFiles.forSpec(e.getValue()[0], e.getValue()[1]);
                List<String> paths = new ArrayList<>();
                for (DatasetManifest.Example x : listing.examples()) {
                    paths.add(x.path());
                }
                images.put(e.getKey(), new Images(e.getValue()[0], Path.of(listing.root()), List.copyOf(paths)));
            }
            return new ControlBench(s, s.backbone(), m, Preprocessor.load(s.model()), nd, sae, block, an, heads, images);
        } catch (IOException | RuntimeException e) {
            nd.close();
            m.close();
            throw e;
        }
    }

    /**
     * The latent the concept matching names best (highest F1) for a class name, if any: what a showcase view edits
     * (the toy world's colour classes have colour concepts of the same names).
     */
    java.util.Optional<Integer> namedLatent(String className) throws IOException {
        if (spec.concepts() == null) {
            return java.util.Optional.empty();
        }
        int best = -1;
        double f1 = -1;
        for (Map.Entry<Integer, List<FeatureSetView.ConceptHit>> e : FeatureSetView.readConcepts(spec.concepts().resolve("concepts.csv")).entrySet()) {
            for (FeatureSetView.ConceptHit h : e.getValue()) {
                if (h.name().equals(className) && h.f1() > f1) {
                    f1 = h.f1();
                    best = e.getKey();
                }
            }
        }
        return best < 0 ? java.util.Optional.empty() : java.util.Optional.of(best);
    }

    /** The lock every caller holds while it uses the bench or a session of it. */
    Object lock() {
        return lock;
    }

    String backbone() {
        return backbone;
    }

    int block() {
        return block;
    }

    int dSae() {
        return sae.config().dSae();
    }

    AnalysisResult analysis() {
        return analysis;
    }

    /** A latent's maximum observed activation (the slider's unit). */
    float maximum(int latent) {
        return maxima.of(latent);
    }

    boolean has(HeadKind kind) {
        return heads.containsKey(kind);
    }

    TaskHead head(HeadKind kind) {
        TaskHead h = heads.get(kind);
        if (h == null) {
            throw new IllegalArgumentException("backbone " + backbone + " has no " + kind.id() + " head in this run");
        }
        return h;
    }

    /** The images offered with a head kind. */
    Images images(HeadKind kind) {
        Images i = images.get(kind);
        if (i == null) {
            throw new IllegalArgumentException("backbone " + backbone + " has no images for its " + kind.id() + " head");
        }
        return i;
    }

    /** Image {@code index} of a head's images, decoded (the index is the only thing a client names). */
    RgbImage image(HeadKind kind, int index) throws IOException {
        Images i = images(kind);
        if (index < 0 || index >= i.paths().size()) {
            throw new IllegalArgumentException("image " + index + " is outside 0.." + (i.paths().size() - 1) + " of " + i.spec());
        }
        Path file = ConfinedPaths.resolveLexically(i.root(), i.paths().get(index), i.spec(), "path");
        return ImageDecoder.decode(file);
    }

    Preprocessor preprocessor() {
        return preprocessor;
    }

    /** The open session of one image under one head (opened on first use; the least recently used is closed). Hold {@link #lock()}. */
    ImageIntervention session(HeadKind kind, int index) throws IOException {
        return session(kind, index, null);
    }

    /**
     * The open session of one image under a head; for the zero-shot head, {@code classNames} (when not null) replaces the
     * run's classes by typed ones (their class vectors built through the text tower with the run's templates). Hold
     * {@link #lock()}.
     */
    ImageIntervention session(HeadKind kind, int index, List<String> classNames) throws IOException {
        if (classNames != null && kind != HeadKind.ZEROSHOT) {
            throw new IllegalArgumentException("only the zero-shot head takes typed class names; the " + kind.id() + " head has its own");
        }
        String key = kind.id() + "/" + index + (classNames == null ? "" : "/" + String.join("\u0001", classNames));
        ImageIntervention s = sessions.get(key);
        if (s == null) {
            TaskHead h = classNames == null ? head(kind) : typedZeroShot(classNames);
            s = ImageIntervention.open(model.vision(), preprocessor, sae, block, h, image(kind, index), null, Device.cpu());
            sessions.put(key, s);
            if (sessions.size() > SESSIONS) {
                Iterator<Map.Entry<String, ImageIntervention>> it = sessions.entrySet().iterator();
                it.next().getValue().close();
                it.remove();
            }
        }
        return s;
    }

    private ZeroShotHead typedZeroShot(List<String> names) throws IOException {
        head(HeadKind.ZEROSHOT);
        ZeroShotHead h = typedHeads.get(names);
        if (h == null) {
            try (NDManager nd = NDManager.newBaseManager(Device.cpu())) {
                h = ZeroShotHead.build(model.dual(), Tokenizers.fromFolder(spec.model()), names, spec.zeroShotTemplates(),
                        "the run's zero-shot templates", HeadProvenance.modelOf(backbone, spec.model()), nd);
            }
            typedHeads.put(List.copyOf(names), h);
            if (typedHeads.size() > SESSIONS) {
                Iterator<List<String>> it = typedHeads.keySet().iterator();
                it.next();
                it.remove();
            }
        }
        return h;
    }

    @Override
    public void close() {
        synchronized (lock) {
            sessions.values().forEach(ImageIntervention::close);
            sessions.clear();
            manager.close();
            model.close();
        }
    }
}
