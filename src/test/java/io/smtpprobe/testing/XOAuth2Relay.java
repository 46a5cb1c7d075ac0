package io.smtpprobe.testing;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.BiPredicate;
import org.subethamail.smtp.AuthenticationHandler;
import org.subethamail.smtp.AuthenticationHandlerFactory;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.RejectException;

/**
 * AUTH XOAUTH2 for a SubEthaSMTP server (RFC 7628 section 3.1 framing, as Microsoft 365 and Gmail use
 * it): the initial response {@code base64("user=" U ^A "auth=Bearer " T ^A ^A)} is accepted when the
 * check passes. A refusal is either Microsoft's ({@code 535 5.7.3 Authentication unsuccessful}) or
 * Google's error challenge ({@code 334 base64({"status":"401",...})}, RFC 7628 section 3.2.2).
 */
public final class XOAuth2Relay implements AuthenticationHandlerFactory {
    /** How a server says no. */
    public enum Refusal { MICROSOFT_535, ERROR_CHALLENGE_334 }

    private final BiPredicate<String, String> accepts;
    private final Refusal refusal;

    /** @param accepts user and token to accept */
    public XOAuth2Relay(BiPredicate<String, String> accepts, Refusal refusal) {
        this.accepts = accepts;
        this.refusal = refusal;
    }

    @Override
    public List<String> getAuthenticationMechanisms() {
        return List.of("XOAUTH2");
    }

    @Override
    public AuthenticationHandler create() {
        return new AuthenticationHandler() {
            private String user;
            private boolean challenged;

            @Override
            public Optional<String> auth(String clientInput, MessageContext context) throws RejectException {
                if (challenged) {
                    // The client's empty answer to the error challenge ends the exchange.
                    throw new RejectException(535, "5.7.8 Username and Password not accepted");
                }
                String[] words = clientInput.trim().split(" ");
                if (words.length != 3 || !words[1].equalsIgnoreCase("XOAUTH2")) {
                    throw new RejectException(501, "5.5.2 XOAUTH2 needs an initial response");
                }
                String decoded;
                try {
                    decoded = new String(Base64.getDecoder().decode(words[2]), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    throw new RejectException(501, "5.5.2 not base64");
                }
                String[] fields = decoded.split("\u0001");
                String u = fields.length > 0 && fields[0].startsWith("user=") ? fields[0].substring(5) : null;
                String token = fields.length > 1 && fields[1].startsWith("auth=Bearer ") ? fields[1].substring(12) : null;
                if (u != null && token != null && decoded.endsWith("\u0001\u0001") && accepts.test(u, token)) {
                    user = u;
                    return Optional.empty();
                }
                if (refusal == Refusal.ERROR_CHALLENGE_334) {
                    challenged = true;
                    String status = "{\"status\":\"401\",\"schemes\":\"bearer\",\"scope\":\"https://mail.google.com/\"}";
                    return Optional.of("334 " + Base64.getEncoder().encodeToString(status.getBytes(StandardCharsets.UTF_8)));
                }
                throw new RejectException(535, "5.7.3 Authentication unsuccessful");
            }

            @Override
            public Object getIdentity() {
                return user;
            }
        };
    }
}
