package io.smtpprobe.config;

import java.util.List;

/** A whole, validated configuration. Parsed once; immutable. */
public record Config(
        SubscriptionConfig subscription,
        AzureConfig azure,
        ProbeConfig probe,
        DnsConfig dns,
        WebConfig web,
        List<TargetConfig> targets) {

    public Config {
        targets = List.copyOf(targets);
    }

    public Config withSubscription(SubscriptionConfig replacement) {
        return new Config(replacement, azure, probe, dns, web, targets);
    }

    public Config withTargets(List<TargetConfig> replacement) {
        return new Config(subscription, azure, probe, dns, web, replacement);
    }
}
