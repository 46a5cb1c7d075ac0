package io.smtpprobe.cli;

import io.smtpprobe.agent.AgentOptions;
import io.smtpprobe.agent.CachedTokens;
import io.smtpprobe.agent.CheckRound;
import io.smtpprobe.agent.HeloName;
import io.smtpprobe.agent.OfferDetector;
import io.smtpprobe.agent.ReportJson;
import io.smtpprobe.agent.RoundReport;
import io.smtpprobe.classify.CheckInvocation;
import io.smtpprobe.config.Config;
import io.smtpprobe.config.ConfigException;
import io.smtpprobe.config.ConfigLoader;
import io.smtpprobe.config.ProbeConfig;
import io.smtpprobe.config.SubscriptionConfig;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.config.TargetSpec;
import io.smtpprobe.policy.PolicyTable;
import io.smtpprobe.policy.Port25Policy;
import io.smtpprobe.probe.DnsResolver;
import io.smtpprobe.probe.ProbeOptions;
import io.smtpprobe.probe.Ticker;
import io.smtpprobe.probe.TargetProber;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code smtp-probe check}: one round, judged and explained. */
@Command(name = "check", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Probe every target once, judge each result against Azure's port-25 policy for the"
                + " subscription, and explain what is blocked and what to do.",
            "Exit codes: 0 all as expected, 1 a problem, 2 only inconclusive results, 64 usage, 78 config error,"
                    + " 70 internal error."})
final class CheckCommand implements Callable<Integer> {
    enum Output { TEXT, JSON }

    private final Map<String, String> environment;

