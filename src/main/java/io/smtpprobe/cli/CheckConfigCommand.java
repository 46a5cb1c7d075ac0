package io.smtpprobe.cli;

import io.smtpprobe.config.Config;
import io.smtpprobe.config.ConfigException;
import io.smtpprobe.config.ConfigLoader;
import io.smtpprobe.config.ServiceCredentials;
import io.smtpprobe.http.WebConfigFile;
import io.smtpprobe.http.WebConfigPaths;
import io.smtpprobe.policy.PolicyTable;
import io.smtpprobe.report.ExitCodes;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code smtp-probe check-config FILE [run's options]}: validate a file, and the web config {@code run} would use,
 * without probing anything. The unit's {@code ExecStartPre} runs it with the service's {@code $ARGS}.
 */
@Command(name = "check-config", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Validate a configuration file as the service will load it: every error at once, each"
                + " with its key path. In a shell, ${CREDENTIALS_DIRECTORY}/ID is checked against the file the"
                + " installed smtp-probe.service loads that credential from (run as root to read it), or left to the"
                + " service's start when that cannot be done here.",
            "It takes the options of run too (the unit passes them, from ARGS= in /etc/default/smtp-probe):"
                + " --web.config.file is checked as the service will read it, its certificate and key included"
                + " (readable by the service's transient user, or handed in with LoadCredential=, and matching).",
            "Exit codes: 0 valid, 78 invalid, 64 a wrong option."})
final class CheckConfigCommand implements Callable<Integer> {
    private final Map<String, String> environment;

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The configuration file to check.")
    private Path file;

    @Mixin
    private RunOptions run;

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
        // A wrong option is a usage error, as run would make it.
        run.logLevel();
        run.listenAddress();
        try {
            ServiceCredentials credentials = ServiceUnit.credentials(unitPath);
            boolean valid = checkConfig(credentials, out, err);
            List<String> webNotes = List.of();
            if (run.webConfigFile() != null) {
                WebConfigPaths paths = WebConfigPaths.asService(environment, credentials,
                        ServiceUnit.runsAsTransientUser(unitPath));
                valid &= checkWebConfig(paths, out, err);
                webNotes = paths.notes();
            }
            credentials.notes().forEach(n -> out.println("note: " + n));
            webNotes.forEach(n -> out.println("note: --web.config.file " + run.webConfigFile() + ": " + n));
            return valid ? ExitCodes.OK : ExitCodes.CONFIG;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private boolean checkConfig(ServiceCredentials credentials, PrintWriter out, PrintWriter err) {
        Config config;
        try {
            config = new ConfigLoader(environment, PolicyTable.NAMES).asService(credentials).load(file);
        } catch (ConfigException e) {
            err.println("smtp-probe: " + e.getMessage());
            return false;
        }
        config.warnings().forEach(w -> err.println("warning: " + w));
        String offer = config.subscription().offer();
        // "auto" is no offer to judge: the agent asks Azure for it at start.
        if (!ConfigLoader.AUTO.equals(offer)) {
            PolicyTable.evaluate(offer, config.subscription().created(),
                    config.subscription().port25Exemption(), "config").warnings()
                    .forEach(w -> err.println("warning: " + w));
        }
        int deliveries = config.deliveries().size();
        out.printf("%s: OK, %d target%s%s, offer %s%s%n", file, config.targets().size(),
                config.targets().size() == 1 ? "" : "s",
                deliveries == 0 ? "" : " and " + deliveries + " delivery target" + (deliveries == 1 ? "" : "s"), offer,
                ConfigLoader.AUTO.equals(offer) ? " (asked of Azure at start)" : "");
        return true;
    }

    private boolean checkWebConfig(WebConfigPaths paths, PrintWriter out, PrintWriter err) {
        WebConfigFile web;
        try {
            web = WebConfigFile.load(run.webConfigFile(), paths);
        } catch (ConfigException e) {
            err.println("smtp-probe: " + e.getMessage());
            return false;
        }
        int users = web.basicAuthUsers().size();
        // No word on TLS without its files: they may be credentials left to the start (said in a note).
        out.printf("--web.config.file %s: OK%s, %s%n", run.webConfigFile(), web.tls() == null ? "" : ", TLS",
                users == 0 ? "no basic auth" : users + " basic auth user" + (users == 1 ? "" : "s"));
        return true;
    }
}
