package io.smtpprobe.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.config.ConfigException;
import io.smtpprobe.config.ConfigLoader;
import io.smtpprobe.policy.PolicyTable;
import io.smtpprobe.testing.ChildProcess;
import io.smtpprobe.testing.ScriptedSmtpServer;
import io.smtpprobe.testing.SubethaRelay;
import io.smtpprobe.testing.TestCertificates;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A configured relay password, driven through every failure that could carry it (AUTH rejected, a
 * server that echoes what AUTH sent back in its 535, TLS failing after AUTH was offered, AUTH offered
 * only in plain text, reloads refused for a bad config and for a password file others can read), never
 * surfaces: not in the daemon's output, {@code /status}, {@code /metrics} or reload answers, not in
 * {@code check --transcript}, not in the loader's messages, and never on the wire before TLS.
 */
class SecretsNeverSurfaceTest {
    private static final String USER = "relay-user";
    private static final String PASSWORD = "Zq7-never-shown-hunter2";

    @TempDir
    Path dir;

    @Test
    void thePasswordAppearsInNoOutputOfTheDaemonOrCheckWhateverFails() throws Exception {
        SSLContext tls = TestCertificates.authority("secrets CA").serverContext("127.0.0.1");
        Path password = Files.writeString(dir.resolve("relay-password"), PASSWORD + "\n");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
        try (SubethaRelay rejecting = SubethaRelay.start(b -> b.startTlsSocketFactory(tls).enableTLS().requireTLS()
                        .authenticationHandlerFactory(SubethaRelay.passwordAuth()));
                ScriptedSmtpServer echoing = ScriptedSmtpServer.start(peer -> {
                    // A hostile relay: reflects the AUTH argument, and its decoding, in its rejection.
                    starttls(peer, tls, "AUTH PLAIN LOGIN");
                    String auth = peer.expect("AUTH");
                    String argument = auth.substring(auth.lastIndexOf(' ') + 1);
                    String decoded = new String(Base64.getDecoder().decode(argument), StandardCharsets.UTF_8)
                            .replace('\0', '|');
                    peer.send("535 5.7.8 authentication failed for " + argument + " = " + decoded);
                    peer.answerEverything("221 bye");
                });
                ScriptedSmtpServer altering = ScriptedSmtpServer.start(peer -> {
                    // A hostile relay that echoes the secret altered (issue 14 item 9), over several lines.
                    starttls(peer, tls, "AUTH PLAIN LOGIN");
                    String auth = peer.expect("AUTH");
                    String argument = auth.substring(auth.lastIndexOf(' ') + 1);
                    peer.send("535-5.7.8 unpadded " + argument.replace("=", ""));
                    peer.send("535-5.7.8 prefix " + PASSWORD.substring(0, 10));
                    peer.send("535-5.7.8 url " + java.net.URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8));
                    peer.send("535 5.7.8 hex " + java.util.HexFormat.of().formatHex(PASSWORD.getBytes(
                            StandardCharsets.UTF_8)));
                    peer.answerEverything("221 bye");
                });
                ScriptedSmtpServer brokenTls = ScriptedSmtpServer.start(peer -> {
                    peer.greetAndAcceptStarttls("220 relay.test ESMTP", "AUTH PLAIN LOGIN", "STARTTLS");
                    peer.send("this is not a TLS record at all");
                    peer.awaitClose();
                });
                ScriptedSmtpServer plainAuth = ScriptedSmtpServer.start(peer -> {
                    peer.send("220 relay.test ESMTP");
                    peer.expect("EHLO");
                    for (String line : ScriptedSmtpServer.ehloReply("AUTH PLAIN LOGIN", "AUTH=PLAIN LOGIN")) {
                        peer.send(line);
                    }
                    peer.answerEverything("221 bye");
                })) {
            String targets = "targets:\n"
                    + relay("rejected", rejecting.port(), password) + relay("echoed", echoing.port(), password)
                    + relay("broken-tls", brokenTls.port(), password) + relay("plain-auth", plainAuth.port(), password)
                    + relay("altering", altering.port(), password);
            String head = "subscription:\n  offer: pay-as-you-go\nazure:\n  metadata: off\n"
                    + "probe:\n  interval: 1h\n  jitter: 0s\n  timeout: 3s\n  helo_name: vm.test\n";
            Path config = Files.writeString(dir.resolve("smtp-probe.yml"), head + targets);
            List<String> seen = new ArrayList<>();

            try (AgentProcess agent = AgentProcess.start(config)) {
                agent.awaitProbes(5, 30);
                String status = agent.http().get("/status").body();
                assertThat(status).contains("auth_rejected").contains("tls_handshake_failed")
                        .contains("starttls_unavailable")
                        // The echoing relay's reply is still shown, with what it reflected masked.
                        .contains("\"reply\" : \"535 5.7.8 authentication failed for <redacted> = relay-user|relay-user|"
                                + "<redacted>\"")
                        .contains("\"reply\" : \"535 5.7.8 hex <redacted>\"");
                seen.add(status);
                seen.add(agent.scrape().text());

                // A refused reload whose config names the password file (and an impossible port).
                Files.writeString(config, head + targets + relay("bad", 70000, password));
                agent.process().signal("HUP");
                agent.process().await("msg=\"configuration reload refused; the running configuration stays\"", 30);
                HttpResponse<String> refused = agent.http().post("/-/reload");
                assertThat(refused.statusCode()).isEqualTo(500);
                assertThat(refused.body()).contains("targets[5].port");
                seen.add(refused.body());

                // The password file, readable by others: refused too, saying so and only so.
                Files.writeString(config, head + targets);
                Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-r--r--"));
                HttpResponse<String> exposed = agent.http().post("/-/reload");
                assertThat(exposed.statusCode()).isEqualTo(500);
                assertThat(exposed.body()).contains("is readable by other users");
                seen.add(exposed.body());
                agent.process().signal("HUP");
                agent.process().await("is readable by other users", 30);
                seen.add(agent.http().get("/status").body());
                seen.add(agent.scrape().text());

                agent.process().signal("TERM");
                String output = agent.process().awaitEnd(15);
                assertThat(output).contains("msg=stopped").contains("auth_rejected").contains("reload refused");
                seen.add(output);
            }

            // The loader's own messages for both refusals, and check-config's.
            seen.add(configError(head + targets));
            try (ChildProcess checkConfig = new ChildProcess(ChildProcess.java(io.smtpprobe.cli.Main.class.getName(),
                    "check-config", config.toString()))) {
                String output = checkConfig.awaitEnd(30);
                assertThat(checkConfig.process().exitValue()).isEqualTo(78);
                assertThat(output).contains("is readable by other users");
                seen.add(output);
            }
            Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
            seen.add(configError(head + targets + relay("bad", 70000, password)));

            // check with transcripts of every failed conversation, as text and as JSON.
            for (String output : List.of("text", "json")) {
                try (ChildProcess check = new ChildProcess(ChildProcess.java(io.smtpprobe.cli.Main.class.getName(),
                        "check", "--config", config.toString(), "--transcript", "--output", output))) {
                    String checked = check.awaitEnd(60);
                    assertThat(check.process().exitValue()).as(checked).isEqualTo(1);
                    assertThat(checked).contains("C: AUTH PLAIN <redacted>").contains("auth_rejected")
                            .contains("plain-auth");
                    seen.add(checked);
                }
            }

            for (String text : seen) {
                assertNoSecret(text);
            }
            // Never on the wire without TLS: the servers that had no TLS to offer got no AUTH at all.
            assertThat(plainAuth.received()).noneMatch(line -> line.regionMatches(true, 0, "AUTH", 0, 4));
            assertThat(brokenTls.received()).noneMatch(line -> line.regionMatches(true, 0, "AUTH", 0, 4));
            assertNoSecret(plainAuth.receivedText());
            assertNoSecret(brokenTls.receivedText());
        }
    }

    private static void starttls(ScriptedSmtpServer.Peer peer, SSLContext tls, String... extensions)
            throws java.io.IOException {
        peer.greetAndAcceptStarttls("220 relay.test ESMTP", "STARTTLS");
        peer.startTls(tls);
        peer.expect("EHLO");
        for (String line : ScriptedSmtpServer.ehloReply(extensions)) {
            peer.send(line);
        }
    }

    private static String relay(String name, int port, Path password) {
        return "  - name: " + name + "\n    host: 127.0.0.1\n    mode: submission\n    port: " + port + "\n"
                + "    tls:\n      insecure_skip_verify: true\n"
                + "    auth:\n      username: " + USER + "\n      password_file: " + password + "\n";
    }

    private String configError(String yaml) throws Exception {
        try {
            new ConfigLoader(Map.of(), PolicyTable.NAMES).parse(yaml, "smtp-probe.yml");
        } catch (ConfigException e) {
            return e.getMessage() + "\n" + String.join("\n", e.errors());
        }
        throw new AssertionError("the config was accepted:\n" + yaml);
    }

    /**
     * Neither the password nor any encoding of it that PLAIN or LOGIN would send, nor a reflected decoding,
     * nor an altered form: unpadded, a prefix, URL- or hex-encoded.
     */
    private static void assertNoSecret(String text) {
        assertThat(text).doesNotContain(PASSWORD)
                .doesNotContain(PASSWORD.substring(0, 10))
                .doesNotContain(java.net.URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8))
                .doesNotContain(java.util.HexFormat.of().formatHex(PASSWORD.getBytes(StandardCharsets.UTF_8)))
                .doesNotContain(b64("\0" + USER + "\0" + PASSWORD).replace("=", ""))
                .doesNotContain(b64(PASSWORD))
                .doesNotContain(b64("\0" + USER + "\0" + PASSWORD))
                .doesNotContain(b64(USER + "\0" + USER + "\0" + PASSWORD));
    }

    private static String b64(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }
}
