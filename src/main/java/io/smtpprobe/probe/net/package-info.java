/**
 * The connection a probe talks over. The {@code Connector} waits for TCP handshakes on one selector thread, so
 * a probe whose SYN goes unanswered holds a socket, not a thread. The connected socket is a
 * {@code DeadlineSocket}: every read waits at most until the probe's deadline and counts against the
 * {@code ReplyLimits} ({@code ReplyLimitExceededException} when a peer sends too much). Above it, and above TLS
 * where there is TLS, the {@code ConversationSocket} is what the SMTP client speaks through; it records the
 * {@code Transcript}, the conversation as a person reads it. Both sockets are {@code DelegatingSocket}s.
 *
 * <p>Uses the vocabulary in {@code io.smtpprobe.probe} and {@code io.smtpprobe.probe.step} only.
 */
package io.smtpprobe.probe.net;
