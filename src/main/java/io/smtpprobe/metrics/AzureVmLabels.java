package io.smtpprobe.metrics;

import java.util.Objects;

/** The label values of {@code smtp_probe_azure_vm_info}, as the instance metadata service reports them. */
public record AzureVmLabels(String subscriptionId, String vmId, String vmName, String resourceGroup, String location) {
    public AzureVmLabels {
        Objects.requireNonNull(subscriptionId, "subscriptionId");
        Objects.requireNonNull(vmId, "vmId");
        Objects.requireNonNull(vmName, "vmName");
        Objects.requireNonNull(resourceGroup, "resourceGroup");
        Objects.requireNonNull(location, "location");
    }

    String[] values() {
        return new String[] {subscriptionId, vmId, vmName, resourceGroup, location};
    }
}
