package saelab.web;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The machine's load average as {@code uptime} prints it (1, 5 and 15 minutes, from {@code /proc/loadavg} on Linux;
 * elsewhere the JVM's one-minute figure), printed beside every timing of the dashboards' benchmark: on a shared
 * machine a figure means little without it.
 */
final class LoadAverage {

    private LoadAverage() {}

    /** {@code load 0.82 1.53 3.00}. */
    static String now() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII).trim().split("\\s+");
            return "load " + f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException | RuntimeException e) {
            double one = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            return one < 0 ? "load unknown" : String.format(Locale.ROOT, "load %.2f", one);
        }
    }
}
