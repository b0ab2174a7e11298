package saelab.capture;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import saelab.data.ImageProblems;
import saelab.store.CacheManifest;

/**
 * What a capture run did.
 *
 * @param out          the cache folder
 * @param manifest     the finished cache's manifest
 * @param listImages   images of this capture's range of the capture list (the part, or the whole list)
 * @param resumedAt    the capture-list position this run started at after a resume, or -1 for a fresh start
 * @param processed    images this run loaded (written or failed)
 * @param written      images this run wrote to the cache
 * @param failures     the images this run could not use, by path, sorted
 * @param seconds      wall time of the run (model loaded to cache finished)
 */
public record CaptureSummary(Path out, CacheManifest manifest, long listImages, long resumedAt, long processed, long written,
                             List<ImageProblems.Problem> failures, double seconds) {

    public CaptureSummary {
        failures = List.copyOf(failures);
    }

    /** Images written per second of this run. */
    public double imagesPerSecond() {
        return seconds > 0 ? written / seconds : 0;
    }

    /** A few lines for people: counts, failures (each by path), time and throughput. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "capture finished: %d images in the cache %s (%d shard(s))%n", manifest.nImages(), out,
                manifest.shards().size()));
        if (resumedAt >= 0) {
            sb.append(String.format(Locale.ROOT, "resumed at list position %d%n", resumedAt));
        }
        sb.append(String.format(Locale.ROOT, "this run: %d images loaded, %d written, %d failed, %.1f s, %.1f images/s%n", processed,
                written, failures.size(), seconds, imagesPerSecond()));
        for (ImageProblems.Problem p : failures) {
            sb.append("  skipped ").append(p).append('\n');
        }
        return sb.toString();
    }
}
