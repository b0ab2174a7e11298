package saelab.hub;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import saelab.config.Workspace;

/**
 * How {@link HubClient} reaches the hub and where it caches files.
 *
 * <p>{@link #fromEnvironment()} follows the Python {@code huggingface_hub} client's variables where
 * they exist: {@code HF_ENDPOINT} (default {@code https://huggingface.co}), {@code HF_TOKEN},
 * {@code HF_HUB_OFFLINE} (also the system property {@code saelab.offline=true}), and for the
 * read-only Python cache {@code HF_HUB_CACHE}, else {@code $HF_HOME/hub}, else
 * {@code $XDG_CACHE_HOME/huggingface/hub}, else {@code ~/.cache/huggingface/hub}. saelab's own
 * cache is {@code $SAELAB_HUB_CACHE} when set, else {@code $SAELAB_HOME/hub}, else
 * {@code ~/.cache/saelab/hub}.
 *
 * @param endpoint         the hub's base URL, without a trailing '/'
 * @param token            a bearer token sent to the endpoint's own host (never to a redirect target on
 *                         another host), or null
 * @param cacheDir         saelab's cache (written)
 * @param pythonCacheDir   a Python hub cache that is read, never written; null for none
 * @param offline          use the caches only, make no request
 * @param revalidate       ask the server what a branch or tag points to now, even when the cache already
 *                         has a commit for it (commits are immutable and never re-checked); default false, so
 *                         a repeated call is answered from the cache with no request
 * @param attempts         tries per file when a transfer breaks off, stalls or meets HTTP 429/5xx (each resumes where the last stopped), >= 1
 * @param retryDelay       pause before the next try
 * @param timeout          connect timeout, the wait for a response's headers, and the longest silence in a body before it is dropped and resumed
 * @param progress         where large downloads report progress, or null for quiet
 * @param progressMinBytes files at least this large report progress
 */
