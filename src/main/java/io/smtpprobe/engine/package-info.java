/**
 * The probe engine, the one way probes run for {@code check} and the daemon alike.
 * {@link io.smtpprobe.engine.NetworkProbers} wires a configuration to a prober;
 * {@link io.smtpprobe.engine.ProbeScheduler} says when each target is probed, and {@code ProbeRunner}
 * runs each probe's work on the probe threads under {@code probe.concurrency} permits
 * ({@code ThreadPermits}), abandoning a probe that overruns; {@code TargetProbe} is one target's state machine, its states and transitions listed in {@code ProbeState}.
 * Results go to a sink: {@link io.smtpprobe.engine.ResultRecorder} (the daemon: one thread, batches) or
 * {@link io.smtpprobe.engine.CheckRound} ({@code check}: one round, then stop). The engine's threads are
 * {@code probe.concurrency} probe threads plus a fixed few (timer, connector, deadline, recorder),
 * whatever the number of targets.
 */
package io.smtpprobe.engine;
