package saelab.analysis;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import saelab.io.Json;
import saelab.io.Sha256;

/**
 * Which SAE and cache a concepts folder was computed from ({@code source.json} beside {@code concepts.csv}), so
 * that a tool choosing latents from the folder ({@code saelab control}) can refuse a folder made for another SAE.
 *
 * @param sae       the SAE checkpoint path, as given (only {@code sae_sha256} is needed to check a folder)
 * @param saeSha256 the checkpoint's SHA-256 (hex)
 * @param cache     the cache folder, as given
 * @param layer     the block index matched (0-based; negative for the reserved final/pooled layers), or null when not recorded
 */
public record ConceptSource(@JsonProperty("sae") String sae, @JsonProperty("sae_sha256") String saeSha256,
                            @JsonProperty("cache") String cache, @JsonProperty("layer") Integer layer) {

    /** The file name inside a concepts folder. */
    public static final String FILE = "source.json";

    /** The source of a matching of {@code saeFile} over {@code cacheDir} at {@code layer}, hashing the checkpoint. */
    public static ConceptSource of(Path saeFile, Path cacheDir, int layer) throws IOException {
        return new ConceptSource(saeFile.toString(), Sha256.of(saeFile), cacheDir.toString(), layer);
    }

    /** Writes {@value #FILE} into {@code folder}, atomically. */
    public void write(Path folder) throws IOException {
        Json.write(folder.resolve(FILE), this);
    }

    /** The {@value #FILE} of {@code folder}, or empty when the folder has none (written before it existed, or by the demo). */
    public static Optional<ConceptSource> read(Path folder) {
        Path file = folder.resolve(FILE);
        return Files.isRegularFile(file) ? Optional.of(Json.read(file, ConceptSource.class, "concepts source")) : Optional.empty();
    }
}
