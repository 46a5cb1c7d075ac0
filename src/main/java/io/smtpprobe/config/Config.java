package io.smtpprobe.config;

import java.util.ArrayList;
import java.util.List;

/** A whole, validated configuration. Parsed once; immutable. */
public record Config(
        SubscriptionConfig subscription,
        AzureConfig azure,
        ProbeConfig probe,
        DnsConfig dns,
        WebConfig web,
        List<TargetConfig> targets,
        List<DeliveryConfig> deliveries) {

    public Config {
        targets = List.copyOf(targets);
        deliveries = List.copyOf(deliveries);
    }

    /** A configuration without delivery targets. */
    public Config(SubscriptionConfig subscription, AzureConfig azure, ProbeConfig probe, DnsConfig dns, WebConfig web,
            List<TargetConfig> targets) {
        this(subscription, azure, probe, dns, web, targets, List.of());
    }

    /** The probed target of this name, or null. */
    public TargetConfig target(String name) {
        return targets.stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
    }

    /**
     * What is allowed but unwise in this configuration, one line each, for the CLI and the daemon's log
     * to print on every load: today, targets whose certificates are not verified.
     */
    public List<String> warnings() {
        List<String> warnings = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            TargetConfig target = targets.get(i);
            if (target.tls() != null && target.tls().insecureSkipVerify()) {
                warnings.add("targets[" + i + "].tls.insecure_skip_verify: the certificate of " + target.name()
                        + " is not verified, so anyone on the path can pose as " + target.destination()
                        + (target.auth() != null ? " and take its credentials" : "")
                        + "; use tls.ca_file to trust a private CA instead");
            }
        }
        for (DeliveryConfig delivery : deliveries) {
            if (delivery.mailbox().tls().insecureSkipVerify()) {
                warnings.add(delivery.name() + ".mailbox.tls.insecure_skip_verify: the certificate of "
                        + delivery.mailbox().host() + " is not verified, so anyone on the path can pose as it and take"
                        + " the mailbox's credentials; use mailbox.tls.ca_file to trust a private CA instead");
            }
        }
        return List.copyOf(warnings);
    }

    public Config withSubscription(SubscriptionConfig replacement) {
        return new Config(replacement, azure, probe, dns, web, targets, deliveries);
    }

    public Config withProbe(ProbeConfig replacement) {
        return new Config(subscription, azure, replacement, dns, web, targets, deliveries);
    }

    public Config withTargets(List<TargetConfig> replacement) {
        return new Config(subscription, azure, probe, dns, web, replacement, deliveries);
    }
}
