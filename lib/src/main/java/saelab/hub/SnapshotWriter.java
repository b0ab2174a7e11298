package saelab.hub;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ThreadLocalRandom;
import saelab.io.AtomicFiles;

/**
 * Writes saelab's hub cache: refs, snapshot entries and listings, each replaced atomically so a
 * crash leaves either the old entry or the new one. Snapshot entries are relative symbolic links
 * to the blob, as the Python client makes them; where the file system has no symbolic links they
 * fall back to a hard link, then to a copy.
 */
final class SnapshotWriter {

    private final CacheLayout layout;

    SnapshotWriter(CacheLayout layout) {
        this.layout = layout;
    }

    /** Records that {@code revision} points to {@code commit} (nothing to do when the revision is the commit). */
    void writeRef(RepoId repo, String revision, String commit) throws IOException {
        if (revision.equals(commit)) {
            return;
        }
        Path ref = layout.ref(repo, revision);
        try {
            if (commit.equals(layout.commitOf(repo, revision))) {
                return;
            }
        } catch (IllegalArgumentException corrupt) {
            // a damaged ref file is simply replaced
        }
        AtomicFiles.writeString(ref, commit); // no newline, as the Python client writes it
    }

    /** Makes {@code snapshots/{commit}/{path}} refer to {@code blob} (a file in the same cache). */
    Path linkBlob(RepoId repo, String commit, String path, Path blob) throws IOException {
        Path entry = layout.snapshotFile(repo, commit, path);
        Files.createDirectories(entry.getParent());
        place(entry, entry.getParent().relativize(blob), blob);
        return entry;
    }

    /**
     * Makes {@code snapshots/{commit}/{path}} refer to a file outside this cache (a file of the Python
     * cache), by an absolute link to its real path; if that file is removed later the link dangles,
     * the entry counts as missing, and the file is downloaded again.
     */
    Path linkExternal(RepoId repo, String commit, String path, Path file) throws IOException {
        Path entry = layout.snapshotFile(repo, commit, path);
        Files.createDirectories(entry.getParent());
        Path real = file.toRealPath();
        place(entry, real, real);
        return entry;
    }

    private static void place(Path entry, Path linkText, Path target) throws IOException {
        Path temp = entry.resolveSibling("." + entry.getFileName() + ".tmp-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            try {
                Files.createSymbolicLink(temp, linkText);
            } catch (UnsupportedOperationException | FileSystemException noSymlinks) {
                Files.deleteIfExists(temp);
                try {
                    Files.createLink(temp, target);
                } catch (UnsupportedOperationException | FileSystemException noHardLinks) {
                    Files.deleteIfExists(temp);
                    AtomicFiles.writeVia(entry, tmp -> Files.copy(target, tmp, StandardCopyOption.REPLACE_EXISTING));
                    return;
                }
            }
            try {
                Files.move(temp, entry, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace " + entry + " atomically: the file system does not support atomic renames", e);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Saves the repository's file list at a commit. */
    void writeListing(RepoId repo, RepoListing listing) throws IOException {
        listing.write(layout.listing(repo, listing.commit()));
    }
}
