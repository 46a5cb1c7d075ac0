package io.smtpprobe.azure;

import io.smtpprobe.config.AzureConfig;
import io.smtpprobe.config.MetadataMode;
import io.smtpprobe.policy.AzureOfferMapping;
import io.smtpprobe.policy.BillingProperty;
import io.smtpprobe.policy.OfferDetection;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * {@code subscription.offer: auto}: asks Azure which offer this VM's subscription is. The metadata
 * service gives the subscription id, the cloud and a managed-identity token for Resource Manager;
 * Resource Manager gives the quotaId and the billing property; {@link AzureOfferMapping} turns them
 * into an offer. Whatever is refused ends as an {@code unknown} offer with a warning that says what is
 * missing and the command that grants it; probing goes on regardless. On a machine that does not look
 * like Azure nothing is sent at all.
 */
public final class OfferDetector {
    /** Token requests can take the metadata service a few seconds when the identity was just assigned. */
    public static final Duration METADATA_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration MANAGEMENT_TIMEOUT = Duration.ofSeconds(10);

    /** Resource Manager of each cloud, by the metadata service's {@code compute.azEnvironment}. */
    static final Map<String, URI> MANAGEMENT = Map.of(
            "azurepubliccloud", URI.create("https://management.azure.com"),
            "azureusgovernmentcloud", URI.create("https://management.usgovcloudapi.net"),
            "azurechinacloud", URI.create("https://management.chinacloudapi.cn"));

    private final Path dmiDirectory;
    private final Duration metadataTimeout;
    private final Duration managementTimeout;
    private final Clock clock;

    public OfferDetector(Path dmiDirectory, Duration metadataTimeout, Duration managementTimeout, Clock clock) {
        this.dmiDirectory = dmiDirectory;
        this.metadataTimeout = metadataTimeout;
        this.managementTimeout = managementTimeout;
        this.clock = clock;
    }

    /** The offer, or {@code unknown} with the reason; never throws for anything Azure answers. */
    public OfferDetection detect(AzureConfig azure) throws InterruptedException {
        if (!AzurePlatform.metadataWanted(azure.metadata(), dmiDirectory)) {
            return OfferDetection.failed(azure.metadata() == MetadataMode.OFF
                    ? "subscription.offer: auto needs the instance metadata service, but azure.metadata is off; set"
                            + " subscription.offer to the offer key (see `smtp-probe policy`) or azure.metadata: auto"
                    : "subscription.offer: auto needs an Azure VM: this machine does not look like one (DMI), so"
                            + " Azure was not asked; set subscription.offer to the offer key (see `smtp-probe"
                            + " policy`), or azure.metadata: on if this is an Azure VM");
        }
        InstanceMetadataClient metadata = new InstanceMetadataClient(azure.metadataEndpoint(), metadataTimeout, clock);
        InstanceMetadata instance;
        try {
            instance = metadata.instance();
        } catch (IOException e) {
            return OfferDetection.failed("cannot read the instance metadata (" + e.getMessage() + "), so the offer"
                    + " cannot be asked for; set subscription.offer to the offer key");
        }
        String subscription = instance.subscriptionId();
        URI management = azure.managementEndpoint() != null ? azure.managementEndpoint()
                : MANAGEMENT.get(String.valueOf(instance.azEnvironment()).toLowerCase(java.util.Locale.ROOT));
        if (management == null) {
            return OfferDetection.failed("the metadata service reports cloud " + instance.azEnvironment() + ", whose"
                    + " Resource Manager is not known; set azure.management_endpoint");
        }
        URI cloud = MANAGEMENT.getOrDefault(String.valueOf(instance.azEnvironment()).toLowerCase(java.util.Locale.ROOT),
                management);
        AccessToken token;
        try {
            token = metadata.managedIdentityToken(cloud.toString().replaceAll("/+$", "") + "/", azure.identityClientId());
        } catch (AzureCallException e) {
            String why = IdentityAdvice.identityMissing(e) ? IdentityAdvice.noIdentity(e, azure.identityClientId())
                    : "cannot get a managed-identity token (" + e.getMessage() + ")";
            return OfferDetection.failed(why + "; then grant it Reader: az role assignment create --assignee"
                    + " <principal-id> --role Reader --scope /subscriptions/" + subscription);
        }
        ResourceManagerClient arm = new ResourceManagerClient(management, managementTimeout);
        String quotaId;
        try {
            quotaId = arm.quotaId(subscription, token.token());
        } catch (AzureCallException e) {
            return OfferDetection.failed(refused(e, token, subscription, "Reader",
                    "read subscription " + subscription));
        }
        BillingProperty billing = null;
        String billingProblem = null;
        try {
            billing = arm.billingProperty(subscription, token.token());
        } catch (AzureCallException e) {
            billingProblem = e.status() == 403
                    ? refused(e, token, subscription, "Billing Reader", "read the billing property of subscription "
                            + subscription) + "; until then the quotaId alone decides"
                    : "cannot read the billing property (" + e.getMessage() + "); the quotaId alone decides";
        }
        return AzureOfferMapping.map(quotaId, billing, billingProblem);
    }

    private static String refused(AzureCallException e, AccessToken token, String subscription, String role,
            String what) {
        if (e.status() == 401) {
            return "Resource Manager did not accept the managed identity's token to " + what + " (" + e.getMessage()
                    + "); check that azure.management_endpoint belongs to the VM's cloud";
        }
        if (e.status() == 403) {
            String principal = IdentityAdvice.principalId(e, token.token().reveal());
            return "the VM's managed identity (principal " + principal + ") may not " + what + " (" + e.getMessage()
                    + "); grant it " + role + ": az role assignment create --assignee " + principal + " --role \""
                    + role + "\" --scope /subscriptions/" + subscription;
        }
        return "cannot " + what + " (" + e.getMessage() + ")";
    }
}
