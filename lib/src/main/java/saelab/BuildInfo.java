package saelab;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** Version of this saelab build and of the compute stack it was built against (read from the jar). */
public record BuildInfo(String version, String djlVersion, String pytorchVersion) {

    private static final String RESOURCE = "/saelab/version.properties";

    /** Reads the build information that Maven filtered into {@code saelab/version.properties}. */
    public static BuildInfo current() {
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("classpath resource " + RESOURCE
                        + " is missing: the saelab jar was not built by Maven (run ./saelab --version to rebuild)");
            }
            Properties p = new Properties();
            p.load(in);
            return new BuildInfo(p.getProperty("version"), p.getProperty("djl"), p.getProperty("pytorch"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /** One line: {@code saelab 0.1.0 (Java 25, DJL 0.35.1, PyTorch 2.7.1)}. */
    public String describe() {
        return "saelab " + version + " (Java " + Runtime.version().feature() + ", DJL " + djlVersion
                + ", PyTorch " + pytorchVersion + ")";
    }
}
