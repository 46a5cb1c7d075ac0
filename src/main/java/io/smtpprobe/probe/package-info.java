/**
 * Probes: DNS, TCP connect and the SMTP conversation, one attempt each, every phase timed. Returns
 * results and knows nothing of metrics, HTTP or the command line.
 *
 * <p>{@link io.smtpprobe.probe.TargetProber} resolves a target and probes each host ({@code HostProbe}, one
 * deadline for the host): its addresses in DNS order until one answers, and on port 25 the retry without
 * STARTTLS after a failed opportunistic handshake, each connection a {@code HostAttempt}. The daemon's asynchronous form waits for each TCP handshake on the
 * {@link io.smtpprobe.probe.net.Connector}'s one selector thread instead of a probe thread. The
 * connection is a {@code DeadlineSocket}: every read waits at most until the probe's deadline and
 * counts against {@code ReplyLimits}, and a watchdog closes it when the deadline passes. Angus Mail
 * speaks SMTP over it ({@code TimedSmtpTransport} hooks the steps for timing and refuses AUTH
 * without TLS); {@code SmtpConversation} decides which steps a mode takes; {@code TlsSocketFactory}
 * layers TLS for STARTTLS and smtps. {@code OutcomeMapper} is the one place where a failure becomes
 * an {@link io.smtpprobe.probe.Outcome}. For smtps the implicit TLS handshake is timed as the
 * {@code starttls} phase, so that {@code connect} stays the bare TCP handshake in every mode.
 *
 * <p>TLS is handshaken by {@code TlsSocketFactory}; {@code CertificateCheck} verifies the certificate
 * (configured trust, host name) and either fails the handshake (where verification is enforced) or
 * records the failure and lets the opportunistic session go on (port 25, RFC 7435). Angus Mail talks
 * through a {@code ConversationSocket}, which records the {@code C:}/{@code S:} {@code Transcript} above
 * TLS. {@code MtaStsPolicies} looks up and caches the MTA-STS policy (RFC 8461) of an {@code mx:} domain,
 * which enforces verification for the MX hosts it lists. {@code SecretMask} keeps our secrets out of
 * anything the server sends back.
 */
package io.smtpprobe.probe;
