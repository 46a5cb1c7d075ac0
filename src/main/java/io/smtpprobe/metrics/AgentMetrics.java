package io.smtpprobe.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.smtpprobe.classify.ClassifiedResult;
import io.smtpprobe.classify.Diagnosis;
import io.smtpprobe.config.TargetConfig;
import io.smtpprobe.policy.Port25Policy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Everything the agent exports, recorded into one {@link PrometheusMeterRegistry} passed in by the
 * caller (never a global one). Names and labels are those of README.md "Metrics"; label values come
 * only from enumerations, configured target names, probed host names and ports, never from server
 * text.
 *
 * <p>Two parts. The few process-level series (JVM and process binders, diagnosis, reload gauges, the
 * {@code *_info} metrics) are Micrometer meters; the {@code *_info} ones go straight to the registry's
 * underlying Prometheus registry because Micrometer strips a gauge's {@code _info} suffix. The per-target
 * series (about 55 per target, {@link TargetFamily}) are not meters: each target keeps plain values
 * ({@link TargetSeries}) and renders its sample lines once per change ({@link TargetRenderer}), and a scrape
 * copies those bytes after the registry's part ({@link Exposition}). At a thousand targets a scrape of
 * 55,000 meters cost hundreds of milliseconds and megabytes of garbage; copying costs a few milliseconds.
 */
