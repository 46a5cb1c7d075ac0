/**
 * Runs probes: one round for {@code check}, the scheduled agent for {@code run}, and the report they
 * share. Also the agent's view of Azure: the instance metadata service (VM labels, managed-identity
 * tokens), Resource Manager for {@code offer: auto} ({@link io.smtpprobe.agent.OfferDetector}), and
 * XOAUTH2 bearer tokens from Entra or the managed identity ({@link io.smtpprobe.agent.CachedTokens}).
 */
package io.smtpprobe.agent;
