/**
 * The SMTP conversation of a probe. {@code SmtpConversation} reads top to bottom ((TLS,) greeting, EHLO,
 * STARTTLS, EHLO, AUTH, MAIL FROM, RCPT TO, QUIT; never DATA) and decides which steps a mode takes. Angus Mail
 * speaks the protocol: {@code TimedSmtpTransport} hooks its steps for timing and refuses AUTH without TLS, and
 * {@code MailSessions} keeps its sessions for reuse. The conversation ends early with a
 * {@code ReplyRejectedException}, a {@code StartTlsUnavailableException} or an {@code AuthUnavailableException}.
 * {@code SecretMask} keeps our secrets out of anything the server sends back, in the reply and the transcript.
 *
 * <p>Uses {@code io.smtpprobe.probe}, {@code io.smtpprobe.probe.step}, {@code io.smtpprobe.probe.net} and
 * {@code io.smtpprobe.probe.tls}.
 */
package io.smtpprobe.probe.smtp;
