package saelab.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import saelab.data.DatasetManifest;
import saelab.data.DatasetManifestFiles;
import saelab.data.Datasets;
import saelab.data.ToyWorld;
import saelab.hub.HubClient;
import saelab.hub.HubException;
import saelab.hub.HubSettings;
import saelab.hub.ModelLocator;
import saelab.io.ConfinedPaths;
import saelab.io.Json;
import saelab.io.Sha256;
import saelab.model.ModelFolder;
import saelab.plan.PlanSource;

/**
 * Step {@code source-<name>}: the identity of a plan's dataset or model source, read when a step reads the source
 * directly (a capture, head, control or comparison step). Its key is what the source is, so every step after it reruns
 * exactly when the source changes:
 * <ul>
 *   <li>a dataset source: its folder under the data root is listed by its layout's reader ({@link Datasets#open}) into a
 *       dataset manifest ({@link DatasetManifest}: ordered examples with sizes and labels); the key holds the layout,
 *       split, reader options and the manifest's checksum, and the step writes the manifest as {@value #MANIFEST}, which
 *       the steps after it read ({@code manifest:FILE}), so they see exactly the list the key names;</li>
 *   <li>a model source: a folder (relative to the data root, or absolute) whose key holds the SHA-256 of every file at
 *       its top level, or a hub id at a pinned revision, looked up in the hub cache offline (present or a one-sentence
 *       error naming the download command); the key holds the id and the revision. The step writes {@value #MODEL}
 *       (where the model is); the model is not copied.</li>
 * </ul>
 */
final class SourceStep {

    static final int VERSION = 1;
    /** The prefix of a source step's name. */
    static final String PREFIX = "source-";
    /** The dataset manifest a dataset source step writes. */
    static final String MANIFEST = "dataset.json";
    /** The record a model source step writes. */
    static final String MODEL = "model.json";

    private SourceStep() {}

    static String name(PlanSource s) {
        return PREFIX + s.name();
    }

    /**
     * A model read directly from a source: a {@link BackboneProvider} only for the steps' names and text-tower test; it
     * builds nothing (the source step does not copy it).
     *
     * @param source   the plan source
     * @param folder   the local model folder
     * @param identity what the key holds (files and their SHA-256, or hub id and revision)
     */
    record SourceModel(PlanSource.ModelSource source, Path folder, Map<String, Object> identity, boolean hasTextTower)
            implements BackboneProvider {

        @Override
        public String id() {
            return source.name().replace("-", "");
        }

        @Override
        public Map<String, Object> params() {
            return identity;
        }

        /** The name recorded in caches and head files: the hub id, or the source name. */
        String modelName() {
            return source.hub() != null ? source.hub() : source.name();
        }

        @Override
        public Map<String, Object> build(ToyWorld world, Path outDir, PrintStream log) {
            throw new IllegalStateException("model source " + source.name() + " is read in place, not built");
        }
    }

    /**
     * Resolves a model source (folder or hub id; not a toy spec).
     *
     * @throws IllegalArgumentException when the folder is missing, the hub revision is not pinned or the snapshot is not in
     *                                  the hub cache, in one sentence saying how to provide it
     */
    static SourceModel model(PlanSource.ModelSource m, Path dataRoot, String plan) throws IOException {
        Map<String, Object> id = new LinkedHashMap<>();
        id.put("type", "model");
        Path folder;
        if (m.folder() != null) {
            folder = Path.of(m.folder()).isAbsolute() ? Path.of(m.folder()).normalize() : resolve(dataRoot, m.folder(), plan,
                    "sources." + m.name() + ".folder");
            if (!Files.isDirectory(folder)) {
                throw new IllegalArgumentException("plan " + plan + ": model source '" + m.name() + "': " + folder + " is not a folder;"
                        + " expected a model folder (config.json and weights, or open_clip_config.json and weights)");
            }
            id.put("form", "folder");
            id.put("files", files(folder));
        } else if (m.hub() != null) {
            if (m.revision() == null) {
                throw new IllegalArgumentException("plan " + plan + ": model source '" + m.name() + "' (hub " + m.hub() + ") has no"
                        + " pinned revision; write its commit as \"revision\" and run saelab hub download " + m.hub() + "@COMMIT");
            }
            try (HubClient c = new HubClient(HubSettings.fromEnvironment().toBuilder().offline(true).build())) {
                folder = new ModelLocator(c).locate(m.hub(), m.revision());
            } catch (HubException e) {
                throw new IllegalArgumentException("plan " + plan + ": model source '" + m.name() + "': hub model " + m.hub() + "@"
                        + m.revision() + " is not in the hub cache; run saelab hub download " + m.hub() + "@" + m.revision());
            }
            id.put("form", "hub");
            id.put("hub", m.hub());
            id.put("revision", m.revision());
        } else {
            throw new IllegalArgumentException("plan " + plan + ": model source '" + m.name() + "' is a toy backbone; a step reads it"
                    + " through a backbone step");
        }
        boolean text = ModelFolder.detect(folder).towers() == ModelFolder.Towers.VISION_AND_TEXT;
        return new SourceModel(m, folder, java.util.Collections.unmodifiableMap(id), text);
    }

