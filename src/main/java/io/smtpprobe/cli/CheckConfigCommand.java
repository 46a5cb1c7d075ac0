package io.smtpprobe.cli;

import io.smtpprobe.config.Config;
import io.smtpprobe.config.ConfigException;
import io.smtpprobe.policy.PolicyTable;
import io.smtpprobe.report.ExitCodes;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code smtp-probe check-config FILE}: validate a file without probing anything. */
@Command(name = "check-config", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Validate a configuration file: every error at once, each with its key path.",
            "Exit codes: 0 valid, 78 invalid."})
final class CheckConfigCommand implements Callable<Integer> {
    private final Map<String, String> environment;

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The configuration file to check.")
    private Path file;

    CheckConfigCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            Config config = ConfigFiles.load(file, environment);
            config.warnings().forEach(w -> err.println("warning: " + w));
            PolicyTable.evaluate(config.subscription().offer(), config.subscription().created(),
                    config.subscription().port25Exemption(), "config").warnings()
                    .forEach(w -> err.println("warning: " + w));
            out.printf("%s: OK, %d target%s, offer %s%n", file, config.targets().size(),
                    config.targets().size() == 1 ? "" : "s", config.subscription().offer());
            return ExitCodes.OK;
        } catch (ConfigException e) {
            err.println("smtp-probe: " + e.getMessage());
            return ExitCodes.CONFIG;
        } finally {
            out.flush();
            err.flush();
        }
    }
}
