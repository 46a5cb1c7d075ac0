/**
 * Runs probes: one round for {@code check}, the scheduled agent for {@code run}, and the report they
 * share ({@link io.smtpprobe.agent.ProbeScheduler} says when, {@code ProbeRunner} runs each probe's
 * work on the probe threads under {@code probe.concurrency} permits). Also the agent's view of Azure: the instance metadata service (VM labels, managed-identity
 * tokens), Resource Manager for {@code offer: auto} ({@link io.smtpprobe.agent.OfferDetector}), and
 * XOAUTH2 bearer tokens from Entra or the managed identity ({@link io.smtpprobe.agent.CachedTokens}).
 */
package io.smtpprobe.agent;
