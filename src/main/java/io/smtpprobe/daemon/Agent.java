package io.smtpprobe.daemon;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.smtpprobe.config.Config;
import io.smtpprobe.engine.ExecutorTaskScheduler;
import io.smtpprobe.engine.ProbeThreadPool;
import io.smtpprobe.metrics.AgentMetrics;
import io.smtpprobe.probe.DaemonThreads;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Starts the daemon's agent: {@code smtp-probe run} calls this, then puts HTTP and signals in front. */
public final class Agent {
    private Agent() {}

    /**
     * Starts probing at once (first probes spread over {@code probe.jitter}).
     *
     * @param configFile the file {@code config} came from, re-read on reload; null for the built-in default
     */
    public static RunningAgent start(Config config, Path configFile, AgentOptions options) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        AgentMetrics metrics = new AgentMetrics(registry, options.version(), options.clock().instant());
        if (options.bindProcessMetrics()) {
            metrics.bindProcessMetrics();
        }
        RunningAgent agent = new RunningAgent(config, configFile, options, metrics, new ExecutorTaskScheduler(),
                workers());
        agent.begin();
        return agent;
    }

    /**
     * Threads for occasional work beside the probes (Azure metadata, policy checks): created on demand
     * and reused. Probes run on the agent's own pool ({@link ProbeThreadPool}).
     */
    private static ExecutorService workers() {
        return Executors.newCachedThreadPool(DaemonThreads.numbered("smtp-probe-azure"));
    }
}
