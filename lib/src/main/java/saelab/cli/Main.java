package saelab.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import saelab.BuildInfo;

/**
 * The {@code saelab} command. Subcommands are thin: they parse options, call the library and
 * report. Errors a user can cause (bad files, bad arguments) print one sentence, not a stack trace;
 * {@code SAELAB_DEBUG=1} adds the trace (see {@link #configure}).
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
                HeadCommand.class,
                InterveneCommand.class,
                ControlCommand.class,
                DemoCommand.class,
                RunCommand.class,
                ToyCommand.class,
                VlmCommand.class,
                ServeCommand.class,
                CompareCommand.class,
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

    /** Exit code of a usage or input error: a user mistake, printed as one sentence. */
    static final int USAGE_ERROR = 2;

    /** Exit code of a bug in saelab (printed with its stack trace). */
    static final int BUG = 3;

    /**
     * Runs the command line and returns the exit code: 0 ok, 1 check failed, 2 usage or input error (one
     * line on standard error), 3 a bug in saelab (its stack trace and one line saying so).
     */
    public static int run(String... args) {
        return configure(new CommandLine(new Main())).execute(args);
    }

    /**
     * Installs the error handling on {@code cli}: parameter errors (unknown options, values that do not
     * parse, missing required options) and user mistakes while running (see {@link ErrorSentences}) print
     * exactly one line {@code saelab <full command name>: error: <sentence>} and exit with
     * {@value #USAGE_ERROR}; {@code SAELAB_DEBUG=1} adds the stack trace. Anything else is a bug: its stack
     * trace, a line saying so, and exit code {@value #BUG}.
     */
    static CommandLine configure(CommandLine cli) {
        cli.setParameterExceptionHandler((ex, args) -> {
            CommandLine cmd = ex.getCommandLine();
            if (debug()) {
                ex.printStackTrace(cmd.getErr());
            }
            StringBuilder line = new StringBuilder(ErrorSentences.oneLine(String.valueOf(ex.getMessage())));
            if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
                line.append("; did you mean ").append(String.join(" or ", u.getSuggestions())).append('?');
            }
            line.append(" (see '").append(cmd.getCommandSpec().qualifiedName()).append(" --help')");
            cmd.getErr().println(prefix(cmd) + line);
            return USAGE_ERROR;
        });
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            String sentence = ErrorSentences.sentence(ex, parsed);
            if (sentence == null || debug()) {
                ex.printStackTrace(cmd.getErr());
            }
            if (sentence == null) {
                cmd.getErr().println(prefix(cmd) + "internal error, a bug in saelab (" + ex.getClass().getName()
                        + (ex.getMessage() == null ? "" : ": " + ErrorSentences.oneLine(ex.getMessage()))
                        + "); please report it with the stack trace above");
                return BUG;
            }
            cmd.getErr().println(prefix(cmd) + sentence);
            return USAGE_ERROR;
        });
        return cli;
    }

    /** {@code saelab <full command name>: error: }, e.g. {@code saelab cache info: error: }. */
    private static String prefix(CommandLine cmd) {
        return cmd.getCommandSpec().qualifiedName() + ": error: ";
    }

    private static boolean debug() {
        return "1".equals(System.getenv("SAELAB_DEBUG"));
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
