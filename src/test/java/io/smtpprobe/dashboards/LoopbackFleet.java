package io.smtpprobe.dashboards;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.smtpprobe.config.Config;
import io.smtpprobe.config.ConfigLoader;
import io.smtpprobe.daemon.AgentOptions;
import io.smtpprobe.daemon.Daemon;
import io.smtpprobe.daemon.ReloadResult;
import io.smtpprobe.engine.EventLog;
import io.smtpprobe.engine.LogLevel;
import io.smtpprobe.engine.NetworkProbers;
import io.smtpprobe.http.AgentHttpServer;
import io.smtpprobe.policy.PolicyTable;
import io.smtpprobe.probe.Ticker;
import io.smtpprobe.testing.BacklogFullListener;
import io.smtpprobe.testing.DeliveryFixture;
import io.smtpprobe.testing.FakeMetadataService;
import io.smtpprobe.testing.GreenMailSetups;
import io.smtpprobe.testing.ScriptedSmtpServer;
import io.smtpprobe.testing.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import javax.net.ssl.SSLContext;

/**
 * Five smtp-probe agents running in this JVM (the daemon with its own prober factory, as
 * {@code smtp-probe run} starts it), each probing loopback servers that put it into one situation:
 * <ul>
 *   <li>vm-blocked (Enterprise Agreement, port 25 allowed): port 25 to an internet-routed address
 *       drops the connect (tcp_timeout, a path failure), a control on another port connects; its delivery
 *       target cannot log in to the mailbox (mailbox_failed, SmtpDeliveryFailing).
 *   <li>vm-open (Pay-As-You-Go, port 25 blocked by policy; on "Azure" through a loopback instance
 *       metadata service): an SMTP server answers on port 25; the relay offers STARTTLS with a
 *       certificate expiring in 7 days and rejects AUTH; a receiving MX (role mx) greets with 554; a delivery
 *       target sends through a second relay (GreenMail's SMTPS) and finds its message in GreenMail's IMAPS mailbox.
 *   <li>vm-noegress: port 25 and an internet-routed control on another port both drop the connect.
 *   <li>vm-reload and vm-down: one control that connects; the test reloads and stops them.
 * </ul>
 * Every agent probes every {@link #PROBE_INTERVAL}.
 */
final class LoopbackFleet implements AutoCloseable {
    static final Duration PROBE_INTERVAL = Duration.ofSeconds(2);
    static final String SUBSCRIPTION = "2b3c4d5e-6f70-4811-9a2b-3c4d5e6f7081";
    static final String AZURE_VM_NAME = "vm-open";
    static final String LOCATION = "westeurope";

    private final Path dir;
    private final String prefix;
    private final List<AutoCloseable> servers = new ArrayList<>();
    private final Map<String, Daemon> agents = new LinkedHashMap<>();
    private final Map<String, String> instances = new LinkedHashMap<>();
    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();

    private LoopbackFleet(Path dir) {
        this.dir = dir;
        // A /24 of the loopback range of our own, so nothing else on the machine answers there.
        this.prefix = "127." + ThreadLocalRandom.current().nextInt(100, 200) + "."
                + ThreadLocalRandom.current().nextInt(1, 250) + ".";
    }

    static LoopbackFleet start(Path dir) throws Exception {
        LoopbackFleet fleet = new LoopbackFleet(dir);
        try {
            fleet.startAll();
            return fleet;
        } catch (Exception | AssertionError e) {
            fleet.close();
            throw e;
        }
    }

