package io.smtpprobe.http;

import io.smtpprobe.config.Config;
import io.smtpprobe.config.Mode;
import io.smtpprobe.daemon.AgentOptions;
import io.smtpprobe.daemon.Daemon;
import io.smtpprobe.daemon.FrontEnd;
import io.smtpprobe.engine.EventLog;
import io.smtpprobe.engine.LogLevel;
import io.smtpprobe.testing.DaemonFixtures;
import io.smtpprobe.testing.GatedProber;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A daemon of one relay target, its probes held by a {@link GatedProber}, its log in {@code log}: for endpoint tests. */
final class OneRelayDaemon {
    private OneRelayDaemon() {}

    static Daemon start(Path dir, GatedProber prober, OutputStream log, FrontEnd.Factory frontEnd) {
        Config config = DaemonFixtures.config("pay-as-you-go", Duration.ofHours(1), Duration.ZERO, Duration.ofSeconds(5),
                2, List.of(DaemonFixtures.host("relay", "relay.test", 587, Mode.SUBMISSION)));
        AgentOptions options = new AgentOptions("9.9.9", Clock.systemUTC(), Map.of(),
                new EventLog(new PrintStream(log, true, StandardCharsets.UTF_8), Clock.systemUTC(), LogLevel.INFO, true),
                c -> prober, AgentOptions::configuredPolicy, dir, Duration.ofHours(1), true);
        return Daemon.start(config, null, options, "127.0.0.1:0", frontEnd);
    }
}
