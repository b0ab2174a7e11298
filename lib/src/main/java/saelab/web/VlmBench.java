package saelab.web;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import saelab.analysis.AnalysisResult;
import saelab.data.DatasetManifest;
import saelab.data.DatasetManifestFiles;
import saelab.image.ImageDecoder;
import saelab.image.Preprocessor;
import saelab.image.RgbImage;
import java.util.function.IntConsumer;
import saelab.intervene.LatentEdit;
import saelab.intervene.LatentMaxima;
import saelab.intervene.MoondreamAsk;
import saelab.intervene.SpliceForm;
import saelab.intervene.VlmAsk;
import saelab.io.ConfinedPaths;
import saelab.lm.ChatTemplate;
import saelab.lm.TextTokenizer;
import saelab.lm.llava.AnswerSampling;
import saelab.lm.llava.LlavaModel;
import saelab.lm.moondream.MoondreamForward;
import saelab.lm.moondream.MoondreamModel;
import saelab.plot.ModelView;
import saelab.sae.Sae;
import saelab.sae.SaeCheckpoint;

/**
 * One vision-language model loaded for the VLM dashboard: a LLaVA model (with its preprocessing) or a moondream2 model,
 * its tokenizer, the SAE of the vision features it edits (LLaVA's selected features, moondream's projection input) with
 * the latents' maxima (the sliders' unit), the latents the concept matching names (to pick from), and the images offered.
 * {@link #ask} samples answers before and after an edit with the family's own prompt ({@link VlmAsk} with llava-1.5's
 * template, {@link MoondreamAsk} with moondream's query template). {@link #lock()} guards every use (one sampling run at
 * a time).
 */
final class VlmBench implements AutoCloseable {

    /** A latent the concept matching names as the best match of a concept. */
    record NamedLatent(String family, String name, int latent, double f1) {}

    private final ServedRun.Vlm spec;
    /** Exactly one of {@code llava} and {@code moondream} is set. */
    private final LlavaModel llava;
    private final MoondreamModel moondream;
    private final TextTokenizer tokenizer;
    /** LLaVA's preprocessing (null for moondream, which tiles the image itself). */
    private final Preprocessor preprocessor;
    private final NDManager manager;
    private final Sae sae;
    private final LatentMaxima maxima;
    private final List<NamedLatent> named;
    private final Path imageRoot;
    private final List<String> images;
    private final List<String> labels;
    private final Object lock = new Object();

    private VlmBench(ServedRun.Vlm spec, LlavaModel llava, MoondreamModel moondream, TextTokenizer tokenizer, Preprocessor pre, NDManager manager,
                     Sae sae, LatentMaxima maxima, List<NamedLatent> named, Path imageRoot, List<String> images, List<String> labels) {
        this.spec = spec;
        this.llava = llava;
        this.moondream = moondream;
        this.tokenizer = tokenizer;
        this.preprocessor = pre;
        this.manager = manager;
        this.sae = sae;
        this.maxima = maxima;
        this.named = named;
        this.imageRoot = imageRoot;
        this.images = images;
        this.labels = labels;
    }

