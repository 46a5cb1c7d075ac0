package io.smtpprobe.daemon;

import io.smtpprobe.config.Config;
import io.smtpprobe.config.ConfigException;
import io.smtpprobe.config.ConfigLoader;
import io.smtpprobe.engine.EventLog;
import io.smtpprobe.metrics.AgentMetrics;
import io.smtpprobe.policy.PolicyTable;
import io.smtpprobe.policy.Port25Policy;
import io.smtpprobe.probe.Prober;
import java.nio.file.Path;
import java.util.List;

/**
 * The first half of a reload: reads the configuration file again and makes everything the new
 * configuration needs (its prober, its policy) before anything running changes, so a refusal leaves the
 * running configuration whole. A refusal is logged with every error and counted in
 * {@code smtp_probe_config_last_reload_successful}; {@link RunningAgent} applies what is prepared.
 */
final class ReloadPreparer {
    /** A configuration ready to apply, or the errors it was refused for (then the other fields are null). */
    record Prepared(Config config, Prober prober, Port25Policy policy, List<String> errors) {
        boolean refused() {
            return !errors.isEmpty();
        }
    }

    private final Path configFile;
    private final AgentOptions options;
    private final AgentMetrics metrics;
    private final EventLog log;

    /** @param configFile the file the agent started from; null when it runs on the built-in default */
    ReloadPreparer(Path configFile, AgentOptions options, AgentMetrics metrics, EventLog log) {
        this.configFile = configFile;
        this.options = options;
        this.metrics = metrics;
        this.log = log;
    }

    Prepared prepare() {
        if (configFile == null) {
            return refuse(List.of("the agent runs on the built-in default configuration; there is no file to reload"
                    + " (start it with --config FILE)"));
        }
        Config fresh;
        try {
            fresh = new ConfigLoader(options.environment(), options.clock(), PolicyTable.NAMES).load(configFile);
        } catch (ConfigException e) {
            return refuse(e.errors());
        }
        try {
            return new Prepared(fresh, options.proberFactory().create(fresh), options.policy().apply(fresh), List.of());
        } catch (RuntimeException e) {
            return refuse(List.of("cannot apply the configuration: " + e.getMessage()));
        }
    }

    private Prepared refuse(List<String> errors) {
        metrics.reloadFailed();
        String file = configFile == null ? "" : configFile.toString();
        log.error("configuration reload refused; the running configuration stays", "file", file,
                "errors", errors.size());
        for (String error : errors) {
            log.error("configuration error", "file", file, "error", error);
        }
        return new Prepared(null, null, null, errors);
    }
}
