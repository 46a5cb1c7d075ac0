package io.smtpprobe.config;

import java.net.URI;

/**
 * Where an XOAUTH2 target's bearer token comes from: an Entra ID app (the OAuth 2.0 client-credentials
 * grant, RFC 6749 section 4.4) or the VM's managed identity (the instance metadata service).
 *
 * @param tenant the Entra tenant (a GUID or a domain such as contoso.onmicrosoft.com); null for a managed identity
 * @param clientId the app's client id; for a managed identity, a user-assigned identity's client id or empty
 * @param clientSecret the app's client secret; null for a managed identity
 * @param clientSecretSource where the secret was read from (a path or {@code env:NAME}), for messages
 * @param scope the scope asked for ({@value #DEFAULT_SCOPE} unless configured); null for a managed identity
 * @param tokenEndpoint the token endpoint with the tenant filled in; null for a managed identity
 * @param managedIdentity whether the token comes from the managed identity for {@value #MANAGED_IDENTITY_RESOURCE}
 */
public record OAuthConfig(
        String tenant,
        String clientId,
        Secret clientSecret,
        String clientSecretSource,
        String scope,
        URI tokenEndpoint,
        boolean managedIdentity) {
    /** Exchange Online's SMTP AUTH scope for the client-credentials grant (SMTP.SendAsApp). */
    public static final String DEFAULT_SCOPE = "https://outlook.office365.com/.default";
    /** The Microsoft identity platform v2.0 token endpoint; {@code {tenant}} is replaced. */
    public static final String DEFAULT_TOKEN_ENDPOINT = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token";
    /** The resource a managed identity asks the metadata service for, to authenticate to Exchange Online. */
    public static final String MANAGED_IDENTITY_RESOURCE = "https://outlook.office365.com/";

    /** A token from the VM's managed identity; {@code clientId} empty for the system-assigned one. */
    public static OAuthConfig managedIdentity(String clientId) {
        return new OAuthConfig(null, clientId, null, null, null, null, true);
    }
}
