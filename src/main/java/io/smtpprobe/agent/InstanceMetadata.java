package io.smtpprobe.agent;

import io.smtpprobe.metrics.AzureVmLabels;

/**
 * What the agent reads from the instance metadata service's {@code compute} section.
 *
 * @param labels the VM's identity, for {@code smtp_probe_azure_vm_info}
 * @param azEnvironment the cloud ({@code AzurePublicCloud}, {@code AzureUSGovernmentCloud}, ...), or null
 */
public record InstanceMetadata(AzureVmLabels labels, String azEnvironment) {}
