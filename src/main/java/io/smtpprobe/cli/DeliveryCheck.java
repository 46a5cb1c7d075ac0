package io.smtpprobe.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smtpprobe.config.Config;
import io.smtpprobe.config.ConfigLoader;
import io.smtpprobe.config.DeliveryConfig;
import io.smtpprobe.delivery.DeliveryProbe;
import io.smtpprobe.delivery.DeliveryResult;
import io.smtpprobe.engine.HeloName;
import io.smtpprobe.engine.NetworkProbers;
import io.smtpprobe.probe.Ticker;
import io.smtpprobe.report.DeliveryJson;
import io.smtpprobe.report.ExitCodes;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code check --only NAME} for delivery targets: each named one run once, its outcome and timing printed. Only
 * this class of the command line names the delivery package, and only when a delivery target is asked for, so a
 * check without one loads none of it.
 */
final class DeliveryCheck {
    private DeliveryCheck() {}

    static int run(Config config, List<DeliveryConfig> deliveries, boolean json, Path dmiDirectory, PrintWriter out,
            PrintWriter err) {
        List<DeliveryResult> results = new ArrayList<>();
        try (NetworkProbers probers = new NetworkProbers(Clock.systemUTC(), Ticker.SYSTEM, dmiDirectory, false);
                DeliveryProbe probe = new DeliveryProbe(probers.create(config), Clock.systemUTC(), Ticker.SYSTEM,
                        config.probe().timeout(), HeloName.resolve(config.probe().heloName()))) {
            for (DeliveryConfig delivery : deliveries) {
                if (!json) {
                    err.printf("Sending one message through %s to %s and looking for it in %s:%d (at most %s)...%n",
                            delivery.relay(), delivery.rcptTo(), delivery.mailbox().host(), delivery.mailbox().port(),
                            ConfigLoader.formatDuration(delivery.deliveryTimeout()));
                    err.flush();
                }
                results.add(probe.run(delivery, config.target(delivery.relay())));
            }
        }
        if (json) {
            out.println(json(results));
        } else {
            results.forEach(result -> out.println(text(result)));
        }
        out.flush();
        return exitCode(results);
    }

    static String text(DeliveryResult result) {
        String timing = result.arrivalSeconds() == null ? ""
                : String.format(Locale.ROOT, " in %.1f s", result.arrivalSeconds());
        String relay = result.relayOutcome() == null ? "" : ", relay " + result.relay() + ": "
                + result.relayOutcome().label();
        String reply = result.reply() == null ? "" : System.lineSeparator() + "  reply: " + result.reply();
        return result.target() + ": " + result.outcome().label() + timing + relay + System.lineSeparator() + "  "
                + result.detail() + reply;
    }

    private static String json(List<DeliveryResult> results) {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        results.forEach(result -> root.withArray("deliveries").add(DeliveryJson.toJson(result)));
        try {
            return mapper.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise delivery results", e);
        }
    }

    /** 1 for any failure, else 2 when one was not due (nothing was tested), else 0: every message arrived. */
    static int exitCode(List<DeliveryResult> results) {
        boolean notDue = false;
        for (DeliveryResult result : results) {
            switch (result.outcome()) {
                case DELIVERED -> { }
                case NOT_DUE -> notDue = true;
                case NOT_DELIVERED, SUBMIT_FAILED, MAILBOX_FAILED -> {
                    return ExitCodes.PROBLEM;
                }
            }
        }
        return notDue ? ExitCodes.INCONCLUSIVE : ExitCodes.OK;
    }
}
