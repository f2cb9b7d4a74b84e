package dev.keepsake.examples;

import dev.keepsake.core.ErrorCode;
import dev.keepsake.core.KeepsakeException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code keepsake} command: the demo server ({@code serve}) and the operators' commands ({@code backup},
 * {@code restore}, {@code verify}). Exit codes: 0 done, 1 any other failure, 2 usage, 3 refused as incompatible,
 * 4 archive failed verification; on failure one line on stderr says why.
 *
 * <p>Thread-safe: every {@link #run} builds its own command objects.
 */
@Command(name = "keepsake", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        subcommands = {ServeCommand.class, BackupCommand.class, RestoreCommand.class, VerifyCommand.class,
                CommandLine.HelpCommand.class},
        description = "Backs up and restores a PostgreSQL database and its data directories in one signed archive.",
        footer = {"", "Exit codes: 0 done, 1 other failure, 2 usage, 3 refused as incompatible, "
                + "4 archive failed verification."})
public final class Main implements Runnable {

    private final Map<String, String> env;
    private final boolean terminal;

    @Spec
    CommandSpec spec;

    Main(Map<String, String> env, boolean terminal) {
        this.env = Map.copyOf(env);
        this.terminal = terminal;
    }

    /** Runs the command and exits the JVM with its exit code. */
    public static void main(String[] args) {
        if (args.length == 0 || !args[0].equals("serve")) {
            // operators' commands: keep stderr for the progress and the one-line reason
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
                    System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
        }
        int code = run(args, System.out, System.err, System.getenv(), System.console() != null);
        System.exit(code);
    }

    /**
     * Runs the command line without exiting (for tests and embedding).
     *
     * @param env      the environment to read {@code KEEPSAKE_*} variables from
     * @param terminal whether stderr is a terminal (progress bar) or not (plain lines)
     * @return the exit code
     */
    public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env, boolean terminal) {
        Objects.requireNonNull(args, "args");
        PrintWriter o = new PrintWriter(out, true);
        PrintWriter e = new PrintWriter(err, true);
        CommandLine cl = new CommandLine(new Main(env, terminal));
        cl.setOut(o);
        cl.setErr(e);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            e.println(c.getCommandSpec().qualifiedName() + ": " + oneLine(ex.getMessage()) + " (see: "
                    + c.getCommandSpec().qualifiedName() + " --help)");
            return ExitStatus.USAGE.code();
        });
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> {
            ExitStatus status = statusOf(ex);
            e.println(c.getCommandSpec().qualifiedName() + ": " + reason(ex));
            return status.code();
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "missing command: serve, backup, restore or verify");
    }

    Map<String, String> env() {
        return env;
    }

    boolean terminal() {
        return terminal;
    }

    static ExitStatus statusOf(Throwable ex) {
        if (ex instanceof CommandFailedException c) {
            return c.status();
        }
        if (ex instanceof KeepsakeException k) {
            return k.code() == ErrorCode.INVALID_CONFIGURATION ? ExitStatus.USAGE : ExitStatus.of(k.code());
        }
        return ExitStatus.FAILURE;
    }

    static String reason(Throwable ex) {
        String m = ex.getMessage();
        if (ex instanceof CommandFailedException || ex instanceof KeepsakeException) {
            return oneLine(m);
        }
        return oneLine(ex.getClass().getSimpleName() + (m == null ? "" : ": " + m));
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }

    /** {@code keepsake --version}. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String impl = Main.class.getPackage().getImplementationVersion();
            return new String[]{"keepsake " + (impl != null ? impl : "(development build)") + ", demo product "
                    + DemoProduct.NAME + " " + DemoProduct.CURRENT};
        }
    }
}
