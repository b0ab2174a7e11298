package saelab.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    static CacheSource open(Path dir, CacheManifest m) {
        List<ShardFile> shards = new ArrayList<>();
        for (ShardEntry s : m.shards()) {
            shards.add(new ShardFile(dir.resolve(s.file()), s.firstImage(), s.nImages(), s.bytes(), s.sha256()));
        }
        CacheSource.ImageIndexSource images = shard -> {
            ShardEntry s = m.shards().get(shard);
            return ShardIndex.read(dir.resolve(s.indexFile()), s.nImages());
        };
        CacheSource.PatchLabelSource labels = m.patchLabels() == null ? null : new CacheSource.PatchLabelSource() {
            @Override
            public short[] shardLabels(int shard) throws IOException {
                ShardEntry s = m.shards().get(shard);
                Path f = dir.resolve(s.labelsFile());
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
}
