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

    /** The kind of failure. */
    public Reason reason() {
        return reason;
    }
}
