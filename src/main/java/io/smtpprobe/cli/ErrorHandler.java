package io.smtpprobe.cli;

import io.smtpprobe.config.ErrorText;
import io.smtpprobe.report.ExitCodes;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The one place that turns an exception escaping a command, or a command line picocli could not parse,
 * into a message and an exit code. Every message passes through {@link ErrorText#escape}: it may quote
 * an argument, and an argument may hold CR, LF, NUL or a terminal escape.
 */
final class ErrorHandler implements IExecutionExceptionHandler, IParameterExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, ParseResult parseResult) {
        var err = commandLine.getErr();
        if (e instanceof UsageProblem usage) {
            err.println("smtp-probe: " + ErrorText.escape(usage.getMessage()));
            err.println("Try '" + commandLine.getCommandSpec().qualifiedName() + " --help'.");
            err.flush();
            return ExitCodes.USAGE;
        }
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            err.println("smtp-probe: interrupted");
            err.flush();
            return ExitCodes.INTERNAL;
        }
        err.println("smtp-probe: internal error: " + ErrorText.escape(e.toString()));
        err.println("This is a bug or a local fault; please report it with the command you ran.");
        err.flush();
        return ExitCodes.INTERNAL;
    }

    /** What picocli's default handler prints (the message, then suggestions or the usage), the message escaped. */
    @Override
    public int handleParseException(ParameterException e, String[] args) {
        CommandLine commandLine = e.getCommandLine();
        var err = commandLine.getErr();
        err.println(commandLine.getColorScheme().errorText(ErrorText.escape(e.getMessage())));
        if (!UnmatchedArgumentException.printSuggestions(e, err)) {
            commandLine.usage(err, commandLine.getColorScheme());
        }
        err.flush();
        return commandLine.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** A command-line mistake found after parsing, reported like picocli's own usage errors. */
    static final class UsageProblem extends RuntimeException {
        UsageProblem(String message) {
            super(message);
        }
    }
}
