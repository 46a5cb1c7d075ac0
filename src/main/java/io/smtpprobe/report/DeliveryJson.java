package io.smtpprobe.report;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smtpprobe.delivery.DeliveryResult;

/**
 * A delivery probe's result as JSON, for {@code check --only NAME --output json} and the daemon's {@code /status}.
 * Built from the result only, which holds no secret.
 */
public final class DeliveryJson {
    private DeliveryJson() {}

    public static ObjectNode toJson(DeliveryResult result) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("target", result.target());
        node.put("mode", "delivery");
        node.put("relay", result.relay());
        node.put("outcome", result.outcome().label());
        node.put("relay_outcome", result.relayOutcome() == null ? null : result.relayOutcome().label());
        node.put("reply", result.reply());
        node.put("detail", result.detail());
        if (result.arrivalSeconds() == null) {
            node.putNull("arrival_seconds");
        } else {
            node.put("arrival_seconds", result.arrivalSeconds());
        }
        node.put("started_at", result.startedAt().toString());
        return node;
    }
}
