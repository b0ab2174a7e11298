package saelab.hub;

import java.util.regex.Pattern;

/**
 * A Hugging Face model repository id, {@code owner/name} (for example {@code facebook/dinov2-base}).
 *
 * <p>Both parts follow the hub's naming rule: letters, digits, {@code -}, {@code _} and {@code .},
 * starting and ending with a letter or digit, with no {@code --} and no {@code ..} (the hub forbids
 * them, and the cache folder name {@code models--owner--name} relies on it), at most 96 characters
 * in all.
 *
 * @param owner the user or organisation
 * @param name  the repository name
 */
public record RepoId(String owner, String name) {

    private static final Pattern PART = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?");
    private static final int MAX_LENGTH = 96;

    public RepoId {
        String id = owner + "/" + name;
        if (owner == null || name == null || !PART.matcher(owner).matches() || !PART.matcher(name).matches()
                || id.contains("--") || id.contains("..") || id.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("hub model id '" + id + "' is not valid: expected owner/name, each part"
                    + " letters, digits, '-', '_' or '.', starting and ending with a letter or digit, without '--' or '..',"
                    + " at most " + MAX_LENGTH + " characters (for example facebook/dinov2-base)");
        }
    }

    /** Whether {@code text} is a well-formed {@code owner/name} id. */
    public static boolean isValid(String text) {
        if (text == null) {
            return false;
        }
        int slash = text.indexOf('/');
        if (slash < 0 || text.indexOf('/', slash + 1) >= 0) {
            return false;
        }
        try {
            new RepoId(text.substring(0, slash), text.substring(slash + 1));
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Parses {@code owner/name}.
     *
     * @throws IllegalArgumentException naming the text and the expected form
     */
    public static RepoId parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("hub model id is empty: expected owner/name, for example facebook/dinov2-base");
        }
        int slash = text.indexOf('/');
        if (slash < 0 || text.indexOf('/', slash + 1) >= 0) {
            throw new IllegalArgumentException("hub model id '" + text + "' is not valid: expected exactly one '/'"
                    + " between owner and name, for example facebook/dinov2-base");
        }
        return new RepoId(text.substring(0, slash), text.substring(slash + 1));
    }

    /** The cache folder of this repository, as the Python hub client names it: {@code models--owner--name}. */
    public String cacheFolder() {
        return "models--" + owner + "--" + name;
    }

    @Override
    public String toString() {
        return owner + "/" + name;
    }
}
