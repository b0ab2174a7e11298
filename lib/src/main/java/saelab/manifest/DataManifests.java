package saelab.manifest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import saelab.io.ConfinedPaths;
import saelab.io.Json;
import saelab.io.Sha256;
import saelab.store.CacheManifest;
import saelab.store.CacheVerifier;

/**
 * Reads, writes and checks the data manifests of {@code data-manifests/{datasets,models,caches}/}.
 */
public final class DataManifests {

    static final Set<String> KINDS = Set.of("dataset", "model", "cache");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

    /**
     * The state of one manifest on this machine.
     *
     * @param manifest the manifest
     * @param file     its file
     * @param local    the resolved folder, or null without a data root
     * @param status   {@code ok}, {@code missing}, {@code different} or {@code no data root}
     * @param problems what differs, file by file
     */
    public record Check(DataManifest manifest, Path file, Path local, String status, List<String> problems) {}

    /** How thoroughly {@link #check} compares a manifest with the local copy. */
    public enum Depth {
        /** Every listed file present with its size; checksums only of files under 1 MiB. */
        QUICK,
        /** Also every file's checksum and, for caches, every shard against the cache manifest. */
        DEEP
    }

    private DataManifests() {}

    /** The folder of one kind: {@code data-manifests/<kind>s/}. */
    public static Path folder(Path manifestsDir, String kind) {
        return manifestsDir.resolve(kind + "s");
    }

    /** The data manifest files under {@code manifestsDir} (not yet read: {@link #read} validates each). */
    public static List<Path> list(Path manifestsDir) {
        List<Path> out = new ArrayList<>();
        for (String kind : List.of("dataset", "model", "cache")) {
            Path dir = folder(manifestsDir, kind);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> p.toString().endsWith(".json")).sorted().forEach(out::add);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + dir, e);
            }
        }
        return out;
    }

    /** Reads and validates one manifest file. */
    public static DataManifest read(Path file) {
        DataManifest m = Json.read(file, DataManifest.class, "data manifest");
        String at = file + ": field ";
        if (m.id() == null || !ID.matcher(m.id()).matches() || !file.getFileName().toString().equals(m.id() + ".json")) {
            throw new IllegalArgumentException(at + "'id': expected a plain id equal to the file name, got '" + m.id() + "'");
        }
        if (!KINDS.contains(m.kind()) || !file.getParent().getFileName().toString().equals(m.kind() + "s")) {
            throw new IllegalArgumentException(at + "'kind': expected one of " + KINDS + " matching the folder "
                    + file.getParent().getFileName() + ", got '" + m.kind() + "'");
        }
        if (m.location() == null || m.location().isBlank() || ConfinedPaths.lexicalProblem(m.location()) != null) {
            throw new IllegalArgumentException(at + "'location': expected a folder relative to the data root, got '" + m.location() + "'");
        }
        if (m.files() == null || m.files().isEmpty()) {
            throw new IllegalArgumentException(at + "'files': expected at least one file with bytes and sha256");
        }
        for (int i = 0; i < m.files().size(); i++) {
            DataManifest.FileEntry f = m.files().get(i);
            if (f == null || f.path() == null || f.path().isBlank() || ConfinedPaths.lexicalProblem(f.path()) != null
                    || f.bytes() < 0 || f.sha256() == null || !HEX64.matcher(f.sha256()).matches()) {
                throw new IllegalArgumentException(at + "'files[" + i + "]': expected {path (relative), bytes >= 0, sha256 (64 hex)}, got " + f);
            }
        }
        return m;
    }

    /**
     * Writes a manifest for an existing activation cache: its {@code manifest.json} with size and
     * checksum (the cache manifest in turn holds the checksum of every shard).
     *
     * @param location the cache folder relative to the data root
     * @return the written manifest file
     */
    public static Path registerCache(Path manifestsDir, String id, Path dataRoot, String location, String note) throws IOException {
        ConfinedPaths.requirePlainName(id, "--id", "id");
        String why = ConfinedPaths.lexicalProblem(location);
        if (why != null) {
            throw new IllegalArgumentException("LOCATION: expected a cache folder relative to the data root " + dataRoot + ", got '"
                    + location + "' (" + why + ")");
        }
        // the location itself may be a symbolic link (datasets and caches are often linked into the data root)
        Path cacheDir = dataRoot.resolve(location);
        CacheManifest cm = saelab.store.ActivationCache.readManifest(cacheDir);
        if (!cm.complete()) {
            throw new IllegalStateException("the cache in " + cacheDir + " is incomplete; finish it before registering it");
        }
        Path mf = cacheDir.resolve(CacheManifest.FILE_NAME);
        DataManifest m = new DataManifest(id, "cache", location,
                List.of(new DataManifest.FileEntry(CacheManifest.FILE_NAME, Files.size(mf), Sha256.of(mf))), note);
        Path file = folder(manifestsDir, "cache").resolve(id + ".json");
        Json.write(file, m);
        read(file); // validate what was written
        return file;
    }

    /**
     * Checks one manifest against the local copy: every listed file present with its size (and its
     * checksum with {@link Depth#DEEP}, and then for caches every shard against the cache manifest).
     */
    public static Check check(Path file, Path dataRoot, Depth depth) {
        boolean deep = depth == Depth.DEEP;
        DataManifest m = read(file);
        if (dataRoot == null) {
            return new Check(m, file, null, "no data root", List.of("set " + DataRoot.VAR
                    + " or data_root in ~/.config/saelab/config.json"));
        }
        Path local = dataRoot.resolve(m.location()); // relative without '..' (read checks it); may be a linked folder
        List<String> problems = new ArrayList<>();
        if (!Files.isDirectory(local)) {
            return new Check(m, file, local, "missing", List.of(local + ": folder missing"));
        }
        for (DataManifest.FileEntry f : m.files()) {
            Path p = ConfinedPaths.resolveLexically(local, f.path(), file, "files[].path"); // the user's own tree: links are followed
            try {
                if (!Files.isRegularFile(p)) {
                    problems.add(p + ": missing");
                } else if (Files.size(p) != f.bytes()) {
                    problems.add(p + ": " + Files.size(p) + " bytes, manifest says " + f.bytes());
                } else if ((deep || f.bytes() < (1 << 20)) && !Sha256.of(p).equals(f.sha256())) {
                    problems.add(p + ": SHA-256 differs from the manifest's");
                }
            } catch (IOException e) {
                problems.add(p + ": unreadable: " + e.getMessage());
            }
        }
        if (deep && m.kind().equals("cache") && problems.isEmpty()) {
            CacheVerifier.verify(local, line -> { }).forEach(pr -> problems.add(pr.toString()));
        }
        return new Check(m, file, local, problems.isEmpty() ? "ok" : "different", List.copyOf(problems));
    }
}