    /** The model source's step: records where the model is and what its key holds. */
    static Step of(SourceModel m) {
        Map<String, Object> params = new LinkedHashMap<>(m.identity());
        return new Step(name(m.source()), VERSION, params, List.of(), (out, log) -> {
            Map<String, Object> rec = new LinkedHashMap<>(m.identity());
            rec.put("folder", m.folder().toString());
            Json.write(out.resolve(MODEL), rec);
            log.println("model source " + m.source().name() + ": " + m.folder());
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("form", m.identity().get("form"));
            summary.put("folder", m.folder().toString());
            summary.put("text_tower", m.hasTextTower());
            return summary;
        });
    }

    /** Refuses, in one sentence, a dataset source (a folder under the data root) when no data root is set. */
    static void requireDataRoot(PlanSource.DatasetSource d, Path dataRoot, String plan) {
        if (dataRoot == null) {
            throw new IllegalArgumentException("plan " + plan + ": dataset source '" + d.name() + "' needs a data root holding "
                    + d.path() + "/ (--data-root, or " + saelab.manifest.DataRoot.VAR + ")");
        }
    }

    /**
     * The dataset source's manifest (its reader over its folder under the data root, default options: no per-file hashes,
     * unreadable files skipped and counted).
     *
     * @throws IllegalArgumentException when no data root is set, the folder is missing or the layout's files are not there
     */
    static DatasetManifest manifest(PlanSource.DatasetSource d, Path dataRoot, String plan) throws IOException {
        requireDataRoot(d, dataRoot, plan);
        Path folder = resolve(dataRoot, d.path(), plan, "sources." + d.name() + ".path");
        return Datasets.open(d.spec(folder), d.split()).manifest();
    }

    /** The dataset source's step: its manifest's identity as parameters, the manifest as output. */
    static Step of(PlanSource.DatasetSource d, DatasetManifest m) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("type", "dataset");
        params.put("layout", d.layout());
        params.put("split", m.split());
        params.put("options", new TreeMap<>(d.options()));
        params.put("examples", m.nExamples());
        params.put("checksum", m.checksum());
        return new Step(name(d), VERSION, params, List.of(), (out, log) -> {
            DatasetManifestFiles.write(out.resolve(MANIFEST), m);
            log.printf("dataset source %s: %d %s examples (%s, split %s), %d classes, checksum %s%n", d.name(), m.nExamples(),
                    d.layout(), m.root(), m.split(), m.classes().size(), m.checksum().substring(0, 12));
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("examples", m.nExamples());
            summary.put("classes", m.classes().size());
            summary.put("skipped", m.skipped().size());
            summary.put("root", m.root());
            return summary;
        });
    }

    /** The dataset spec of a finished dataset source step ({@code manifest:FILE}). */
    static String spec(StepOutcome datasetSource) {
        return saelab.capture.CapturePipeline.MANIFEST_PREFIX + datasetSource.dir().resolve(MANIFEST);
    }

    private static Path resolve(Path dataRoot, String rel, String plan, String field) {
        if (dataRoot == null) {
            throw new IllegalArgumentException("plan " + plan + ": $." + field + " is relative to the data root, and none is set"
                    + " (--data-root, or " + saelab.manifest.DataRoot.VAR + ")");
        }
        return ConfinedPaths.resolveLexically(dataRoot, rel, "plan " + plan, field);
    }

    /** File name → SHA-256 of every regular file at the top level of a model folder, sorted by name. */
    private static Map<String, String> files(Path dir) throws IOException {
        Map<String, String> f = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                f.put(p.getFileName().toString(), Sha256.of(p));
            }
        }
        return f;
    }
}
