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
import saelab.intervene.LatentMaxima;
import saelab.intervene.VlmAsk;
import saelab.io.ConfinedPaths;
import saelab.lm.TextTokenizer;
import saelab.lm.llava.LlavaModel;
import saelab.sae.Sae;
import saelab.sae.SaeCheckpoint;

/**
 * One vision-language model loaded for the VLM dashboard: the LLaVA model, its tokenizer and preprocessing, the SAE of
 * its selected vision features with the latents' maxima (the sliders' unit), the latents the concept matching names
 * (to pick from), and the images offered. {@link #lock()} guards every use (one sampling run at a time).
 */
final class VlmBench implements AutoCloseable {

    /** A latent the concept matching names as the best match of a concept. */
    record NamedLatent(String family, String name, int latent, double f1) {}

    private final ServedRun.Vlm spec;
    private final LlavaModel model;
    private final TextTokenizer tokenizer;
    private final Preprocessor preprocessor;
    private final NDManager manager;
    private final Sae sae;
    private final LatentMaxima maxima;
    private final List<NamedLatent> named;
    private final Path imageRoot;
    private final List<String> images;
    private final List<String> labels;
    private final Object lock = new Object();

    private VlmBench(ServedRun.Vlm spec, LlavaModel model, TextTokenizer tokenizer, Preprocessor pre, NDManager manager, Sae sae,
                     LatentMaxima maxima, List<NamedLatent> named, Path imageRoot, List<String> images, List<String> labels) {
        this.spec = spec;
        this.model = model;
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

    static VlmBench load(ServedRun.Vlm s) throws IOException {
        Preprocessor pre = Preprocessor.load(s.model());
        TextTokenizer tok = TextTokenizer.load(s.model());
        LlavaModel m = null;
        NDManager nd = null;
        try {
            m = LlavaModel.load(s.model());
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
            return new VlmBench(s, m, tok, pre, nd, sae, maxima, List.copyOf(named), imageRoot, List.copyOf(paths), List.copyOf(labels));
        } catch (IOException | RuntimeException e) {
            if (nd != null) {
                nd.close();
            }
            if (m != null) {
                m.close();
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

    LlavaModel model() {
        return model;
    }

    TextTokenizer tokenizer() {
        return tokenizer;
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

    Preprocessor preprocessor() {
        return preprocessor;
    }

    /** The image's pixel values for the model, on {@code nd}. */
    NDArray pixels(int index, NDManager nd) throws IOException {
        return VlmAsk.pixels(model, preprocessor, image(index), nd);
    }

    NDManager manager() {
        return manager;
    }

    @Override
    public void close() {
        synchronized (lock) {
            manager.close();
            model.close();
            tokenizer.close();
        }
    }
}
