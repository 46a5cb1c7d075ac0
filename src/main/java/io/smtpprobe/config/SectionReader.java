package io.smtpprobe.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Reads the top-level sections other than {@code targets}: subscription, azure, probe, dns, web. */
final class SectionReader {
    private static final Pattern GUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private final Clock clock;
    private final OfferNames offers;

    SectionReader(Clock clock, OfferNames offers) {
        this.clock = clock;
        this.offers = offers;
    }

    SubscriptionConfig subscription(YamlMapping section) {
        section.allowOnly("offer", "created", "port25_exemption");
        String offer = section.string("offer", "unknown");
        if (offer != null) {
            offer = offer.trim();
            if (!offer.equalsIgnoreCase(ConfigLoader.AUTO) && !offers.isKnown(offer)) {
                section.error("offer", "unknown offer " + YamlMapping.quote(offer) + "; did you mean "
                        + offers.nearest(offer) + "?");
            }
        }
        LocalDate created = null;
        String createdText = section.string("created", null);
        if (createdText != null) {
            try {
                created = LocalDate.parse(createdText.trim());
                if (created.isAfter(LocalDate.now(clock))) {
                    section.error("created", "is in the future, found " + created
                            + "; give the day the subscription was created");
                }
            } catch (DateTimeParseException e) {
                section.error("created", "must be a date like 2021-06-01, found " + YamlMapping.quote(createdText));
            }
        }
        Boolean exemption = section.bool("port25_exemption", false);
        return new SubscriptionConfig(offer, created, Boolean.TRUE.equals(exemption));
    }

    AzureConfig azure(YamlMapping section) {
        section.allowOnly("metadata", "metadata_endpoint", "management_endpoint", "identity_client_id");
        MetadataMode metadata = section.choice("metadata", MetadataMode.class, MetadataMode.AUTO);
        URI metadataEndpoint = endpoint(section, "metadata_endpoint", ConfigLoader.DEFAULT_METADATA_ENDPOINT);
        URI managementEndpoint = endpoint(section, "management_endpoint", null);
        String clientId = section.string("identity_client_id", "");
        if (clientId != null && !clientId.isEmpty() && !GUID.matcher(clientId).matches()) {
            section.error("identity_client_id", "must be a client id like 00000000-0000-0000-0000-000000000000,"
                    + " or empty for the system-assigned identity, found " + YamlMapping.quote(clientId));
        }
        return new AzureConfig(metadata, metadataEndpoint, managementEndpoint, clientId);
    }

    private static URI endpoint(YamlMapping section, String key, URI absent) {
        String text = section.string(key, null);
        if (text == null) {
            return absent;
        }
        try {
            URI uri = new URI(text.trim());
            String scheme = uri.getScheme();
            if (uri.isAbsolute() && uri.getHost() != null && ("http".equals(scheme) || "https".equals(scheme))) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // reported below like any other non-URL
        }
        section.error(key, "must be an absolute http or https URL, found " + YamlMapping.quote(text));
        return null;
    }

    ProbeConfig probe(YamlMapping section) {
        section.allowOnly("interval", "jitter", "timeout", "concurrency", "helo_name", "addresses_per_host");
        Duration interval = section.duration("interval", ConfigLoader.DEFAULT_INTERVAL, ConfigLoader.MAX_INTERVAL);
        Duration jitter = section.duration("jitter", ConfigLoader.DEFAULT_JITTER, ConfigLoader.MAX_INTERVAL);
        Duration timeout = section.duration("timeout", ConfigLoader.DEFAULT_TIMEOUT, ConfigLoader.MAX_TIMEOUT);
        if (interval != null && interval.isZero()) {
            section.error("interval", "must be greater than 0, found " + Syntax.formatDuration(interval));
            interval = null;
        }
        if (timeout != null && timeout.isZero()) {
            section.error("timeout", "must be greater than 0, found " + Syntax.formatDuration(timeout));
        } else if (timeout != null && interval != null && timeout.compareTo(interval) >= 0) {
            section.error("timeout", "must be less than probe.interval (" + Syntax.formatDuration(interval)
                    + "), found " + Syntax.formatDuration(timeout));
        }
        if (jitter != null && interval != null && jitter.compareTo(interval) >= 0) {
            section.error("jitter", "must be less than probe.interval (" + Syntax.formatDuration(interval)
                    + "), found " + Syntax.formatDuration(jitter));
        }
        Integer concurrency = section.integer("concurrency", ConfigLoader.DEFAULT_CONCURRENCY, 1, ConfigLoader.MAX_CONCURRENCY);
        String heloName = section.string("helo_name", ConfigLoader.AUTO);
        if (heloName != null && !heloName.equals(ConfigLoader.AUTO) && !ConfigLoader.isEhloName(heloName)) {
            section.error("helo_name", "must be auto, a domain name or an address literal like [192.0.2.1],"
                    + " found " + YamlMapping.quote(heloName));
        }
        Integer addresses = section.integer("addresses_per_host", ProbeConfig.DEFAULT_ADDRESSES_PER_HOST, 1,
                ProbeConfig.MAX_ADDRESSES_PER_HOST);
        return new ProbeConfig(interval, jitter, timeout, concurrency == null ? 0 : concurrency, heloName,
                addresses == null ? 0 : addresses);
    }

    DnsConfig dns(YamlMapping section) {
        section.allowOnly("servers", "ip_family");
        List<String> servers = new ArrayList<>();
        List<JsonNode> items = section.list("servers");
        for (int i = 0; items != null && i < items.size(); i++) {
            JsonNode item = items.get(i);
            String key = "servers[" + i + "]";
            String problem = item.isTextual() ? Syntax.checkHostPort(item.asText().trim(), false, false) : "";
            if (problem == null) {
                servers.add(item.asText().trim());
            } else {
                section.error(key, "must be host or host:port" + (problem.isEmpty() ? "" : " (" + problem + ")")
                        + ", found " + YamlMapping.found(item));
            }
        }
        IpFamily family = section.choice("ip_family", IpFamily.class, IpFamily.IPV4);
        return new DnsConfig(servers, family);
    }

    WebConfig web(YamlMapping section) {
        section.allowOnly("listen_address");
        String listen = section.string("listen_address", ConfigLoader.DEFAULT_LISTEN_ADDRESS);
        if (listen != null) {
            String problem = Syntax.checkHostPort(listen.trim(), true, true);
            if (problem != null) {
                section.error("listen_address", "must be host:port or :port (" + problem + "), found "
                        + YamlMapping.quote(listen));
            }
        }
        return new WebConfig(listen == null ? null : listen.trim());
    }
}
