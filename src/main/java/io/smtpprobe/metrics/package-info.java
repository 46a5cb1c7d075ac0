/**
 * The Prometheus metrics: names, the registry for the process-level series, and the per-target series
 * kept as plain values whose sample lines are rendered once per change and copied by every scrape.
 */
package io.smtpprobe.metrics;
