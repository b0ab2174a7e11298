package saelab.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import saelab.BuildInfo;
import saelab.io.Progress;
import saelab.io.Sha256;

/**
 * Turns a {@link DatasetListing} into a {@link DatasetManifest}: looks at every listed file (and its
 * annotation file) for its size, computes its SHA-256 when asked, and applies the problem policy to files
 * that are missing, not regular files, or unreadable. Files are looked at in parallel; the result does not
 * depend on the thread count.
 */
public final class ManifestBuilder {

    private ManifestBuilder() {}

    /** What was found for one listed file. */
    private record Looked(long bytes, String sha256, String problem) {}

    /**
     * Builds the manifest of a listing.
     *
     * @param root    the dataset root the listed paths are relative to
     * @param listing what the reader listed
     * @param options checksums, policy, threads, progress
     * @throws IllegalArgumentException under {@link ProblemPolicy#STOP} when any file is missing or unreadable
     *                                  (naming the files), or when a path is listed twice
     */
    public static DatasetManifest build(Path root, DatasetListing listing, ManifestOptions options) throws IOException {
        List<DatasetListing.Entry> entries = listing.entries();
        Set<String> seen = new HashSet<>(entries.size() * 2);
        for (DatasetListing.Entry e : entries) {
            if (!seen.add(e.path())) {
                throw new IllegalArgumentException(root + ": the " + listing.kind() + " layout lists " + e.path() + " twice");
            }
        }
        ImageProblems problems = new ImageProblems(options.policy());
        problems.addAll(listing.problems());
        int n = entries.size();
        Looked[] images = new Looked[n];
        Looked[] annotations = new Looked[n];
        Progress progress = options.verbosity().stderr(options.sha256() ? "hashing dataset files" : "listing dataset files",
                "files", n);
        Runnable pass = () -> IntStream.range(0, n).parallel().forEach(i -> {
            DatasetListing.Entry e = entries.get(i);
            images[i] = look(root, e.path(), options.sha256());
            if (e.annotation() != null) {
                annotations[i] = look(root, e.annotation(), options.sha256());
            }
            if (progress != null) {
                synchronized (progress) {
                    progress.advance(1);
                }
            }
        });
        ForkJoinPool pool = new ForkJoinPool(options.threads());
        try {
            pool.submit(pass).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while looking at the files of " + root, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException("cannot look at the files of " + root + ": " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        if (progress != null) {
            progress.finish();
        }
        List<DatasetManifest.Example> examples = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            DatasetListing.Entry e = entries.get(i);
            if (images[i].problem() != null) {
                problems.add(e.path(), images[i].problem());
                continue;
            }
            DatasetManifest.FileRef ann = null;
            if (e.annotation() != null) {
                if (annotations[i].problem() != null) {
                    problems.add(e.annotation(), annotations[i].problem() + " (the annotation of " + e.path() + ")");
                    continue;
                }
                ann = new DatasetManifest.FileRef(e.annotation(), annotations[i].bytes(), annotations[i].sha256());
            }
            examples.add(new DatasetManifest.Example(e.path(), images[i].bytes(), e.label(), images[i].sha256(), ann));
        }
        problems.stopIfAny("the " + listing.kind() + " dataset in " + root);
        DatasetManifest m = new DatasetManifest(DatasetManifest.FORMAT, listing.kind(), listing.split(),
                root.toAbsolutePath().normalize().toString(), listing.options(), listing.classes(), listing.classIds(),
                examples.size(), DatasetManifest.checksum(examples), null, problems.list(),
                new DatasetManifest.Provenance(BuildInfo.current().describe(), Instant.now().toString()), examples);
        m.validate();
        return m;
    }

    private static Looked look(Path root, String rel, boolean sha256) {
        if (rel.indexOf('\t') >= 0 || rel.indexOf('\n') >= 0 || rel.indexOf('\r') >= 0) {
            return new Looked(0, null, "the name contains a tab or line break, which the activation cache's index cannot hold");
        }
        Path p = root.resolve(rel);
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            if (!a.isRegularFile()) {
                return new Looked(0, null, "not a regular file");
            }
            return new Looked(a.size(), sha256 ? Sha256.of(p) : null, null);
        } catch (NoSuchFileException e) {
            return new Looked(0, null, "missing");
        } catch (IOException | UncheckedIOException e) {
            return new Looked(0, null, "unreadable: " + e.getMessage());
        }
    }
}
