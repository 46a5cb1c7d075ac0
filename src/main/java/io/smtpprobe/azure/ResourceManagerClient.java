package io.smtpprobe.azure;

import com.fasterxml.jackson.databind.JsonNode;
import io.smtpprobe.config.Secret;
import io.smtpprobe.policy.BillingProperty;
import java.net.URI;
import java.time.Duration;

/**
 * Reads what the port-25 policy needs from Azure Resource Manager with a bearer token: the
 * subscription's {@code subscriptionPolicies.quotaId} and its billing property. Both are reads the
 * Reader role allows on the subscription (the billing property may need a billing role too).
 */
public final class ResourceManagerClient {
    public static final String SUBSCRIPTION_API_VERSION = "2022-12-01";
    public static final String BILLING_API_VERSION = "2020-05-01";

    private final String base;
    private final AzureHttp http;

    /** @param endpoint Resource Manager, e.g. {@code https://management.azure.com} */
    public ResourceManagerClient(URI endpoint, Duration timeout) {
        this.base = endpoint.toString().replaceAll("/+$", "");
        this.http = new AzureHttp(timeout);
    }

    /** {@code GET /subscriptions/{id}}: the subscription's quotaId. */
    public String quotaId(String subscriptionId, Secret token) throws AzureCallException, InterruptedException {
        URI uri = URI.create(base + "/subscriptions/" + subscriptionId + "?api-version=" + SUBSCRIPTION_API_VERSION);
        JsonNode body = get(uri, token);
        String quotaId = AzureHttp.text(body.path("subscriptionPolicies"), "quotaId");
        if (quotaId == null) {
            throw new AzureCallException(AzureHttp.where(uri) + " answered without subscriptionPolicies.quotaId", 200,
                    null);
        }
        return quotaId;
    }

    /** {@code GET /subscriptions/{id}/providers/Microsoft.Billing/billingProperty/default}. */
    public BillingProperty billingProperty(String subscriptionId, Secret token)
            throws AzureCallException, InterruptedException {
        URI uri = URI.create(base + "/subscriptions/" + subscriptionId
                + "/providers/Microsoft.Billing/billingProperty/default?api-version=" + BILLING_API_VERSION);
        JsonNode properties = get(uri, token).path("properties");
        if (!properties.isObject()) {
            throw new AzureCallException(AzureHttp.where(uri) + " answered without properties", 200, null);
        }
        return new BillingProperty(AzureHttp.text(properties, "billingAccountAgreementType"),
                AzureHttp.text(properties, "billingAccountType"), AzureHttp.text(properties, "subscriptionWorkloadType"));
    }

    private JsonNode get(URI uri, Secret token) throws AzureCallException, InterruptedException {
        AzureHttp.Answer answer = http.send(http.request(uri)
                .header("Authorization", "Bearer " + token.reveal())
                .header("Accept", "application/json")
                .GET().build());
        if (!answer.ok()) {
            // {"error":{"code":"AuthorizationFailed","message":"The client '...' with object id '...' does not ..."}}
            JsonNode error = answer.body().path("error");
            String code = AzureHttp.text(error, "code");
            String message = AzureHttp.text(error, "message");
            throw new AzureCallException(AzureHttp.where(uri) + " answered HTTP " + answer.status()
                    + (code == null ? "" : " " + code) + (message == null ? "" : ": " + InstanceMetadataClient.clip(message)),
                    answer.status(), code);
        }
        return answer.body();
    }
}
