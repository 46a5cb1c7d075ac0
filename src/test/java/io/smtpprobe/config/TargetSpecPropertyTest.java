package io.smtpprobe.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Arbitrary {@code --target} specs (issue 14): each ends in a target or a {@link ConfigException} with
 * readable errors, never another exception or a hang; a password typed into the spec is never printed;
 * a spec that parses says what was written (its name, host and port). Seeded like
 * {@link ConfigLoaderPropertyTest}, whose worker bounds each try.
 */
class TargetSpecPropertyTest {
    private static final String PASSWORD = "tgt-Secret-41e7";
    private static final Map<String, String> ENV = Map.of("SMTP_PROBE_PASSWORD", "env-Secret-0b3d");

    private static final String[] NAMES_OK = {"", "relay=", "a.b_c-d:e="};
    private static final String[] SCHEMES_OK = {"smtp://", "submission://", "smtps://", "tcp://"};
    private static final String[] USERS_OK = {"", "", "alice@", "my%40user@"};
    private static final String[] HOSTS_OK = {"smtp.example.net", "127.0.0.1", "[::1]", "[2001:db8::25]"};
    private static final String[] PORTS_OK = {"", ":25", ":587", ":2525"};
    private static final String[] QUERIES_OK = {"", "?expect=blocked", "?route=private", "?starttls=required"};
    private static final String[] NAMES = {"", "relay=", "mx1=", "a.b_c-d:e=", "-bad=", "x=y=", "\u00e9=", "n\r\n=",
        "=", "0::1="};
    private static final String[] SCHEMES = {"smtp://", "submission://", "smtps://", "tcp://", "SMTP://", "mx:",
        "http://", "smtp:/", "://", "", "smtp:///"};
    private static final String[] USERS = {"", "", "", "alice@", "alerts@example.com@", "my%40user@", "a%zz@",
        "alice:" + PASSWORD + "@", "alice:" + PASSWORD.substring(0, 5) + "?" + PASSWORD.substring(5) + "@", "@",
        ":@", "alice:@"};
    private static final String[] HOSTS = {"smtp.example.net", "127.0.0.1", "[::1]", "[2001:db8::25]", "[::1",
        "::1", "gmail.com", "", "exa mple.com", "a..b", "256.1.1.1", "x".repeat(300), "host\u001b[2J", "[fe80::1%eth0]",
        "\u0000"};
    private static final String[] PORTS = {"", "", ":25", ":587", ":0", ":65536", ":99999999999", ":", ":x", "::"};
    private static final String[] QUERIES = {"", "", "?expect=blocked", "?route=private&starttls=off", "?mx_hosts=11",
        "?mx_hosts=3", "?ca_file=/dev/zero", "?ca_file=/nonexistent", "?insecure_skip_verify=maybe",
        "?mail_from=a@example.com&rcpt_to=b@example.com", "?expect=x&expect=y", "?=", "?&&", "?colour=blue",
        "?mail_from=%", "?mail_from=" + PASSWORD + "@x"};

    private static ExecutorService worker;

    @BeforeAll
    static void setUp() {
        System.out.println("TargetSpecPropertyTest seed=" + ConfigLoaderPropertyTest.SEED
                + " (replay with -Dsmtpprobe.seed=" + ConfigLoaderPropertyTest.SEED + ")");
        worker = ConfigLoaderPropertyTest.worker();
    }

    @AfterAll
    static void tearDown() {
        worker.shutdownNow();
    }

    @Test
    void randomSpecsEndInATargetOrAClearErrorWithoutPrintingAPassword() throws Exception {
        Random random = new Random(ConfigLoaderPropertyTest.SEED + 10);
        int parsed = 0;
        for (int i = 0; i < 1500; i++) {
            // Mostly well-formed pieces, so that many specs parse and what they say can be checked.
            String name = pick(random, NAMES_OK, NAMES);
            String user = pick(random, USERS_OK, USERS);
            String host = pick(random, HOSTS_OK, HOSTS);
            String port = pick(random, PORTS_OK, PORTS);
            String spec = name + pick(random, SCHEMES_OK, SCHEMES) + user + host + port
                    + pick(random, QUERIES_OK, QUERIES);
            if (random.nextInt(5) == 0) {
                spec = ConfigLoaderPropertyTest.mutate(random, spec, 1);
            }
            String input = spec;
            TargetConfig target = parse("spec", i, input);
            if (target != null) {
                parsed++;
                assertThat(user.contains(":") && input.contains(user)).as("a spec with USER:PASSWORD@ parsed: %s",
                        ErrorText.quote(input, 400)).isFalse();
                saysWhatWasWritten(input, name, host, port, target);
            }
        }
        System.out.println("TargetSpecPropertyTest: " + parsed + " of 1500 specs parsed");
        assertThat(parsed).isPositive();
    }

    @Test
    void randomTextEndsInATargetOrAClearError() throws Exception {
        Random random = new Random(ConfigLoaderPropertyTest.SEED + 11);
        for (int i = 0; i < 500; i++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(40);
            for (int c = 0; c < length; c++) {
                text.append(random.nextInt(4) == 0 ? (char) random.nextInt(0x3000) : ":/@?&=[]%.x1"
                        .charAt(random.nextInt(12)));
            }
            parse("text", i, text.toString());
        }
    }

    private static TargetConfig parse(String kind, int index, String spec) throws Exception {
        // A list of one, as the command line passes them.
        Config parsed = ConfigLoaderPropertyTest.check(worker, kind, index, spec, () -> {
            List<TargetConfig> targets = TargetSpec.parseAll(List.of(spec), ENV);
            assertThat(targets).hasSize(1);
            return new Config(null, null, null, null, null, targets);
        });
        return parsed == null ? null : parsed.targets().get(0);
    }

    /** The explicit name, host and port of a spec that parsed are the target's. */
    private static void saysWhatWasWritten(String spec, String name, String host, String port, TargetConfig target) {
        String where = "parsed " + ErrorText.quote(spec, 400) + " (seed " + ConfigLoaderPropertyTest.SEED + ")";
        if (!spec.startsWith(name + (spec.substring(name.length()).startsWith("mx:") ? "mx:" : ""))) {
            return; // mutated: the pieces are no longer where they were put
        }
        if (name.endsWith("=") && spec.startsWith(name)) {
            assertThat(target.name()).as(where).isEqualTo(name.substring(0, name.length() - 1));
        }
        if (target.host() != null && spec.contains("://") && spec.contains(host + port)) {
            String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
            assertThat(target.host()).as(where).isEqualTo(bare);
            if (port.matches(":\\d+")) {
                assertThat(target.port()).as(where).isEqualTo(Integer.parseInt(port.substring(1)));
            }
        }
    }

    private static String pick(Random random, String[] wellFormed, String[] any) {
        String[] choices = random.nextInt(4) == 0 ? any : wellFormed;
        return choices[random.nextInt(choices.length)];
    }
}