    private void startAll() throws Exception {
        InetAddress open25 = address(2);
        InetAddress rejecting = address(3);
        InetAddress relayAddress = address(4);
        InetAddress control = address(5);
        InetAddress dark = address(6);
        assertRefused(dark, 25);
        assertRefused(dark, 443);
        // Nothing answers there, not even with a reset: connects go unanswered, as under Azure's block or
        // an NSG deny (a path failure). A reset would say the path works and nothing listens there, which
        // revision 2 (README.md "Reading the verdicts") reads as receiver_unavailable, never as a block.
        serving(new BacklogFullListener(dark, 25));
        serving(new BacklogFullListener(dark, 443));

        try {
            serving(ScriptedSmtpServer.start(open25, 25, smtp(null)));
        } catch (BindException e) {
            throw new AssertionError("cannot listen on " + open25.getHostAddress() + ":25 (" + e.getMessage()
                    + "): the port-25 scenario needs root or CAP_NET_BIND_SERVICE; run the tests as root, as CI does", e);
        }
        // 554 at the greeting, as a receiver that blocklists the client does (RFC 5321 section 3.1).
        ScriptedSmtpServer blocklisting = serving(ScriptedSmtpServer.start(rejecting, 0,
                peer -> peer.send("554 5.7.1 Service unavailable; client host blocked using a test blocklist")));
        TestCertificates authority = TestCertificates.authority("smtp-probe e2e CA");
        SSLContext relayTls = authority.serverContext(relayAddress.getHostAddress(),
                Instant.now().minus(Duration.ofDays(80)), Instant.now().plus(Duration.ofDays(7)));
        ScriptedSmtpServer relay = serving(ScriptedSmtpServer.start(relayAddress, 0, smtp(relayTls)));
        ScriptedSmtpServer controlServer = serving(ScriptedSmtpServer.start(control, 0, smtp(null)));
        Path caFile = authority.writeCaPem(dir.resolve("relay-ca.pem"));
        Path password = Files.writeString(dir.resolve("relay-password"), "not-the-password\n");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
        FakeMetadataService metadata = serving(new FakeMetadataService(instanceMetadata(SUBSCRIPTION,
                "5f0e2b1c-3a4d-4e5f-8a9b-0c1d2e3f4a5b", AZURE_VM_NAME, "rg-mail", LOCATION)));

        // The delivery probe's relay and mailbox. Delivery targets run once at start and then every minute
        // at the least, so each agent's first delivery result is what the alert and the panels see.
        GreenMail mail = new GreenMail(GreenMailSetups.loopback(ServerSetupTest.SMTPS, ServerSetupTest.IMAPS));
        mail.start();
        serving(mail::stop);
        DeliveryFixture.users(mail);
        String goodRelay = target("relay-ok", "127.0.0.1", mail.getSmtps().getPort(), "smtps",
                "    tls:\n      insecure_skip_verify: true\n    auth:\n      username: relay\n      password_file: "
                        + DeliveryFixture.secret(dir, "relay-ok-password", DeliveryFixture.RELAY_PASSWORD) + "\n");
        Path mailboxPassword = DeliveryFixture.secret(dir, "mailbox-password", DeliveryFixture.MAILBOX_PASSWORD);
        Path wrongMailboxPassword = DeliveryFixture.secret(dir, "wrong-mailbox-password", "not-" + DeliveryFixture.MAILBOX_PASSWORD);

        String port25Dropped = target("mx-direct", dark.getHostAddress(), 25, "smtp", "    route: internet\n");
        String controlTarget = target("control", control.getHostAddress(), controlServer.port(), "tcp", "");
        startAgent("vm-blocked", config("enterprise-agreement", null, port25Dropped + controlTarget + goodRelay
                + delivery("vm-blocked", mail.getImaps().getPort(), wrongMailboxPassword)));
        startAgent("vm-open", config("pay-as-you-go", metadata.endpoint().toString(),
                target("mx-direct", open25.getHostAddress(), 25, "smtp", "    route: internet\n")
                        + target("relay", relayAddress.getHostAddress(), relay.port(), "submission",
                                "    auth:\n      username: probe@example.test\n      password_file: " + password + "\n"
                                        + "    tls:\n      ca_file: " + caFile + "\n")
                        + target("receiver", rejecting.getHostAddress(), blocklisting.port(), "smtp",
                                // smtp to a loopback (private) address would be guessed a smarthost (relay).
                                "    expect: reachable\n    role: mx\n")
                        + controlTarget + goodRelay + delivery("vm-open", mail.getImaps().getPort(), mailboxPassword)));
        startAgent("vm-noegress", config("pay-as-you-go", null,
                // No egress needs internet-routed evidence on another port too; loopback is private.
                port25Dropped + target("control", dark.getHostAddress(), 443, "tcp", "    route: internet\n")));
        startAgent("vm-reload", config("pay-as-you-go", null, controlTarget));
        startAgent("vm-down", config("pay-as-you-go", null, controlTarget));
    }

    /**
     * A receiver's conversation: 220, EHLO answered, QUIT; a probe of mode smtp ends ok. With {@code tls}
     * it is a relay instead: STARTTLS (RFC 3207) with that context, then 535 to every AUTH (RFC 4954
     * section 6). The probe may hang up at any point: the server ends the script quietly on the EOF.
     */
    private static ScriptedSmtpServer.Script smtp(SSLContext tls) {
        return peer -> {
            peer.send("220 scripted.test ESMTP");
            boolean secured = false;
            for (String line = peer.readLine(); line != null; line = peer.readLine()) {
                switch (line.split(" ", 2)[0].toUpperCase(Locale.ROOT)) {
                    case "EHLO" -> {
                        List<String> reply = tls == null ? ScriptedSmtpServer.ehloReply("8BITMIME")
                                : secured ? ScriptedSmtpServer.ehloReply("AUTH PLAIN LOGIN")
                                : ScriptedSmtpServer.ehloReply("PIPELINING", "STARTTLS");
                        for (String replyLine : reply) {
                            peer.send(replyLine);
                        }
                    }
                    case "HELO" -> peer.send("250 scripted.test");
                    case "STARTTLS" -> {
                        if (tls == null || secured) {
                            peer.send("502 5.5.1 not offered");
                        } else {
                            peer.send("220 2.0.0 ready to start TLS").startTls(tls);
                            secured = true;
                        }
                    }
                    case "AUTH" -> {
                        if (line.split(" ").length == 2) {
                            peer.send("334 ");
                            peer.readLine(); // the initial response, unread
                        }
                        peer.send("535 5.7.8 Authentication credentials invalid");
                    }
                    case "QUIT" -> {
                        peer.send("221 2.0.0 bye");
                        return;
                    }
                    case "RSET", "NOOP" -> peer.send("250 2.0.0 ok");
                    default -> peer.send("502 5.5.2 command not recognized");
                }
            }
        };
    }

