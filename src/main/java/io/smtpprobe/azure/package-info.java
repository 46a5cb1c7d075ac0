/**
 * Azure, as the agent sees it: whether this is an Azure VM ({@link io.smtpprobe.azure.AzurePlatform}, from
 * DMI strings), the instance metadata service (VM identity, managed-identity tokens), Entra tokens for an
 * app, Resource Manager for {@code offer: auto} ({@link io.smtpprobe.azure.OfferDetector}), the policy
 * resolver both {@code check} and the daemon use ({@link io.smtpprobe.azure.AzureOfferPolicy}), and the
 * XOAUTH2 bearer tokens probes present ({@link io.smtpprobe.azure.CachedTokens}). Every call goes through
 * {@code AzureHttp}: no proxy, no redirects, one timeout over the whole call, a size cap.
 */
package io.smtpprobe.azure;
