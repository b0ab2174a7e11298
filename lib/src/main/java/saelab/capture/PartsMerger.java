package saelab.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import saelab.BuildInfo;
import saelab.io.ConfinedPaths;
import saelab.io.Json;
import saelab.store.ActivationCache;
import saelab.store.CacheManifest;
import saelab.store.CacheManifest.ShardEntry;

/**
 * Joins the caches of the parts of one capture ({@code saelab capture --part i/n}) into one cache, by
 * manifest: no shard data is copied. The merged folder gets a manifest whose shards are the parts'
 * shards in part order, renumbered {@code shard-000000...}, each name a <b>hard link</b> to the part's
 * file (same bytes, same checksum; the parts can then be deleted without harm). Where the file system
 * refuses a hard link (another device), a relative symbolic link is made instead, and the parts must stay.
 *
 * <p>Checked before anything is written, each failure naming the part: every part is a complete cache
 * made by {@code saelab capture --part}; they agree on model, dataset list, preprocessing, layers,
 * tokens, width, dtype and patch labels; their parts are 0..n-1 of the same n, each once, and their
 * ranges of the capture list are contiguous and cover it.
 *
 * <p>A part's last shard is usually short, so the merged cache's shards are not all full: the manifest
 * then has format {@link CacheManifest#FORMAT_VARIABLE_SHARDS}; when they happen to be (every part but
 * the last a multiple of the shard size), it is the plain {@link CacheManifest#FORMAT}, and equals a
 * single capture's manifest apart from provenance.
 */
public final class PartsMerger {

    /** How the shard files were linked. */
    public enum LinkKind { HARD, SYMBOLIC }

    /**
     * The result.
     *
     * @param manifest the merged manifest
     * @param links    how the shard files were linked (symbolic when any had to be)
     */
    public record Result(CacheManifest manifest, LinkKind links) {}

    private record Part(Path dir, CacheManifest m, int index, int count, long first, long end, long total) {}

    private PartsMerger() {}

    /**
     * Merges the part caches into {@code out} (created; it must not hold a cache).
     *
     * @throws IllegalArgumentException naming the offending part and what was expected
     */
    public static Result merge(List<Path> parts, Path out) throws IOException {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("cache merge: no parts given");
        }
        if (Files.exists(out.resolve(CacheManifest.FILE_NAME))) {
            throw new IllegalArgumentException(out + " already holds a cache (" + out.resolve(CacheManifest.FILE_NAME)
                    + "); merge into a new folder");
        }
        List<Part> ps = new ArrayList<>();
        for (Path dir : parts) {
            ps.add(readPart(dir));
        }
        ps.sort(Comparator.comparingInt(Part::index));
        Part p0 = ps.getFirst();
        for (Part p : ps) {
            String differs = !Objects.equals(p.m().model(), p0.m().model()) ? "model"
                    : !Objects.equals(p.m().dataset(), p0.m().dataset()) ? "dataset"
                    : !Objects.equals(p.m().preprocessing(), p0.m().preprocessing()) ? "preprocessing"
                    : !Objects.equals(p.m().layers(), p0.m().layers()) ? "layers"
                    : !Objects.equals(p.m().tokens(), p0.m().tokens()) ? "tokens"
                    : p.m().dModel() != p0.m().dModel() ? "d_model"
                    : !Objects.equals(p.m().dtype(), p0.m().dtype()) ? "dtype"
                    : !Objects.equals(p.m().patchLabels(), p0.m().patchLabels()) ? "patch_labels"
                    : p.count() != p0.count() ? "provenance.config.part.count"
                    : p.total() != p0.total() ? "provenance.config.part.total" : null;
            if (differs != null) {
                throw new IllegalArgumentException("cache merge: part " + p.dir() + " differs from part " + p0.dir() + " in its field '"
                        + differs + "'; parts of one capture agree on model, preprocessing, layers, tokens, dtype and dataset");
            }
        }
        long expectFirst = 0;
        for (int i = 0; i < ps.size(); i++) {
            Part p = ps.get(i);
            if (p.index() != i) {
                throw new IllegalArgumentException("cache merge: part " + i + "/" + p0.count() + " is missing (the next given is "
                        + p.dir() + ", part " + p.index() + "/" + p.count() + ")" + (p.index() < i ? "; or given twice" : ""));
            }
            if (p.first() != expectFirst) {
                throw new IllegalArgumentException("cache merge: part " + p.dir() + " (" + p.index() + "/" + p.count() + ") starts at list"
                        + " position " + p.first() + ", expected " + expectFirst + " (parts must be contiguous)");
            }
            expectFirst = p.end();
        }
        if (ps.size() != p0.count()) {
            throw new IllegalArgumentException("cache merge: " + ps.size() + " part(s) given of " + p0.count() + "; part " + ps.size()
                    + "/" + p0.count() + " is missing");
        }
        if (expectFirst != p0.total()) {
            throw new IllegalArgumentException("cache merge: the parts end at list position " + expectFirst + ", the list has "
                    + p0.total() + " images");
        }

