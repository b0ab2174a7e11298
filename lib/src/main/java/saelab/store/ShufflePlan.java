package saelab.store;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * The order of a shuffled stream, computed on row ids only (no activation is read here), so it is
 * cheap to run ahead, to replay for a resume, and to measure.
 *
 * <p>A row id is {@code image × T + token} with T the tokens stored per image. The algorithm, per
 * epoch e, with a generator seeded from (seed, e):
 * <ol>
 *   <li>the cache is cut into chunks of consecutive images inside one shard, and the chunks are put
 *       in a uniformly random order (Fisher-Yates);</li>
 *   <li>a reservoir of R slots is filled with the rows of the chunks in that order;</li>
 *   <li>each output row is a uniformly random slot; the slot is refilled with the next incoming row,
 *       or, when none are left, with the last slot (the reservoir shrinks and drains).</li>
 * </ol>
 * Every row enters the reservoir once and leaves it once, so each row is delivered exactly once per
 * epoch; rows of one chunk spread over roughly R outputs. With {@code withReplacement}, rows are
 * drawn uniformly from all eligible rows instead. Background patches (label = the cache's
 * background label) are skipped when asked.
 */
final class ShufflePlan {

    private final ActivationCache cache;
    private final int tokensPerImage;
    private final int firstToken;
    private final int count;
    private final boolean dropBackground;
    private final int background;
    private final long seed;
    private final int reservoirRows;
    private final boolean withReplacement;
    private final long[] chunkFirst;
    private final int[] chunkImages;
    private final int[] chunkShard;
    final long samplesPerEpoch;
    private IntConsumer onAdmit;

    private int epoch = -1;
    private SplittableRandom rng;
    private int[] order;
    private int nextChunk;
    private long[] incoming = new long[0];
    private int inPos;
    private int inLen;
    private long[] slots;
    private int size;
    private boolean filled;

    ShufflePlan(ActivationCache cache, ShuffleOptions o, IntConsumer onAdmit) {
        this.cache = cache;
        this.tokensPerImage = cache.tokens().tokens();
        int[] range = cache.tokens().range(o.kind());
        if (range[1] == 0) {
            throw new IllegalArgumentException("the cache " + cache.dir() + " stores no " + o.kind().id() + " tokens");
        }
        cache.layerSlot(o.layer());
        this.firstToken = range[0];
        this.count = range[1];
        this.dropBackground = o.dropBackground();
        if (dropBackground && (!cache.hasPatchLabels() || o.kind() != TokenKind.PATCHES || cache.backgroundLabel() < 0)) {
            throw new IllegalArgumentException("dropping background patches needs patch tokens and patch labels with a"
                    + " background label; the cache " + cache.dir() + " has " + (cache.hasPatchLabels() ? "labels without a background" : "no patch labels"));
        }
        this.background = cache.backgroundLabel();
        this.seed = o.seed();
        this.withReplacement = o.withReplacement();
        long rowBytes = (long) cache.dModel() * cache.dtype().bytes();
        this.reservoirRows = (int) Math.max(1, Math.min(Integer.MAX_VALUE - 8, o.reservoirBytes() / rowBytes));
        long imageBytes = rowBytes * count;
        int perChunk = (int) Math.max(1, Math.min(Integer.MAX_VALUE / Math.max(1, count), o.chunkBytes() / imageBytes));
        List<long[]> chunks = new ArrayList<>();
        for (int s = 0; s < cache.shards().size(); s++) {
            ShardFile f = cache.shards().get(s);
            for (long a = 0; a < f.nImages(); a += perChunk) {
                chunks.add(new long[] {f.firstImage() + a, Math.min(perChunk, f.nImages() - a), s});
            }
        }
        chunkFirst = new long[chunks.size()];
        chunkImages = new int[chunks.size()];
        chunkShard = new int[chunks.size()];
        for (int i = 0; i < chunks.size(); i++) {
            chunkFirst[i] = chunks.get(i)[0];
            chunkImages[i] = (int) chunks.get(i)[1];
            chunkShard[i] = (int) chunks.get(i)[2];
        }
        this.onAdmit = onAdmit;
        long total = 0;
        for (int c = 0; c < chunkFirst.length; c++) {
            total += dropBackground ? rowsOf(c, null) : (long) chunkImages[c] * count;
        }
        if (total == 0) {
            throw new IllegalArgumentException("the cache " + cache.dir() + " has no rows to stream"
                    + (dropBackground ? " once background patches are dropped" : ""));
        }
        this.samplesPerEpoch = total;
    }

