package saelab.hub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import saelab.io.Sha256;

/**
 * A small Hugging Face hub on 127.0.0.1 for tests: a "hub" server answering the API and resolve
 * URLs, and a "cdn" server on another port (another origin) holding the LFS bytes the hub
 * redirects to. Every request is logged; the CDN can be told to corrupt bytes, to ignore Range, or
 * to cut the connection half-way.
 */
final class FakeHub implements AutoCloseable {

    /** One request as a server saw it. */
    record Request(String server, String method, String path, String range, String authorization) {}

    /** A file in a repository. */
    record Entry(byte[] bytes, boolean lfs) {
        String sha256() {
            return Sha256.of(bytes);
        }

        /** The git blob hash the hub gives small files as their ETag. */
        String gitSha1() {
            try {
                MessageDigest d = MessageDigest.getInstance("SHA-1");
                d.update(("blob " + bytes.length + "\0").getBytes(StandardCharsets.US_ASCII));
                d.update(bytes);
                return HexFormat.of().formatHex(d.digest());
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A repository at one commit, reachable as "main" or by the commit. */
    record Repo(String commit, Map<String, Entry> files, String requiredToken) {}

    final List<Request> log = new CopyOnWriteArrayList<>();
    private final Map<String, Repo> repos = new ConcurrentHashMap<>();
    private final HttpServer hub;
    private final HttpServer cdn;

    volatile boolean corrupt;
    volatile boolean ignoreRange;
    /** How many CDN answers are cut half-way, counting down. */
    volatile int cutsLeft;
    /** How many CDN answers are "503 Service Unavailable", counting down. */
    volatile int busyLeft;
    /** How many CDN answers send half the body and then stall for {@link #stallMillis}, counting down. */
    volatile int stallsLeft;
    volatile long stallMillis = 5_000;

    FakeHub() throws IOException {
        InetAddress lo = InetAddress.getLoopbackAddress();
        hub = HttpServer.create(new InetSocketAddress(lo, 0), 0);
        cdn = HttpServer.create(new InetSocketAddress(lo, 0), 0);
        hub.createContext("/", this::onHub);
        cdn.createContext("/", this::onCdn);
        hub.setExecutor(Executors.newFixedThreadPool(4));
        cdn.setExecutor(Executors.newFixedThreadPool(4));
        hub.start();
        cdn.start();
    }

    /** {@code http://127.0.0.1:PORT} of the hub. */
    URI endpoint() {
        return URI.create("http://127.0.0.1:" + hub.getAddress().getPort());
    }

    /** Adds a repository. */
    FakeHub repo(String id, String commit, Map<String, Entry> files) {
        return repo(id, commit, files, null);
    }

    /** Adds a repository that answers only requests bearing {@code token}. */
    FakeHub repo(String id, String commit, Map<String, Entry> files, String token) {
        repos.put(id, new Repo(commit, new LinkedHashMap<>(files), token));
        return this;
    }

    /** Requests seen by one server ("hub" or "cdn"). */
    List<Request> requests(String server) {
        return log.stream().filter(r -> r.server().equals(server)).toList();
    }

    private void onHub(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getRawPath();
        log.add(new Request("hub", ex.getRequestMethod(), path, ex.getRequestHeaders().getFirst("Range"),
                ex.getRequestHeaders().getFirst("Authorization")));
        try (ex) {
            String[] p = path.substring(1).split("/", -1);
            if (p.length >= 6 && p[0].equals("api") && p[1].equals("models") && p[4].equals("revision")) {
                Repo repo = findRepo(ex, p[2] + "/" + p[3], decode(p[5]));
                if (repo != null) {
                    StringBuilder json = new StringBuilder("{\"id\":\"" + p[2] + "/" + p[3] + "\",\"sha\":\"" + repo.commit()
                            + "\",\"private\":false,\"siblings\":[");
                    List<String> names = new ArrayList<>(repo.files().keySet());
                    for (int i = 0; i < names.size(); i++) {
                        json.append(i == 0 ? "" : ",").append("{\"rfilename\":\"").append(names.get(i)).append("\"}");
                    }
                    byte[] body = json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
                    ex.getResponseHeaders().set("Content-Type", "application/json");
                    send(ex, 200, body);
                }
                return;
            }
            if (p.length >= 5 && p[2].equals("resolve")) {
                Repo repo = findRepo(ex, p[0] + "/" + p[1], decode(p[3]));
                if (repo == null) {
                    return;
                }
                String file = decode(String.join("/", List.of(p).subList(4, p.length)));
                Entry e = repo.files().get(file);
                if (e == null) {
                    ex.getResponseHeaders().set("X-Error-Code", "EntryNotFound");
                    send(ex, 404, "Entry not found".getBytes(StandardCharsets.UTF_8));
                    return;
                }
                ex.getResponseHeaders().set("X-Repo-Commit", repo.commit());
                if (e.lfs()) {
                    ex.getResponseHeaders().set("X-Linked-Etag", "\"" + e.sha256() + "\"");
                    ex.getResponseHeaders().set("X-Linked-Size", Long.toString(e.bytes().length));
                    ex.getResponseHeaders().set("Location", "http://127.0.0.1:" + cdn.getAddress().getPort() + "/lfs/"
                            + e.sha256() + "?sig=secret");
                    send(ex, 302, new byte[0]);
                } else {
                    ex.getResponseHeaders().set("ETag", "\"" + e.gitSha1() + "\"");
                    send(ex, 200, e.bytes());
                }
                return;
            }
            send(ex, 404, new byte[0]);
        }
    }

    /** The repository and revision of a request, or null after answering 404/401. */
    private Repo findRepo(HttpExchange ex, String id, String revision) throws IOException {
        Repo repo = repos.get(id);
        if (repo == null) {
            ex.getResponseHeaders().set("X-Error-Code", "RepoNotFound");
            send(ex, 404, new byte[0]);
            return null;
        }
        if (repo.requiredToken() != null && !("Bearer " + repo.requiredToken()).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
            ex.getResponseHeaders().set("X-Error-Code", "RepoNotFound");
            send(ex, 401, new byte[0]);
            return null;
        }
        if (!revision.equals("main") && !revision.equals(repo.commit())) {
            ex.getResponseHeaders().set("X-Error-Code", "RevisionNotFound");
            send(ex, 404, new byte[0]);
            return null;
        }
        return repo;
    }

    private void onCdn(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getRawPath();
        String range = ex.getRequestHeaders().getFirst("Range");
        log.add(new Request("cdn", ex.getRequestMethod(), path, range, ex.getRequestHeaders().getFirst("Authorization")));
        try (ex) {
            String sha = path.startsWith("/lfs/") ? path.substring(5) : "";
            byte[] bytes = repos.values().stream().flatMap(r -> r.files().values().stream())
                    .filter(e -> e.lfs() && e.sha256().equals(sha)).map(Entry::bytes).findFirst().orElse(null);
            if (bytes == null) {
                send(ex, 404, new byte[0]);
                return;
            }
            if (busyLeft > 0) {
                busyLeft--;
                send(ex, 503, new byte[0]);
                return;
            }
            if (corrupt) {
                bytes = bytes.clone();
                bytes[bytes.length / 3] ^= 0x5a;
            }
            int start = 0;
            if (range != null && !ignoreRange && range.startsWith("bytes=") && range.endsWith("-")) {
                start = Integer.parseInt(range.substring(6, range.length() - 1));
            }
            int len = bytes.length - start;
            if (start > 0) {
                ex.getResponseHeaders().set("Content-Range", "bytes " + start + "-" + (bytes.length - 1) + "/" + bytes.length);
            }
            if (ex.getRequestMethod().equals("HEAD")) {
                ex.sendResponseHeaders(start > 0 ? 206 : 200, -1);
                return;
            }
            ex.sendResponseHeaders(start > 0 ? 206 : 200, len);
            OutputStream out = ex.getResponseBody();
            if (cutsLeft > 0) {
                cutsLeft--;
                out.write(bytes, start, len / 2);
                out.flush();
                pause(); // let the client take in the bytes sent so far, so the cut point is (nearly) always half
                // closing with fewer bytes than announced makes the server drop the connection
                return;
            }
            if (stallsLeft > 0) {
                stallsLeft--;
                out.write(bytes, start, len / 2);
                out.flush();
                Thread.sleep(stallMillis); // the connection stays open but silent
                return;
            }
            out.write(bytes, start, len);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException expectedOnCut) {
            // "insufficient bytes written to stream": the cut connection
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        boolean head = ex.getRequestMethod().equals("HEAD");
        if (head || body.length == 0) {
            if (head && body.length > 0) {
                ex.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
            }
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }

    private static String decode(String s) {
        return java.net.URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        hub.stop(0);
        cdn.stop(0);
        ((java.util.concurrent.ExecutorService) hub.getExecutor()).shutdownNow();
        ((java.util.concurrent.ExecutorService) cdn.getExecutor()).shutdownNow();
    }
}
