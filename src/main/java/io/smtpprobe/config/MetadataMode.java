package io.smtpprobe.config;

/** Whether the agent asks the Azure instance metadata service about the VM. */
public enum MetadataMode {
    /** Only when the machine looks like an Azure VM. */
    AUTO,
    ON,
    OFF
}
