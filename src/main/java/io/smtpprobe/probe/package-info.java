/**
 * Probes: DNS, TCP connect and the SMTP conversation, one attempt each, every phase timed. Returns
 * results and knows nothing of metrics, HTTP or the command line.
 *
 * <p>This package is what the rest of smtp-probe sees of a probe: what a prober is given
 * ({@link io.smtpprobe.probe.ProbeOptions}, a {@link io.smtpprobe.probe.Ticker}, {@link io.smtpprobe.probe.BearerTokens}
 * for XOAUTH2) and what it returns ({@link io.smtpprobe.probe.Prober}, {@link io.smtpprobe.probe.ProbeResult} with
 * its {@link io.smtpprobe.probe.Outcome}, {@link io.smtpprobe.probe.Phase} timings, {@link io.smtpprobe.probe.TlsInfo}
 * and {@link io.smtpprobe.probe.DnsFailure}), {@link io.smtpprobe.probe.IpLiteral}, the one place IP address
 * literals are read and written, and {@link io.smtpprobe.probe.DaemonThreads}, the one way smtp-probe makes threads.
 * It uses none of its sub-packages, which hold the probe itself, one concept each, each using only those
 * below it:
 * <ul>
 * <li>{@code probe.step}: what every step shares: the step and its clock, the one deadline, the cause chain;
 * <li>{@code probe.dns}: name resolution; {@code probe.net}: the connector, the deadline-bound and conversation
 *     sockets, the reply limits and the transcript;
 * <li>{@code probe.tls}: TLS contexts, the socket factory and the certificate check;
 * <li>{@code probe.mtasts}: MTA-STS policies; {@code probe.smtp}: the SMTP conversation over Angus Mail, and the
 *     secret mask;
 * <li>{@code probe.target}: the prober ({@code TargetProber}, the host probes and their attempts) and the one
 *     mapping of failures to outcomes.
 * </ul>
 * {@code PackageDependencyTest} holds the sub-packages to this order.
 */
package io.smtpprobe.probe;
