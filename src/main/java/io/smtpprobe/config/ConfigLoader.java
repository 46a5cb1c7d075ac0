package io.smtpprobe.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads the YAML configuration (smtp-probe.yml(5), config/smtp-probe.yml) into a {@link Config}. Jackson parses the YAML
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
    /** The longest {@code probe.interval}: a check a day is the least that still watches anything. */
    public static final Duration MAX_INTERVAL = Duration.ofHours(24);
    /** The longest {@code probe.timeout} (and {@code --timeout}): a probe's phases together. */
    public static final Duration MAX_TIMEOUT = Duration.ofMinutes(10);

    /** More unknown top-level keys than this, and most of them unknown: the file is something else. */
    private static final int MAX_UNKNOWN_TOP_LEVEL_KEYS = 3;
    private static final Pattern KEY_CHARACTER = Pattern.compile("[A-Za-z0-9_-]");
    private static final List<String> TOP_LEVEL_KEYS = List.of("subscription", "azure", "probe", "dns", "web",
            "targets");

    private final ObjectMapper yaml;
    private final Map<String, String> environment;
    private final Clock clock;
    private final OfferNames offers;
    private final ServiceCredentials service;

    /**
     * @param environment for {@code ${VAR}} in file paths and for {@code password_env}
     * @param offers the offer keys and quotaIds {@code subscription.offer} may name
     */
    public ConfigLoader(Map<String, String> environment, OfferNames offers) {
        this(environment, Clock.systemUTC(), offers);
    }

    /** @param clock today's date, against which {@code subscription.created} may not be in the future */
    public ConfigLoader(Map<String, String> environment, Clock clock, OfferNames offers) {
        this(environment, clock, offers, null);
    }

    private ConfigLoader(Map<String, String> environment, Clock clock, OfferNames offers, ServiceCredentials service) {
        this.environment = Map.copyOf(environment);
        this.clock = clock;
        this.offers = offers;
        this.service = service;
        this.yaml = new ObjectMapper(new YAMLFactory()).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    }

    /**
     * A duration as config files write it ({@code 500ms}, {@code 30s}, {@code 5m}, {@code 1m30s}), for
     * command-line options that take the same form; empty when malformed.
     */
    public static Optional<Duration> parseDuration(String text) {
        return Optional.ofNullable(Syntax.parseDuration(text));
    }

    /** A duration written as config files write it: {@code 500ms}, {@code 20s}, {@code 1m30s}. */
    public static String formatDuration(Duration duration) {
        return Syntax.formatDuration(duration);
    }

    /**
     * A loader that checks a config as the service will see it: without {@code CREDENTIALS_DIRECTORY}
     * in the environment, {@code ${CREDENTIALS_DIRECTORY}/ID} is the credential's source file in the
     * unit, or left to the service's start (see {@link ServiceCredentials#notes()}). For validation only.
     */
    public ConfigLoader asService(ServiceCredentials credentials) {
        return new ConfigLoader(environment, clock, offers, credentials);
    }

    /**
     * Whether {@code text} may follow EHLO (RFC 5321 section 4.1.1.1): a domain name or an address literal
     * like {@code [192.0.2.1]} or {@code [IPv6:2001:db8::1]}. No space, CR or LF passes.
     */
    public static boolean isEhloName(String text) {
        return Syntax.isDomainName(text) || Syntax.isMailAddress("postmaster@" + text);
    }

    /**
     * Loads a file; relative paths inside it are relative to the file's directory. A path that is not a
     * regular file of at most 1 MiB is refused before it is opened (see
     * {@link BoundedFile}), so neither {@code check-config} nor a reload can wait on a FIFO.
     */
    public Config load(Path file) throws ConfigException {
        String source = file.toString();
        byte[] bytes;
        try {
            bytes = BoundedFile.read(file, BoundedFile.Limit.CONFIG);
        } catch (BoundedFile.Refused e) {
            throw new ConfigException(source, List.of(e.getMessage()));
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
            // Events first: what Jackson would quietly misread (aliases, merge keys, tags, a second
            // document) is refused before a tree is built from it.
            List<String> unsupported = YamlEvents.unsupported(text);
            if (!unsupported.isEmpty()) {
                throw new ConfigException(sourceName, unsupported);
            }
            root = yaml.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ConfigException(sourceName, List.of(syntaxError(e)));
        } catch (YAMLException e) {
            throw new ConfigException(sourceName, List.of(syntaxError(e)));
        }
        String notAConfig = notAConfig(root);
        if (notAConfig != null) {
            throw new ConfigException(sourceName, List.of(notAConfig));
        }
        List<String> errors = new ArrayList<>();
        YamlMapping top = YamlMapping.of(root, "", errors);
        top.allowOnly(TOP_LEVEL_KEYS.toArray(String[]::new));
        SectionReader sections = new SectionReader(clock, offers);
        SubscriptionConfig subscription = sections.subscription(top.mapping("subscription"));
        AzureConfig azure = sections.azure(top.mapping("azure"));
        ProbeConfig probe = sections.probe(top.mapping("probe"));
        DnsConfig dns = sections.dns(top.mapping("dns"));
        WebConfig web = sections.web(top.mapping("web"));
        LocalFiles files = new LocalFiles(environment, baseDir, service);
        TargetReader targetReader = new TargetReader(environment, files);
        TargetList.Read targets = TargetList.read(top, targetReader,
                new DeliveryReader(environment, files, targetReader));
        if (!errors.isEmpty()) {
            throw new ConfigException(sourceName, errors);
        }
        return new Config(subscription, azure, probe, dns, web, targets.targets(), targets.deliveries());
    }

    /**
     * Why a file is not an smtp-probe config at all, or null when it may be one: its top level is not a
     * mapping, or most of its top-level keys are unknown (a password file, {@code /etc/shadow}, another
     * program's YAML). Then one message stands for the many a key-by-key reading would print, and the
     * file's content is not repeated beyond the name of its first unknown key.
     */
    private static String notAConfig(JsonNode root) {
        if (root == null || root.isNull() || root.isMissingNode()) {
            return null;
        }
        if (!root.isObject()) {
            String kind = root.isArray() ? "a list" : root.isTextual() ? "text" : root.isNumber() ? "a number"
                    : root.isBoolean() ? "true or false" : "a single value";
            return "is not an smtp-probe config: its top level is " + kind + " (not repeated here), where a"
                    + " mapping of keys like targets: is expected; see config/smtp-probe.yml";
        }
        List<String> unknown = new ArrayList<>();
        int nearMisses = 0;
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!TOP_LEVEL_KEYS.contains(name)) {
                unknown.add(name);
                nearMisses += Nearest.distance(name, Nearest.of(name, TOP_LEVEL_KEYS)) <= 2 ? 1 : 0;
            }
        }
        int known = root.size() - unknown.size();
        boolean nothingOfOurs = known == 0 && nearMisses == 0 && !unknown.isEmpty();
        boolean mostlyForeign = unknown.size() - nearMisses > MAX_UNKNOWN_TOP_LEVEL_KEYS
                && unknown.size() * 2 > root.size();
        if (!nothingOfOurs && !mostlyForeign) {
            return null;
        }
        String count = known == 0
                ? (root.size() == 1 ? "its only top-level key is unknown" : "none of its " + root.size()
                        + " top-level keys is known")
                : unknown.size() + " of its " + root.size() + " top-level keys are unknown";
        return "is not an smtp-probe config: " + count + ", the first " + keyStart(unknown.get(0))
                + " (the rest is not repeated); valid keys: " + String.join(", ", TOP_LEVEL_KEYS);
    }

    /**
     * The start of a key for a message, up to its first character no config key has: enough to recognise
     * the file, too little to repeat a line of it ({@code /etc/shadow}'s first key is the whole first line).
     */
    private static String keyStart(String key) {
        int end = 0;
        while (end < key.length() && end < 20 && KEY_CHARACTER.matcher(key.substring(end, end + 1)).matches()) {
            end++;
        }
        return "\"" + key.substring(0, end) + (end < key.length() ? "...\"" : "\"");
    }

    /**
     * What the agent runs without a config file (smtp-probe.yml(5)): gmail's and outlook's MX on 25,
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

    /**
     * The parser's own words and the position only: SnakeYAML's message quotes the offending line,
     * and that line could hold a secret someone pasted into the file.
     */
    private static String syntaxError(JsonProcessingException e) {
        if (e.getCause() instanceof MarkedYAMLException marked) {
            return syntaxError(marked);
        }
        String where = e.getLocation() == null ? ""
                : "line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ": ";
        String message = e.getOriginalMessage() == null ? "unreadable" : e.getOriginalMessage();
        int newline = message.indexOf('\n');
        return where + "not valid YAML: " + (newline < 0 ? message : message.substring(0, newline));
    }

    private static String syntaxError(YAMLException e) {
        if (!(e instanceof MarkedYAMLException marked)) {
            String message = e.getMessage() == null ? "unreadable" : e.getMessage();
            int newline = message.indexOf('\n');
            return "not valid YAML: " + (newline < 0 ? message : message.substring(0, newline));
        }
        Mark mark = marked.getProblemMark() != null ? marked.getProblemMark() : marked.getContextMark();
        String where = mark == null ? "" : "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ": ";
        String context = marked.getContext() == null ? "" : marked.getContext() + ", ";
        return where + "not valid YAML: " + context + marked.getProblem();
    }
}
