package io.smtpprobe.daemon;

import io.smtpprobe.azure.AzureOfferPolicy;
import io.smtpprobe.azure.AzurePlatform;
import io.smtpprobe.config.Config;
import io.smtpprobe.engine.EventLog;
import io.smtpprobe.engine.LogLevel;
import io.smtpprobe.engine.ProberFactory;
import io.smtpprobe.policy.Port25Policy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * How {@link Agent#start} runs: collaborators and settings that do not come from the config file.
 *
 * @param version reported in {@code smtp_probe_build_info}
 * @param environment the process environment: {@code ${VAR}} and secrets on reload, {@code JOURNAL_STREAM}
 * @param proberFactory makes the prober for each configuration (the real one probes the network)
 * @param policy the port-25 policy for a configuration (the subscription keys; {@code offer: auto} plugs in here)
 * @param dmiDirectory where the kernel shows the machine's DMI strings, to tell whether it is an Azure VM
 * @param metadataRefresh how often the instance metadata is read again
 * @param bindProcessMetrics whether to export JVM and process gauges (threads, memory, open fds)
 */
public record AgentOptions(
        String version,
        Clock clock,
        Map<String, String> environment,
        EventLog log,
        ProberFactory proberFactory,
        Function<Config, Port25Policy> policy,
        Path dmiDirectory,
        Duration metadataRefresh,
        boolean bindProcessMetrics) {

    public static final Path DMI_DIRECTORY = AzurePlatform.DMI_DIRECTORY;
    public static final Duration METADATA_REFRESH = Duration.ofHours(1);

    public AgentOptions {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(clock, "clock");
        environment = Map.copyOf(environment);
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(proberFactory, "proberFactory");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(dmiDirectory, "dmiDirectory");
        Objects.requireNonNull(metadataRefresh, "metadataRefresh");
    }

    /**
     * The daemon's defaults: system clock, stdout log at the given level, the subscription keys of the
     * config ({@code offer: auto} asked of Azure, see {@link AzureOfferPolicy}).
     */
    public static AgentOptions defaults(String version, Map<String, String> environment, LogLevel level,
            ProberFactory proberFactory) {
        Clock clock = Clock.systemUTC();
        return new AgentOptions(version, clock, environment, EventLog.stdout(clock, level, environment),
                proberFactory, AzureOfferPolicy.forDaemon(DMI_DIRECTORY, clock), DMI_DIRECTORY, METADATA_REFRESH, true);
    }

    /** The policy from {@code subscription:} as configured. */
    public static Port25Policy configuredPolicy(Config config) {
        return configuredPolicy(config, "config");
    }

    /** The policy from {@code subscription:}, its source reported as {@code source} (config, flag, default). */
    public static Port25Policy configuredPolicy(Config config, String source) {
        return AzureOfferPolicy.configured(config, source);
    }

    public AgentOptions withClock(Clock replacement) {
        return new AgentOptions(version, replacement, environment, log, proberFactory, policy, dmiDirectory,
                metadataRefresh, bindProcessMetrics);
    }

    public AgentOptions withLog(EventLog replacement) {
        return new AgentOptions(version, clock, environment, replacement, proberFactory, policy, dmiDirectory,
                metadataRefresh, bindProcessMetrics);
    }

    public AgentOptions withPolicy(Function<Config, Port25Policy> replacement) {
        return new AgentOptions(version, clock, environment, log, proberFactory, replacement, dmiDirectory,
                metadataRefresh, bindProcessMetrics);
    }

    public AgentOptions withDmiDirectory(Path replacement) {
        return new AgentOptions(version, clock, environment, log, proberFactory, policy, replacement,
                metadataRefresh, bindProcessMetrics);
    }

    public AgentOptions withMetadataRefresh(Duration replacement) {
        return new AgentOptions(version, clock, environment, log, proberFactory, policy, dmiDirectory, replacement,
                bindProcessMetrics);
    }

    public AgentOptions withProcessMetrics(boolean bind) {
        return new AgentOptions(version, clock, environment, log, proberFactory, policy, dmiDirectory,
                metadataRefresh, bind);
    }
}
