package saelab.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpHeaders;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Repository ids, revisions, paths, URL encoding and the metadata headers. */
class HubNamesTest {

    @Test
    void repoIdsFollowTheHubsRule() {
        RepoId id = RepoId.parse("facebook/dinov2-base");
        assertEquals("facebook", id.owner());
        assertEquals("dinov2-base", id.name());
        assertEquals("models--facebook--dinov2-base", id.cacheFolder());
        assertEquals("facebook/dinov2-base", id.toString());
        assertTrue(RepoId.isValid("google/siglip-base-patch16-224"));
        for (String bad : List.of("dinov2", "a/b/c", "/b", "a/", "a--b/c", "a/b..c", "a/-b", "a/b c", "../x")) {
            assertFalse(RepoId.isValid(bad), bad);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RepoId.parse(bad));
            assertTrue(e.getMessage().contains("owner/name") || e.getMessage().contains("'/'"), e.getMessage());
        }
    }

    @Test
    void revisionsAndPathsCannotLeaveTheCache() {
        assertEquals("refs/pr/1", HubNames.checkRevision("refs/pr/1"));
        assertEquals("v1.0", HubNames.checkRevision("v1.0"));
        assertTrue(HubNames.isCommit("0123456789abcdef0123456789abcdef01234567"));
        assertFalse(HubNames.isCommit("0123456789ABCDEF0123456789abcdef01234567"));
        assertFalse(HubNames.isCommit("main"));
        for (String bad : List.of("", "..", "a/../b", "/main", "main/", "a b", "a\\b")) {
            assertThrows(IllegalArgumentException.class, () -> HubNames.checkRevision(bad), bad);
        }
        assertEquals("sub/model.safetensors", HubNames.checkFilePath("sub/model.safetensors"));
        for (String bad : List.of("", "/etc/passwd", "../x", "a/./b", "a//b", "a\\b", "a/")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HubNames.checkFilePath(bad), bad);
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void urlEncodingKeepsOnlyUnreservedCharacters() {
        assertEquals("refs%2Fpr%2F1", HubNames.encodeSegment("refs/pr/1"));
        assertEquals("sub/a%20b%2Bc%C3%A9.json", HubNames.encodePath("sub/a b+cé.json"));
    }

    @Test
    void urlsFollowTheHubLayout() {
        try (HubTransport t = new HubTransport(HubSettings.of(java.nio.file.Path.of("/tmp/x")).toBuilder().endpoint(URI.create("https://mirror.example/hf/")).build())) {
            RepoId id = RepoId.parse("openai/clip-vit-base-patch16");
            assertEquals("https://mirror.example/hf/openai/clip-vit-base-patch16/resolve/refs%2Fpr%2F3/sub/config.json",
                    t.resolveUrl(id, "refs/pr/3", "sub/config.json").toString());
            assertEquals("https://mirror.example/hf/api/models/openai/clip-vit-base-patch16/revision/main",
                    t.apiUrl(id, "main").toString());
        }
        assertTrue(HubTransport.sameOrigin(URI.create("https://huggingface.co/a"), URI.create("https://HuggingFace.co:443/b")));
        assertFalse(HubTransport.sameOrigin(URI.create("https://huggingface.co/a"), URI.create("https://cdn-lfs.huggingface.co/b")));
        assertFalse(HubTransport.sameOrigin(URI.create("http://127.0.0.1:1000/"), URI.create("http://127.0.0.1:1001/")));
        assertEquals("https://cdn.example/lfs/abc", HubTransport.redact(URI.create("https://cdn.example/lfs/abc?X-Amz-Signature=s")));
    }

    @Test
    void metadataHeadersAreReadLikeThePythonClient() throws HubException {
        String sha = "a".repeat(64);
        String commit = "b".repeat(40);
        URI loc = URI.create("https://cdn.example/x");
        FileMetadata lfs = FileMetadata.from(headers(Map.of("X-Repo-Commit", commit, "X-Linked-Etag", "\"" + sha + "\"",
                "ETag", "\"other\"", "X-Linked-Size", "123", "Content-Length", "9")), loc, "w");
        assertEquals(new FileMetadata(commit, sha, 123, loc), lfs);
        assertEquals(sha, lfs.expectedSha256());

        FileMetadata small = FileMetadata.from(headers(Map.of("ETag", "W/\"" + "c".repeat(40) + "\"", "Content-Length", "9")), loc, "w");
        assertEquals("c".repeat(40), small.etag());
        assertEquals(9, small.size());
        assertEquals(null, small.commit());
        assertEquals(null, small.expectedSha256(), "a git blob hash is not checked");

        HubException none = assertThrows(HubException.class, () -> FileMetadata.from(headers(Map.of("X-Repo-Commit", commit)), loc, "repo x file y"));
        assertTrue(none.getMessage().startsWith("repo x file y") && none.getMessage().contains("ETag"), none.getMessage());
        assertThrows(HubException.class, () -> FileMetadata.from(headers(Map.of("ETag", "\"../../evil\"")), loc, "w"));
        assertThrows(HubException.class, () -> FileMetadata.from(headers(Map.of("ETag", "\"abc\"", "X-Repo-Commit", "main")), loc, "w"));
    }

    private static HttpHeaders headers(Map<String, String> h) {
        return HttpHeaders.of(h.entrySet().stream().collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> List.of(e.getValue()))),
                (a, b) -> true);
    }
}
