package saelab.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import saelab.config.Profile;
import saelab.io.Json;
import saelab.io.Sha256;
import saelab.manifest.DataManifest;
import saelab.manifest.DataManifests;

/**
 * Records the demo's outputs as data manifests ({@link DataManifests}) of the {@code demo} profile, so that
 * {@code saelab verify} checks them: the world's dataset ({@code demo-world}, kind {@code dataset}: the ADE20K layouts
 * and metadata files), and per backbone its model folder ({@code demo-<id>-model}), its activation cache
 * ({@code demo-<id>-cache}, through {@link DataManifests#registerCache}) and its two SAE checkpoints
 * ({@code demo-<id>-sae-patch}, {@code demo-<id>-sae-cls}; kind {@code model}, the manifest kinds having no SAE kind).
 * A manifest's location is relative to the data root, so the work folder must lie under it; otherwise nothing is
 * recorded and a note says why. Manifests whose content did not change are not rewritten.
 */
final class DemoManifests {

    /** Where manifests go and the data root their locations are relative to. */
    record Target(Path manifestsDir, Path dataRoot) {}

    /** The outputs of one backbone that get manifests. */
    record BackboneOutputs(String id, StepOutcome backbone, StepOutcome capture, StepOutcome saePatch, StepOutcome saeCls) {}

    private DemoManifests() {}

    static String id(String suffix) {
        return Profile.DEMO.id() + "-" + suffix;
    }

    /** Writes the manifests; returns their files (empty when the work folder is not under the data root). */
    static List<Path> record(Target t, StepOutcome world, List<BackboneOutputs> backbones, PrintStream log) throws IOException {
        Path root = t.dataRoot().toAbsolutePath().normalize();
        Path work = world.dir().getParent().getParent();
        if (!world.dir().toAbsolutePath().normalize().startsWith(root)) {
            log.println("manifests: not recorded: the work folder " + work + " is not under the data root " + root
                    + " (a manifest's location is relative to the data root; set SAELAB_DATA to a folder that holds the work folder)");
            return List.of();
        }
        List<Path> files = new ArrayList<>();
        int images = ((Number) world.summary().getOrDefault("images", 0)).intValue();
        files.add(write(t, new DataManifest(id("world"), "dataset", location(root, WorldStep.worldDir(world)), WorldStep.files(world),
                "profile demo: the toy world, " + images + " scenes (ADE20K layouts and metadata; the image-folder views hold the"
                        + " same bytes as the ADE20K images); step world, key " + world.key())));
        for (BackboneOutputs b : backbones) {
            Path model = BackboneStep.modelDir(b.backbone());
            files.add(write(t, new DataManifest(id(b.id() + "-model"), "model", location(root, model), filesOf(model),
                    "profile demo: backbone " + b.id() + "; step " + b.backbone().name() + ", key " + b.backbone().key())));
            Path cache = CaptureStep.cacheDir(b.capture());
            files.add(DataManifests.registerCache(t.manifestsDir(), id(b.id() + "-cache"), root, location(root, cache),
                    "profile demo: backbone " + b.id() + " at block " + b.capture().summary().get("block") + "; step "
                            + b.capture().name() + ", key " + b.capture().key()));
            for (StepOutcome sae : List.of(b.saePatch(), b.saeCls())) {
                String kind = sae.name().substring(sae.name().lastIndexOf('-') + 1);
                Path ckpt = SaeStep.checkpoint(sae);
                DataManifest.FileEntry e = new DataManifest.FileEntry(SaeStep.CHECKPOINT, Files.size(ckpt), Sha256.of(ckpt));
                files.add(write(t, new DataManifest(id(b.id() + "-sae-" + kind), "model", location(root, sae.dir()), List.of(e),
                        "profile demo: SAE checkpoint (" + kind + " tokens of backbone " + b.id() + "); step " + sae.name()
                                + ", key " + sae.key())));
            }
        }
        log.println("manifests: " + files.size() + " recorded under " + t.manifestsDir() + " (check with: saelab verify)");
        return files;
    }

    private static String location(Path root, Path dir) {
        return root.relativize(dir.toAbsolutePath().normalize()).toString().replace('\\', '/');
    }

    private static List<DataManifest.FileEntry> filesOf(Path dir) throws IOException {
        List<DataManifest.FileEntry> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                out.add(new DataManifest.FileEntry(p.getFileName().toString(), Files.size(p), Sha256.of(p)));
            }
        }
        return out;
    }

    private static Path write(Target t, DataManifest m) throws IOException {
        Path file = DataManifests.folder(t.manifestsDir(), m.kind()).resolve(m.id() + ".json");
        byte[] bytes = Json.mapper().writeValueAsBytes(m);
        if (!Files.isRegularFile(file) || !Arrays.equals(bytes, Files.readAllBytes(file))) {
            Json.write(file, m);
        }
        DataManifests.read(file); // validate what is there
        return file;
    }
}
