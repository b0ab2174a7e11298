package saelab.capture;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import saelab.data.ProblemPolicy;
import saelab.store.RecordedLayer;
import saelab.store.StorageDtype;

/**
 * One capture: which model, which images, what to record and where to write it. Shared by the
 * {@code saelab capture} command and library callers; recorded in the cache's provenance.
 *
 * @param model         the model as the user named it (a folder or a hub id), recorded in the manifest
 * @param modelDir      the local folder holding the model (config, weights, {@code preprocessor_config.json})
 * @param modelRevision the hub revision (commit) of {@code modelDir}, or null for a local folder
 * @param dataset       the dataset spec {@code KIND[,OPTION=VALUE...]:PATH} (see {@link saelab.data.Datasets})
 * @param split         the split, or null for the reader's default
 * @param layers        block indices to record, 0-based ({@code resid_post[L]}, output of block L before any final norm), and
 *                      {@link RecordedLayer#FINAL} (final-normed tokens) or {@link RecordedLayer#POOLED} (pooled output)
 * @param tokens        which tokens to store
 * @param dtype         storage type of the activations
 * @param batch         images per forward pass; batches are aligned to multiples of it in the capture list,
 *                      so resumed runs and parts compute every image in the same batch as a full run
 * @param device        where the model runs (CPU, or a CUDA GPU)
 * @param part          the part of the capture list to capture, or null for all of it
 * @param limit         capture only the first {@code limit} images of the dataset list (before parts), or 0 for all
 * @param policy        unreadable images: skip and count them, or stop
 * @param threads       decode + preprocess threads, at least 1
 * @param maxShardBytes shard size limit in bytes (whole images per shard, at least one)
 * @param out           the cache folder (created, or resumed when it holds this capture's unfinished cache)
 */
public record CaptureOptions(String model, Path modelDir, String modelRevision, String dataset, String split,
                             List<Integer> layers, TokenSelection tokens, StorageDtype dtype, int batch, Device device,
                             PartSpec part, long limit, ProblemPolicy policy, int threads, long maxShardBytes, Path out) {

    /** Default shard size: 1 GiB. */
    public static final long DEFAULT_SHARD_BYTES = 1L << 30;

    public CaptureOptions {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(modelDir, "modelDir");
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(out, "out");
        if (layers == null || layers.isEmpty() || layers.stream().anyMatch(l -> l == null || !RecordedLayer.isValid(l))
                || layers.stream().distinct().count() != layers.size()) {
            throw new IllegalArgumentException("--layers must be distinct block indices >= 0 (0-based), final or pooled, got "
                    + (layers == null || layers.contains(null) ? layers : RecordedLayer.names(layers)));
        }
        layers = List.copyOf(layers);
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
        }
        if (limit < 0) {
            throw new IllegalArgumentException("--limit must be >= 0 (0 = all images), got " + limit);
        }
        if (maxShardBytes < 1) {
            throw new IllegalArgumentException("the shard size limit must be positive, got " + maxShardBytes);
        }
    }

    /**
     * A capture of a local model folder with the defaults: float16 storage, batch 64, CPU, whole list,
     * skip and count unreadable images, one decode thread per processor, 1 GiB shards; the setters of the
     * builder change them (see the record's parameters).
     */
    public static Builder builder(Path modelDir, String dataset, String split, List<Integer> layers, TokenSelection tokens,
                                  Path out) {
        return new Builder(modelDir, dataset, split, layers, tokens, out);
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        Builder b = new Builder(modelDir, dataset, split, layers, tokens, out);
        b.model = model;
        b.modelRevision = modelRevision;
        b.dtype = dtype;
        b.batch = batch;
        b.device = device;
        b.part = part;
        b.limit = limit;
        b.policy = policy;
        b.threads = threads;
        b.maxShardBytes = maxShardBytes;
        return b;
    }

    /** Builder of {@link CaptureOptions}. */
    public static final class Builder {
        private final Path modelDir;
        private final String dataset;
        private final String split;
        private final List<Integer> layers;
        private final TokenSelection tokens;
        private Path out;
        private String model;
        private String modelRevision;
        private StorageDtype dtype = StorageDtype.F16;
        private int batch = 64;
        private Device device = Device.cpu();
        private PartSpec part;
        private long limit;
        private ProblemPolicy policy = ProblemPolicy.SKIP_AND_COUNT;
        private int threads = Runtime.getRuntime().availableProcessors();
        private long maxShardBytes = DEFAULT_SHARD_BYTES;

        private Builder(Path modelDir, String dataset, String split, List<Integer> layers, TokenSelection tokens, Path out) {
            this.modelDir = modelDir;
            this.dataset = dataset;
            this.split = split;
            this.layers = layers;
            this.tokens = tokens;
            this.out = out;
            this.model = modelDir == null ? null : modelDir.toString();
        }

        /** The model as the user named it (a folder or a hub id) and its hub revision (null for a local folder). */
        public Builder model(String name, String revision) {
            this.model = name;
            this.modelRevision = revision;
            return this;
        }

        public Builder dtype(StorageDtype v) {
            dtype = v;
            return this;
        }

        public Builder batch(int v) {
            batch = v;
            return this;
        }

        public Builder device(Device v) {
            device = v;
            return this;
        }

        public Builder part(PartSpec v) {
            part = v;
            return this;
        }

        public Builder limit(long v) {
            limit = v;
            return this;
        }

        public Builder policy(ProblemPolicy v) {
            policy = v;
            return this;
        }

        public Builder threads(int v) {
            threads = v;
            return this;
        }

        public Builder maxShardBytes(long v) {
            maxShardBytes = v;
            return this;
        }

        /** @throws IllegalArgumentException when a setting is out of range (see {@link CaptureOptions}) */
        public CaptureOptions build() {
            return new CaptureOptions(model, modelDir, modelRevision, dataset, split, layers, tokens, dtype, batch, device, part,
                    limit, policy, threads, maxShardBytes, out);
        }
    }
}
