/** The Prometheus metrics: names, and the registry that results are recorded into. */
package io.smtpprobe.metrics;
