package io.smtpprobe.testing;

import java.io.InputStream;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.subethamail.smtp.AuthenticationHandler;
import org.subethamail.smtp.AuthenticationHandlerFactory;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.MessageHandlerFactory;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.auth.EasyAuthenticationHandlerFactory;
import org.subethamail.smtp.auth.LoginFailedException;
import org.subethamail.smtp.server.SMTPServer;

/**
 * A SubEthaSMTP server on loopback, configured like a submission relay by each test: STARTTLS with
 * a test certificate, AUTH PLAIN/LOGIN, and a mail handler that refuses recipients named
 * {@code nobody@...}. Nothing is ever stored: probes stop before DATA.
 */
public final class SubethaRelay implements AutoCloseable {
    public static final String USER = "relay-user";
    public static final String PASSWORD = "s3cret-Pa55word";

    private final SMTPServer server;

    private SubethaRelay(SMTPServer server) {
        this.server = server;
        server.start();
    }

    /** A relay with the defaults above, then {@code customize} applied to its builder. */
    public static SubethaRelay start(UnaryOperator<SMTPServer.Builder> customize) {
        SMTPServer.Builder builder = SMTPServer.port(0)
                .bindAddress(InetAddress.getLoopbackAddress())
                .hostName("localhost")
                .connectionTimeout(5, java.util.concurrent.TimeUnit.SECONDS)
                .messageHandlerFactory(refusingNobody());
        return new SubethaRelay(customize.apply(builder).build());
    }

    public int port() {
        return server.getPortAllocated();
    }

    /** AUTH PLAIN and LOGIN that accept {@link #USER} with {@link #PASSWORD} and answer 535 otherwise. */
    public static AuthenticationHandlerFactory passwordAuth() {
        return new EasyAuthenticationHandlerFactory((username, password, context) -> {
            if (!USER.equals(username) || !PASSWORD.equals(password)) {
                throw new LoginFailedException("bad credentials");
            }
        });
    }

    /** An AUTH that fails with a fixed code, as a relay whose credential store is down answers 454. */
    public static AuthenticationHandlerFactory authFailing(int code, String text, String... mechanisms) {
        return new AuthenticationHandlerFactory() {
            @Override
            public List<String> getAuthenticationMechanisms() {
                return List.of(mechanisms);
            }

            @Override
            public AuthenticationHandler create() {
                return new AuthenticationHandler() {
                    @Override
                    public Optional<String> auth(String clientInput, org.subethamail.smtp.MessageContext context)
                            throws RejectException {
                        throw new RejectException(code, text);
                    }

                    @Override
                    public Object getIdentity() {
                        return null;
                    }
                };
            }
        };
    }

    private static MessageHandlerFactory refusingNobody() {
        return context -> new MessageHandler() {
            @Override
            public void from(String from) {}

            @Override
            public void recipient(String recipient) throws RejectException {
                if (recipient.startsWith("nobody@")) {
                    throw new RejectException(550, "5.1.1 <" + recipient + ">: Recipient address rejected");
                }
            }

            @Override
            public String data(InputStream data) throws RejectException {
                throw new RejectException(554, "5.7.1 this test relay takes no mail");
            }

            @Override
            public void done() {}
        };
    }

    @Override
    public void close() {
        server.stop();
    }
}
