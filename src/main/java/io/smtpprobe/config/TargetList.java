package io.smtpprobe.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads {@code targets}: the probed targets and the delivery targets among them, names unique across both. */
final class TargetList {
    record Read(List<TargetConfig> targets, List<DeliveryConfig> deliveries) {}

    private TargetList() {}

    static Read read(YamlMapping top, TargetReader reader, DeliveryReader deliveryReader) {
        if (!top.has("targets")) {
            top.error("targets", "missing; list at least one target (see config/smtp-probe.yml)");
            return new Read(List.of(), List.of());
        }
        List<JsonNode> items = top.list("targets");
        if (items == null) {
            return new Read(List.of(), List.of());
        }
        if (items.isEmpty()) {
            top.error("targets", "is empty; list at least one target");
        }
        List<TargetConfig> targets = new ArrayList<>();
        List<DeliveryConfig> deliveries = new ArrayList<>();
        Map<String, YamlMapping> deliveryMappings = new HashMap<>();
        Map<String, Integer> names = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            String path = top.pathOf("targets") + "[" + i + "]";
            YamlMapping mapping = YamlMapping.of(items.get(i), path, top.errors());
            if (!items.get(i).isObject()) {
                continue; // already reported; its keys cannot be read
            }
            String name;
            if (DeliveryReader.isDelivery(mapping)) {
                DeliveryConfig delivery = deliveryReader.read(mapping);
                if (delivery == null) {
                    continue;
                }
                deliveries.add(delivery);
                deliveryMappings.put(delivery.name(), mapping);
                name = delivery.name();
            } else {
                TargetConfig target = reader.read(mapping);
                if (target == null) {
                    continue;
                }
                targets.add(target);
                name = target.name();
            }
            Integer earlier = names.putIfAbsent(name, i);
            if (earlier != null) {
                mapping.error("name", YamlMapping.quote(name) + " is already used by targets[" + earlier
                        + "]; names must be unique");
            }
        }
        for (DeliveryConfig delivery : deliveries) {
            checkRelay(deliveryMappings.get(delivery.name()), delivery, targets);
        }
        int hosts = targets.stream().mapToInt(t -> t.mx() == null ? 1 : t.mxHosts()).sum();
        if (hosts > ConfigLoader.MAX_PROBED_HOSTS) {
            top.error("targets", hosts + " probed hosts (an mx target counts its mx_hosts) are more than the "
                    + ConfigLoader.MAX_PROBED_HOSTS + " one agent holds in the systemd unit's heap (-Xmx64m) with its"
                    + " scrapes; split the targets across agents, or raise -Xmx and MemoryMax together");
        }
        return new Read(targets, deliveries);
    }

    private static void checkRelay(YamlMapping mapping, DeliveryConfig delivery, List<TargetConfig> targets) {
        TargetConfig relay = targets.stream().filter(t -> t.name().equals(delivery.relay())).findFirst().orElse(null);
        List<String> relays = targets.stream().filter(t -> t.mode().isRelay()).map(TargetConfig::name).toList();
        String choices = relays.isEmpty() ? "this file has none; add one with mode: submission or smtps"
                : "relay targets here: " + String.join(", ", relays);
        if (relay == null) {
            mapping.error("relay", "names no target of this file, found " + YamlMapping.quote(delivery.relay())
                    + "; " + choices);
        } else if (!relay.mode().isRelay()) {
            mapping.error("relay", "must name a submission or smtps target, but " + relay.name() + " has mode "
                    + relay.mode().label() + "; " + choices);
        } else if (relay.auth() != null && relay.auth().isOAuth()) {
            mapping.error("relay", relay.name() + " authenticates with xoauth2, which delivery targets do not send"
                    + " through yet; name a relay target with a password, or none");
        }
    }
}
