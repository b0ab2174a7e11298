package saelab.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import saelab.io.ConfinedPaths;
import saelab.io.Json;
import saelab.store.CacheManifest.ShardEntry;

/** Reads saelab's own cache format ({@code manifest.json} + shards; see {@code lib/CACHE-FORMAT.md}). */
final class NativeFormat {

    private NativeFormat() {}

    /** Reads and checks {@code dir/manifest.json}; every problem is reported with the file and field. */
    static CacheManifest readManifest(Path dir) {
        Path file = dir.resolve(CacheManifest.FILE_NAME);
        CacheManifest m = Json.read(file, CacheManifest.class, "cache manifest");
        List<String> problems = m.problems(file);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", problems));
        }
        return m;
    }

    /**
     * The cache's sources. Every file name of the manifest is resolved inside {@code dir}
     * ({@link ConfinedPaths}; a merged cache whose shards are symbolic links may also lead into the
     * part folders its provenance names), and every shard file's size is compared with the manifest
     * before anything is mapped.
     */
    static CacheSource open(Path dir, CacheManifest m) {
        Path file = dir.resolve(CacheManifest.FILE_NAME);
        List<Path> partDirs = mergedFrom(m);
        List<ShardFile> shards = new ArrayList<>();
        List<Path> indexFiles = new ArrayList<>();
        List<Path> labelFiles = new ArrayList<>();
        for (int i = 0; i < m.shards().size(); i++) {
            ShardEntry s = m.shards().get(i);
            String at = "shards[" + i + "].";
            Path f = ConfinedPaths.resolve(dir, partDirs, s.file(), file, at + "file");
            checkSize(f, s.bytes(), file, at + "bytes");
            shards.add(new ShardFile(f, s.firstImage(), s.nImages(), s.bytes(), s.sha256(), at + "sha256"));
            indexFiles.add(ConfinedPaths.resolve(dir, partDirs, s.indexFile(), file, at + "index_file"));
            labelFiles.add(s.labelsFile() == null ? null : ConfinedPaths.resolve(dir, partDirs, s.labelsFile(), file, at + "labels_file"));
        }
        CacheSource.ImageIndexSource images = shard -> ShardIndex.read(indexFiles.get(shard), m.shards().get(shard).nImages());
        CacheSource.PatchLabelSource labels = m.patchLabels() == null ? null : new CacheSource.PatchLabelSource() {
            @Override
            public short[] shardLabels(int shard) throws IOException {
                ShardEntry s = m.shards().get(shard);
                Path f = labelFiles.get(shard);
                long expected = 2L * s.nImages() * m.tokens().patches();
                byte[] bytes = Files.readAllBytes(f);
                if (bytes.length != expected) {
                    throw new IOException(f + ": expected " + expected + " bytes of uint16 labels [images, patches], found "
                            + bytes.length);
                }
                short[] out = new short[bytes.length / 2];
                ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(out);
                return out;
            }

            @Override
            public List<String> classes() {
                return m.patchLabels().classes();
            }

            @Override
            public int background() {
                return m.patchLabels().background();
            }
        };
        return new CacheSource(dir, m.format(), m.layers(), m.tokens(), m.dModel(), m.storageDtype(), m.nImages(),
                List.copyOf(shards), images, labels, m);
    }

    /**
     * The part folders a merged cache with symbolic links points into ({@code provenance.config.merged_from}
     * when {@code provenance.config.links} is {@code symbolic}), each only if it holds a cache manifest;
     * empty for every other cache.
     */
    private static List<Path> mergedFrom(CacheManifest m) {
        JsonNode config = m.provenance() == null ? null : m.provenance().config();
        if (config == null || !"symbolic".equals(config.path("links").asText()) || !config.path("merged_from").isArray()) {
            return List.of();
        }
        List<Path> out = new ArrayList<>();
        for (JsonNode d : config.get("merged_from")) {
            try {
                Path p = Path.of(d.asText());
                if (p.isAbsolute() && Files.isRegularFile(p.resolve(CacheManifest.FILE_NAME))) {
                    out.add(p);
                }
            } catch (java.nio.file.InvalidPathException e) {
                // not a path on this machine: no part folder to allow
            }
        }
        return out;
    }

    /** Compares a shard file's real size with the manifest's, before it is mapped (names the file and field). */
    static void checkSize(Path f, long expected, Path manifest, String field) {
        long size;
        try {
            size = Files.size(f);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ShardFileProblem(f, "missing: " + manifest.getFileName() + " lists it",
                    "shard file " + f + " is missing; field '" + field.replace("bytes", "file") + "' of " + manifest + " lists it");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read shard file " + f + ": " + e.getMessage(), e);
        }
        if (size != expected) {
            String problem = "size is " + size + " bytes, expected " + expected + (size < expected ? " (truncated)" : " (too long)");
            throw new ShardFileProblem(f, problem, "shard file " + f + " has " + size + " bytes, but field '" + field + "' of " + manifest
                    + " says " + expected + (size < expected ? " (the file is truncated)" : " (the file is too long)"));
        }
    }
}
