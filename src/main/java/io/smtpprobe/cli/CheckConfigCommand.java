package io.smtpprobe.cli;

import io.smtpprobe.config.Config;
import io.smtpprobe.config.ConfigException;
import io.smtpprobe.config.ConfigLoader;
import io.smtpprobe.config.ServiceCredentials;
import io.smtpprobe.policy.PolicyTable;
import io.smtpprobe.report.ExitCodes;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code smtp-probe check-config FILE}: validate a file without probing anything. */
@Command(name = "check-config", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Validate a configuration file as the service will load it: every error at once, each"
                + " with its key path. In a shell, ${CREDENTIALS_DIRECTORY}/ID is checked against the file the"
                + " installed smtp-probe.service loads that credential from (run as root to read it), or left to the"
                + " service's start when that cannot be done here.",
            "Exit codes: 0 valid, 78 invalid."})
final class CheckConfigCommand implements Callable<Integer> {
    private final Map<String, String> environment;

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The configuration file to check.")
    private Path file;

    /** Where smtp-probe.service and its drop-ins are looked for; tests point it at a directory of their own. */
    @Option(names = "--systemd-unit-path", hidden = true, paramLabel = "DIR")
    private List<Path> unitPath = ServiceUnit.SEARCH_PATH;

    CheckConfigCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            ServiceCredentials credentials = ServiceUnit.credentials(unitPath);
            Config config = new ConfigLoader(environment, PolicyTable.NAMES).asService(credentials).load(file);
            config.warnings().forEach(w -> err.println("warning: " + w));
            String offer = config.subscription().offer();
            // "auto" is no offer to judge: the agent asks Azure for it at start.
            if (!ConfigLoader.AUTO.equals(offer)) {
                PolicyTable.evaluate(offer, config.subscription().created(),
                        config.subscription().port25Exemption(), "config").warnings()
                        .forEach(w -> err.println("warning: " + w));
            }
            credentials.notes().forEach(n -> out.println("note: " + n));
            out.printf("%s: OK, %d target%s, offer %s%s%n", file, config.targets().size(),
                    config.targets().size() == 1 ? "" : "s", offer,
                    ConfigLoader.AUTO.equals(offer) ? " (asked of Azure at start)" : "");
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
