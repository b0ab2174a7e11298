package saelab.hub;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Downloads files of Hugging Face model repositories into a local cache and answers repeated
 * requests from it.
 *
 * <p>Protocol ({@code lib/MODELS.md} §1.3, and the Python client {@code huggingface_hub}, whose
 * behaviour this follows): {@code HEAD {endpoint}/{repo}/resolve/{revision}/{path}} gives the
 * commit ({@code X-Repo-Commit}), the content id ({@code X-Linked-Etag} or {@code ETag}: the SHA-256
 * of LFS files) and, for LFS files, a redirect to a storage host; a GET there fetches the bytes
 * (see {@link BlobDownload}: resumable, verified). {@code GET {endpoint}/api/models/{repo}/revision/{revision}}
 * lists a repository's files.
 *
 * <p>Cache ({@link CacheLayout}, the Python client's layout): blobs stored once, snapshot folders of
 * links per commit, refs from branch or tag to commit. A Python cache ({@link HubSettings#pythonCacheDir()})
 * is read and never written. A branch or tag that the cache has already resolved is answered from
 * the cache with no request unless {@link HubSettings#revalidate()} is set; commits never change.
 * In offline mode nothing is requested and a missing file is an error naming repo, revision and file.
 *
 * <p>Thread-safe; one instance can serve a whole program. Close it to release the HTTP client.
 */
public final class HubClient implements AutoCloseable {

    /** The revision used when none is given. */
    public static final String DEFAULT_REVISION = "main";

    private final HubSettings settings;
    private final CacheLayout cache;
    private final CacheLayout python;
    private final SnapshotWriter writer;
    private final HubTransport transport;
    private final BlobDownload downloader;

    public HubClient(HubSettings settings) {
        this.settings = settings;
        this.cache = new CacheLayout(settings.cacheDir());
        this.python = settings.pythonCacheDir() == null || settings.pythonCacheDir().equals(settings.cacheDir())
                ? null : new CacheLayout(settings.pythonCacheDir());
        this.writer = new SnapshotWriter(cache);
        this.transport = new HubTransport(settings);
        this.downloader = new BlobDownload(transport, settings);
    }

    /** A client configured from the environment ({@link HubSettings#fromEnvironment()}). */
    public static HubClient fromEnvironment() {
        return new HubClient(HubSettings.fromEnvironment());
    }

    /** The settings in use. */
    public HubSettings settings() {
        return settings;
    }

    /**
     * The local path of one file of a repository at a revision, downloading it if needed.
     *
     * @param repo     {@code owner/name}
     * @param revision a branch, tag or 40-hex commit; null for {@value #DEFAULT_REVISION}
     * @param path     the file's path in the repository, e.g. {@code config.json}
     * @return the file in saelab's snapshot folder, or in the Python cache's when it is there
     * @throws IllegalArgumentException for a malformed repo id, revision or path
     * @throws HubException             when the file cannot be had (the reason says why)
     */
    public Path download(String repo, String revision, String path) throws IOException {
        RepoId id = RepoId.parse(repo);
        String rev = revision(revision);
        HubNames.checkFilePath(path);
        if (useCache(rev)) {
            Path hit = findCached(id, rev, path);
            if (hit != null) {
                return hit;
            }
        }
        if (settings.offline()) {
            throw notCached(id, rev, describe(id, rev, path));
        }
        return fetch(id, rev, path);
    }

    /**
     * The files of a repository at a revision (the commit it resolves to and every path). Served
     * from the cache under the same rules as {@link #download}; saved there when fetched.
     */
    public RepoListing listFiles(String repo, String revision) throws IOException {
        RepoId id = RepoId.parse(repo);
        String rev = revision(revision);
        RepoListing cached = useCache(rev) ? cachedListing(id, rev) : null;
        if (cached != null) {
            return cached;
        }
        if (settings.offline()) {
            throw notCached(id, rev, id + " revision " + rev + " file list");
        }
        return fetchListing(id, rev);
    }

    /** {@link #snapshot(String, String, List)} with {@link ModelFiles#DEFAULT}. */
    public Path snapshot(String repo, String revision) throws IOException {
        return snapshot(repo, revision, ModelFiles.DEFAULT);
    }

    /**
     * Makes saelab's snapshot folder of a repository at a revision hold every file that matches one
     * of the patterns (see {@link ModelFiles#select}), plus the shards of any
     * {@code *.safetensors.index.json} among them, and returns the folder
     * ({@code .../snapshots/{commit}}). Files found in the Python cache are linked, not copied.
     *
     * <p>Offline, with no file list cached for the commit (a cache filled by the Python client), the
     * files already in the snapshot folders are taken as the repository's files.
     *
     * @throws HubException when no file matches, or one cannot be had
     */
    public Path snapshot(String repo, String revision, List<String> patterns) throws IOException {
        RepoId id = RepoId.parse(repo);
        String rev = revision(revision);
        ModelFiles.select(List.of(), patterns); // checks the patterns before any request
        RepoListing listing = useCache(rev) ? cachedListing(id, rev) : null;
        String commit;
        Set<String> available;
        if (listing != null) {
            commit = listing.commit();
            available = new TreeSet<>(listing.files());
        } else if (settings.offline()) {
            commit = cachedCommit(id, rev);
            if (commit == null) {
                throw notCached(id, rev, id + " revision " + rev + " (no snapshot of it)");
            }
            available = new TreeSet<>(cache.snapshotFiles(id, commit));
            if (python != null) {
                available.addAll(python.snapshotFiles(id, commit));
            }
        } else {
            listing = fetchListing(id, rev);
            commit = listing.commit();
            available = new TreeSet<>(listing.files());
        }
        List<String> wanted = ModelFiles.select(available, patterns);
        if (wanted.isEmpty()) {
            throw new HubException(listing == null ? HubException.Reason.NOT_CACHED : HubException.Reason.NOT_FOUND,
                    id + " revision " + rev + ": no file matches " + patterns + "; " + (listing == null ? "the cache has " : "the repository has ")
                    + available);
        }
        for (String f : wanted) {
            ensure(id, commit, rev, f);
        }
        for (String f : wanted) {
            if (ModelFiles.isShardIndex(f)) {
                for (String shard : ModelFiles.shardsOf(cache.snapshotFile(id, commit, f), f)) {
                    if (listing != null && !available.contains(shard)) {
                        throw new HubException(HubException.Reason.NOT_FOUND, describe(id, rev, shard)
                                + ": named by " + f + " but not in the repository");
                    }
                    ensure(id, commit, rev, shard);
                }
            }
        }
        return cache.snapshotDir(id, commit);
    }

    @Override
    public void close() {
        transport.close();
    }

    // ---------------------------------------------------------------------------------------------

    private static String revision(String revision) {
        return HubNames.checkRevision(revision == null || revision.isBlank() ? DEFAULT_REVISION : revision);
    }

    /** Whether a cached answer may be used: offline, not revalidating, or a commit (immutable). */
    private boolean useCache(String rev) {
        return settings.offline() || !settings.revalidate() || HubNames.isCommit(rev);
    }

    private static String describe(RepoId id, String rev, String path) {
        return id + " revision " + rev + " file " + path;
    }

    private HubException notCached(RepoId id, String rev, String what) {
        return HubException.notCached(what, id + "@" + rev, settings.cacheDir() + (python == null ? "" : " and " + settings.pythonCacheDir()));
    }

    /** The commit a revision resolves to in saelab's cache, else in the Python cache, else null. */
    private String cachedCommit(RepoId id, String rev) {
        String c = cache.commitOf(id, rev);
        return c != null || python == null ? c : python.commitOf(id, rev);
    }

    private RepoListing cachedListing(RepoId id, String rev) {
        String commit = cachedCommit(id, rev);
        return commit == null ? null : RepoListing.read(cache.listing(id, commit));
    }

    /** A cached file for the revision: the commits known to either cache, each looked up in both. */
    private Path findCached(RepoId id, String rev, String path) {
        Set<String> commits = new LinkedHashSet<>();
        List<CacheLayout> layouts = new ArrayList<>(List.of(cache));
        if (python != null) {
            layouts.add(python);
        }
        for (CacheLayout l : layouts) {
            String c = l.commitOf(id, rev);
            if (c != null) {
                commits.add(c);
            }
        }
        for (String c : commits) {
            for (CacheLayout l : layouts) {
                Path f = l.existingFile(id, c, path);
                if (f != null) {
                    return f;
                }
            }
        }
        return null;
    }

    /** One file of a snapshot being assembled: already there, linked from the Python cache, or downloaded. */
    private void ensure(RepoId id, String commit, String rev, String path) throws IOException {
        if (cache.existingFile(id, commit, path) != null) {
            return;
        }
        Path py = python == null ? null : python.existingFile(id, commit, path);
        if (py != null) {
            writer.linkExternal(id, commit, path, py);
            return;
        }
        if (settings.offline()) {
            throw notCached(id, rev, describe(id, rev, path) + " (commit " + commit + ")");
        }
        Path got = fetch(id, commit, path);
        if (!got.startsWith(settings.cacheDir())) {
            writer.linkExternal(id, commit, path, got);
        }
    }

    /** Asks the hub about the file, then downloads its blob unless a cache has it. */
    private Path fetch(RepoId id, String rev, String path) throws IOException {
        String what = describe(id, rev, path);
        FileMetadata meta = transport.head(transport.resolveUrl(id, rev, path), what);
        String commit = meta.commit();
        if (commit == null) {
            if (!HubNames.isCommit(rev)) {
                throw new HubException(HubException.Reason.PROTOCOL, what + ": the hub sent no X-Repo-Commit header;"
                        + " is " + settings.endpoint() + " a Hugging Face hub (HF_ENDPOINT)?");
            }
            commit = rev;
        }
        Path entry = cache.existingFile(id, commit, path);
        if (entry == null && python != null) {
            entry = python.existingFile(id, commit, path);
        }
        if (entry == null) {
            Path blob = cache.blob(id, meta.etag());
            downloader.fetch(meta, blob, cache.lock(id, meta.etag()), what);
            entry = writer.linkBlob(id, commit, path, blob);
        }
        writer.writeRef(id, rev, commit);
        return entry;
    }

    private RepoListing fetchListing(RepoId id, String rev) throws IOException {
        var url = transport.apiUrl(id, rev);
        RepoListing listing = RepoListing.fromApi(transport.getBytes(url, id + " revision " + rev + " file list"), url);
        writer.writeListing(id, listing);
        writer.writeRef(id, rev, listing.commit());
        return listing;
    }
}
