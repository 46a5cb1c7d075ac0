package io.smtpprobe.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Azure Resource Manager on loopback, for one subscription: {@code GET /subscriptions/{id}} and the
 * billing-property call, in the real response shapes, for callers presenting the one bearer token it
 * accepts. Either call can be made to fail with ARM's error shape.
 */
public final class FakeResourceManager implements AutoCloseable {
    public static final String BILLING_PATH = "/providers/Microsoft.Billing/billingProperty/default";

    /** One request: its path and query, and whether the bearer token was the accepted one. */
    public record Request(String pathAndQuery, boolean authorized) {}

    private final HttpServer server;
    private final String subscriptionId;
    private final String acceptedToken;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile String quotaId = "PayAsYouGo_2014-09-01";
    private volatile int subscriptionStatus = 200;
    private volatile String subscriptionError;
    private volatile int billingStatus = 200;
    private volatile String billingBody;

    public FakeResourceManager(String subscriptionId, String acceptedToken) throws IOException {
        this.subscriptionId = subscriptionId;
        this.acceptedToken = acceptedToken;
        billing("MicrosoftOnlineServicesProgram", "Individual", "Production");
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        server.createContext("/", this::handle);
        server.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public List<Request> requests() {
        return List.copyOf(requests);
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

    private void handle(HttpExchange exchange) throws IOException {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        boolean authorized = ("Bearer " + acceptedToken).equals(auth);
        requests.add(new Request(exchange.getRequestURI().toString(), authorized));
        String path = exchange.getRequestURI().getPath();
        String subscriptionPath = "/subscriptions/" + subscriptionId;
        if (!authorized) {
            send(exchange, 401, armError("InvalidAuthenticationToken", "The access token is invalid."));
        } else if (path.equals(subscriptionPath)) {
            send(exchange, subscriptionStatus, subscriptionStatus == 200 ? subscription() : subscriptionError);
        } else if (path.equals(subscriptionPath + BILLING_PATH)) {
            send(exchange, billingStatus, billingBody);
        } else {
            send(exchange, 404, armError("SubscriptionNotFound", "The subscription '" + path + "' could not be found."));
        }
    }

    private String subscription() {
        return "{\"id\":\"/subscriptions/" + subscriptionId + "\",\"authorizationSource\":\"RoleBased\","
                + "\"managedByTenants\":[],\"subscriptionId\":\"" + subscriptionId + "\","
                + "\"tenantId\":\"20000000-0000-0000-0000-000000000002\",\"displayName\":\"Mail relays\","
                + "\"state\":\"Enabled\",\"subscriptionPolicies\":{\"locationPlacementId\":\"Public_2014-09-01\","
                + "\"quotaId\":\"" + quotaId + "\",\"spendingLimit\":\"Off\"}}";
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