    int reservoirRows() {
        return reservoirRows;
    }

    int chunks() {
        return chunkFirst.length;
    }

    long chunkFirstImage(int chunk) {
        return chunkFirst[chunk];
    }

    int chunkImageCount(int chunk) {
        return chunkImages[chunk];
    }

    int tokensPerImage() {
        return tokensPerImage;
    }

    /** The next row id of the stream (epochs follow each other without end). */
    long next() {
        if (withReplacement) {
            return nextWithReplacement();
        }
        while (true) {
            if (epoch < 0) {
                startEpoch(0);
            }
            if (!filled) {
                slots = slots == null ? new long[(int) Math.min(reservoirRows, samplesPerEpoch)] : slots;
                while (size < slots.length) {
                    long id = pull();
                    if (id < 0) {
                        break;
                    }
                    slots[size++] = id;
                }
                filled = true;
            }
            if (size == 0) {
                startEpoch(epoch + 1);
                continue;
            }
            int j = rng.nextInt(size);
            long id = slots[j];
            long in = pull();
            if (in >= 0) {
                slots[j] = in;
            } else {
                slots[j] = slots[--size];
            }
            return id;
        }
    }

    /** Skips {@code n} rows without prefetch callbacks (to resume at a sample count; ids only, no reads). */
    void skipSilently(long n) {
        IntConsumer saved = onAdmit;
        onAdmit = null;
        try {
            if (!withReplacement && n >= samplesPerEpoch) {
                // epochs are independent given the seed: jump to the right one
                startEpoch(Math.toIntExact(n / samplesPerEpoch));
                n %= samplesPerEpoch;
            }
            for (long i = 0; i < n; i++) {
                next();
            }
        } finally {
            onAdmit = saved;
        }
    }

    private long nextWithReplacement() {
        if (rng == null) {
            rng = new SplittableRandom(mix(seed, 0));
        }
        long images = cache.nImages();
        while (true) {
            long image = rng.nextLong(images);
            int token = firstToken + rng.nextInt(count);
            if (dropBackground && cache.shardLabels(cache.shardOf(image))[(int) (image - cache.shardStart(cache.shardOf(image))) * cache.tokens().patches()
                    + token - cache.tokens().firstPatch()] == background) {
                continue;
            }
            return image * tokensPerImage + token;
        }
    }

    private void startEpoch(int e) {
        epoch = e;
        rng = new SplittableRandom(mix(seed, e));
        order = Permutations.shuffled(chunkFirst.length, rng);
        nextChunk = 0;
        inPos = 0;
        inLen = 0;
        size = 0;
        filled = false;
    }

    /** Next incoming row id of the current epoch, or -1 when all chunks are admitted. */
    private long pull() {
        while (inPos == inLen) {
            if (nextChunk == order.length) {
                return -1;
            }
            int c = order[nextChunk++];
            int n = chunkImages[c] * count;
            if (incoming.length < n) {
                incoming = new long[n];
            }
            inLen = (int) rowsOf(c, incoming);
            inPos = 0;
            if (onAdmit != null) {
                onAdmit.accept(c);
            }
        }
        return incoming[inPos++];
    }

    /** Writes the row ids of chunk {@code c} into {@code out} (when not null) and returns their number. */
    private long rowsOf(int c, long[] out) {
        short[] labels = dropBackground ? cache.shardLabels(chunkShard[c]) : null;
        long shardStart = cache.shardStart(chunkShard[c]);
        int patches = cache.tokens().patches();
        int firstPatch = cache.tokens().firstPatch();
        int n = 0;
        for (int i = 0; i < chunkImages[c]; i++) {
            long image = chunkFirst[c] + i;
            int labelBase = labels == null ? 0 : (int) (image - shardStart) * patches - firstPatch;
            for (int t = firstToken; t < firstToken + count; t++) {
                if (labels != null && labels[labelBase + t] == background) {
                    continue;
                }
                if (out != null) {
                    out[n] = image * tokensPerImage + t;
                }
                n++;
            }
        }
        return n;
    }

    private static long mix(long seed, int epoch) {
        return seed * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + 1;
    }
}
