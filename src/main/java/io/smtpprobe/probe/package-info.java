/**
 * Probes: DNS, TCP connect and the SMTP conversation, one attempt each, every phase timed. Returns
 * results and knows nothing of metrics, HTTP or the command line.
 */
package io.smtpprobe.probe;
