package io.smtpprobe.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.smtpprobe.policy.PolicyTable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Arbitrary input to the config loader (issue 14): random bytes, random YAML-ish text and mutations of a
 * valid config each end in a {@link ConfigException} with readable errors or in a {@link Config}, never
 * in another exception or a hang (each try is bounded). A config that loads must say what an independent
 * YAML reader (SnakeYAML's own constructor, which follows aliases and merge keys) reads in the same text:
 * otherwise the loader misread it silently.
 *
 * <p>A plain seeded loop rather than jqwik: see the README's robustness section. The seed is printed;
 * {@code -Dsmtpprobe.seed=N} replays a run.
 */
class ConfigLoaderPropertyTest {
    static final long SEED = Long.getLong("smtpprobe.seed", 20261204L);
    private static final String FILE_SECRET = "prop-File-Secret-7c1d";
    private static final String ENV_SECRET = "prop-Env-Secret-2a9f";
    private static final long TRY_MILLIS = 5000;
    private static final int TRIES_MUTATED = 800;

    private static ExecutorService worker;

    @TempDir
    static Path dir;

    private static ConfigLoader loader;
    private static String validConfig;

    @BeforeAll
    static void setUp() throws Exception {
        System.out.println("ConfigLoaderPropertyTest seed=" + SEED + " (replay with -Dsmtpprobe.seed=" + SEED + ")");
        worker = worker();
        Path password = Files.writeString(dir.resolve("relay-password"), FILE_SECRET + "\n");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
        loader = new ConfigLoader(Map.of("CREDENTIALS_DIRECTORY", dir.toString(), "SMTP_PASSWORD", ENV_SECRET),
                PolicyTable.NAMES);
        validConfig = """
                subscription:
                  offer: pay-as-you-go
                  created: 2021-06-01
                  port25_exemption: false
                azure:
                  metadata: off
                probe:
                  interval: 5m
                  jitter: 30s
                  timeout: 15s
                  concurrency: 8
                  helo_name: vm1.example.com
                dns:
                  servers: [127.0.0.53, "[::1]:53"]
                  ip_family: ipv4
                web:
                  listen_address: "127.0.0.1:9925"
                targets:
                  - name: gmail
                    mx: gmail.com
                    mx_hosts: 2
                  - name: relay
                    host: smtp.example.net
                    mode: submission
                    port: 587
                    tls:
                      ca_file: %s/ca.pem
                    auth:
                      username: alerts@example.com
                      password_file: ${CREDENTIALS_DIRECTORY}/relay-password
                  - name: relay-env
                    host: 192.0.2.25
                    mode: smtps
                    auth: {username: probe, password_env: SMTP_PASSWORD}
                  - name: control
                    host: www.example.com
                    mode: tcp
                    port: 443
                    expect: reachable
                """.formatted(dir);
    }

    /** The thread each try runs on, so that a try that hangs is seen and reported. */
    static ExecutorService worker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "property-try");
            thread.setDaemon(true);
            return thread;
        });
    }

    @AfterAll
    static void tearDown() {
        worker.shutdownNow();
    }

    @Test
    void theUnmutatedConfigLoadsAndAgreesWithSnakeYaml() throws Exception {
        Config config = loader.parse(validConfig, "valid.yml");

        assertThat(config.targets()).hasSize(4);
        agreesWithSnakeYaml(validConfig, config);
    }

    @Test
    void randomBytesEndInAConfigOrAClearError() throws Exception {
        Random random = new Random(SEED);
        for (int i = 0; i < 300; i++) {
            byte[] bytes = new byte[random.nextInt(300)];
            random.nextBytes(bytes);
            Path file = Files.write(dir.resolve("random.yml"), bytes);
            check("bytes", i, new String(bytes, StandardCharsets.ISO_8859_1), () -> loader.load(file));
        }
    }

    @Test
    void randomYamlLikeTextEndsInAConfigOrAClearError() throws Exception {
        Random random = new Random(SEED + 1);
        for (int i = 0; i < 600; i++) {
            String text = yamlish(random);
            check("yamlish", i, text, () -> loader.parse(text, "random.yml"));
        }
    }

    @Test
    void mutatedValidConfigsEndInAClearErrorOrInAConfigThatSaysWhatTheTextSays() throws Exception {
        Random random = new Random(SEED + 2);
        int loaded = 0;
        for (int i = 0; i < TRIES_MUTATED; i++) {
            String text = mutate(random, validConfig, 1 + random.nextInt(3));
            Config config = check("mutated", i, text, () -> loader.parse(text, "mutated.yml"));
            if (config != null) {
                loaded++;
                agreesWithSnakeYaml(text, config);
            }
        }
        System.out.println("ConfigLoaderPropertyTest: " + loaded + " of " + TRIES_MUTATED + " mutated configs loaded");
        assertThat(loaded).as("some mutations leave a valid config, so the round trip is exercised").isPositive();
    }

    interface Load {
        Config load() throws Exception;
    }

    /** Runs one try on the worker with a deadline; returns the config, or null after a clear error. */
    static Config check(String kind, int index, String input, Load load) throws Exception {
        return check(worker, kind, index, input, load);
    }

    static Config check(ExecutorService worker, String kind, int index, String input, Load load) throws Exception {
        Future<Config> future = worker.submit(load::load);
        String where = kind + " try " + index + " (seed " + SEED + "), input " + ErrorText.quote(input, 400);
        try {
            return future.get(TRY_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            return fail("no answer within " + TRY_MILLIS + " ms: " + where);
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof ConfigException error)) {
                throw new AssertionError("not a ConfigException: " + where, e.getCause());
            }
            assertThat(error.errors()).as(where).isNotEmpty().allSatisfy(message -> {
                assertThat(message).as(where).isNotBlank();
                assertThat(message.chars().noneMatch(c -> c < 0x20 || c == 0x7f)).as("raw control character: %s",
                        where).isTrue();
            });
            assertThat(error.getMessage()).as(where).doesNotContain(FILE_SECRET).doesNotContain(ENV_SECRET);
            return null;
        }
    }

    /** SnakeYAML's full reading of the text must be one document whose values the config repeats. */
    @SuppressWarnings("unchecked")
    private static void agreesWithSnakeYaml(String text, Config config) {
        String where = "loaded, input " + ErrorText.quote(text, 2000);
        List<Object> documents = new ArrayList<>();
        new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(text).forEach(documents::add);
        assertThat(documents).as("one document: %s", where).hasSize(1);
        Map<String, Object> root = (Map<String, Object>) documents.get(0);
        Map<String, Object> probe = (Map<String, Object>) root.get("probe");
        if (probe != null) {
            sameText(probe.get("helo_name"), config.probe().heloName(), where);
            sameDuration(probe.get("interval"), config.probe().interval(), where);
            sameDuration(probe.get("timeout"), config.probe().timeout(), where);
            sameDuration(probe.get("jitter"), config.probe().jitter(), where);
            if (probe.get("concurrency") instanceof Integer n) {
                assertThat(config.probe().concurrency()).as(where).isEqualTo(n);
            }
        }
        Map<String, Object> subscription = (Map<String, Object>) root.get("subscription");
        if (subscription != null && subscription.get("offer") instanceof String offer) {
            assertThat(config.subscription().offer()).as(where).isEqualTo(offer.trim());
        }
        List<Object> targets = (List<Object>) root.get("targets");
        assertThat(config.targets()).as(where).hasSize(targets.size());
        for (int i = 0; i < targets.size(); i++) {
            Map<String, Object> target = (Map<String, Object>) targets.get(i);
            TargetConfig loaded = config.targets().get(i);
            sameText(target.get("name"), loaded.name(), where);
            sameText(target.get("host"), loaded.host(), where);
            sameText(target.get("mx"), loaded.mx(), where);
            if (target.get("port") != null) {
                assertThat(loaded.port()).as("port of targets[%d]: %s", i, where).isEqualTo(target.get("port"));
            }
            if (target.get("mode") instanceof String mode) {
                assertThat(loaded.mode().label()).as(where).isEqualToIgnoringCase(mode.trim());
            }
            if (target.get("auth") instanceof Map<?, ?> auth) {
                sameText(auth.get("username"), loaded.auth().username(), where);
            }
        }
    }

    private static void sameText(Object written, String loaded, String where) {
        if (written != null) {
            assertThat(loaded).as(where).isEqualTo(String.valueOf(written));
        }
    }

    private static void sameDuration(Object written, java.time.Duration loaded, String where) {
        if (written instanceof String text) {
            assertThat(loaded).as(where).isEqualTo(Objects.requireNonNull(Syntax.parseDuration(text)));
        }
    }

    private static final String[] KEYS = {"subscription", "azure", "probe", "dns", "web", "targets", "offer",
        "created", "port25_exemption", "metadata", "interval", "jitter", "timeout", "concurrency", "helo_name",
        "servers", "ip_family", "listen_address", "name", "host", "mx", "mx_hosts", "port", "mode", "auth",
        "username", "password_file", "password_env", "mechanism", "oauth", "expect", "route", "starttls", "tls",
        "ca_file", "insecure_skip_verify", "mail_from", "rcpt_to", "<<", "colour"};
    private static final String[] VALUES = {"5m", "30s", "0s", "2500000h", "999999999h999999999h", "1m30s", "60",
        "-1", "0", "25", "65536", "99999999999999999999", "0x19", "031", "1_0", "1e3", ".inf", "~", "null", "true",
        "off", "on", "yes", "auto", "smtp", "submission", "smtps", "tcp", "example.com", "gmail..com", "[::1]:53",
        "127.0.0.1", "::1", "\"a\\r\\nb\"", "'quoted'", "\"\\u001b[2J\"", "*alias", "&anchor", "!!str x", "!tag",
        "{}", "[]", "[a, b]", "{a: 1}", "|", ">", "---", "...", "#", "%YAML 1.1", "${CREDENTIALS_DIRECTORY}/x",
        "/dev/zero", "/proc/self/environ", "alerts@example.com", "\u00e9", "\uffff", "\"\\0\"", "?", "-", ": :"};
    private static final String[] PUNCTUATION = {":", " ", "  ", "\n", "\n  ", "\n    ", "- ", "\t", "\"", "'",
        "[", "]", "{", "}", ",", "&", "*", "!", "|", ">", "%", "@", "`", "#", "?", "\r", "\u0000", "\u0085", "\ufeff"};

    /** Text built from the config's own keys and values with YAML's punctuation in between. */
    static String yamlish(Random random) {
        StringBuilder text = new StringBuilder();
        int parts = random.nextInt(40);
        for (int i = 0; i < parts; i++) {
            switch (random.nextInt(4)) {
                case 0 -> text.append(KEYS[random.nextInt(KEYS.length)]).append(": ");
                case 1 -> text.append(VALUES[random.nextInt(VALUES.length)]);
                case 2 -> text.append(PUNCTUATION[random.nextInt(PUNCTUATION.length)]);
                default -> text.append('\n').append("  ".repeat(random.nextInt(4)));
            }
        }
        return text.toString();
    }

    /** {@code count} edits of a text: a deletion, an insertion, a line duplicated, moved or re-indented. */
    static String mutate(Random random, String text, int count) {
        String result = text;
        for (int i = 0; i < count; i++) {
            List<String> lines = new ArrayList<>(List.of(result.split("\n", -1)));
            int line = random.nextInt(lines.size());
            switch (random.nextInt(9)) {
                case 0 -> {
                    int at = random.nextInt(result.length() + 1);
                    int end = Math.min(result.length(), at + 1 + random.nextInt(8));
                    result = result.substring(0, at) + result.substring(Math.min(end, result.length()));
                    continue;
                }
                case 1 -> {
                    int at = random.nextInt(result.length() + 1);
                    String piece = random.nextBoolean() ? VALUES[random.nextInt(VALUES.length)]
                            : PUNCTUATION[random.nextInt(PUNCTUATION.length)];
                    result = result.substring(0, at) + piece + result.substring(at);
                    continue;
                }
                case 2 -> lines.add(line, lines.get(line));
                case 3 -> lines.add(random.nextInt(lines.size()), lines.remove(line));
                case 4 -> lines.set(line, " ".repeat(random.nextInt(6)) + lines.get(line).stripLeading());
                case 6 -> {
                    // An anchored value repeated by an alias further down: what Jackson reads as the alias's name.
                    int other = random.nextInt(lines.size());
                    int colonA = lines.get(Math.min(line, other)).indexOf(": ");
                    int colonB = lines.get(Math.max(line, other)).indexOf(": ");
                    int top = Math.min(line, other);
                    int bottom = Math.max(line, other);
                    if (colonA > 0 && colonB > 0 && line != other) {
                        String first = lines.get(top);
                        lines.set(top, first.substring(0, colonA + 2) + "&v " + first.substring(colonA + 2));
                        lines.set(bottom, lines.get(bottom).substring(0, colonB + 2) + "*v");
                    }
                }
                case 7 -> {
                    // A second document, which Jackson would skip.
                    lines.add(random.nextBoolean() ? "---" : "...\n---");
                    lines.add(random.nextBoolean() ? "targets: [{mx: example.org}]" : "");
                }
                case 8 -> {
                    String current = lines.get(line);
                    int colon = current.indexOf(": ");
                    if (colon > 0) {
                        lines.set(line, current.substring(0, colon + 2) + (random.nextBoolean() ? "!!str " : "!x ")
                                + current.substring(colon + 2));
                    }
                }
                default -> {
                    // Replace a value after "key: " with another value.
                    String current = lines.get(line);
                    int colon = current.indexOf(": ");
                    if (colon > 0) {
                        lines.set(line, current.substring(0, colon + 2) + VALUES[random.nextInt(VALUES.length)]);
                    }
                }
            }
            result = String.join("\n", lines);
        }
        return result;
    }
}
