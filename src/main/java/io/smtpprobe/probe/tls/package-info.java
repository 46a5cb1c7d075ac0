/**
 * TLS for probes. {@code TlsContexts} builds the client context a target's {@code tls} settings ask for (a
 * {@code tls.ca_file} parsed once while unchanged; {@code TlsSetupException} when it cannot be read) and
 * {@code TlsWarmUp} loads JSSE before the first probe needs it. {@code TlsSocketFactory} layers TLS over the
 * probe's deadline-bound socket for STARTTLS and smtps, handshakes itself and hands the SMTP client a
 * conversation socket over it; {@code CertificateCheck} verifies the certificate (configured trust, host name)
 * and either fails the handshake, where verification is enforced, or records the failure and lets the
 * opportunistic session go on (port 25, RFC 7435).
 *
 * <p>Uses {@code io.smtpprobe.probe}, {@code io.smtpprobe.probe.step} and {@code io.smtpprobe.probe.net}.
 */
package io.smtpprobe.probe.tls;
