package io.smtpprobe.azure;

/**
 * What the agent reads from the instance metadata service's {@code compute} section: the VM's identity
 * (for {@code smtp_probe_azure_vm_info}, which the daemon makes of it) and its cloud.
 *
 * @param azEnvironment the cloud ({@code AzurePublicCloud}, {@code AzureUSGovernmentCloud}, ...), or null
 */
public record InstanceMetadata(String subscriptionId, String vmId, String vmName, String resourceGroup,
        String location, String azEnvironment) {}