    /**
     * Loads the model, its tokenizer, the SAE and the images of a spec.
     *
     * @throws IllegalArgumentException one sentence for a folder that is neither a LLaVA nor a moondream2 model, or one
     *                                  without {@code tokenizer.json}
     */
    static VlmBench load(ServedRun.Vlm s) throws IOException {
        boolean md = MoondreamForward.isMoondreamFolder(s.model());
        if (!md && !LlavaModel.isLlavaFolder(s.model())) {
            throw new IllegalArgumentException("VLM '" + s.backbone() + "': " + s.model() + " holds neither a LLaVA model (config.json with"
                    + " model_type \"llava\") nor a moondream2 model; expected one of those folders");
        }
        Preprocessor pre = md ? null : Preprocessor.load(s.model());
        TextTokenizer tok = TextTokenizer.load(s.model());
        LlavaModel m = null;
        MoondreamModel mm = null;
        NDManager nd = null;
        try {
            if (md) {
                mm = MoondreamModel.load(s.model());
            } else {
                m = LlavaModel.load(s.model());
            }
            nd = NDManager.newBaseManager(Device.cpu());
            Sae sae = SaeCheckpoint.read(s.sae(), nd);
            AnalysisResult an = AnalysisResult.read(s.analysis());
            LatentMaxima maxima = LatentMaxima.of(an, "analysis " + s.analysis()).requireDSae(sae.config().dSae());
            List<NamedLatent> named = new ArrayList<>();
            if (s.concepts() != null) {
                for (Map.Entry<Integer, List<FeatureSetView.ConceptHit>> e
                        : FeatureSetView.readConcepts(s.concepts().resolve("concepts.csv")).entrySet()) {
                    for (FeatureSetView.ConceptHit h : e.getValue()) {
                        if (!h.name().equals("none") && Double.isFinite(h.f1())) { // a class without positives names no latent
                            named.add(new NamedLatent(h.family(), h.name(), e.getKey(), h.f1()));
                        }
                    }
                }
            }
            DatasetManifest listing = DatasetManifestFiles.forSpec(s.images()[0], s.images()[1]);
            Path imageRoot = Path.of(listing.root());
            List<String> paths = new ArrayList<>();
            List<String> labels = new ArrayList<>();
            for (DatasetManifest.Example x : listing.examples()) {
                paths.add(x.path());
                labels.add(x.label() >= 0 && x.label() < listing.classes().size() ? listing.classes().get(x.label()) : "");
            }
            return new VlmBench(s, m, mm, tok, pre, nd, sae, maxima, List.copyOf(named), imageRoot, List.copyOf(paths), List.copyOf(labels));
        } catch (IOException | RuntimeException e) {
            if (nd != null) {
                nd.close();
            }
            if (m != null) {
                m.close();
            }
            if (mm != null) {
                mm.close();
            }
            tok.close();
            throw e;
        }
    }

    Object lock() {
        return lock;
    }

    ServedRun.Vlm spec() {
        return spec;
    }

    /** The model family: {@code llava} or {@code moondream}. */
    String family() {
        return llava != null ? "llava" : "moondream";
    }

    /**
     * Samples answers to {@code question} about image {@code index} before and, with an edit, after it (the edit's tokens
     * and latents as {@link VlmAsk#ask} and {@link MoondreamAsk#ask} check them).
     *
     * @param edit     the edit in raw code units, or null for the clean answers only
     * @param progress told the answers finished (may throw to cancel)
     */
    VlmAsk.Result ask(int index, String question, AnswerSampling.Options options, LatentEdit edit, IntConsumer progress) throws IOException {
        Sae s = edit == null ? null : sae;
        if (moondream != null) {
            return MoondreamAsk.ask(moondream, tokenizer, image(index), question, options, s, edit, SpliceForm.DELTA, progress);
        }
        try (NDManager nd = NDManager.newBaseManager(manager.getDevice())) {
            NDArray pixels = VlmAsk.pixels(llava, preprocessor, image(index), nd);
            return VlmAsk.ask(llava, tokenizer, pixels, ChatTemplate.LLAVA_1_5, question, options, s, edit, SpliceForm.DELTA, progress);
        }
    }

    Sae sae() {
        return sae;
    }

    float maximum(int latent) {
        return maxima.of(latent);
    }

    List<NamedLatent> named() {
        return named;
    }

    int images() {
        return images.size();
    }

    /** The class name the dataset gives image {@code index} (empty when it has none). */
    String label(int index) {
        return labels.get(index);
    }

    /** Image {@code index}, decoded. */
    RgbImage image(int index) throws IOException {
        if (index < 0 || index >= images.size()) {
            throw new IllegalArgumentException("image " + index + " is outside 0.." + (images.size() - 1) + " of " + spec.images()[0]);
        }
        return ImageDecoder.decode(ConfinedPaths.resolveLexically(imageRoot, images.get(index), spec.images()[0], "path"));
    }

    /** Image {@code index} as the model sees it: LLaVA's resize and crop; moondream's whole image (it tiles it itself). */
    RgbImage view(int index) throws IOException {
        return preprocessor == null ? image(index) : ModelView.of(preprocessor, image(index));
    }

    NDManager manager() {
        return manager;
    }

    @Override
    public void close() {
        synchronized (lock) {
            manager.close();
            if (llava != null) {
                llava.close();
            } else {
                moondream.close();
            }
            tokenizer.close();
        }
    }
}
