package saelab.hub;

import java.net.URI;
import java.net.http.HttpHeaders;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What the hub says about one file before it is downloaded: the answer to
 * {@code HEAD {endpoint}/{repo}/resolve/{revision}/{path}} (not following the redirect to the
 * storage host, whose headers are not the hub's).
 *
 * <p>Headers, as the Python client reads them ({@code huggingface_hub.file_download.get_hf_file_metadata}):
 * {@code X-Repo-Commit} is the commit the revision resolved to; {@code X-Linked-Etag} (files in Git
 * LFS) or else {@code ETag} identifies the content: the SHA-256 of an LFS file, the git blob hash of a
 * small file; {@code X-Linked-Size} or else {@code Content-Length} is the size.
 *
 * @param commit   the commit (40 hex), or null when the server sent none
 * @param etag     the content id without quotes or weak marker
 * @param size     the size in bytes, or -1 when unknown
 * @param location where to GET the bytes: the redirect target, or the resolve URL itself
 */
record FileMetadata(String commit, String etag, long size, URI location) {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern SAFE_ETAG = Pattern.compile("[A-Za-z0-9_.+=-]{1,200}");

    /** Reads the headers of the hub's answer; {@code location} is where to download from. */
    static FileMetadata from(HttpHeaders h, URI location, String what) throws HubException {
        String commit = h.firstValue("X-Repo-Commit").map(String::trim).orElse(null);
        if (commit != null && !HubNames.isCommit(commit)) {
            throw new HubException(HubException.Reason.PROTOCOL, what + ": the hub sent X-Repo-Commit '" + commit
                    + "'; expected a 40-hex commit hash");
        }
        String etag = h.firstValue("X-Linked-Etag").or(() -> h.firstValue("ETag")).map(FileMetadata::normalizeEtag).orElse(null);
        if (etag == null || etag.isEmpty()) {
            throw new HubException(HubException.Reason.PROTOCOL, what + ": the hub sent neither X-Linked-Etag nor ETag;"
                    + " is the endpoint a Hugging Face hub (HF_ENDPOINT)?");
        }
        if (!SAFE_ETAG.matcher(etag).matches() || etag.startsWith(".")) {
            throw new HubException(HubException.Reason.PROTOCOL, what + ": the hub sent an ETag '" + etag
                    + "' that cannot name a cache file; expected a hex hash");
        }
        long size = h.firstValue("X-Linked-Size").or(() -> h.firstValue("Content-Length")).map(s -> parseSize(s)).orElse(-1L);
        return new FileMetadata(commit, etag, size, location);
    }

    /** Strips a weak-validator prefix and quotes: {@code W/"abc"} becomes {@code abc}. */
    static String normalizeEtag(String raw) {
        String e = raw.trim();
        if (e.startsWith("W/")) {
            e = e.substring(2);
        }
        if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
            e = e.substring(1, e.length() - 1);
        }
        return e;
    }

    private static long parseSize(String s) {
        try {
            long v = Long.parseLong(s.trim());
            return v >= 0 ? v : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The SHA-256 the downloaded bytes must have, or null when the content id is not one (small files
     * in git carry a git blob hash, which is recorded but not checked).
     */
    String expectedSha256() {
        String lower = etag.toLowerCase(Locale.ROOT);
        return SHA256.matcher(lower).matches() ? lower : null;
    }
}
