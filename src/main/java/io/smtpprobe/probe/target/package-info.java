/**
 * The prober: one probe of a configured target, told as the steps below it take it. {@code TargetProber}
 * makes the target's one deadline when its probe starts, resolves the target (the MX lookup and, for smtp,
 * the domain's MTA-STS policy) and probes each host ({@code HostProbe}, each host's deadline taken from the
 * target's): its addresses in DNS order until one answers, and on port 25 the retry without STARTTLS after a
 * failed opportunistic handshake, each connection a {@code HostAttempt}. The daemon's asynchronous form waits
 * for each TCP handshake on the connector's one selector thread instead of a probe thread; the blocking form
 * is the same path with the caller's thread doing the work. {@code DnsBudget} is the DNS time an MX target's
 * lookups share. {@code OutcomeMapper} is the one place where a failure becomes an
 * {@link io.smtpprobe.probe.Outcome}: by exception type and cause chain, the step it happened in and the
 * server's last reply. For smtps the implicit TLS handshake is timed as the {@code starttls} phase, so that
 * {@code connect} stays the bare TCP handshake in every mode.
 *
 * <p>The top of the probe's sub-packages: it uses all the others, and none of them uses it.
 */
package io.smtpprobe.probe.target;
