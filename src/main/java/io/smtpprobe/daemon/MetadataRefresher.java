package io.smtpprobe.daemon;

import io.smtpprobe.azure.AzurePlatform;
import io.smtpprobe.azure.InstanceMetadata;
import io.smtpprobe.azure.InstanceMetadataClient;
import io.smtpprobe.config.AzureConfig;
import io.smtpprobe.engine.EventLog;
import io.smtpprobe.engine.TaskScheduler;
import io.smtpprobe.metrics.AgentMetrics;
import io.smtpprobe.metrics.AzureVmLabels;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * Keeps {@code smtp_probe_azure_vm_info} current: reads the instance metadata at start and then
 * rarely (a VM's identity does not change while it runs), retrying sooner after a failure: 10 s after the
 * first, doubling up to 5 minutes, so an agent started before the VM's network is up (or on a starved
 * machine) names its VM within seconds of the service answering. On a machine that does not look like Azure
 * (and {@code azure.metadata} is not {@code on}) it never sends a request.
 */
final class MetadataRefresher {
    static final Duration FIRST_RETRY = Duration.ofSeconds(10);
    static final Duration RETRY = Duration.ofMinutes(5);

    private final InstanceMetadataClient client;
    private final TaskScheduler timer;
    private final Executor executor;
    private final AgentMetrics metrics;
    private final EventLog log;
    private final Duration refresh;
    private TaskScheduler.Cancellable next;
    private boolean stopped;
    private boolean failing;
    /** The wait before the next retry; null while reads succeed. */
    private Duration backoff;

    private MetadataRefresher(InstanceMetadataClient client, TaskScheduler timer, Executor executor,
            AgentMetrics metrics, EventLog log, Duration refresh) {
        this.client = client;
        this.timer = timer;
        this.executor = executor;
        this.metrics = metrics;
        this.log = log;
        this.refresh = refresh;
    }

    /** Starts refreshing when the configuration and the machine call for it; null otherwise. */
    static MetadataRefresher startIfWanted(AzureConfig azure, Path dmiDirectory, TaskScheduler timer,
            Executor executor, AgentMetrics metrics, EventLog log, Duration refresh) {
        if (!AzurePlatform.metadataWanted(azure.metadata(), dmiDirectory)) {
            log.debug("not asking the Azure instance metadata service", "azure_metadata",
                    azure.metadata().name().toLowerCase(java.util.Locale.ROOT), "reason",
                    "the machine does not look like an Azure VM or the lookup is off");
            return null;
        }
        MetadataRefresher refresher = new MetadataRefresher(
                new InstanceMetadataClient(azure.metadataEndpoint(), InstanceMetadataClient.TIMEOUT), timer, executor,
                metrics, log, refresh);
        refresher.schedule(Duration.ZERO);
        return refresher;
    }

    synchronized void stop() {
        stopped = true;
        if (next != null) {
            next.cancel();
        }
    }

    private synchronized void schedule(Duration delay) {
        if (!stopped) {
            // The request runs on a worker, never on the timer thread that starts probes.
            next = timer.schedule(delay, () -> executor.execute(this::refresh));
        }
    }

    private void refresh() {
        try {
            InstanceMetadata instance = client.instance();
            AzureVmLabels vm = new AzureVmLabels(instance.subscriptionId(), instance.vmId(), instance.vmName(),
                    instance.resourceGroup(), instance.location());
            synchronized (this) {
                if (stopped) {
                    return;
                }
                metrics.azureVm(vm);
                if (failing) {
                    log.info("Azure instance metadata readable again", "endpoint", client.uri());
                }
                failing = false;
                backoff = null;
            }
            schedule(refresh);
        } catch (IOException e) {
            failed(e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void failed(String reason) {
        Duration retry;
        synchronized (this) {
            backoff = backoff == null ? FIRST_RETRY : min(backoff.multipliedBy(2), RETRY);
            retry = min(backoff, refresh);
            if (!failing) {
                log.warn("cannot read Azure instance metadata; smtp_probe_azure_vm_info stays as it was",
                        "endpoint", client.uri(), "error", reason, "retry_in", retry);
            }
            failing = true;
        }
        schedule(retry);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
