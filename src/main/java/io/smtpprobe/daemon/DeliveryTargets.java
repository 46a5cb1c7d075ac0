package io.smtpprobe.daemon;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smtpprobe.config.Config;
import io.smtpprobe.engine.EventLog;
import io.smtpprobe.engine.TaskScheduler;
import io.smtpprobe.metrics.AgentMetrics;
import io.smtpprobe.probe.Prober;
import io.smtpprobe.report.ReportJson;
import io.smtpprobe.report.RoundReport;
import java.time.Clock;

/**
 * The agent's delivery targets, if it ever has any: the {@link DeliverySchedule} (and with it the delivery package
 * and Angus Mail's IMAP provider) is made with the first configuration that has one, and not before.
 */
final class DeliveryTargets implements AutoCloseable {
    private final TaskScheduler timer;
    private final Clock clock;
    private final AgentMetrics metrics;
    private final EventLog log;
    private volatile DeliverySchedule schedule;

    DeliveryTargets(TaskScheduler timer, Clock clock, AgentMetrics metrics, EventLog log) {
        this.timer = timer;
        this.clock = clock;
        this.metrics = metrics;
        this.log = log;
    }

    synchronized void apply(Config config, Prober relayProber) {
        if (schedule == null && !config.deliveries().isEmpty()) {
            schedule = new DeliverySchedule(timer, clock, metrics, log);
        }
        if (schedule != null) {
            schedule.apply(config, relayProber);
        }
    }

    /** /status: the report, and the latest delivery results beside it once delivery targets were configured. */
    String status(RoundReport report) {
        ObjectNode root = ReportJson.toJson(report, false);
        DeliverySchedule current = schedule;
        if (current != null) {
            root.set("deliveries", current.json());
        }
        return ReportJson.write(root);
    }

    @Override
    public synchronized void close() {
        if (schedule != null) {
            schedule.close();
        }
    }
}
