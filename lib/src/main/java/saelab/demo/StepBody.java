package saelab.demo;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/** The work of one pipeline step ({@link Step}): writes its output into a fresh folder and returns summary numbers. */
@FunctionalInterface
public interface StepBody {

    /**
     * Builds the step's output.
     *
     * @param out an empty staging folder; everything written here becomes the step's output once the body returns
     * @param log where progress and notes go
     * @return summary numbers for {@code step.json} and {@code demo.json} (JSON-writable values; may be empty)
     */
    Map<String, Object> build(Path out, PrintStream log) throws Exception;
}
