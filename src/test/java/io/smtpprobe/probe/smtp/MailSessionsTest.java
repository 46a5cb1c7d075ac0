package io.smtpprobe.probe.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.config.TlsConfig;
import io.smtpprobe.probe.net.ReplyLimits;
import io.smtpprobe.probe.tls.CertificateCheck;
import io.smtpprobe.probe.tls.TlsContexts;
import io.smtpprobe.probe.tls.TlsSocketFactory;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/** Sessions are reused between probes with the same settings, never shared by two probes at once. */
class MailSessionsTest {
    private static final Map<String, String> SETTINGS = Map.of("mail.smtp.localhost", "vm.test");
    private static final URLName SERVER = new URLName("smtp", "127.0.0.1", 25, null, "probe", null);

    /** A probe's TLS socket factory as submission makes it: the system trust store, enforced. */
    private static TlsSocketFactory factory(String host) throws Exception {
        CertificateCheck check = new CertificateCheck(new TlsContexts().trust(TlsConfig.DEFAULT), host, true, false);
        return new TlsSocketFactory(SSLContext::getDefault, host, true, new ReplyLimits(), check, null);
    }

    @Test
    void handsTheSameSessionToTheNextProbeWithTheProbesOwnSocketFactory() throws Exception {
        MailSessions sessions = new MailSessions();
        TlsSocketFactory first = factory("a.test");
        Session session = sessions.take(SETTINGS, first);
        assertThat(session.getProperties().get("mail.smtp.ssl.socketFactory")).isSameAs(first);
        sessions.release(SETTINGS, session, SERVER);
        assertThat(session.getProperties()).doesNotContainKey("mail.smtp.ssl.socketFactory");

        TlsSocketFactory second = factory("b.test");
        Session again = sessions.take(SETTINGS, second);
        assertThat(again).isSameAs(session);
        assertThat(again.getProperty("mail.smtp.localhost")).isEqualTo("vm.test");
        assertThat(again.getProperties().get("mail.smtp.ssl.socketFactory")).isSameAs(second);
    }

    @Test
    void givesProbesRunningAtOnceSessionsOfTheirOwn() throws Exception {
        MailSessions sessions = new MailSessions();
        Session one = sessions.take(SETTINGS, factory("a.test"));
        Session two = sessions.take(SETTINGS, factory("b.test"));
        assertThat(two).isNotSameAs(one);
        sessions.release(SETTINGS, one, SERVER);
        sessions.release(SETTINGS, two, SERVER);
        assertThat(sessions.idle()).isEqualTo(2);
    }

    @Test
    void neverReusesASessionAcrossDifferentSettings() throws Exception {
        MailSessions sessions = new MailSessions();
        Session one = sessions.take(SETTINGS, factory("a.test"));
        sessions.release(SETTINGS, one, SERVER);
        Map<String, String> other = Map.of("mail.smtp.localhost", "other.test");
        Session two = sessions.take(other, factory("a.test"));
        assertThat(two).isNotSameAs(one);
        assertThat(two.getProperty("mail.smtp.localhost")).isEqualTo("other.test");
    }

    @Test
    void forgetsWhatJakartaMailRememberedOfTheServerWhenASessionComesBack() throws Exception {
        MailSessions sessions = new MailSessions();
        Session session = sessions.take(SETTINGS, factory("a.test"));
        // What Service.connect stores after a connect without a password.
        session.setPasswordAuthentication(SERVER, new PasswordAuthentication("probe", null));

        sessions.release(SETTINGS, session, SERVER);

        assertThat(session.getPasswordAuthentication(SERVER)).isNull();
    }

    @Test
    void keepsAtMostMaxIdleSessionsAfterABurst() throws Exception {
        MailSessions sessions = new MailSessions();
        java.util.List<Session> burst = new java.util.ArrayList<>();
        for (int i = 0; i < MailSessions.MAX_IDLE + 10; i++) {
            burst.add(sessions.take(SETTINGS, factory("a.test")));
        }
        burst.forEach(s -> sessions.release(SETTINGS, s, SERVER));
        assertThat(sessions.idle()).isEqualTo(MailSessions.MAX_IDLE);
    }
}
