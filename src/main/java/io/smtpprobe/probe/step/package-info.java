/**
 * What every step of a probe shares. {@code Step} says where a probe is in its script (finer than a
 * {@link io.smtpprobe.probe.Phase}: MAIL FROM and RCPT TO share a phase but not an outcome), and
 * {@code PhaseClock} times the steps into phases. {@code ProbeDeadline} is the one deadline of a probe,
 * made where the probe starts and passed down: DNS, the connect, TLS, SMTP and MTA-STS read what is left of
 * it, and a read or write after it fails with a {@code DeadlineExceededException}. {@code CauseChain} reads a
 * failure by its causes, for the outcome mapping and for the messages the steps write themselves.
 *
 * <p>The lowest layer of the probe's sub-packages: it uses only the vocabulary in {@code io.smtpprobe.probe}.
 */
package io.smtpprobe.probe.step;
