package io.smtpprobe.testing;

import io.smtpprobe.testing.JsonHttpFake.Answer;
import io.smtpprobe.testing.JsonHttpFake.Exchange;
import java.io.IOException;
import java.net.URI;
import java.util.List;

/**
 * Azure Resource Manager on loopback, for one subscription: {@code GET /subscriptions/{id}} and the
 * billing-property call, in the real response shapes, for callers presenting the one bearer token it
 * accepts. Either call can be made to fail with ARM's error shape.
 */
public final class FakeResourceManager implements AutoCloseable {
    public static final String BILLING_PATH = "/providers/Microsoft.Billing/billingProperty/default";

    /** One request: its path and query, and whether the bearer token was the accepted one. */
    public record Request(String pathAndQuery, boolean authorized) {}

    private final JsonHttpFake http;
    private final String subscriptionId;
    private final String acceptedToken;
    private volatile String quotaId = "PayAsYouGo_2014-09-01";
    private volatile int subscriptionStatus = 200;
    private volatile String subscriptionError;
    private volatile int billingStatus = 200;
    private volatile String billingBody;

    public FakeResourceManager(String subscriptionId, String acceptedToken) throws IOException {
        this.subscriptionId = subscriptionId;
        this.acceptedToken = acceptedToken;
        billing("MicrosoftOnlineServicesProgram", "Individual", "Production");
        http = new JsonHttpFake(this::respond);
    }

    public URI endpoint() {
        return http.endpoint();
    }

    public List<Request> requests() {
        return http.requests().stream().map(r -> new Request(r.pathAndQuery(), authorized(r))).toList();
    }

    public void quotaId(String value) {
        quotaId = value;
        subscriptionStatus = 200;
    }

    /** The billing property's answer, with the three fields the mapping reads among the others ARM returns. */
    public void billing(String agreementType, String accountType, String workloadType) {
        billingStatus = 200;
        billingBody = "{\"id\":\"/subscriptions/" + subscriptionId + BILLING_PATH + "\",\"name\":\"default\","
                + "\"type\":\"Microsoft.Billing/billingProperty\",\"properties\":{"
                + "\"billingAccountAgreementType\":\"" + agreementType + "\","
                + "\"billingAccountDisplayName\":\"Contoso\",\"billingAccountId\":\"/providers/Microsoft.Billing/"
                + "billingAccounts/10000000-0000-0000-0000-000000000001:20000000-0000-0000-0000-000000000002_2019-05-31\","
                + "\"billingAccountType\":\"" + accountType + "\",\"billingProfileDisplayName\":\"Contoso operations\","
                + "\"billingProfileStatus\":\"Active\",\"billingTenantId\":\"20000000-0000-0000-0000-000000000002\","
                + "\"subscriptionBillingStatus\":\"Active\",\"subscriptionBillingType\":\"Paid\","
                + "\"subscriptionWorkloadType\":\"" + workloadType + "\"}}";
    }

    /** The subscription read fails as ARM fails it: {@code {"error":{"code":...,"message":...}}}. */
    public void failSubscription(int status, String code, String message) {
        subscriptionStatus = status;
        subscriptionError = armError(code, message);
    }

    public void failBilling(int status, String code, String message) {
        billingStatus = status;
        billingBody = armError(code, message);
    }

    /** A 200 whose body is not JSON, as a misconfigured proxy or endpoint gives. */
    public void malformedBilling() {
        billingStatus = 200;
        billingBody = "{\"properties\": {\"billingAccountType\": ";
    }

    /** ARM's answer when the caller lacks a role, with the object id of the identity in the message. */
    public static String authorizationFailed(String clientId, String objectId, String scope, String action) {
        return "The client '" + clientId + "' with object id '" + objectId + "' does not have authorization to perform"
                + " action '" + action + "' over scope '" + scope + "' or the scope is invalid. If access was recently"
                + " granted, please refresh your credentials.";
    }

    private static String armError(String code, String message) {
        return "{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}}";
    }

    private boolean authorized(Exchange request) {
        return ("Bearer " + acceptedToken).equals(request.header("Authorization"));
    }

    private Answer respond(Exchange request) {
        String path = request.path();
        String subscriptionPath = "/subscriptions/" + subscriptionId;
        if (!authorized(request)) {
            return Answer.json(401, armError("InvalidAuthenticationToken", "The access token is invalid."));
        } else if (path.equals(subscriptionPath)) {
            return Answer.json(subscriptionStatus, subscriptionStatus == 200 ? subscription() : subscriptionError);
        } else if (path.equals(subscriptionPath + BILLING_PATH)) {
            return Answer.json(billingStatus, billingBody);
        } else {
            return Answer.json(404,
                    armError("SubscriptionNotFound", "The subscription '" + path + "' could not be found."));
        }
    }

    private String subscription() {
        return "{\"id\":\"/subscriptions/" + subscriptionId + "\",\"authorizationSource\":\"RoleBased\","
                + "\"managedByTenants\":[],\"subscriptionId\":\"" + subscriptionId + "\","
                + "\"tenantId\":\"20000000-0000-0000-0000-000000000002\",\"displayName\":\"Mail relays\","
                + "\"state\":\"Enabled\",\"subscriptionPolicies\":{\"locationPlacementId\":\"Public_2014-09-01\","
                + "\"quotaId\":\"" + quotaId + "\",\"spendingLimit\":\"Off\"}}";
    }

    @Override
    public void close() {
        http.close();
    }
}
