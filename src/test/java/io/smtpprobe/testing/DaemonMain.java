package io.smtpprobe.testing;

import io.smtpprobe.agent.AgentOptions;
import io.smtpprobe.agent.LogLevel;
import io.smtpprobe.config.Config;
import io.smtpprobe.config.ConfigLoader;
import io.smtpprobe.http.Daemon;
import io.smtpprobe.policy.PolicyTable;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.Map;

/**
 * The daemon as its own process, for signal tests: {@code DaemonMain CONFIG LISTEN [HANGING_TARGET...]}.
 * Probes answer ok at once, except the named targets, whose probes hang and ignore interrupts (the
 * worst a prober could do). Runs until SIGTERM or SIGINT; SIGHUP reloads CONFIG.
 */
public final class DaemonMain {
    private DaemonMain() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        Map<String, String> env = System.getenv();
        Config config = new ConfigLoader(env, PolicyTable.NAMES).load(file);
        GatedProber prober = new GatedProber(Clock.systemUTC());
        Arrays.stream(args).skip(2).forEach(prober::hang);
        AgentOptions options = AgentOptions.defaults("0.0.0-test", env, LogLevel.DEBUG, c -> prober);
        System.exit(Daemon.run(config, file, options, args[1]));
    }
}
