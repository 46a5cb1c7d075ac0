package io.smtpprobe.testing;

import io.smtpprobe.config.Config;
import io.smtpprobe.config.ConfigLoader;
import io.smtpprobe.daemon.AgentOptions;
import io.smtpprobe.daemon.Daemon;
import io.smtpprobe.engine.LogLevel;
import io.smtpprobe.engine.NetworkProbers;
import io.smtpprobe.engine.ProberFactory;
import io.smtpprobe.http.AgentHttpServer;
import io.smtpprobe.policy.PolicyTable;
import io.smtpprobe.probe.Ticker;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.Map;

/**
 * The daemon as its own process, for signal tests: {@code DaemonMain CONFIG LISTEN network} probes for
 * real; {@code DaemonMain CONFIG LISTEN gated [HANGING_TARGET...]} answers ok at once, except for the
 * named targets, whose probes hang and ignore interrupts (the worst a prober could do). Runs until
 * SIGTERM or SIGINT; SIGHUP reloads CONFIG.
 */
public final class DaemonMain {
    private DaemonMain() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        Map<String, String> env = System.getenv();
        Config config = new ConfigLoader(env, PolicyTable.NAMES).load(file);
        ProberFactory probers;
        if (args[2].equals("network")) {
            probers = new NetworkProbers(Clock.systemUTC(), Ticker.SYSTEM);
        } else {
            GatedProber prober = new GatedProber(Clock.systemUTC());
            Arrays.stream(args).skip(3).forEach(prober::hang);
            probers = c -> prober;
        }
        AgentOptions options = AgentOptions.defaults("0.0.0-test", env, LogLevel.DEBUG, probers);
        System.exit(Daemon.run(config, file, options, args[1], AgentHttpServer::new));
    }
}
