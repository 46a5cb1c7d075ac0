package io.smtpprobe.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smtpprobe.classify.ClassifiedResult;
import io.smtpprobe.classify.Finding;
import io.smtpprobe.classify.TargetVerdict;
import io.smtpprobe.policy.Port25Policy;
import io.smtpprobe.probe.Phase;
import io.smtpprobe.probe.ProbeResult;
import io.smtpprobe.probe.TlsInfo;
import java.time.Duration;
import java.util.Map;

/**
 * The JSON shape of README.md "JSON", shared by {@code check --output json} and the daemon's
 * {@code /status}. Built from results only, which never hold a secret.
 */
public final class ReportJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ReportJson() {}

    /** The report as indented JSON text; transcripts only when asked for. */
    public static String write(RoundReport report, boolean includeTranscripts) {
        try {
            return MAPPER.writeValueAsString(toJson(report, includeTranscripts));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a report", e);
        }
    }

    /** A report's JSON (from {@link #toJson}, perhaps with more beside it) as indented text. */
    public static String write(ObjectNode root) {
        try {
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a report", e);
        }
    }

    public static ObjectNode toJson(RoundReport report, boolean includeTranscripts) {
        ObjectNode root = MAPPER.createObjectNode();
        root.set("policy", policy(report.policy()));
        ArrayNode results = root.putArray("results");
        for (ClassifiedResult result : report.results()) {
            results.add(result(result, includeTranscripts));
        }
        ArrayNode targets = root.putArray("targets");
        for (TargetVerdict target : report.targets()) {
            ObjectNode node = targets.addObject();
            node.put("name", target.name());
            node.put("role", target.role().label());
            if (target.deliverable() != null) {
                node.put("deliverable", target.deliverable());
            }
            node.put("verdict", target.verdict().label());
            node.put("cause", target.cause() == null ? null : target.cause().label());
            ArrayNode warnings = node.putArray("warnings");
            target.warnings().forEach(warnings::add);
        }
        root.set("diagnosis", diagnosis(report.finding()));
        return root;
    }

    private static ObjectNode policy(Port25Policy policy) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("offer", policy.offer().key());
        node.put("created", policy.created() == null ? null : policy.created().toString());
        node.put("exemption", policy.exemption());
        node.put("port25_expected", policy.port25().label());
        node.put("reason", policy.reason());
        node.put("source", policy.source());
        ArrayNode warnings = node.putArray("warnings");
        policy.warnings().forEach(warnings::add);
        return node;
    }

    private static ObjectNode result(ClassifiedResult classified, boolean includeTranscripts) {
        ProbeResult r = classified.result();
        ObjectNode node = MAPPER.createObjectNode();
        node.put("target", r.target());
        node.put("host", r.host());
        node.put("address", r.address());
        node.put("port", r.port());
        node.put("mode", r.mode().label());
        node.put("role", classified.role().label());
        node.put("expected", classified.expected().label());
        node.put("outcome", r.outcome().label());
        node.put("verdict", classified.verdict().label());
        node.put("reply", r.reply());
        node.put("cause", classified.cause() == null ? null : classified.cause().label());
        node.put("detail", r.detail());
        ArrayNode attempts = node.putArray("attempts");
        for (ProbeResult.AddressAttempt attempt : r.attempts()) {
            ObjectNode a = attempts.addObject();
            a.put("address", attempt.address());
            a.put("outcome", attempt.outcome().label());
            a.put("detail", attempt.detail());
        }
        ObjectNode phases = node.putObject("phases");
        for (Map.Entry<Phase, Duration> phase : r.phases().entrySet()) {
            phases.put(phase.getKey().label(), seconds(phase.getValue()));
        }
        node.set("tls", tls(r.tls()));
        node.put("started_at", r.startedAt().toString());
        if (includeTranscripts && r.transcript() != null) {
            node.put("transcript", r.transcript());
        }
        return node;
    }

    private static ObjectNode tls(TlsInfo tls) {
        if (tls == null) {
            return null;
        }
        ObjectNode node = MAPPER.createObjectNode();
        node.put("version", tls.version());
        node.put("cipher", tls.cipher());
        node.put("certificate_subject", tls.certificateSubject());
        node.put("certificate_expiry", tls.certificateExpiry() == null ? null : tls.certificateExpiry().toString());
        node.put("verified", tls.verified());
        node.put("verify_error", tls.verifyError());
        node.put("fallback", tls.fallback());
        node.put("handshake_error", tls.handshakeError());
        return node;
    }

    private static ObjectNode diagnosis(Finding finding) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("value", finding.diagnosis().label());
        node.put("explanation", finding.explanation());
        node.put("action", finding.action());
        return node;
    }

    /** Seconds with microsecond resolution, the unit Prometheus and people expect. */
    static double seconds(Duration duration) {
        return duration.toNanos() / 1_000L / 1e6;
    }
}
