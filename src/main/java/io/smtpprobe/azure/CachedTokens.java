package io.smtpprobe.azure;

import io.smtpprobe.config.AuthConfig;
import io.smtpprobe.config.AzureConfig;
import io.smtpprobe.config.OAuthConfig;
import io.smtpprobe.config.Secret;
import io.smtpprobe.probe.BearerTokens;
import io.smtpprobe.probe.TokenUnavailableException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * XOAUTH2 bearer tokens for the prober: from an Entra app (client credentials) or the VM's managed
 * identity, each kept until {@link #MARGIN} before it expires so that a probe never presents a token
 * that runs out mid-conversation. Thread-safe; one instance serves every target of a configuration.
 */
public final class CachedTokens implements BearerTokens {
    /** Tokens are renewed this long before they expire (Entra's last for about an hour). */
    public static final Duration MARGIN = Duration.ofMinutes(5);

    private final EntraTokenClient entra;
    private final InstanceMetadataClient metadata;
    private final String identityClientId;
    private final Clock clock;
    private final Map<OAuthConfig, AccessToken> cache = new ConcurrentHashMap<>();
    private final Map<OAuthConfig, Object> locks = new ConcurrentHashMap<>();

    /**
     * @param metadata the metadata service for managed-identity tokens, or null when this machine may not ask it
     * @param identityClientId {@code azure.identity_client_id}, used when {@code oauth.client_id} is empty
     */
    public CachedTokens(EntraTokenClient entra, InstanceMetadataClient metadata, String identityClientId, Clock clock) {
        this.entra = entra;
        this.metadata = metadata;
        this.identityClientId = identityClientId == null ? "" : identityClientId;
        this.clock = clock;
    }

    /** Tokens for a configuration: the metadata service only when {@code azure.metadata} and the machine allow it. */
    public static CachedTokens forConfig(AzureConfig azure, Path dmiDirectory, Duration timeout, Clock clock) {
        InstanceMetadataClient metadata = AzurePlatform.metadataWanted(azure.metadata(), dmiDirectory)
                ? new InstanceMetadataClient(azure.metadataEndpoint(), timeout, clock) : null;
        return new CachedTokens(new EntraTokenClient(timeout, clock), metadata, azure.identityClientId(), clock);
    }

    @Override
    public Secret token(AuthConfig auth) throws TokenUnavailableException {
        OAuthConfig oauth = auth.oauth();
        if (oauth == null) {
            throw new TokenUnavailableException("auth.oauth is not configured");
        }
        AccessToken cached = fresh(cache.get(oauth));
        if (cached != null) {
            return cached.token();
        }
        synchronized (locks.computeIfAbsent(oauth, k -> new Object())) {
            cached = fresh(cache.get(oauth));
            if (cached != null) {
                return cached.token();
            }
            AccessToken token = fetch(oauth);
            cache.put(oauth, token);
            return token.token();
        }
    }

    private AccessToken fresh(AccessToken token) {
        return token != null && clock.instant().isBefore(token.expiresOn().minus(MARGIN)) ? token : null;
    }

    private AccessToken fetch(OAuthConfig oauth) throws TokenUnavailableException {
        try {
            return oauth.managedIdentity() ? managedIdentity(oauth) : entra.clientCredentials(oauth);
        } catch (AzureCallException e) {
            throw new TokenUnavailableException(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TokenUnavailableException("interrupted while asking for a token");
        }
    }

    private AccessToken managedIdentity(OAuthConfig oauth) throws AzureCallException, InterruptedException,
            TokenUnavailableException {
        if (metadata == null) {
            throw new TokenUnavailableException("managed_identity needs an Azure VM: this machine does not look like"
                    + " one (or azure.metadata is off), so the instance metadata service was not asked; set"
                    + " azure.metadata: on if it is an Azure VM");
        }
        String clientId = oauth.clientId() == null || oauth.clientId().isEmpty() ? identityClientId : oauth.clientId();
        try {
            return metadata.managedIdentityToken(OAuthConfig.MANAGED_IDENTITY_RESOURCE, clientId);
        } catch (AzureCallException e) {
            if (IdentityAdvice.identityMissing(e)) {
                throw new TokenUnavailableException(IdentityAdvice.noIdentity(e, clientId));
            }
            throw e;
        }
    }
}