        // every file to link is resolved inside its part (and its name checked) before anything is written
        int ips = ps.stream().mapToInt(p -> p.m().imagesPerShard()).max().orElseThrow();
        List<ShardEntry> shards = new ArrayList<>();
        List<Path[]> links = new ArrayList<>(); // {link name in out, target}
        long first = 0;
        ArrayNode from = Json.mapper().createArrayNode();
        for (Part p : ps) {
            from.add(p.dir().toAbsolutePath().normalize().toString());
            Path mf = p.dir().resolve(CacheManifest.FILE_NAME);
            for (int i = 0; i < p.m().shards().size(); i++) {
                ShardEntry s = p.m().shards().get(i);
                String at = "shards[" + i + "].";
                String stem = String.format("shard-%06d", shards.size());
                links.add(new Path[] {Path.of(stem + ".bin"), target(p.dir(), s.file(), mf, at + "file")});
                links.add(new Path[] {Path.of(stem + ".images.tsv"), target(p.dir(), s.indexFile(), mf, at + "index_file")});
                String labels = null;
                if (s.labelsFile() != null) {
                    labels = stem + ".labels.bin";
                    links.add(new Path[] {Path.of(labels), target(p.dir(), s.labelsFile(), mf, at + "labels_file")});
                }
                shards.add(new ShardEntry(stem + ".bin", first, s.nImages(), s.bytes(), s.sha256(), stem + ".images.tsv",
                        s.indexSha256(), labels, s.labelsSha256()));
                first += s.nImages();
            }
        }
        Files.createDirectories(out);
        LinkKind kind = LinkKind.HARD;
        for (Path[] l : links) {
            kind = link(out, l[0].toString(), l[1], kind);
        }
        boolean allFull = true;
        for (int i = 0; i < shards.size() - 1; i++) {
            allFull &= shards.get(i).nImages() == ips;
        }
        ObjectNode config = Json.mapper().createObjectNode();
        config.put("tool", "saelab cache merge");
        config.set("merged_from", from);
        config.put("links", kind.name().toLowerCase(java.util.Locale.ROOT));
        JsonNode partConfig = p0.m().provenance().config();
        if (partConfig != null) {
            ObjectNode capture = partConfig.deepCopy();
            capture.remove(CaptureIdentity.PART);
            config.set("capture", capture);
        }
        CacheManifest m0 = p0.m();
        boolean complete = true; // every part was checked complete before merging
        CacheManifest merged = new CacheManifest(allFull ? CacheManifest.FORMAT : CacheManifest.FORMAT_VARIABLE_SHARDS, m0.model(),
                m0.dataset(), m0.preprocessing(), m0.layers(), m0.tokens(), m0.dModel(), m0.dtype(), ips, first, m0.patchLabels(), complete,
                List.copyOf(shards), new CacheManifest.Provenance(BuildInfo.current().describe(), Instant.now().toString(), config));
        List<String> problems = merged.problems(out.resolve(CacheManifest.FILE_NAME));
        if (!problems.isEmpty()) {
            throw new IllegalStateException("the merged manifest is not valid: " + String.join("; ", problems));
        }
        Json.write(out.resolve(CacheManifest.FILE_NAME), merged);
        return new Result(merged, kind);
    }

    private static Part readPart(Path dir) {
        if (!Files.isRegularFile(dir.resolve(CacheManifest.FILE_NAME))) {
            throw new IllegalArgumentException("cache merge: part " + dir + " holds no cache (no " + CacheManifest.FILE_NAME + ")");
        }
        CacheManifest m = ActivationCache.readManifest(dir);
        Path file = dir.resolve(CacheManifest.FILE_NAME);
        if (!m.complete()) {
            throw new IllegalArgumentException("cache merge: part " + dir + " is incomplete (" + m.nImages()
                    + " images so far); finish it by rerunning its capture command");
        }
        JsonNode part = m.provenance() == null || m.provenance().config() == null ? null : m.provenance().config().get(CaptureIdentity.PART);
        if (part == null || part.isNull()) {
            throw new IllegalArgumentException(file + ": field 'provenance.config.part' is missing; expected a cache made by"
                    + " 'saelab capture --part i/n'");
        }
        return new Part(dir, m, part.path("index").asInt(-1), part.path("count").asInt(-1), CaptureIdentity.longField(part, "first", file),
                CaptureIdentity.longField(part, "end", file), CaptureIdentity.longField(part, "total", file));
    }

    /**
     * A file a part's manifest names, resolved inside the part ({@link ConfinedPaths}: no absolute
     * path, no '..', no symbolic link leading out), as its real path, so a link made to it never
     * points at a file outside the parts.
     */
    private static Path target(Path partDir, String name, Path manifest, String field) throws IOException {
        Path f = ConfinedPaths.resolve(partDir, name, manifest, field);
        if (!Files.isRegularFile(f)) {
            throw new IllegalArgumentException("cache merge: " + f + " is listed in field '" + field + "' of " + manifest + " but missing");
        }
        return f.toRealPath();
    }

    /** Hard-links {@code name} in {@code out} to {@code target}; a relative symbolic link when hard links are refused. */
    private static LinkKind link(Path out, String name, Path target, LinkKind kind) throws IOException {
        Path link = out.resolve(name);
        Files.deleteIfExists(link); // a merge interrupted before its manifest was written leaves links behind
        if (kind == LinkKind.HARD) {
            try {
                Files.createLink(link, target);
                return LinkKind.HARD;
            } catch (FileSystemException | UnsupportedOperationException e) {
                // another device, or a file system without hard links: fall through to a symbolic link
            }
        }
        Files.createSymbolicLink(link, out.toAbsolutePath().normalize().relativize(target.toAbsolutePath().normalize()));
        return LinkKind.SYMBOLIC;
    }
}
