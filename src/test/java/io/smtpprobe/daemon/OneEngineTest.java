package io.smtpprobe.daemon;

import io.smtpprobe.engine.CheckRound;
import io.smtpprobe.engine.EventLog;
import io.smtpprobe.engine.LogLevel;
import io.smtpprobe.engine.NetworkProbers;
import io.smtpprobe.engine.ProberFactory;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.smtpprobe.classify.ClassifiedResult;
import io.smtpprobe.config.Config;
import io.smtpprobe.config.DnsConfig;
import io.smtpprobe.config.IpFamily;
import io.smtpprobe.config.Mode;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.policy.Port25Policy;
import io.smtpprobe.probe.Outcome;
import io.smtpprobe.probe.ProbeResult;
import io.smtpprobe.probe.Prober;
import io.smtpprobe.probe.Ticker;
import io.smtpprobe.testing.DaemonFixtures;
import io.smtpprobe.testing.FakeDnsServer;
import io.smtpprobe.testing.ScriptedSmtpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 13's "done when": {@code check} and {@code run} are one engine called twice. For each scenario
 * server, the same target is probed once as {@code check} probes it (a {@link CheckRound} over the
 * prober {@link NetworkProbers} makes, as CheckCommand wires it) and once by the running daemon
 * ({@link Agent#start}, its first round, from {@link RunningAgent#report()}, what /status serves); both
 * must give the same outcome, verdict and detail for every host.
 */
class OneEngineTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    @TempDir
    Path dmi;

    /** A situation the suite covers, and the outcome both must reach in it. */
    enum Scenario {
        ANSWERS(Outcome.OK),
        REJECTS_THE_GREETING(Outcome.GREETING_REJECTED),
        REFUSES_THE_CONNECTION(Outcome.TCP_REFUSED),
        SPEAKS_NO_SMTP(Outcome.PROTOCOL_ERROR),
        HIDES_STARTTLS_FROM_A_RELAY(Outcome.STARTTLS_UNAVAILABLE),
        HAS_NO_SUCH_NAME(Outcome.DNS_FAILURE),
        NEVER_GREETS(Outcome.GREETING_TIMEOUT),
        PROBER_THROWS(Outcome.ERROR),
        /** The engine's watchdog abandons it, and drops what it returns once interrupted. */
        PROBER_OVERRUNS(Outcome.DEADLINE_EXCEEDED);

        final Outcome outcome;

        Scenario(Outcome outcome) {
            this.outcome = outcome;
        }
    }

    @ParameterizedTest
    @EnumSource(Scenario.class)
    void checkAndRunGiveTheSameOutcomeVerdictAndDetail(Scenario scenario) throws Exception {
        try (FakeDnsServer dns = FakeDnsServer.start(); ScriptedSmtpServer server = server(scenario)) {
            int port = port(scenario, server);
            TargetConfig target = switch (scenario) {
                case HIDES_STARTTLS_FROM_A_RELAY -> DaemonFixtures.host("t", "127.0.0.1", port, Mode.SUBMISSION);
                case HAS_NO_SUCH_NAME -> DaemonFixtures.host("t", "no-such-host.test", port, Mode.SMTP);
                case REFUSES_THE_CONNECTION -> DaemonFixtures.host("t", "127.0.0.1", port, Mode.TCP);
                default -> DaemonFixtures.host("t", "127.0.0.1", port, Mode.SMTP);
            };
            Config fixture = DaemonFixtures.config("pay-as-you-go", Duration.ofHours(1), Duration.ZERO, TIMEOUT, 4,
                    List.of(target));
            Config config = new Config(fixture.subscription(), fixture.azure(), fixture.probe(),
                    new DnsConfig(List.of(dns.hostPort()), IpFamily.IPV4), fixture.web(), fixture.targets());
            try (NetworkProbers network = new NetworkProbers(Clock.systemUTC(), Ticker.SYSTEM, dmi)) {
                ProberFactory probers = switch (scenario) {
                    case PROBER_THROWS -> c -> new ThrowingProber();
                    case PROBER_OVERRUNS -> c -> new OverrunningProber();
                    default -> network;
                };

                List<Tuple> check = seen(check(config, probers));
                List<Tuple> run = seen(run(config, probers));

                assertThat(check).isNotEmpty().allSatisfy(t -> assertThat(t.toList().get(1)).isEqualTo(scenario.outcome));
                assertThat(run).as("the daemon's first round").containsExactlyElementsOf(check);
            }
        }
    }

    private List<ClassifiedResult> check(Config config, ProberFactory probers) throws InterruptedException {
        Port25Policy policy = AgentOptions.configuredPolicy(config);
        EventLog log = new EventLog(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                Clock.systemUTC(), LogLevel.ERROR, false);
        return new CheckRound(probers.create(config), config.probe(), Clock.systemUTC(), log,
                io.smtpprobe.classify.CheckInvocation.configured(null))
                .run(config.targets(), policy, r -> { }).results();
    }

    private List<ClassifiedResult> run(Config config, ProberFactory probers) throws InterruptedException {
        AgentOptions options = new AgentOptions("9.9.9", Clock.systemUTC(), Map.of(),
                new EventLog(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                        Clock.systemUTC(), LogLevel.ERROR, false),
                probers, AgentOptions::configuredPolicy, dmi, Duration.ofHours(1), false);
        RunningAgent agent = Agent.start(config, null, options);
        try {
            assertThat(agent.awaitReady(Duration.ofSeconds(20))).as("first round done").isTrue();
            return agent.report().results();
        } finally {
            agent.shutdown();
            agent.awaitShutdown();
        }
    }

    private static List<Tuple> seen(List<ClassifiedResult> results) {
        return results.stream().map(r -> tuple(r.result().host(), r.result().outcome(), r.verdict(),
                r.result().detail(), r.result().reply())).toList();
    }

    private static ScriptedSmtpServer server(Scenario scenario) throws Exception {
        return ScriptedSmtpServer.start(peer -> {
            switch (scenario) {
                case REJECTS_THE_GREETING -> peer.send("554 mail.test no service here");
                case SPEAKS_NO_SMTP -> peer.send("SSH-2.0-OpenSSH_9.6");
                case NEVER_GREETS -> peer.awaitClose();
                case HIDES_STARTTLS_FROM_A_RELAY -> {
                    peer.send("220 relay.test ESMTP");
                    peer.expect("EHLO");
                    peer.send("250 relay.test");
                    peer.expect("QUIT");
                    peer.send("221 bye");
                }
                default -> {
                    peer.send("220 mail.test ESMTP");
                    peer.expect("EHLO");
                    peer.send("250 mail.test");
                    peer.expect("QUIT");
                    peer.send("221 bye");
                }
            }
        });
    }

    private static int port(Scenario scenario, ScriptedSmtpServer server) throws Exception {
        if (scenario != Scenario.REFUSES_THE_CONNECTION) {
            return server.port();
        }
        try (ServerSocket closed = new ServerSocket(0)) {
            return closed.getLocalPort(); // closed once this block ends: the connect is refused
        }
    }

    /** A prober with a bug: it throws instead of returning an outcome. */
    private static final class ThrowingProber implements Prober {
        @Override
        public List<ProbeResult> probe(TargetConfig target) {
            throw new IllegalStateException("a bug in the prober");
        }
    }

    /** A prober stuck until its thread is interrupted, then answering ok: an answer nobody may record. */
    private static final class OverrunningProber implements Prober {
        @Override
        public List<ProbeResult> probe(TargetConfig target) {
            try {
                new java.util.concurrent.CountDownLatch(1).await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return List.of(new ProbeResult(target.name(), target.host(), null, target.port(), target.mode(),
                    Outcome.OK, "250 late", "too late", Map.of(), null, java.time.Instant.now(), null));
        }
    }
}
