package io.smtpprobe.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads the YAML configuration (DESIGN.md section 5) into a {@link Config}. Jackson parses the YAML
 * into a tree; the tree is walked key by key so that every error of a file is collected, each under
 * its full key path, and reported together. Nothing here contacts the network; password files are
 * read at load time, so a config that loads has its secrets in hand.
 *
 * <p>Defaults for absent keys are the constants below and are documented in config/smtp-probe.yml.
 */
public final class ConfigLoader {
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(5);
    public static final Duration DEFAULT_JITTER = Duration.ofSeconds(30);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);
    public static final int DEFAULT_CONCURRENCY = 8;
    public static final int MAX_CONCURRENCY = 256;
    public static final String AUTO = "auto";
    public static final String DEFAULT_LISTEN_ADDRESS = ":9925";
    public static final URI DEFAULT_METADATA_ENDPOINT = URI.create("http://169.254.169.254");

    /** A config file is a page of YAML; anything this big is the wrong file. */
    static final int MAX_FILE_BYTES = 1 << 20;

    private final ObjectMapper yaml;
    private final Map<String, String> environment;
    private final Clock clock;
    private final OfferNames offers;

    /**
     * @param environment for {@code ${VAR}} in file paths and for {@code password_env}
     * @param offers the offer keys and quotaIds {@code subscription.offer} may name
     */
    public ConfigLoader(Map<String, String> environment, OfferNames offers) {
        this(environment, Clock.systemUTC(), offers);
    }

    /** @param clock today's date, against which {@code subscription.created} may not be in the future */
    public ConfigLoader(Map<String, String> environment, Clock clock, OfferNames offers) {
        this.environment = Map.copyOf(environment);
        this.clock = clock;
        this.offers = offers;
        this.yaml = new ObjectMapper(new YAMLFactory()).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    }

    /**
     * A duration as config files write it ({@code 500ms}, {@code 30s}, {@code 5m}, {@code 1m30s}), for
     * command-line options that take the same form; empty when malformed.
     */
    public static Optional<Duration> parseDuration(String text) {
        return Optional.ofNullable(Syntax.parseDuration(text));
    }

    /** Loads a file; relative paths inside it are relative to the file's directory. */
    public Config load(Path file) throws ConfigException {
        String source = file.toString();
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw new ConfigException(source, List.of("does not exist"));
        } catch (IOException e) {
            throw new ConfigException(source, List.of("cannot be read (" + e.getClass().getSimpleName() + ")"));
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw new ConfigException(source, List.of("is larger than " + MAX_FILE_BYTES + " bytes; is it the config?"));
        }
        Path dir = file.toAbsolutePath().getParent();
        return parse(new String(bytes, StandardCharsets.UTF_8), source, dir);
    }

    /** Parses YAML text; relative paths inside it are relative to the working directory. */
    public Config parse(String text, String sourceName) throws ConfigException {
        return parse(text, sourceName, null);
    }

    private Config parse(String text, String sourceName, Path baseDir) throws ConfigException {
        JsonNode root;
        try {
            root = yaml.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ConfigException(sourceName, List.of(syntaxError(e)));
        }
        List<String> errors = new ArrayList<>();
        YamlMapping top = YamlMapping.of(root, "", errors);
        top.allowOnly("subscription", "azure", "probe", "dns", "web", "targets");
        SectionReader sections = new SectionReader(clock, offers);
        SubscriptionConfig subscription = sections.subscription(top.mapping("subscription"));
        AzureConfig azure = sections.azure(top.mapping("azure"));
        ProbeConfig probe = sections.probe(top.mapping("probe"));
        DnsConfig dns = sections.dns(top.mapping("dns"));
        WebConfig web = sections.web(top.mapping("web"));
        List<TargetConfig> targets = readTargets(top, new TargetReader(environment, new LocalFiles(environment, baseDir)));
        if (!errors.isEmpty()) {
            throw new ConfigException(sourceName, errors);
        }
        return new Config(subscription, azure, probe, dns, web, targets);
    }

    /**
     * What the agent runs without a config file (DESIGN.md section 5): gmail's and outlook's MX on 25,
     * the Azure Communication Services relay on 587 without credentials (its greeting and STARTTLS
     * still prove the path), and a TCP/443 control. The timeout keeps a whole check near a minute.
     */
    public static Config builtInDefault() {
        List<TargetConfig> targets = List.of(
                mxTarget("gmail", "gmail.com"),
                mxTarget("outlook", "outlook.com"),
                new TargetConfig("azure-relay", "smtp.azurecomm.net", null, 0, Mode.SUBMISSION.defaultPort(),
                        Mode.SUBMISSION, null, ExpectSetting.AUTO, Route.AUTO, StartTls.REQUIRED, TlsConfig.DEFAULT,
                        null, null),
                new TargetConfig("https-control", "www.microsoft.com", null, 0, 443, Mode.TCP, null,
                        ExpectSetting.AUTO, Route.AUTO, StartTls.OFF, TlsConfig.DEFAULT, null, null));
        return new Config(
                new SubscriptionConfig("unknown", null, false),
                new AzureConfig(MetadataMode.AUTO, DEFAULT_METADATA_ENDPOINT, null, ""),
                new ProbeConfig(DEFAULT_INTERVAL, DEFAULT_JITTER, Duration.ofSeconds(10), DEFAULT_CONCURRENCY, AUTO),
                new DnsConfig(List.of(), IpFamily.IPV4),
                new WebConfig(DEFAULT_LISTEN_ADDRESS),
                targets);
    }

    private static TargetConfig mxTarget(String name, String domain) {
        return new TargetConfig(name, null, domain, 1, Mode.SMTP.defaultPort(), Mode.SMTP, null, ExpectSetting.AUTO,
                Route.AUTO, StartTls.OPPORTUNISTIC, TlsConfig.DEFAULT, null, null);
    }

    /**
     * The most hosts one agent probes: at this count the daemon holds its results and serves /metrics
     * every 15 s within the unit's 64 MiB heap (MaxTargetsSoakTest; README, robustness). Beyond it, the
     * heap runs out and systemd restarts the agent in a loop, since check-config would pass.
     */
    public static final int MAX_PROBED_HOSTS = 2000;

    private static List<TargetConfig> readTargets(YamlMapping top, TargetReader reader) {
        if (!top.has("targets")) {
            top.error("targets", "missing; list at least one target (see config/smtp-probe.yml)");
            return List.of();
        }
        List<JsonNode> items = top.list("targets");
        if (items == null) {
            return List.of();
        }
        if (items.isEmpty()) {
            top.error("targets", "is empty; list at least one target");
        }
        List<TargetConfig> targets = new ArrayList<>();
        Map<String, Integer> names = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            String path = top.pathOf("targets") + "[" + i + "]";
            YamlMapping mapping = YamlMapping.of(items.get(i), path, top.errors());
            if (!items.get(i).isObject()) {
                continue; // already reported; its keys cannot be read
            }
            TargetConfig target = reader.read(mapping);
            if (target == null) {
                continue;
            }
            Integer earlier = names.putIfAbsent(target.name(), i);
            if (earlier != null) {
                mapping.error("name", YamlMapping.quote(target.name()) + " is already used by targets[" + earlier
                        + "]; names must be unique");
            }
            targets.add(target);
        }
        int hosts = targets.stream().mapToInt(t -> t.mx() == null ? 1 : t.mxHosts()).sum();
        if (hosts > MAX_PROBED_HOSTS) {
            top.error("targets", hosts + " probed hosts (an mx target counts its mx_hosts) are more than the "
                    + MAX_PROBED_HOSTS + " one agent holds in the systemd unit's heap (-Xmx64m) with its scrapes;"
                    + " split the targets across agents, or raise -Xmx and MemoryMax together");
        }
        return targets;
    }

    /**
     * The parser's own words and the position only: SnakeYAML's message quotes the offending line,
     * and that line could hold a secret someone pasted into the file.
     */
    private static String syntaxError(JsonProcessingException e) {
        if (e.getCause() instanceof MarkedYAMLException marked) {
            Mark mark = marked.getProblemMark() != null ? marked.getProblemMark() : marked.getContextMark();
            String where = mark == null ? "" : "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ": ";
            String context = marked.getContext() == null ? "" : marked.getContext() + ", ";
            return where + "not valid YAML: " + context + marked.getProblem();
        }
        String where = e.getLocation() == null ? ""
                : "line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ": ";
        String message = e.getOriginalMessage() == null ? "unreadable" : e.getOriginalMessage();
        int newline = message.indexOf('\n');
        return where + "not valid YAML: " + (newline < 0 ? message : message.substring(0, newline));
    }
}
