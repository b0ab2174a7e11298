package saelab.analysis;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import saelab.sae.Sae;
import saelab.store.ActivationCache;

/**
 * Concept matching against the labels a cache carries ({@code saelab concepts} and the plan's concept step on a dataset
 * source): the per-patch labels of a segmentation dataset (patch units) or the image labels (image units, a latent's
 * score its maximum over the image's patches), one label family; writes {@link ConceptMatching.Result#write} and
 * {@link ConceptSource} (which SAE and cache made the choice, so that the control protocol refuses a folder made for
 * another SAE).
 */
public final class CacheConcepts {

    private CacheConcepts() {}

    /**
     * Matches and writes.
     *
     * @param checkpoint the SAE's file (its checksum goes into {@link ConceptSource})
     * @param sae        the SAE read from it
     * @param cacheDir   the cache's folder
     * @param cache      the cache opened from it
     * @param ids        the latents scored
     * @param unit       patch or image units
     * @param names      the class names of image labels (ignored for patch units, whose names the cache holds)
     * @param o          the matching options (their layer is the one recorded)
     * @param out        the folder written (created)
     * @throws IllegalArgumentException when the cache lacks the labels of {@code unit}, naming the cache
     */
    public static ConceptMatching.Result match(Path checkpoint, Sae sae, Path cacheDir, ActivationCache cache, int[] ids,
                                               ConceptMatching.Unit unit, List<String> names, ConceptMatching.Options o, NDManager nd,
                                               Path out) throws IOException {
        ConceptMatching.Result r = ConceptMatching.run(cache, sae, ids, FamilyMatching.Family.ofCache(cache, unit, names), nd, o);
        Files.createDirectories(out);
        r.write(out);
        ConceptSource.of(checkpoint, cacheDir, o.layer()).write(out);
        return r;
    }
}
