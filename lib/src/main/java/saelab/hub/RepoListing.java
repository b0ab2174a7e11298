package saelab.hub;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import saelab.io.Json;

/**
 * The files of a repository at one commit, as the hub's model-info API reports them
 * ({@code GET {endpoint}/api/models/{repo}/revision/{revision}}: {@code sha} is the commit,
 * {@code siblings[].rfilename} the paths).
 *
 * @param commit the 40-hex commit
 * @param files  the file paths in the repository, '/'-separated, sorted
 */
public record RepoListing(String commit, List<String> files) {

    public RepoListing {
        if (!HubNames.isCommit(commit)) {
            throw new IllegalArgumentException("repository listing commit '" + commit + "' is not a 40-hex commit hash");
        }
        List<String> sorted = new ArrayList<>(files);
        sorted.forEach(HubNames::checkFilePath);
        sorted.sort(null);
        files = List.copyOf(sorted);
    }

    /**
     * Reads the model-info JSON the hub returned from {@code url}.
     *
     * @throws HubException ({@link HubException.Reason#PROTOCOL}) naming the URL and the missing or bad field
     */
    static RepoListing fromApi(byte[] json, URI url) throws HubException {
        JsonNode root;
        try {
            root = Json.mapper().readTree(json);
        } catch (IOException e) {
            throw new HubException(HubException.Reason.PROTOCOL, "the hub's answer from " + url + " is not valid JSON: " + e.getMessage(), e);
        }
        JsonNode sha = root == null ? null : root.get("sha");
        if (sha == null || !sha.isTextual() || !HubNames.isCommit(sha.asText())) {
            throw new HubException(HubException.Reason.PROTOCOL, "the hub's answer from " + url
                    + " has no field 'sha' with a 40-hex commit hash");
        }
        JsonNode siblings = root.get("siblings");
        if (siblings == null || !siblings.isArray()) {
            throw new HubException(HubException.Reason.PROTOCOL, "the hub's answer from " + url
                    + " has no array field 'siblings'");
        }
        List<String> files = new ArrayList<>();
        for (int i = 0; i < siblings.size(); i++) {
            JsonNode name = siblings.get(i).get("rfilename");
            if (name == null || !name.isTextual()) {
                throw new HubException(HubException.Reason.PROTOCOL, "the hub's answer from " + url
                        + " has no text field 'siblings[" + i + "].rfilename'");
            }
            try {
                files.add(HubNames.checkFilePath(name.asText()));
            } catch (IllegalArgumentException e) {
                throw new HubException(HubException.Reason.PROTOCOL, "the hub's answer from " + url + ", field 'siblings["
                        + i + "].rfilename': " + e.getMessage());
            }
        }
        return new RepoListing(sha.asText(), files);
    }

    /** Reads a listing saved in the cache, or returns null when there is none. */
    static RepoListing read(Path file) {
        return Files.isRegularFile(file) ? Json.read(file, RepoListing.class, "hub cache listing") : null;
    }

    /** Saves this listing in the cache, atomically. */
    void write(Path file) throws IOException {
        Json.write(file, this);
    }
}
