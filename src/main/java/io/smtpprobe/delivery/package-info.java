/**
 * The delivery probe (opt-in, {@code mode: delivery}): one small message submitted through a relay target, then
 * looked for over IMAPS in the recipient's mailbox, submission to arrival timed, and the probe's messages deleted.
 * Nothing here is loaded unless a delivery target is configured: the rest of the agent names these classes only
 * on paths that run for one, so neither they nor Angus Mail's IMAP provider cost a daemon without one anything.
 */
package io.smtpprobe.delivery;
