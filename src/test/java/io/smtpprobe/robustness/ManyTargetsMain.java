package io.smtpprobe.robustness;

import io.smtpprobe.config.Config;
import io.smtpprobe.config.Mode;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.daemon.AgentOptions;
import io.smtpprobe.daemon.Daemon;
import io.smtpprobe.engine.LogLevel;
import io.smtpprobe.engine.NetworkProbers;
import io.smtpprobe.http.AgentHttpServer;
import io.smtpprobe.probe.Ticker;
import io.smtpprobe.testing.DaemonFixtures;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code smtp-probe run} with its real probers and HTTP, on a configuration made here rather than read
 * by the loader, so that the engine can be driven past the loader's target maximum (ThreadBoundTest:
 * the thread bound is the engine's, whatever the count). Arguments: PORT COUNT CONCURRENCY; every target
 * is {@code tcp://127.0.0.1:PORT}, probed every 4 s without jitter, timeout 2 s. Runs until SIGTERM.
 */
public final class ManyTargetsMain {
    private ManyTargetsMain() {}

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int count = Integer.parseInt(args[1]);
        int concurrency = Integer.parseInt(args[2]);
        List<TargetConfig> targets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            targets.add(DaemonFixtures.host("t" + i, "127.0.0.1", port, Mode.TCP));
        }
        Config config = DaemonFixtures.config("pay-as-you-go", Duration.ofSeconds(4), Duration.ZERO,
                Duration.ofSeconds(2), concurrency, targets);
        AgentOptions options = AgentOptions.defaults("0.0.0-test", System.getenv(), LogLevel.DEBUG,
                new NetworkProbers(Clock.systemUTC(), Ticker.SYSTEM));
        System.exit(Daemon.run(config, null, options, "127.0.0.1:0", AgentHttpServer::new));
    }
}
