package saelab.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs {@link Main} in-process with standard output and error captured, for the CLI tests. */
final class CliRun {

    /** Exit code and what the command printed. */
    record Result(int code, String out, String err) {}

    private CliRun() {}

    /** Runs {@code saelab ARGS...} and returns its exit code and output. */
    static Result run(String... args) {
        return capture(() -> Main.run(args));
    }

    /** Runs {@code body} (returning an exit code) with standard output and error captured. */
    static Result capture(java.util.function.IntSupplier body) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = body.getAsInt();
        } finally {
            System.out.flush();
            System.err.flush();
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
