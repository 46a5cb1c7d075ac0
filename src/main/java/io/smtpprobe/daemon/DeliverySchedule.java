package io.smtpprobe.daemon;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.smtpprobe.config.Config;
import io.smtpprobe.config.DeliveryConfig;
import io.smtpprobe.delivery.DeliveryOutcome;
import io.smtpprobe.delivery.DeliveryProbe;
import io.smtpprobe.delivery.DeliveryResult;
import io.smtpprobe.engine.EventLog;
import io.smtpprobe.engine.HeloName;
import io.smtpprobe.engine.TaskScheduler;
import io.smtpprobe.metrics.AgentMetrics;
import io.smtpprobe.probe.DaemonThreads;
import io.smtpprobe.probe.Prober;
import io.smtpprobe.probe.Ticker;
import io.smtpprobe.report.DeliveryJson;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Runs the delivery targets on their intervals, one at a time on a thread of their own (a probe may wait minutes
 * for its message, which the probe threads must not). Each runs when its state file says it is due, so a reload or
 * a restart sends no message early; after a run that sent nothing it waits a whole interval too. Made by the agent
 * only when a configuration has delivery targets. The one owner of the latest delivery results.
 */
final class DeliverySchedule implements AutoCloseable {
    private final TaskScheduler timer;
    private final Clock clock;
    private final AgentMetrics metrics;
    private final EventLog log;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(DaemonThreads.named("smtp-probe-delivery"));
    private final Map<String, TaskScheduler.Cancellable> pending = new HashMap<>();
    private final Map<String, DeliveryResult> latest = new TreeMap<>();
    private Config config;
    private DeliveryProbe probe;
    private long generation;
    private boolean closed;

    DeliverySchedule(TaskScheduler timer, Clock clock, AgentMetrics metrics, EventLog log) {
        this.timer = timer;
        this.clock = clock;
        this.metrics = metrics;
        this.log = log;
    }

    /** Takes a configuration (at start and on every reload): each delivery target is scheduled when it is due. */
    synchronized void apply(Config fresh, Prober relayProber) {
        generation++;
        pending.values().forEach(TaskScheduler.Cancellable::cancel);
        pending.clear();
        DeliveryProbe old = probe;
        if (old != null) {
            thread.execute(old::close); // after the run in flight, if any, which still uses it
        }
        config = fresh;
        probe = new DeliveryProbe(relayProber, clock, Ticker.SYSTEM, fresh.probe().timeout(),
                HeloName.resolve(fresh.probe().heloName()));
        var names = fresh.deliveries().stream().map(DeliveryConfig::name).toList();
        latest.keySet().retainAll(names);
        metrics.retainDeliveries(names);
        for (DeliveryConfig delivery : fresh.deliveries()) {
            scheduleAt(delivery, probe.nextDue(delivery), generation);
        }
    }

    private void scheduleAt(DeliveryConfig delivery, Instant when, long scheduledIn) {
        Duration delay = Duration.between(clock.instant(), when);
        pending.put(delivery.name(), timer.schedule(delay.isNegative() ? Duration.ZERO : delay,
                () -> thread.execute(() -> runOnce(delivery, scheduledIn))));
    }

    private void runOnce(DeliveryConfig delivery, long scheduledIn) {
        DeliveryProbe current;
        Config running;
        synchronized (this) {
            if (closed || scheduledIn != generation) {
                return;
            }
            current = probe;
            running = config;
        }
        Instant started = clock.instant();
        DeliveryResult result = current.run(delivery, running.target(delivery.relay()));
        synchronized (this) {
            if (closed || scheduledIn != generation) {
                return; // a reload rescheduled this target from its state file
            }
            if (result.outcome() != DeliveryOutcome.NOT_DUE) {
                latest.put(delivery.name(), result);
                metrics.delivery(delivery.name(), result.delivered(), result.arrivalSeconds(), clock.instant());
                log.info("delivery probed", "target", delivery.name(), "outcome", result.outcome().label(),
                        "arrival_seconds", result.arrivalSeconds(), "detail", result.detail());
            }
            Instant due = current.nextDue(delivery);
            Instant interval = started.plus(delivery.interval());
            scheduleAt(delivery, result.outcome() == DeliveryOutcome.NOT_DUE || due.isAfter(interval) ? due : interval,
                    scheduledIn);
        }
    }

    /** The latest result of every delivery target that has run, for /status. */
    synchronized ArrayNode json() {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        latest.values().forEach(result -> array.add(DeliveryJson.toJson(result)));
        return array;
    }

    @Override
    public synchronized void close() {
        closed = true;
        pending.values().forEach(TaskScheduler.Cancellable::cancel);
        pending.clear();
        thread.shutdownNow(); // interrupts a probe waiting for its message; it ends as not_delivered, unrecorded
        if (probe != null) {
            probe.close();
        }
    }
}
