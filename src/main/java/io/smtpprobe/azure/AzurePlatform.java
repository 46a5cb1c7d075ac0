package io.smtpprobe.azure;

import io.smtpprobe.config.MetadataMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether this machine is an Azure VM, from the DMI strings the kernel shows (no network involved).
 * Azure's hypervisor sets the chassis asset tag {@value #AZURE_ASSET_TAG}; Hyper-V and Azure set the
 * system vendor to {@value #MICROSOFT_VENDOR}.
 */
public final class AzurePlatform {
    public static final String AZURE_ASSET_TAG = "7783-7084-3265-9085-8269-3286-77";
    public static final String MICROSOFT_VENDOR = "Microsoft Corporation";
    /** Where the kernel shows the machine's DMI strings. */
    public static final Path DMI_DIRECTORY = Path.of("/sys/class/dmi/id");

    private AzurePlatform() {}

    /** @param dmiDirectory normally {@code /sys/class/dmi/id} */
    public static boolean looksLikeAzure(Path dmiDirectory) {
        return AZURE_ASSET_TAG.equals(read(dmiDirectory.resolve("chassis_asset_tag")))
                || MICROSOFT_VENDOR.equals(read(dmiDirectory.resolve("sys_vendor")));
    }

    /** Whether {@code azure.metadata} lets the agent ask the instance metadata service on this machine. */
    public static boolean metadataWanted(MetadataMode mode, Path dmiDirectory) {
        return switch (mode) {
            case ON -> true;
            case OFF -> false;
            case AUTO -> looksLikeAzure(dmiDirectory);
        };
    }

    private static String read(Path file) {
        try {
            // DMI files are a line each; anything longer is not what we look for.
            byte[] bytes = Files.readAllBytes(file);
            return bytes.length > 256 ? null : new String(bytes, java.nio.charset.StandardCharsets.US_ASCII).trim();
        } catch (IOException | SecurityException e) {
            // Missing (not Linux, a container without /sys) or unreadable: not evidence of Azure.
            return null;
        }
    }
}