    /** Azure's {@code /metadata/instance} answer for one VM, the compute fields the agent reads. */
    private static byte[] instanceMetadata(String subscriptionId, String vmId, String vmName, String resourceGroup,
            String location) {
        return ("{\"compute\":{\"azEnvironment\":\"AzurePublicCloud\",\"location\":\"" + location
                + "\",\"name\":\"" + vmName + "\",\"resourceGroupName\":\"" + resourceGroup
                + "\",\"subscriptionId\":\"" + subscriptionId + "\",\"vmId\":\"" + vmId
                + "\",\"vmSize\":\"Standard_B2s\"}}").getBytes(StandardCharsets.UTF_8);
    }

    /** Scenario name to the scrape address ({@code instance} label) of its agent. */
    Map<String, String> instances() {
        return instances;
    }

    /** Rewrites the agent's file with {@code from} replaced by {@code to} and reloads it. */
    ReloadResult reloadWith(String vm, String from, String to) throws IOException {
        Path file = dir.resolve(vm + ".yml");
        Files.writeString(file, Files.readString(file).replace(from, to));
        return agents.get(vm).agent().reload();
    }

    /** Stops the agent as SIGTERM would: its endpoint goes away. */
    void stop(String vm) throws InterruptedException {
        Daemon daemon = agents.remove(vm);
        daemon.agent().shutdown();
        daemon.agent().awaitShutdown();
    }

    String logs() {
        return logs.toString(StandardCharsets.UTF_8);
    }

    private void startAgent(String vm, String yaml) throws Exception {
        Path file = Files.writeString(dir.resolve(vm + ".yml"), yaml);
        Config config = new ConfigLoader(Map.of(), PolicyTable.NAMES).load(file);
        AgentOptions options = new AgentOptions("0.1.0-e2e", Clock.systemUTC(), Map.of(),
                new EventLog(new PrintStream(logs, true, StandardCharsets.UTF_8), Clock.systemUTC(), LogLevel.WARN,
                        true),
                // One prober factory per agent, as in `smtp-probe run` (the agent closes it at shutdown); no
                // DMI strings here, so no managed-identity tokens are ever asked for.
                new NetworkProbers(Clock.systemUTC(), Ticker.SYSTEM, dir.resolve("no-dmi")),
                AgentOptions::configuredPolicy, dir.resolve("no-dmi"), Duration.ofHours(1), false);
        Daemon daemon = Daemon.start(config, file, options, "127.0.0.1:0", AgentHttpServer::new);
        agents.put(vm, daemon);
        instances.put(vm, "127.0.0.1:" + daemon.port());
    }

    private static String config(String offer, String metadataEndpoint, String targets) {
        return "subscription:\n  offer: " + offer + "\n"
                + "azure:\n  metadata: " + (metadataEndpoint == null ? "off\n" : "on\n  metadata_endpoint: "
                        + metadataEndpoint + "\n")
                + "probe:\n  interval: " + PROBE_INTERVAL.toSeconds() + "s\n  jitter: 0s\n  timeout: 1500ms\n"
                + "  concurrency: 4\n"
                + "targets:\n" + targets;
    }

    private static String target(String name, String host, int port, String mode, String extra) {
        return "  - name: " + name + "\n    host: " + host + "\n    port: " + port + "\n    mode: " + mode + "\n"
                + extra;
    }

    /** A delivery target {@code delivery} through {@code relay-ok} to GreenMail's IMAPS mailbox of user inbox. */
    private String delivery(String vm, int imapsPort, Path mailboxPassword) {
        return "  - name: delivery\n    mode: delivery\n    relay: relay-ok\n    mail_from: relay@example.com\n"
                + "    rcpt_to: inbox@example.com\n    interval: 1m\n    delivery_timeout: 30s\n"
                + "    state_file: " + dir.resolve(vm + "-delivery.last-sent") + "\n"
                + "    mailbox:\n      host: 127.0.0.1\n      port: " + imapsPort + "\n      username: inbox\n"
                + "      password_file: " + mailboxPassword + "\n      tls:\n        insecure_skip_verify: true\n";
    }

    private InetAddress address(int last) throws IOException {
        return InetAddress.getByName(prefix + last);
    }

    private <T extends AutoCloseable> T serving(T server) {
        servers.add(server);
        return server;
    }

    private static void assertRefused(InetAddress address, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 1000);
            throw new AssertionError(address.getHostAddress() + ":" + port
                    + " answers, but the test needs nothing listening there; something on this machine binds it");
        } catch (ConnectException expected) {
            // refused: nothing listens, as the scenario needs
        }
    }

    @Override
    public void close() throws Exception {
        for (Daemon daemon : agents.values()) {
            daemon.agent().shutdown();
            daemon.agent().awaitShutdown();
        }
        agents.clear();
        for (AutoCloseable server : servers) {
            server.close();
        }
    }
}