public record HubSettings(URI endpoint, String token, Path cacheDir, Path pythonCacheDir, boolean offline,
        boolean revalidate, int attempts, Duration retryDelay, Duration timeout, PrintStream progress,
        long progressMinBytes) {

    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";
    public static final String OFFLINE_PROPERTY = "saelab.offline";
    public static final String CACHE_VAR = "SAELAB_HUB_CACHE";
    /** The values of a boolean environment variable that mean "on", as in the Python client. */
    private static final Set<String> TRUE_VALUES = Set.of("1", "ON", "YES", "TRUE");

    public HubSettings {
        if (endpoint == null || endpoint.getScheme() == null || endpoint.getHost() == null
                || !(endpoint.getScheme().equals("https") || endpoint.getScheme().equals("http"))) {
            throw new IllegalArgumentException("hub endpoint '" + endpoint + "' is not valid: expected an http(s) URL"
                    + " such as " + DEFAULT_ENDPOINT + " (environment variable HF_ENDPOINT)");
        }
        String e = endpoint.toString();
        while (e.endsWith("/")) {
            e = e.substring(0, e.length() - 1);
        }
        endpoint = URI.create(e);
        if (token != null && token.isBlank()) {
            token = null;
        }
        if (cacheDir == null) {
            throw new IllegalArgumentException("hub cache folder is not set");
        }
        cacheDir = cacheDir.toAbsolutePath().normalize();
        pythonCacheDir = pythonCacheDir == null ? null : pythonCacheDir.toAbsolutePath().normalize();
        if (attempts < 1) {
            throw new IllegalArgumentException("hub download attempts is " + attempts + "; expected at least 1");
        }
        if (retryDelay == null || retryDelay.isNegative() || timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("hub retry delay must be >= 0 and timeout > 0; got " + retryDelay + ", " + timeout);
        }
    }

    /** Defaults for a given cache folder: public endpoint, no token, online, no Python cache, quiet. */
    public static HubSettings of(Path cacheDir) {
        return new HubSettings(URI.create(DEFAULT_ENDPOINT), null, cacheDir, null, false, false, 3,
                Duration.ofSeconds(2), Duration.ofSeconds(60), null, 16L << 20);
    }

    /** Settings from this process's environment, system properties and home folder. */
    public static HubSettings fromEnvironment() {
        return fromEnvironment(System.getenv(), System.getProperties(), Path.of(System.getProperty("user.home")));
    }

    /** Settings from the given environment, system properties and home folder (see the class comment). */
    public static HubSettings fromEnvironment(Map<String, String> env, Properties props, Path home) {
        String endpoint = nonBlank(env.get("HF_ENDPOINT"));
        boolean offline = isTrue(env.get("HF_HUB_OFFLINE")) || isTrue(props.getProperty(OFFLINE_PROPERTY));
        return builder(saelabCache(env, home))
                .endpoint(URI.create(endpoint == null ? DEFAULT_ENDPOINT : endpoint))
                .token(nonBlank(env.get("HF_TOKEN")))
                .pythonCache(pythonCache(env, home))
                .offline(offline)
                .progress(System.err)
                .build();
    }

    private static Path saelabCache(Map<String, String> env, Path home) {
        String own = nonBlank(env.get(CACHE_VAR));
        if (own != null) {
            return Path.of(own);
        }
        String root = nonBlank(env.get(Workspace.HOME_VAR));
        return root != null ? Path.of(root, "hub") : home.resolve(".cache/saelab/hub");
    }

    private static Path pythonCache(Map<String, String> env, Path home) {
        String hubCache = nonBlank(env.get("HF_HUB_CACHE"));
        if (hubCache == null) {
            hubCache = nonBlank(env.get("HUGGINGFACE_HUB_CACHE")); // the older name, still read by the Python client
        }
        if (hubCache != null) {
            return Path.of(hubCache);
        }
        String hfHome = nonBlank(env.get("HF_HOME"));
        if (hfHome != null) {
            return Path.of(hfHome, "hub");
        }
        String xdg = nonBlank(env.get("XDG_CACHE_HOME"));
        return (xdg != null ? Path.of(xdg) : home.resolve(".cache")).resolve("huggingface/hub");
    }

    private static String nonBlank(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static boolean isTrue(String s) {
        return s != null && TRUE_VALUES.contains(s.trim().toUpperCase(Locale.ROOT));
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** A builder starting from the defaults of {@link #of(Path)}. */
    public static Builder builder(Path cacheDir) {
        return of(cacheDir).toBuilder();
    }

    /** Builder of {@link HubSettings}; {@link #build} validates as the record does. */
    public static final class Builder {
        private URI endpoint;
        private String token;
        private Path cacheDir;
        private Path pythonCacheDir;
        private boolean offline;
        private boolean revalidate;
        private int attempts;
        private Duration retryDelay;
        private Duration timeout;
        private PrintStream progress;
        private long progressMinBytes;

        private Builder(HubSettings s) {
            endpoint = s.endpoint;
            token = s.token;
            cacheDir = s.cacheDir;
            pythonCacheDir = s.pythonCacheDir;
            offline = s.offline;
            revalidate = s.revalidate;
            attempts = s.attempts;
            retryDelay = s.retryDelay;
            timeout = s.timeout;
            progress = s.progress;
            progressMinBytes = s.progressMinBytes;
        }

        public Builder endpoint(URI v) {
            endpoint = v;
            return this;
        }

        public Builder token(String v) {
            token = v;
            return this;
        }

        public Builder cacheDir(Path v) {
            cacheDir = v;
            return this;
        }

        /** A Python hub cache read as well (never written), or null for none. */
        public Builder pythonCache(Path v) {
            pythonCacheDir = v;
            return this;
        }

        /** Caches only, no request (as {@code HF_HUB_OFFLINE=1}). */
        public Builder offline(boolean v) {
            offline = v;
            return this;
        }

        /** Ask the server what a branch or tag points to now, even when the cache has a commit for it. */
        public Builder revalidate(boolean v) {
            revalidate = v;
            return this;
        }

        /** Tries per file and the pause between them. */
        public Builder attempts(int tries, Duration delay) {
            attempts = tries;
            retryDelay = delay;
            return this;
        }

        public Builder timeout(Duration v) {
            timeout = v;
            return this;
        }

        /** Where downloads of at least {@code minBytes} report progress (null: quiet). */
        public Builder progress(PrintStream to, long minBytes) {
            progress = to;
            progressMinBytes = minBytes;
            return this;
        }

        /** Where large downloads report progress (null: quiet), at the current size threshold. */
        public Builder progress(PrintStream to) {
            progress = to;
            return this;
        }

        public HubSettings build() {
            return new HubSettings(endpoint, token, cacheDir, pythonCacheDir, offline, revalidate, attempts, retryDelay, timeout,
                    progress, progressMinBytes);
        }
    }

    /** Like the record's text, with the token hidden. */
    @Override
    public String toString() {
        return "HubSettings[endpoint=" + endpoint + ", token=" + (token == null ? "none" : "set") + ", cacheDir=" + cacheDir
                + ", pythonCacheDir=" + pythonCacheDir + ", offline=" + offline + ", revalidate=" + revalidate
                + ", attempts=" + attempts + "]";
    }
}
