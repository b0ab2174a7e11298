package saelab.hub;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Checks and URL encoding of the strings that go into hub URLs and cache paths: revisions and
 * file paths inside a repository. Anything that could climb out of a cache folder ({@code ..},
 * absolute paths, back-slashes) is refused before it reaches the file system.
 */
final class HubNames {

    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
    private static final Pattern REVISION = Pattern.compile("[A-Za-z0-9._+/-]{1,255}");

    private HubNames() {}

    /** Whether {@code revision} is a full commit hash (40 lower-case hex digits), which never changes. */
    static boolean isCommit(String revision) {
        return revision != null && COMMIT.matcher(revision).matches();
    }

    /**
     * Checks a revision: a branch, a tag or a commit; {@code refs/pr/N} style names are allowed.
     *
     * @throws IllegalArgumentException naming the revision and what is allowed
     */
    static String checkRevision(String revision) {
        if (revision == null || !REVISION.matcher(revision).matches() || revision.startsWith("/")
                || revision.endsWith("/") || revision.contains("//") || hasDotSegment(revision)) {
            throw new IllegalArgumentException("revision '" + revision + "' is not valid: expected a branch, a tag or a"
                    + " 40-hex commit (letters, digits, '.', '_', '+', '-', '/'; no empty, '.' or '..' part)");
        }
        return revision;
    }

    /**
     * Checks a file path inside a repository: relative, '/'-separated, no empty, '.' or '..' part.
     *
     * @throws IllegalArgumentException naming the path and what is allowed
     */
    static String checkFilePath(String path) {
        if (path == null || path.isEmpty() || path.startsWith("/") || path.endsWith("/") || path.contains("//")
                || path.contains("\\") || path.indexOf('\0') >= 0 || hasDotSegment(path)) {
            throw new IllegalArgumentException("file path '" + path + "' is not valid: expected a relative path inside"
                    + " the repository with '/' separators and no empty, '.' or '..' part (for example config.json)");
        }
        return path;
    }

    private static boolean hasDotSegment(String s) {
        for (String part : s.split("/", -1)) {
            if (part.equals(".") || part.equals("..")) {
                return true;
            }
        }
        return false;
    }

    /** Percent-encodes every byte that is not an RFC 3986 unreserved character (so '/' too). */
    static String encodeSegment(String s) {
        return encode(s, false);
    }

    /** Percent-encodes a path, keeping its '/' separators. */
    static String encodePath(String s) {
        return encode(s, true);
    }

    // java.net.URLEncoder does form encoding (space as '+'), which is wrong in a URL path; this is the
    // path-segment rule of RFC 3986 section 2, small enough to write out.
    private static String encode(String s, boolean keepSlash) {
        StringBuilder sb = new StringBuilder(s.length());
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            boolean unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~' || (keepSlash && c == '/');
            if (unreserved) {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }
}
