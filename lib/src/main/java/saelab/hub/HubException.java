package saelab.hub;

import java.io.IOException;

/**
 * A hub download that could not be completed. The message is one sentence naming the repository,
 * the revision and the file; {@link #reason()} lets callers react to the kind of failure (for
 * example treat {@link Reason#NOT_FOUND} as "this optional file does not exist").
 */
public final class HubException extends IOException {

    /** What went wrong. */
    public enum Reason {
        /** The repository, revision or file does not exist on the hub (HTTP 404). */
        NOT_FOUND,
        /** Offline mode, and the cache does not hold what was asked for. */
        NOT_CACHED,
        /** The server refused access (HTTP 401/403): private, gated, or a missing or wrong token. */
        ACCESS_DENIED,
        /** The downloaded bytes do not have the SHA-256 the server announced. */
        CHECKSUM_MISMATCH,
        /** The transfer broke off; the partial data is kept and the next call resumes it. */
        INTERRUPTED,
        /** Any other HTTP error status, or the server could not be reached. */
        HTTP_ERROR,
        /** The server's answer lacks something the hub protocol promises (a header, a JSON field). */
        PROTOCOL
    }

    private final Reason reason;

    public HubException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public HubException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /**
     * A {@link Reason#NOT_CACHED} failure: one sentence saying what is not in the cache, where it looked, and
     * how to fetch it.
     *
     * @param what     what was asked for, e.g. {@code owner/name revision main file config.json}
     * @param repo     the repository and revision, {@code owner/name@revision}
     * @param lookedIn the cache folders searched
     */
    public static HubException notCached(String what, String repo, String lookedIn) {
        return new HubException(Reason.NOT_CACHED, what + " is not in the cache and the hub is offline (HF_HUB_OFFLINE=1 or -D"
                + HubSettings.OFFLINE_PROPERTY + "=true; looked in " + lookedIn + "); fetch it once while online with"
                + " 'saelab hub download " + repo + "', or give a local model folder");
    }

    /** The kind of failure. */
    public Reason reason() {
        return reason;
    }
}