public final class AgentMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry;
    private final TargetRenderer renderer = new TargetRenderer();
    private final Info policyInfo;
    private final Info azureVmInfo;
    /** By name: the exposition lists targets in this order. */
    private final TreeMap<String, TargetSeries> targets = new TreeMap<>();
    /** {@link #targets}' values as scrapes read them, replaced whole when a target comes or goes. */
    private volatile TargetSeries[] published = new TargetSeries[0];
    private final List<AutoCloseable> binders = new ArrayList<>();
    private final io.prometheus.metrics.core.metrics.Gauge diagnosisGauge;
    private Diagnosis diagnosis = Diagnosis.INSUFFICIENT_DATA;
    private volatile double reloadSuccessful = 1;
    private volatile double reloadSuccessSeconds;
    private List<String> policyLabels;
    private AzureVmLabels azureVm;
    private DeliveryGauges deliveries;

    /**
     * @param loadedAt when the running configuration was loaded: the first load counts as a successful one
     */
    public AgentMetrics(PrometheusMeterRegistry registry, String version, Instant loadedAt) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.reloadSuccessSeconds = loadedAt.toEpochMilli() / 1000.0;
        // Issue 15: of Micrometer's JVM series only the few worth their cost per VM (heap, GC pauses and live
        // data, live threads); process_* comes from client_java's ProcessMetrics, and what node_exporter covers
        // (system CPU, load, CPU count) is not exported. Filters must be in place before the first meter.
        registry.config().meterFilter(MeterFilter.deny(id -> id.getName().startsWith("jvm.")
                && !KEPT_JVM_METERS.contains(id.getName())));
        registry.config().meterFilter(MeterFilter.deny(id -> id.getName().startsWith("jvm.memory.")
                && !"heap".equals(id.getTag("area"))));
        // OpenMetrics allows \" in HELP, but the OpenMetrics parser of Prometheus 2.42 (Debian 12) rejects it and
        // fails the whole scrape. Micrometer's CPU binders put quotes in their descriptions.
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                String help = id.getDescription();
                return help == null || help.indexOf('"') < 0 ? id : new Meter.Id(id.getName(),
                        Tags.of(id.getTagsAsIterable()), id.getBaseUnit(), help.replace('"', '\''), id.getType());
            }
        });
        var prometheus = registry.getPrometheusRegistry();
        Info.builder().name(MetricNames.BUILD_INFO).help("The running smtp-probe version and the git revision it was"
                + " built from (unknown outside git)").labelNames("version", "revision").register(prometheus)
                .setLabelValues(version, BuildRevision.read());
        policyInfo = Info.builder().name(MetricNames.POLICY_INFO)
                .help("Azure's port-25 policy as applied: the offer, the expectation for port 25 and where the"
                        + " offer came from")
                .labelNames("offer", "port25_expected", "source").register(prometheus);
        azureVmInfo = Info.builder().name(MetricNames.AZURE_VM_INFO)
                .help("The Azure VM this agent runs on, from the instance metadata service")
                .labelNames("subscription_id", "vm_id", "vm_name", "resource_group", "location")
                .register(prometheus);
        // Issue 15: the current diagnosis only, as 1; the others are absent rather than 0.
        diagnosisGauge = io.prometheus.metrics.core.metrics.Gauge.builder().name(MetricNames.DIAGNOSIS)
                .help("The current diagnosis of this VM from the latest result of every host, as 1; other"
                        + " diagnoses are absent").labelNames("diagnosis").withoutExemplars().register(prometheus);
        diagnosisGauge.labelValues(diagnosis.label()).set(1);
        Gauge.builder(MetricNames.CONFIG_LAST_RELOAD_SUCCESSFUL, this, m -> m.reloadSuccessful)
                .description("1 when the last configuration reload succeeded, 0 when it was refused")
                .strongReference(true).register(registry);
        Gauge.builder(MetricNames.CONFIG_LAST_RELOAD_SUCCESS_TIMESTAMP_SECONDS, this, m -> m.reloadSuccessSeconds)
                .description("When the configuration was last loaded successfully, in Unix seconds")
                .strongReference(true).register(registry);
    }

    /** Micrometer JVM meters kept (issue 15); every other {@code jvm.*} meter is denied. */
    private static final Set<String> KEPT_JVM_METERS = Set.of("jvm.memory.used", "jvm.memory.max", "jvm.gc.pause",
            "jvm.gc.live.data.size", "jvm.threads.live", "jvm.threads.peak");

    /**
     * Binds the process series under their standard names ({@code process_resident_memory_bytes},
     * {@code process_cpu_seconds_total}, {@code process_open_fds}, ...: client_java's ProcessMetrics, read from
     * /proc and the JVM's beans at scrape time) and the few JVM series kept (heap, GC, live threads).
     */
    public synchronized void bindProcessMetrics() {
        ProcessMetrics.builder().register(registry.getPrometheusRegistry());
        new JvmMemoryMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        binders.add(gc);
        new JvmThreadMetrics().bindTo(registry);
    }

    /**
     * Records the latest results of one target, replacing the previous ones. Hosts the target did not
     * probe this time (an MX record that changed) disappear.
     */
    public synchronized void record(TargetConfig target, List<ClassifiedResult> results) {
        TargetSeries series = targets.get(target.name());
        if (series != null && series.config().equals(target)) {
            series.record(results);
            return;
        }
        // New, or its configuration changed: its old hosts, ports, modes and counts must not linger.
        series = new TargetSeries(target, renderer);
        series.record(results);
        targets.put(target.name(), series);
        publish();
    }

    /**
     * Judges a target's latest results again (the policy changed on reload) without counting them as
     * new probes: verdicts and expectation change, counters and the histogram do not.
     */
    public synchronized void rejudge(TargetConfig target, List<ClassifiedResult> results) {
        TargetSeries series = targets.get(target.name());
        if (series != null && series.config().equals(target)) {
            series.rejudge(results);
        }
    }

    /** Drops every series of the targets not named here (targets removed by a reload). */
    public synchronized void retainTargets(Collection<String> names) {
        if (targets.keySet().retainAll(Set.copyOf(names))) {
            publish();
        }
    }

    private void publish() {
        published = targets.values().toArray(TargetSeries[]::new);
    }

    public synchronized void diagnosis(Diagnosis current) {
        Objects.requireNonNull(current, "current");
        if (current != diagnosis) {
            diagnosisGauge.labelValues(current.label()).set(1);
            diagnosisGauge.remove(diagnosis.label());
            diagnosis = current;
        }
    }

    public synchronized void policy(Port25Policy policy) {
        List<String> labels = List.of(policy.offer().key(), policy.port25().label(), policy.source());
        if (!labels.equals(policyLabels)) {
            policyInfo.setLabelValues(labels.toArray(String[]::new));
            policyLabels = labels;
        }
    }

    /** The VM's identity from instance metadata, or null to drop the series (not on Azure, or turned off). */
    public synchronized void azureVm(AzureVmLabels vm) {
        if (Objects.equals(vm, azureVm)) {
            return;
        }
        if (azureVm != null) {
            azureVmInfo.remove(azureVm.values());
        }
        if (vm != null) {
            azureVmInfo.addLabelValues(vm.values());
        }
        azureVm = vm;
    }

    /** A delivery target's last result: whether it arrived, in how many seconds, and when this was recorded. */
    public synchronized void delivery(String target, boolean delivered, Double arrivalSeconds, Instant at) {
        if (deliveries == null) {
            deliveries = new DeliveryGauges(registry.getPrometheusRegistry());
        }
        deliveries.record(target, delivered, arrivalSeconds, at);
    }

    /** Drops the series of delivery targets no longer configured. */
    public synchronized void retainDeliveries(Collection<String> names) {
        if (deliveries != null) {
            deliveries.retain(names);
        }
    }

    public void reloadSucceeded(Instant at) {
        reloadSuccessSeconds = at.toEpochMilli() / 1000.0;
        reloadSuccessful = 1;
    }

    public void reloadFailed() {
        reloadSuccessful = 0;
    }

    /** The exposition in the given format, in memory (for tests and small registries). */
    public byte[] scrape(ExpositionFormat format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            scrape(format, out);
        } catch (IOException e) {
            throw new UncheckedIOException("writing the metrics exposition into memory failed", e);
        }
        return out.toByteArray();
    }

    /**
     * Writes the exposition straight to {@code out}. With a thousand targets it is megabytes; held in
     * memory as a growing buffer and then a copy, it alone can exhaust a small agent's heap.
     */
    public void scrape(ExpositionFormat format, OutputStream out) throws IOException {
        exposition(format).writeTo(out);
    }

    /**
     * The exposition as it is now, ready to be written, with its length known beforehand (for a
     * Content-Length). Holds the registry's small part and references to the targets' rendered lines.
     */
    public Exposition exposition(ExpositionFormat format) throws IOException {
        return Exposition.take(registry, format, published);
    }

    /** Target names that have series, for tests and /status. */
    public synchronized Set<String> targetNames() {
        return Set.copyOf(targets.keySet());
    }

    /** The sample lines last rendered for a target, or null; for tests that check scrapes reuse them. */
    synchronized RenderedTarget rendered(String target) {
        TargetSeries series = targets.get(target);
        return series == null ? null : series.rendered();
    }

    /** How many times any target was rendered, for tests that check scrapes do not render. */
    synchronized long renders() {
        return renderer.renders();
    }

    @Override
    public synchronized void close() {
        for (AutoCloseable binder : binders) {
            try {
                binder.close();
            } catch (Exception e) {
                // A binder that fails to detach leaves only a JMX listener behind; nothing to report to users.
            }
        }
        binders.clear();
    }
}