    @Spec
    private CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE",
            description = "The configuration file. Without it, the built-in default targets are probed.")
    private Path configFile;

    @Option(names = "--offer", paramLabel = "OFFER",
            description = "The subscription's offer key or quotaId (see `smtp-probe policy`), or auto to ask Azure"
                    + " (needs an Azure VM whose managed identity has Reader); overrides the config.")
    private String offer;

    @Option(names = "--created", paramLabel = "DATE",
            description = "The subscription's creation date, YYYY-MM-DD; overrides the config.")
    private LocalDate created;

    @Option(names = "--port25-exemption", paramLabel = "true|false", arity = "0..1", fallbackValue = "true",
            description = "Whether a port-25 exemption is recorded; overrides the config.")
    private Boolean exemption;

    @Option(names = "--target", paramLabel = "SPEC",
            description = {"Probe this instead of the configured targets (repeatable):",
                "  mx:DOMAIN | MODE://[USER@]HOST[:PORT], MODE tcp|smtp|submission|smtps;",
                "  NAME= in front names it; ?expect=..&route=..&starttls=.. after it.",
                "  A USER's password comes from $SMTP_PROBE_PASSWORD."})
    private List<String> targetSpecs = new ArrayList<>();

    @Option(names = "--only", paramLabel = "NAME",
            description = "Probe only the target of this name (repeatable): of --config, the built-in default"
                    + " or the --target specs. An unknown name lists the names there are.")
    private List<String> only = new ArrayList<>();

    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "The deadline of each probe, e.g. 5s; overrides probe.timeout.")
    private Duration timeout;

    @Option(names = "--output", paramLabel = "text|json", defaultValue = "text",
            description = "text (a table and the diagnosis) or json.")
    private Output output;

    @Option(names = "--transcript", description = "Print each SMTP conversation, AUTH payloads redacted.")
    private boolean transcript;

    /** Where the DMI strings are read to tell an Azure VM; tests point it at a directory of their own. */
    @Option(names = "--dmi-directory", hidden = true, paramLabel = "DIR")
    private Path dmiDirectory = AgentOptions.DMI_DIRECTORY;

    CheckCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Config config;
        try {
            config = ConfigFiles.loadOrBuiltIn(configFile, environment);
        } catch (ConfigException e) {
            return fail(err, e, ExitCodes.CONFIG);
        }
        List<TargetConfig> targets;
        try {
            targets = targetSpecs.isEmpty() ? config.targets() : parseTargets();
        } catch (ConfigException e) {
            return fail(err, e, ExitCodes.USAGE);
        }
        String unknown = unknownNames(targets);
        if (unknown != null) {
            err.println("smtp-probe: " + unknown);
            err.flush();
            return ExitCodes.USAGE;
        }
        CheckInvocation invocation = invocation(targets);
        targets = targets.stream().filter(t -> only.isEmpty() || only.contains(t.name())).toList();
        if (timeout != null) {
            ProbeConfig probe = config.probe();
            config = config.withProbe(new ProbeConfig(probe.interval(), probe.jitter(), timeout, probe.concurrency(),
                    probe.heloName()));
        }
        config.warnings().forEach(w -> err.println("warning: " + w));
        Port25Policy policy = policy(config);
        ProbeOptions options = new ProbeOptions(config.probe().timeout(), HeloName.resolve(config.probe().heloName()),
                config.dns(), transcript);
        boolean text = output == Output.TEXT;
        if (text) {
            err.printf("Probing %d target%s (at most %ds each)...%n", targets.size(), targets.size() == 1 ? "" : "s",
                    config.probe().timeout().toSeconds());
            err.flush();
        }
        RoundReport report;
        // Half the probe deadline for a token, so that a hanging token endpoint still leaves the probe
        // time to show the relay's greeting and TLS, and to end as auth_unavailable.
        CachedTokens tokens = CachedTokens.forConfig(config.azure(), dmiDirectory,
                config.probe().timeout().dividedBy(2), Clock.systemUTC());
        try (TargetProber prober = new TargetProber(options,
                new DnsResolver(config.dns(), config.probe().timeout()), Clock.systemUTC(), Ticker.SYSTEM, tokens)) {
            report = new CheckRound(prober, config.probe().concurrency(), invocation).run(targets, policy, result -> {
                if (text) {
                    synchronized (err) {
                        err.println(ReportText.progressLine(result));
                        err.flush();
                    }
                }
            });
        }
        if (text) {
            err.println();
            err.flush();
            out.print(ReportText.render(report, transcript, terminalWidth()));
        } else {
            out.println(ReportJson.write(report, transcript));
        }
        out.flush();
        return report.exitCode();
    }

    /** The terminal's width as exported in COLUMNS; 0 when unknown, and then lines are not wrapped at all. */
    private int terminalWidth() {
        String columns = environment.getOrDefault("COLUMNS", "");
        return columns.matches("[1-9][0-9]{1,3}") ? Integer.parseInt(columns) : 0;
    }

    private static int fail(PrintWriter err, ConfigException e, int exitCode) {
        err.println("smtp-probe: " + e.getMessage());
        err.flush();
        return exitCode;
    }

    private List<TargetConfig> parseTargets() throws ConfigException {
        return TargetSpec.parseAll(targetSpecs, environment);
    }

    /** What is wrong with {@code --only}, naming the targets there are; null when every name is known. */
    private String unknownNames(List<TargetConfig> targets) {
        List<String> known = targets.stream().map(TargetConfig::name).toList();
        List<String> missing = only.stream().filter(name -> !known.contains(name)).distinct().toList();
        if (missing.isEmpty()) {
            return null;
        }
        String from = !targetSpecs.isEmpty() ? "the --target options" : configFile == null
                ? "the built-in default" : configFile.toString();
        return "--only " + String.join(", ", missing) + ": no such target in " + from + "; the targets are "
                + String.join(", ", known);
    }

    /**
     * How the targets were chosen, so that the diagnosis recommends commands that run as printed.
     *
     * @param all every target of the config or of the {@code --target} specs, in their order
     */
    private CheckInvocation invocation(List<TargetConfig> all) {
        if (targetSpecs.isEmpty()) {
            return CheckInvocation.configured(configFile);
        }
        Map<String, String> specs = new LinkedHashMap<>();
        for (int i = 0; i < all.size(); i++) {
            specs.put(all.get(i).name(), targetSpecs.get(i)); // one target per spec, in the same order
        }
        return CheckInvocation.specs(specs);
    }

    private Port25Policy policy(Config config) throws InterruptedException {
        SubscriptionConfig subscription = config.subscription();
        String offerText = offer != null ? offer : subscription.offer();
        LocalDate createdDate = created != null ? created : subscription.created();
        boolean exempt = exemption != null ? exemption : subscription.port25Exemption();
        if (ConfigLoader.AUTO.equalsIgnoreCase(offerText.trim())) {
            // Asked once per check; a machine that does not look like Azure is never asked anything.
            return new OfferDetector(dmiDirectory, OfferDetector.METADATA_TIMEOUT, OfferDetector.MANAGEMENT_TIMEOUT,
                    Clock.systemUTC()).detect(config.azure()).policy(createdDate, exempt);
        }
        boolean fromFlags = offer != null || created != null || exemption != null;
        String source = fromFlags ? "flag" : configFile == null ? "default" : "config";
        return PolicyTable.evaluate(offerText, createdDate, exempt, source);
    }
}
