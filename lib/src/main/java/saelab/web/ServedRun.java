package saelab.web;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import saelab.demo.DemoOutputs;
import saelab.store.TokenKind;

/**
 * What one dashboard server shows: the feature sets (SAEs with their analyses) of one run, by id.
 *
 * @param name        what the pages call the run (e.g. {@code demo (work/demo)})
 * @param featureSets the feature sets, in the order the pages list them; ids distinct
 */
public record ServedRun(String name, List<FeatureSet> featureSets) {

    public ServedRun {
        featureSets = List.copyOf(featureSets);
        Map<String, FeatureSet> seen = new LinkedHashMap<>();
        for (FeatureSet f : featureSets) {
            if (seen.put(f.id(), f) != null) {
                throw new IllegalArgumentException("two feature sets share the id '" + f.id() + "'");
            }
        }
    }

    /**
     * The outputs of a finished demo run ({@code <work>/demo.json}): for every backbone, its patch and CLS SAEs with their
     * analyses, the capture's images (under the toy world's folder) and its concept matches.
     *
     * @throws IOException when {@code demo.json} is missing or unreadable (the message says to run {@code saelab demo})
     */
    public static ServedRun ofDemo(Path work) throws IOException {
        DemoOutputs d = DemoOutputs.open(work);
        List<FeatureSet> sets = new ArrayList<>();
        for (String backbone : d.backbones()) {
            for (TokenKind kind : List.of(TokenKind.PATCHES, TokenKind.CLS)) {
                String tokens = kind == TokenKind.PATCHES ? "patch" : "cls";
                sets.add(new FeatureSet(backbone + "-" + tokens, backbone + " · " + tokens + " tokens", d.sae(backbone, kind),
                        d.analysis(backbone, kind), d.cache(backbone), d.world(), d.model(backbone), d.concepts(backbone, kind)));
            }
        }
        return new ServedRun("demo (" + d.size() + ", " + work + ")", sets);
    }

    /** The feature set with this id, if any. */
    public Optional<FeatureSet> featureSet(String id) {
        return featureSets.stream().filter(f -> f.id().equals(id)).findFirst();
    }
}
