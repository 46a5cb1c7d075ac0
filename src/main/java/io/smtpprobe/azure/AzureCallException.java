package io.smtpprobe.azure;

import java.io.IOException;

/**
 * A call to an Azure endpoint (the instance metadata service, Resource Manager, the Entra token
 * endpoint) that did not give what was asked. The message names the endpoint and what it answered,
 * never a token or a secret.
 */
public final class AzureCallException extends IOException {
    private final int status;
    private final String code;

    /**
     * @param status the HTTP status, or 0 when there was no HTTP answer (timeout, refused, not JSON)
     * @param code the error code the service gave (ARM's {@code error.code}, OAuth's {@code error},
     *     an {@code AADSTS} number), or null
     */
    public AzureCallException(String message, int status, String code) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public AzureCallException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
        this.code = null;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
