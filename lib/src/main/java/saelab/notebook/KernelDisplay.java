package saelab.notebook;

/**
 * Where rich output goes: the running Java Jupyter kernel, or standard output when there is none
 * (a test, the CLI, a plain JShell). Found once by {@link KernelDisplays#detect()}.
 */
public interface KernelDisplay {

    /** A short name of the target, e.g. {@code rapaio}, {@code IJava}, {@code console}. */
    String name();

    /** Sends one bundle to the frontend as a {@code display_data} message. */
    void display(MimeBundle bundle);
}
