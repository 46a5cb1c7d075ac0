package io.smtpprobe.azure;

import java.util.Base64;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What to tell a person when Azure refuses the VM's managed identity: which identity, what it lacks,
 * and the command that grants it. Kept in one place so the CLI, the daemon's log and the XOAUTH2
 * detail say the same.
 */
final class IdentityAdvice {
    private static final Pattern OBJECT_ID = Pattern.compile("object id '([0-9a-fA-F-]{36})'");
    private static final Pattern OID_CLAIM = Pattern.compile("\"oid\"\\s*:\\s*\"([0-9a-fA-F-]{36})\"");

    private IdentityAdvice() {}

    /** The metadata service's answer when the VM has no (such) managed identity: 400 "Identity not found". */
    static boolean identityMissing(AzureCallException e) {
        return e.status() == 400 && e.code() != null && e.code().toLowerCase(Locale.ROOT).contains("identity not found");
    }

    static String noIdentity(AzureCallException e, String clientId) {
        if (clientId != null && !clientId.isEmpty()) {
            return "no user-assigned managed identity with client id " + clientId + " is attached to this VM ("
                    + e.getMessage() + "); attach it: az vm identity assign -g <resource-group> -n <vm-name>"
                    + " --identities <identity-resource-id>, or correct azure.identity_client_id";
        }
        return "the VM has no managed identity (" + e.getMessage() + "); turn on its system-assigned identity:"
                + " az vm identity assign -g <resource-group> -n <vm-name>";
    }

    /**
     * The principal (object) id to grant a role to: from Resource Manager's AuthorizationFailed message,
     * else from the token's {@code oid} claim (read, never printed), else a placeholder.
     */
    static String principalId(AzureCallException refusal, String token) {
        Matcher inMessage = OBJECT_ID.matcher(refusal.getMessage() == null ? "" : refusal.getMessage());
        if (inMessage.find()) {
            return inMessage.group(1);
        }
        String[] parts = token == null ? new String[0] : token.split("\\.");
        if (parts.length >= 2) {
            try {
                String claims = new String(Base64.getUrlDecoder().decode(parts[1]), java.nio.charset.StandardCharsets.UTF_8);
                Matcher oid = OID_CLAIM.matcher(claims);
                if (oid.find()) {
                    return oid.group(1);
                }
            } catch (IllegalArgumentException ignored) {
                // not a JWT: fall through to the placeholder
            }
        }
        return "<principal-id of the VM's identity>";
    }
}
