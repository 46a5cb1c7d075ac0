package io.smtpprobe.config;

import java.net.URI;

/**
 * Azure endpoints the agent may call. Both are configurable so that tests point them at loopback.
 *
 * @param managementEndpoint Resource Manager, or null to follow the metadata's azEnvironment
 * @param identityClientId a user-assigned managed identity's client id; empty for the system one
 */
public record AzureConfig(
        MetadataMode metadata, URI metadataEndpoint, URI managementEndpoint, String identityClientId) {}
