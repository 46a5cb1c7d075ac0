package io.smtpprobe.cli;

import io.smtpprobe.report.ExitCodes;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/** The one place that turns an exception escaping a command into a message and an exit code. */
final class ErrorHandler implements IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, ParseResult parseResult) {
        var err = commandLine.getErr();
        if (e instanceof UsageProblem usage) {
            err.println("smtp-probe: " + usage.getMessage());
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
        err.println("smtp-probe: internal error: " + e);
        err.println("This is a bug or a local fault; please report it with the command you ran.");
        err.flush();
        return ExitCodes.INTERNAL;
    }

    /** A command-line mistake found after parsing, reported like picocli's own usage errors. */
    static final class UsageProblem extends RuntimeException {
        UsageProblem(String message) {
            super(message);
        }
    }
}
