package io.smtpprobe.cli;



import io.smtpprobe.config.ConfigLoader;

import io.smtpprobe.azure.AzureOfferPolicy;
import io.smtpprobe.azure.OfferDetector;
import io.smtpprobe.classify.CheckInvocation;
import io.smtpprobe.config.Config;
import io.smtpprobe.config.DeliveryConfig;
import io.smtpprobe.config.ConfigException;
import io.smtpprobe.config.ProbeConfig;
import io.smtpprobe.config.SubscriptionConfig;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.config.TargetSpec;
import io.smtpprobe.daemon.AgentOptions;
import io.smtpprobe.engine.CheckRound;
import io.smtpprobe.engine.EventLog;
import io.smtpprobe.engine.LogLevel;
import io.smtpprobe.engine.NetworkProbers;
import io.smtpprobe.probe.tls.TlsWarmUp;
import io.smtpprobe.policy.PolicyTable;
import io.smtpprobe.policy.Port25Policy;
import io.smtpprobe.probe.Ticker;
import io.smtpprobe.report.ExitCodes;
import io.smtpprobe.report.ReportJson;
import io.smtpprobe.report.RoundReport;
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

    /**
     * Where smtp-probe.service is looked for, so that a {@code ${CREDENTIALS_DIRECTORY}} secret is read from the
     * unit's {@code LoadCredential=} source in a shell; tests point it at a directory of their own.
     */
    @Option(names = "--systemd-unit-path", hidden = true, paramLabel = "DIR")
    private List<Path> unitPath = ServiceUnit.SEARCH_PATH;

    /** Where the DMI strings are read to tell an Azure VM; tests point it at a directory of their own. */
    @Option(names = "--dmi-directory", hidden = true, paramLabel = "DIR")
    private Path dmiDirectory = AgentOptions.DMI_DIRECTORY;

    CheckCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws InterruptedException {
        TlsWarmUp.startInBackground();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Config config;
        ShellCredentials shell = ShellCredentials.of(configFile, environment, unitPath);
        try {
            config = shell == null ? ConfigFiles.loadOrBuiltIn(configFile, environment)
                    : new ConfigLoader(environment, PolicyTable.NAMES).asService(shell.service()).load(configFile);
        } catch (ConfigException e) {
            return fail(err, e, ExitCodes.CONFIG);
        }
        if (shell != null && shell.missing()) {
            String again = CheckInvocation.configured(configFile).withFlags(flags()).checkAll();
            err.println("smtp-probe: " + shell.advice(again));
            err.flush();
            return ExitCodes.CONFIG;
        }
        if (targetSpecs.size() > ConfigLoader.MAX_PROBED_HOSTS) {
            // The daemon's cap on probed hosts holds for check too (issue 23: 8,000 specs took 120 MB).
            err.println("smtp-probe: --target: " + targetSpecs.size() + " targets, more than the "
                    + ConfigLoader.MAX_PROBED_HOSTS + " one check probes; split them into several runs");
            err.flush();
            return ExitCodes.USAGE;
        }
        List<TargetConfig> targets;
        try {
            targets = targetSpecs.isEmpty() ? config.targets() : parseTargets();
        } catch (ConfigException e) {
            return fail(err, e, ExitCodes.USAGE);
        }
        int hosts = targets.stream().mapToInt(t -> t.mx() == null ? 1 : t.mxHosts()).sum();
        if (hosts > ConfigLoader.MAX_PROBED_HOSTS) {
            err.println("smtp-probe: --target: " + hosts + " probed hosts (an mx: target counts its mx_hosts), more"
                    + " than the " + ConfigLoader.MAX_PROBED_HOSTS + " one check probes; split them into several runs");
            err.flush();
            return ExitCodes.USAGE;
        }
        if (offer != null && !offer.equalsIgnoreCase("auto") && !PolicyTable.isKnown(offer)) {
            // As `policy --offer` does: a typo must not pass for a round judged against the "unknown" offer.
            err.println("smtp-probe: --offer: \"" + io.smtpprobe.config.ErrorText.escape(offer) + "\" is not an offer key, alias or quotaId;"
                    + " did you mean " + PolicyTable.nearestKey(offer) + "? (smtp-probe policy lists them)");
            err.flush();
            return ExitCodes.USAGE;
        }
        String unknown = unknownNames(config, targets);
        if (unknown != null) {
            err.println("smtp-probe: " + unknown);
            err.flush();
            return ExitCodes.USAGE;
        }
        List<DeliveryConfig> deliveries = targetSpecs.isEmpty()
                ? config.deliveries().stream().filter(d -> only.contains(d.name())).toList() : List.of();
        if (!deliveries.isEmpty()) {
            if (deliveries.size() < only.stream().distinct().count()) {
                err.println("smtp-probe: --only: a delivery target sends a real message and runs in a check of its own;"
                        + " name only delivery targets, or none");
                err.flush();
                return ExitCodes.USAGE;
            }
            config = timeout == null ? config : config.withProbe(config.probe().withTimeout(timeout));
            return DeliveryCheck.run(config, deliveries, output == Output.JSON, dmiDirectory, out, err);
        }
        CheckInvocation invocation = invocation(targets);
        targets = targets.stream().filter(t -> only.isEmpty() || only.contains(t.name())).toList();
        if (timeout != null) {
            config = config.withProbe(config.probe().withTimeout(timeout));
        }
        config.warnings().forEach(w -> err.println("warning: " + w));
        config = withFlags(config);
        Port25Policy policy = new AzureOfferPolicy(new OfferDetector(dmiDirectory, OfferDetector.METADATA_TIMEOUT,
                OfferDetector.MANAGEMENT_TIMEOUT, Clock.systemUTC()), Clock.systemUTC(), policySource()).apply(config);
        boolean text = output == Output.TEXT;
        if (text && targetSpecs.isEmpty() && only.isEmpty() && !config.deliveries().isEmpty()) {
            String names = String.join(" ", config.deliveries().stream().map(d -> "--only " + d.name()).toList());
            err.println("Not run: delivery targets, which send a real message; run them with check " + names);
        }
        if (text) {
            err.printf("Probing %d target%s (at most %ds each)...%n", targets.size(), targets.size() == 1 ? "" : "s",
                    config.probe().timeout().toSeconds());
            err.flush();
        }
        RoundReport report;
        // The daemon's wiring and engine, for one round: what check shows is what the daemon would record.
        try (NetworkProbers probers = new NetworkProbers(Clock.systemUTC(), Ticker.SYSTEM, dmiDirectory, transcript)) {
            EventLog log = new EventLog(System.err, Clock.systemUTC(), LogLevel.ERROR, false);
            report = new CheckRound(probers.create(config), config.probe(), Clock.systemUTC(), log, invocation)
                    .run(targets, policy, result -> {
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
    private String unknownNames(Config config, List<TargetConfig> targets) {
        List<String> known = new ArrayList<>(targets.stream().map(TargetConfig::name).toList());
        if (targetSpecs.isEmpty()) {
            config.deliveries().forEach(d -> known.add(d.name()));
        }
        List<String> missing = only.stream().filter(name -> !known.contains(name)).distinct().toList();
        if (missing.isEmpty()) {
            return null;
        }
        String from = !targetSpecs.isEmpty() ? "the --target options" : configFile == null
                ? "the built-in default" : configFile.toString();
        // Names as typed may hold control characters (issue 23): escaped, never printed raw to a terminal.
        return "--only " + io.smtpprobe.config.ErrorText.escape(String.join(", ", missing)) + ": no such target in "
                + from + "; the targets are " + String.join(", ", known);
    }

    /**
     * How the targets were chosen, so that the diagnosis recommends commands that run as printed.
     *
     * @param all every target of the config or of the {@code --target} specs, in their order
     */
    private CheckInvocation invocation(List<TargetConfig> all) {
        List<String> flags = flags();
        if (targetSpecs.isEmpty()) {
            return CheckInvocation.configured(configFile).withFlags(flags).onThisMachine();
        }
        Map<String, String> specs = new LinkedHashMap<>();
        for (int i = 0; i < all.size(); i++) {
            specs.put(all.get(i).name(), targetSpecs.get(i)); // one target per spec, in the same order
        }
        return CheckInvocation.specs(specs).withFlags(flags).onThisMachine();
    }

    /** The options that change a check's judgement, as typed: every command printed repeats them. */
    private List<String> flags() {
        List<String> flags = new ArrayList<>();
        if (offer != null) {
            flags.addAll(List.of("--offer", offer));
        }
        if (created != null) {
            flags.addAll(List.of("--created", created.toString()));
        }
        if (exemption != null) {
            flags.addAll(List.of("--port25-exemption", exemption.toString()));
        }
        if (timeout != null) {
            flags.addAll(List.of("--timeout", io.smtpprobe.config.ConfigLoader.formatDuration(timeout)));
        }
        return flags;
    }

    /** The subscription as the flags override it; {@code offer: auto} is then resolved like the daemon's. */
    private Config withFlags(Config config) {
        SubscriptionConfig subscription = config.subscription();
        return config.withSubscription(new SubscriptionConfig(offer != null ? offer : subscription.offer(),
                created != null ? created : subscription.created(),
                exemption != null ? exemption : subscription.port25Exemption()));
    }

    private String policySource() {
        boolean fromFlags = offer != null || created != null || exemption != null;
        return fromFlags ? "flag" : configFile == null ? "default" : "config";
    }
}
