package saelab.hub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import saelab.io.FileTrees;

/**
 * The folder layout of a hub cache, the same as the Python {@code huggingface_hub} client's
 * ({@code huggingface_hub/file_download.py}, "cache layout"), and lookups in it. Nothing here
 * writes, so the same class reads saelab's cache and a pre-seeded Python cache.
 *
 * <pre>
 * {root}/models--{owner}--{name}/
 *     blobs/{sha256 or git etag}          the file contents, stored once
 *     refs/{revision}                     the commit hash a branch or tag resolved to
 *     snapshots/{commit}/{path}           a relative link to ../../blobs/{hash} (or a copy)
 *     listings/{commit}.json              saelab only: the repository's file list at that commit
 * {root}/.locks/models--{owner}--{name}/{hash}.lock
 * </pre>
 *
 * @param root the cache folder (for example {@code ~/.cache/huggingface/hub})
 */
record CacheLayout(Path root) {

    /** {@code {root}/models--{owner}--{name}}. */
    Path repoDir(RepoId repo) {
        return root.resolve(repo.cacheFolder());
    }

    /** {@code blobs/{hash}}. */
    Path blob(RepoId repo, String hash) {
        return repoDir(repo).resolve("blobs").resolve(hash);
    }

    /** The lock file that guards the download of one blob. */
    Path lock(RepoId repo, String hash) {
        return root.resolve(".locks").resolve(repo.cacheFolder()).resolve(hash + ".lock");
    }

    /** {@code refs/{revision}}. */
    Path ref(RepoId repo, String revision) {
        return repoDir(repo).resolve("refs").resolve(revision);
    }

    /** {@code snapshots/{commit}}. */
    Path snapshotDir(RepoId repo, String commit) {
        return repoDir(repo).resolve("snapshots").resolve(commit);
    }

    /** {@code snapshots/{commit}/{path}}. */
    Path snapshotFile(RepoId repo, String commit, String path) {
        return snapshotDir(repo, commit).resolve(path);
    }

    /** {@code listings/{commit}.json}. */
    Path listing(RepoId repo, String commit) {
        return repoDir(repo).resolve("listings").resolve(commit + ".json");
    }

    /**
     * The commit a revision points to: the revision itself when it is a commit, else the content of
     * {@code refs/{revision}}, else null.
     *
     * @throws IllegalArgumentException when the ref file holds something that is not a commit hash
     */
    String commitOf(RepoId repo, String revision) {
        if (HubNames.isCommit(revision)) {
            return revision;
        }
        Path ref = ref(repo, revision);
        try {
            String commit = Files.readString(ref, StandardCharsets.UTF_8).trim();
            if (!HubNames.isCommit(commit)) {
                throw new IllegalArgumentException("hub cache ref file " + ref + " holds '" + commit
                        + "'; expected a 40-hex commit hash");
            }
            return commit;
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read hub cache ref file " + ref, e);
        }
    }

    /** The snapshot file, if it exists and (following links) is a regular file; else null. */
    Path existingFile(RepoId repo, String commit, String path) {
        Path f = snapshotFile(repo, commit, path);
        return Files.isRegularFile(f) ? f : null;
    }

    /**
     * Every regular file (following links) under {@code snapshots/{commit}}, as '/'-separated paths
     * relative to it, sorted; empty when the folder does not exist. Temporary files of interrupted
     * writes (names starting with '.') are left out.
     */
    List<String> snapshotFiles(RepoId repo, String commit) throws IOException {
        List<String> out = new ArrayList<>(FileTrees.regularFiles(snapshotDir(repo, commit)));
        out.removeIf(p -> p.substring(p.lastIndexOf('/') + 1).startsWith("."));
        return out;
    }
}
