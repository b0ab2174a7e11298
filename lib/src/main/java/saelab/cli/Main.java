package saelab.cli;

import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import saelab.BuildInfo;

/**
 * The {@code saelab} command. Subcommands are thin: they parse options, call the library and
 * report. Errors a user can cause (bad files, bad arguments) print one sentence, not a stack trace;
 * {@code SAELAB_DEBUG=1} adds the trace.
 */
@Command(name = "saelab",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Sparse autoencoders for vision transformers: capture, train, analyse, intervene, plot.",
        subcommands = {
                InfoCommand.class,
                FiguresCommand.class,
                CacheCommand.class,
                BenchCommand.class,
                VerifyCommand.class,
                TrainCommand.class,
                EvalCommand.class,
                AnalyzeCommand.class,
                ConceptsCommand.class,
                ShowLatentCommand.class,
                AlignCommand.class,
                SaeCommand.class,
                HubCommand.class,
                TokenizeCommand.class,
                PreprocessCommand.class,
                ForwardCommand.class,
                DatasetCommand.class,
                CaptureCommand.class,
                DemoCommand.class,
                ToyCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Workflow commands of the ./saelab launcher (run from the repository root):",
                "  reproduce   set up, run every notebook, write every figure to figures/",
                "  notebooks   run some or all notebooks: ./saelab notebooks [--quick] [NAME...]",
                "  test        run the JUnit suite and every notebook in quick mode",
                "  setup       install or check the JDK, Jupyter and the Java kernel (idempotent)"})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (0 ok, 1 check failed, 2 usage or input error). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        // commands of saelab.capture that live under existing groups
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            boolean userError = ex instanceof IllegalArgumentException || ex instanceof IllegalStateException
                    || ex instanceof UncheckedIOException;
            if (!userError || "1".equals(System.getenv("SAELAB_DEBUG"))) {
                ex.printStackTrace(cmd.getErr());
            }
            cmd.getErr().println("saelab " + cmd.getCommandName() + ": error: " + ex.getMessage());
            return 2;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Prints the build's version line. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {BuildInfo.current().describe()};
        }
    }
}
