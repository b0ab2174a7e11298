package saelab.store;

import java.nio.file.Path;

/**
 * A child-process writer for {@link CacheWriterResumeTest}: writes the deterministic cache of
 * {@link KillableWriterMain#spec()} slowly (a pause after every batch), so the test can kill it
 * with SIGKILL part-way through.
 *
 * <p>Arguments: cache folder, pause per batch in milliseconds.
 */
public final class KillableWriterMain {

    static final long SEED = 99;
    static final int IMAGES = 200;
    static final int PER_SHARD = 3;
    static final int BATCH = 2;

    private KillableWriterMain() {}

    static CacheSpec spec() {
        return CacheTestData.spec(StorageDtype.BF16);
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long pauseMillis = Long.parseLong(args[1]);
        CacheSpec spec = spec();
        try (CacheWriter w = CacheWriter.create(dir, spec, CacheTestData.shardBytesFor(spec, PER_SHARD))) {
            for (int start = 0; start < IMAGES; start += BATCH) {
                CacheTestData.writeImages(w, spec, SEED, start, Math.min(IMAGES, start + BATCH), BATCH);
                Thread.sleep(pauseMillis);
            }
            w.finish();
        }
        System.out.println("finished");
    }
}
