package saelab.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import saelab.io.ConfinedPaths;
import saelab.io.Sha256;
import saelab.store.CacheManifest.ShardEntry;

/**
 * Checks a cache on disk against its manifest: every field of the manifest, and for each shard its
 * activation file, per-image index and patch labels (present, right size, right SHA-256, index lines
 * parse). saev caches carry no checksums, so for them only presence and sizes are checked.
 */
public final class CacheVerifier {

    /**
     * One problem found.
     *
     * @param file    the file concerned
     * @param message what is wrong and what was expected
     */
    public record Problem(Path file, String message) {
        @Override
        public String toString() {
            return file + ": " + message;
        }
    }

    private CacheVerifier() {}

    /**
     * Verifies the cache in {@code dir}.
     *
     * @param progress receives one line per checked file (may be a no-op)
     * @return the problems, empty when the cache is sound
     */
    public static List<Problem> verify(Path dir, Consumer<String> progress) {
        List<Problem> problems = new ArrayList<>();
        Path manifestFile = dir.resolve(CacheManifest.FILE_NAME);
        if (!Files.isRegularFile(manifestFile)) {
            if (Files.isRegularFile(dir.resolve(SaevFormat.METADATA))) {
                return verifySaev(dir, progress);
            }
            problems.add(new Problem(manifestFile, "missing: expected a saelab cache manifest (or saev's metadata.json)"));
            return problems;
        }
        CacheManifest m;
        try {
            m = NativeFormat.readManifest(dir);
        } catch (IllegalArgumentException e) {
            for (String line : e.getMessage().split("\n")) {
                problems.add(new Problem(manifestFile, line.startsWith(manifestFile.toString())
                        ? line.substring(manifestFile.toString().length()).replaceFirst("^: ", "") : line));
            }
            return problems;
        } catch (RuntimeException e) {
            problems.add(new Problem(manifestFile, e.getMessage().replace("cache manifest " + manifestFile + " ", "")));
            return problems;
        }
        if (!m.complete()) {
            problems.add(new Problem(manifestFile, "the cache is incomplete (its writer stopped after " + m.nImages()
                    + " images); resume the capture"));
        }
        for (int i = 0; i < m.shards().size(); i++) {
            ShardEntry s = m.shards().get(i);
            String at = "shards[" + i + "].";
            Path shard = inside(dir, s.file(), manifestFile, at + "file", problems);
            if (shard != null) {
                checkFile(shard, s.bytes(), s.sha256(), problems, progress);
            }
            Path index = inside(dir, s.indexFile(), manifestFile, at + "index_file", problems);
            if (index != null && checkFile(index, -1, s.indexSha256(), problems, progress)) {
                try {
                    ShardIndex.read(index, s.nImages());
                } catch (IOException e) {
                    problems.add(new Problem(index, e.getMessage().replace(index + ": ", "")));
                }
            }
            if (s.labelsFile() != null) {
                long bytes = 2L * s.nImages() * m.tokens().patches();
                Path labels = inside(dir, s.labelsFile(), manifestFile, at + "labels_file", problems);
                if (labels != null) {
                    checkFile(labels, bytes, s.labelsSha256(), problems, progress);
                }
            }
        }
        return problems;
    }

    private static List<Problem> verifySaev(Path dir, Consumer<String> progress) {
        List<Problem> problems = new ArrayList<>();
        CacheSource src;
        try {
            src = SaevFormat.open(dir);
        } catch (ShardFileProblem e) {
            problems.add(new Problem(e.file(), e.problem()));
            return problems;
        } catch (RuntimeException e) {
            problems.add(new Problem(dir.resolve(SaevFormat.METADATA), e.getMessage()));
            return problems;
        }
        for (ShardFile f : src.shards()) {
            checkFile(f.file(), f.bytes(), null, problems, progress);
        }
        Path labels = dir.resolve("labels.bin");
        if (Files.exists(labels)) {
            checkFile(labels, src.nImages() * src.tokens().patches(), null, problems, progress);
        }
        return problems;
    }

    /** A listed file resolved inside the cache folder, or null after adding the problem when it leads outside. */
    private static Path inside(Path dir, String name, Path manifestFile, String field, List<Problem> problems) {
        try {
            return ConfinedPaths.resolve(dir, name, manifestFile, field);
        } catch (IllegalArgumentException e) {
            problems.add(new Problem(manifestFile, e.getMessage().replace(manifestFile + ": ", "")));
            return null;
        }
    }

    /** Checks presence, size (when >= 0) and checksum (when not null); returns whether the file is sound. */
    private static boolean checkFile(Path f, long bytes, String sha256, List<Problem> problems, Consumer<String> progress) {
        try {
            if (!Files.isRegularFile(f)) {
                problems.add(new Problem(f, "missing: the manifest lists it"));
                return false;
            }
            long size = Files.size(f);
            if (bytes >= 0 && size != bytes) {
                problems.add(new Problem(f, "size is " + size + " bytes, expected " + bytes
                        + (size < bytes ? " (truncated)" : " (too long)")));
                return false;
            }
            if (sha256 != null) {
                long t0 = System.nanoTime();
                String actual = Sha256.of(f);
                double secs = (System.nanoTime() - t0) / 1e9;
                progress.accept(String.format("checked %s (%.1f MB, %.0f MB/s)", f.getFileName(), size / 1e6,
                        size / 1e6 / Math.max(secs, 1e-9)));
                if (!actual.equals(sha256)) {
                    problems.add(new Problem(f, "SHA-256 is " + actual + ", expected " + sha256 + " (the file was changed or damaged)"));
                    return false;
                }
            } else {
                progress.accept("checked size of " + f.getFileName());
            }
            return true;
        } catch (IOException e) {
            problems.add(new Problem(f, "unreadable: " + e.getMessage()));
            return false;
        }
    }
}
