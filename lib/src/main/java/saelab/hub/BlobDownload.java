package saelab.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import saelab.io.Progress;
import saelab.io.Sha256;

/**
 * Downloads one file's bytes into {@code blobs/{hash}}: into {@code blobs/{hash}.incomplete} first,
 * resuming a partial file with {@code Range: bytes=N-} (RFC 9110 section 14), hashing while writing,
 * and renaming to the final name only when complete and (for LFS files) verified against the
 * SHA-256 the hub announced. A mismatch deletes the partial data.
 *
 * <p>{@link saelab.io.AtomicFiles} is not used for the blob because its temporary names are random,
 * and resuming needs a stable one; the same rule holds: forced to disk, then renamed atomically.
 */
final class BlobDownload {

    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)");
    private static final int BUFFER = 1 << 20;

    private final HubTransport transport;
    private final HubSettings settings;

    BlobDownload(HubTransport transport, HubSettings settings) {
        this.transport = transport;
        this.settings = settings;
    }

    /**
     * Makes {@code blob} hold the file's bytes, unless it already exists. Holds the blob's lock
     * throughout, so concurrent callers (threads or processes) download it once.
     *
     * @param what "repo revision R file F", for messages
     */
    void fetch(FileMetadata meta, Path blob, Path lockFile, String what) throws IOException {
        try (BlobLock lock = BlobLock.acquire(lockFile)) {
            if (Files.isRegularFile(blob)) {
                return;
            }
            Files.createDirectories(blob.getParent());
            Path partial = blob.resolveSibling(blob.getFileName() + ".incomplete");
            for (int attempt = 1; ; attempt++) {
                try {
                    transfer(meta, partial, what);
                    break;
                } catch (Interrupted e) {
                    if (attempt >= settings.attempts()) {
                        throw new HubException(HubException.Reason.INTERRUPTED, what + ": the download broke off after "
                                + e.have + " of " + (meta.size() >= 0 ? meta.size() : "?") + " bytes (" + e.getMessage()
                                + "); the partial data is kept in " + partial + " and the next call resumes it", e.getCause());
                    }
                    pause();
                }
            }
            try {
                Files.move(partial, blob, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot rename " + partial + " to " + blob + " atomically", e);
            }
        }
    }

    private void pause() throws InterruptedIOException {
        try {
            Thread.sleep(settings.retryDelay());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to retry a download");
        }
    }

    /** A transfer that broke off with {@code have} bytes on disk; another attempt may resume it. */
    private static final class Interrupted extends Exception {
        final long have;

        Interrupted(long have, String message, Throwable cause) {
            super(message, cause);
            this.have = have;
        }
    }

    /** One attempt: resume or start, stream to the partial file, check size and hash. */
    private void transfer(FileMetadata meta, Path partial, String what) throws IOException, Interrupted {
        long have = Files.isRegularFile(partial) ? Files.size(partial) : 0;
        if (meta.size() >= 0 && have > meta.size()) {
            Files.delete(partial); // longer than the file: not ours to resume
            have = 0;
        }
        if (have > 0 && have == meta.size()) {
            verify(meta, partial, hashOf(partial, have), have, what); // complete already, only the rename was missing
            return;
        }
        HttpResponse<InputStream> r;
        try {
            r = transport.get(meta.location(), have > 0 ? Map.of("Range", "bytes=" + have + "-") : Map.of(), what);
        } catch (HubException e) {
            if (e.reason() == HubException.Reason.HTTP_ERROR && e.getCause() != null) {
                throw new Interrupted(have, e.getMessage(), e); // could not connect: worth another try
            }
            throw e;
        }
        try (InputStream in = r.body()) {
            int s = r.statusCode();
            long start;
            if (s == 206 && have > 0) {
                start = rangeStart(r, what);
                if (start != have) {
                    throw new HubException(HubException.Reason.PROTOCOL, what + ": asked to resume at byte " + have
                            + " but the server sent bytes from " + start);
                }
            } else if (s == 200) {
                start = 0; // a full answer: the server ignored Range (or none was sent), so start again
            } else if (s == 416 && have > 0) {
                Files.delete(partial); // the partial data does not fit the file any more; start again next time
                throw new Interrupted(0, "the server refused to resume at byte " + have + " (HTTP 416)", null);
            } else if (isTransient(s)) {
                throw new Interrupted(have, "HTTP " + s + " from " + HubTransport.redact(r.uri()) + " (a passing server condition)", null);
            } else {
                throw transport.statusError(s, r.headers(), r.uri(), what);
            }
            try (StallWatch watch = new StallWatch(in, settings.timeout())) {
                stream(in, watch, meta, partial, start, what);
            }
        }
    }

    /**
     * Statuses a retry may cure: 429 Too Many Requests and 500/502/503/504 (RFC 9110 section 15.6;
     * the Python hub client retries the same set).
     */
    static boolean isTransient(int status) {
        return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
    }

    private static long rangeStart(HttpResponse<?> r, String what) throws HubException {
        String cr = r.headers().firstValue("Content-Range").orElse("");
        Matcher m = CONTENT_RANGE.matcher(cr.trim());
        if (!m.matches()) {
            throw new HubException(HubException.Reason.PROTOCOL, what + ": HTTP 206 from " + HubTransport.redact(r.uri())
                    + " has Content-Range '" + cr + "'; expected 'bytes N-M/TOTAL'");
        }
        return Long.parseLong(m.group(1));
    }

    /** Appends the body at {@code start} (truncating anything after it), hashing as it goes. */
    private void stream(InputStream in, StallWatch watch, FileMetadata meta, Path partial, long start, String what)
            throws IOException, Interrupted {
        MessageDigest digest = meta.expectedSha256() != null ? hashOf(partial, start) : null;
        long total = meta.size();
        Progress progress = settings.progress() != null && total >= settings.progressMinBytes()
                ? new Progress("downloading " + what, "B", total - start, settings.progress(), 2000) : null;
        long have = start;
        try (FileChannel ch = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.truncate(start);
            ch.position(start);
            byte[] buf = new byte[BUFFER];
            try {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    if (total >= 0 && have + n > total) {
                        ch.close();
                        Files.delete(partial);
                        throw new HubException(HubException.Reason.PROTOCOL, what + ": the server sent more than the "
                                + total + " bytes it announced");
                    }
                    ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                    while (bb.hasRemaining()) {
                        ch.write(bb);
                    }
                    if (digest != null) {
                        digest.update(buf, 0, n);
                    }
                    have += n;
                    watch.moved();
                    if (progress != null) {
                        progress.advance(n);
                    }
                }
            } catch (IOException e) {
                if (e instanceof HubException) {
                    throw e;
                }
                ch.force(false); // keep what arrived for the next attempt
                String why = watch.fired() ? "no data for " + settings.timeout().toSeconds() + " s"
                        : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                throw new Interrupted(have, why, e);
            }
            ch.force(true);
        }
        if (progress != null) {
            progress.finish();
        }
        if (total >= 0 && have < total) {
            throw new Interrupted(have, "the connection ended early", null);
        }
        verify(meta, partial, digest, have, what);
    }

    /** A digest of the first {@code length} bytes of a file (none when {@code length} is 0). */
    private static MessageDigest hashOf(Path file, long length) throws IOException {
        MessageDigest d = Sha256.newDigest();
        if (length == 0) {
            return d;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(BUFFER);
            long left = length;
            while (left > 0) {
                buf.clear().limit((int) Math.min(BUFFER, left));
                int n = ch.read(buf);
                if (n < 0) {
                    throw new IOException(file + " is shorter than " + length + " bytes");
                }
                buf.flip();
                d.update(buf);
                left -= n;
            }
        }
        return d;
    }

    private static void verify(FileMetadata meta, Path partial, MessageDigest digest, long have, String what) throws IOException {
        String expected = meta.expectedSha256();
        if (expected == null || digest == null) {
            return; // a small file in git: its etag is a git blob hash, recorded as the blob name but not checked
        }
        String actual = Sha256.hex(digest);
        if (!actual.equals(expected)) {
            Files.deleteIfExists(partial);
            throw new HubException(HubException.Reason.CHECKSUM_MISMATCH, what + ": checksum mismatch: expected SHA-256 "
                    + expected + " (from the hub's ETag), got " + actual + " for the " + have
                    + " bytes received; the data was deleted, nothing was cached");
        }
    }
}
