/** Runs probes: one round for {@code check}, the scheduled agent for {@code run}, and the report they share. */
package io.smtpprobe.agent;
