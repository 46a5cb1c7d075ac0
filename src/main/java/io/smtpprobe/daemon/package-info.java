/**
 * {@code smtp-probe run}: the engine kept running. {@link io.smtpprobe.daemon.Daemon} puts HTTP and the
 * signal handlers ({@link io.smtpprobe.daemon.SignalHandlers}, installed before anything slow) in front
 * of a {@link io.smtpprobe.daemon.RunningAgent}, which owns the lifecycle: it reloads the configuration
 * ({@code ReloadPreparer} reads and checks it first), re-checks the policy and trims the heap ({@code Periodic}, {@code HeapTrimmer}), records each batch of results into the one store of latest results
 * ({@code LatestResults}, which /status, the metrics and the diagnosis read), refreshes the instance
 * metadata ({@code MetadataRefresher}), and shuts down within the probe timeout whatever else is stuck.
 */
package io.smtpprobe.daemon;
