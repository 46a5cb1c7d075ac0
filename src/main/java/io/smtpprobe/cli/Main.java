package io.smtpprobe.cli;

import io.smtpprobe.report.ExitCodes;
import java.io.PrintWriter;
import java.util.Map;
import java.util.function.BooleanSupplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

/** The {@code smtp-probe} command line. {@link #main} is the only place that exits the JVM. */
@Command(name = "smtp-probe", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Probes outbound SMTP from Azure VMs and judges the results against Azure's port-25 policy.",
        subcommands = {CheckCommand.class, RunCommand.class, PolicyCommand.class, CheckConfigCommand.class,
            HelpCommand.class})
public final class Main implements Runnable {
    @picocli.CommandLine.Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args, Map.copyOf(System.getenv()), new PrintWriter(System.out, true),
                new PrintWriter(System.err, true), System.out::checkError));
    }

    /**
     * Runs a command line, then makes sure its output arrived: a PrintWriter (and System.out beneath it)
     * keeps a write error to itself, so {@code check --output json > /dev/full} would otherwise exit 0
     * having written nothing. Lost output is exit 74 (EX_IOERR) with a message on standard error.
     *
     * @param stdoutFailed whether the stream beneath {@code out} saw a write error (System.out's own flag)
     */
    static int execute(String[] args, Map<String, String> environment, PrintWriter out, PrintWriter err,
            BooleanSupplier stdoutFailed) {
        int exitCode = commandLine(environment, out, err).execute(args);
        if (out.checkError() || stdoutFailed.getAsBoolean()) {
            err.println("smtp-probe: cannot write to standard output (a full disk, a closed pipe or /dev/full);"
                    + " the command's output is lost");
            err.flush();
            return ExitCodes.IO_ERROR;
        }
        return exitCode;
    }

    /**
     * The command line with its output going to the given writers, so that tests capture it.
     *
     * @param environment the process environment, for {@code ${VAR}} expansion and secrets
     */
    public static CommandLine commandLine(Map<String, String> environment, PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(new Main(), new Factory(environment));
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.getCommandSpec().exitCodeOnInvalidInput(ExitCodes.USAGE);
        commandLine.getSubcommands().values()
                .forEach(sub -> sub.getCommandSpec().exitCodeOnInvalidInput(ExitCodes.USAGE));
        ErrorHandler errors = new ErrorHandler();
        commandLine.setExecutionExceptionHandler(errors);
        commandLine.setParameterExceptionHandler(errors);
        return commandLine;
    }

    @Override
    public void run() {
        // Without a subcommand there is nothing to do but show how to use the tool.
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Gives commands the process environment through their constructors. */
    private record Factory(Map<String, String> environment) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            try {
                return type.getDeclaredConstructor(Map.class).newInstance(environment);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(type);
            }
        }
    }
}
