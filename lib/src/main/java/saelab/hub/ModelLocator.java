package saelab.hub;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Turns what a user typed for a model into a local folder: an existing directory as it is, or a
 * hub id {@code owner/name} (optionally {@code owner/name@revision}) downloaded with
 * {@link HubClient#snapshot(String, String)} (the files of {@link ModelFiles#DEFAULT}).
 */
public final class ModelLocator {

    private final HubClient client;

    /** A locator that downloads through {@code client}. */
    public ModelLocator(HubClient client) {
        this.client = client;
    }

    /**
     * {@link #locate} with a hub client configured from the environment (created only when needed).
     *
     * @param dirOrHubId a directory, {@code owner/name} or {@code owner/name@revision}
     * @param revision   the revision for a hub id; null for the one after '@', else {@code main}
     */
    public static Path resolve(String dirOrHubId, String revision) throws IOException {
        Path dir = existingDirectory(dirOrHubId);
        if (dir != null) {
            return dir;
        }
        checkHubId(dirOrHubId, revision);
        try (HubClient c = HubClient.fromEnvironment()) {
            return new ModelLocator(c).locate(dirOrHubId, revision);
        }
    }

    /**
     * The local folder for a directory or a hub id.
     *
     * @throws IllegalArgumentException when the text is neither an existing directory nor a hub id, or
     *                                  when it names a revision after '@' that differs from {@code revision}
     * @throws HubException             when the download fails; offline without the model in the cache, one
     *                                  sentence naming the model and the command that fetches it
     */
    public Path locate(String dirOrHubId, String revision) throws IOException {
        Path dir = existingDirectory(dirOrHubId);
        if (dir != null) {
            return dir;
        }
        String[] idAndRev = checkHubId(dirOrHubId, revision);
        try {
            return client.snapshot(idAndRev[0], idAndRev[1]);
        } catch (HubException e) {
            if (e.reason() != HubException.Reason.NOT_CACHED) {
                throw e;
            }
            throw new HubException(HubException.Reason.NOT_CACHED, "model " + e.getMessage(), e);
        }
    }

    private static Path existingDirectory(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("model location is empty: expected a directory or a hub id owner/name[@revision]");
        }
        try {
            Path p = Path.of(text);
            return Files.isDirectory(p) ? p : null;
        } catch (InvalidPathException e) {
            return null;
        }
    }

    /** Splits {@code owner/name[@revision]} and checks both parts; returns {id, revision}. */
    private static String[] checkHubId(String text, String revision) {
        int at = text.indexOf('@');
        String id = at < 0 ? text : text.substring(0, at);
        String rev = at < 0 ? null : text.substring(at + 1);
        if (!RepoId.isValid(id) || (rev != null && rev.isEmpty())) {
            boolean pathLike = text.startsWith("/") || text.startsWith(".") || text.startsWith("~") || text.contains("\\")
                    || text.chars().filter(c -> c == '/').count() > 1;
            String why = pathLike ? "is not an existing directory" : "is neither an existing directory nor a hub id";
            throw new IllegalArgumentException("model location '" + text + "' " + why + ": expected a directory holding"
                    + " config.json and the weights, or a Hugging Face model id owner/name or owner/name@revision"
                    + " (for example facebook/dinov2-base@main)");
        }
        if (rev != null && revision != null && !revision.equals(rev)) {
            throw new IllegalArgumentException("model location '" + text + "' names revision '" + rev
                    + "' but revision '" + revision + "' was also given; give one");
        }
        String r = rev != null ? rev : revision == null ? HubClient.DEFAULT_REVISION : revision;
        HubNames.checkRevision(r);
        return new String[] {id, r};
    }
}
