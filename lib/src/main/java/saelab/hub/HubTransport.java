package saelab.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Objects;
import saelab.BuildInfo;

/**
 * HTTP to the hub with {@link java.net.http.HttpClient}: the URLs, the headers, and redirects
 * followed by hand so that the bearer token goes only to the endpoint's own origin (scheme, host
 * and port) and never to a storage host the hub redirects to, as the Python client and
 * {@code requests} do. Error statuses become a {@link HubException} naming what was asked for.
 */
final class HubTransport implements AutoCloseable {

    private static final int MAX_REDIRECTS = 10;

    private final HubSettings settings;
    private final HttpClient http;
    private final String userAgent;

    HubTransport(HubSettings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.timeout())
                .build();
        this.userAgent = userAgent();
    }

    private static String userAgent() {
        String version;
        try {
            version = BuildInfo.current().version();
        } catch (RuntimeException e) {
            version = "dev";
        }
        return "saelab/" + version + "; java/" + Runtime.version().feature();
    }

    /** {@code {endpoint}/{repo}/resolve/{revision}/{path}}. */
    URI resolveUrl(RepoId repo, String revision, String path) {
        return URI.create(settings.endpoint() + "/" + repo.owner() + "/" + repo.name() + "/resolve/"
                + HubNames.encodeSegment(revision) + "/" + HubNames.encodePath(path));
    }

    /** {@code {endpoint}/api/models/{repo}/revision/{revision}}. */
    URI apiUrl(RepoId repo, String revision) {
        return URI.create(settings.endpoint() + "/api/models/" + repo.owner() + "/" + repo.name() + "/revision/"
                + HubNames.encodeSegment(revision));
    }

    /**
     * HEAD of a resolve URL. Relative redirects (a renamed repository) are followed, absolute ones (to
     * the storage host) are not: their headers carry the metadata, their Location is where to download.
     */
    FileMetadata head(URI url, String what) throws IOException {
        URI current = url;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpResponse<Void> r = send(request(current, "HEAD", Map.of()), HttpResponse.BodyHandlers.discarding(), what);
            int s = r.statusCode();
            if (isRedirect(s)) {
                String loc = location(r, what);
                URI target = current.resolve(loc);
                if (target.getHost() != null && URI.create(loc).getHost() == null) {
                    current = target;
                    continue;
                }
                return FileMetadata.from(r.headers(), target, what);
            }
            if (s >= 200 && s < 300) {
                return FileMetadata.from(r.headers(), current, what);
            }
            throw statusError(s, r.headers(), current, what);
        }
        throw new HubException(HubException.Reason.PROTOCOL, what + ": more than " + MAX_REDIRECTS + " redirects from " + redact(url));
    }

    /**
     * GET, following every redirect. The answer is the final non-redirect response with any status;
     * its body must be closed by the caller.
     */
    HttpResponse<InputStream> get(URI url, Map<String, String> headers, String what) throws IOException {
        URI current = url;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpResponse<InputStream> r = send(request(current, "GET", headers), HttpResponse.BodyHandlers.ofInputStream(), what);
            if (!isRedirect(r.statusCode())) {
                return r;
            }
            r.body().close();
            current = current.resolve(location(r, what));
        }
        throw new HubException(HubException.Reason.PROTOCOL, what + ": more than " + MAX_REDIRECTS + " redirects from " + redact(url));
    }

    /** GET of a small document (API JSON); error statuses are thrown. */
    byte[] getBytes(URI url, String what) throws IOException {
        HttpResponse<InputStream> r = get(url, Map.of("Accept", "application/json"), what);
        try (InputStream in = r.body()) {
            if (r.statusCode() != 200) {
                throw statusError(r.statusCode(), r.headers(), url, what);
            }
            return in.readAllBytes();
        }
    }

    private HttpRequest request(URI uri, String method, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(settings.timeout())
                .header("User-Agent", userAgent)
                .header("Accept-Encoding", "identity");
        if (settings.token() != null && sameOrigin(uri, settings.endpoint())) {
            b.header("Authorization", "Bearer " + settings.token());
        }
        headers.forEach(b::header);
        return b.build();
    }

    private <T> HttpResponse<T> send(HttpRequest req, HttpResponse.BodyHandler<T> handler, String what) throws IOException {
        try {
            return http.send(req, handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(what + ": interrupted while waiting for " + redact(req.uri()));
        } catch (IOException e) {
            throw new HubException(HubException.Reason.HTTP_ERROR, what + ": cannot reach " + redact(req.uri()) + " ("
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")", e);
        }
    }

    /** Scheme, host and port equal (default ports filled in). */
    static boolean sameOrigin(URI a, URI b) {
        return Objects.equals(lower(a.getScheme()), lower(b.getScheme())) && Objects.equals(lower(a.getHost()), lower(b.getHost()))
                && port(a) == port(b);
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(java.util.Locale.ROOT);
    }

    private static int port(URI u) {
        return u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    private static boolean isRedirect(int s) {
        return s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
    }

    /** The redirect target, checked to be a URL (relative or absolute). */
    private static String location(HttpResponse<?> r, String what) throws HubException {
        String loc = r.headers().firstValue("Location").orElseThrow(() -> new HubException(HubException.Reason.PROTOCOL,
                what + ": HTTP " + r.statusCode() + " redirect from " + redact(r.uri()) + " has no Location header"));
        try {
            URI.create(loc);
            return loc;
        } catch (IllegalArgumentException e) {
            throw new HubException(HubException.Reason.PROTOCOL, what + ": HTTP " + r.statusCode() + " redirect from "
                    + redact(r.uri()) + " has a Location that is not a URL", e);
        }
    }

    /** A URL for messages: without its query, which on storage hosts holds a signature. */
    static String redact(URI u) {
        return u.getScheme() + "://" + u.getRawAuthority() + (u.getRawPath() == null ? "" : u.getRawPath());
    }

    /** The error for an HTTP status other than success, naming what was asked for. */
    HubException statusError(int status, HttpHeaders h, URI url, String what) {
        String code = h.firstValue("X-Error-Code").orElse("");
        String serverMessage = h.firstValue("X-Error-Message").map(m -> " (" + m + ")").orElse("");
        if (status == 404) {
            String meaning = switch (code) {
                case "RepoNotFound" -> "the repository does not exist";
                case "RevisionNotFound" -> "the revision does not exist";
                case "EntryNotFound" -> "the file does not exist at this revision";
                default -> "not found";
            };
            return new HubException(HubException.Reason.NOT_FOUND, what + ": " + meaning + " (HTTP 404 from " + redact(url) + ")" + serverMessage);
        }
        if (status == 401 || status == 403) {
            String hint = settings.token() == null ? "set HF_TOKEN to a token that has access"
                    : "the token in HF_TOKEN has no access to it";
            return new HubException(HubException.Reason.ACCESS_DENIED, what + ": access denied (HTTP " + status + " from "
                    + redact(url) + ")" + serverMessage + "; the repository is private or gated, or does not exist; " + hint);
        }
        return new HubException(HubException.Reason.HTTP_ERROR, what + ": HTTP " + status + " from " + redact(url) + serverMessage);
    }

    @Override
    public void close() {
        http.close();
    }
}
