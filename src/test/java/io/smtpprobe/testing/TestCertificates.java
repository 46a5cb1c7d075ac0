package io.smtpprobe.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway certificate authority for TLS tests: server contexts with a good, an expired or a
 * wrongly named certificate, and the CA as a PEM file for {@code tls.ca_file}.
 */
public final class TestCertificates {
    private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());

    private final KeyPair caKeys;
    private final X509Certificate ca;

    private TestCertificates(String caName) throws GeneralSecurityException {
        caKeys = keyPair();
        Instant now = Instant.now();
        X500Name name = new X500Name("CN=" + caName);
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(),
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(365))), name,
                caKeys.getPublic());
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        ca = sign(builder, caKeys);
    }

    /** A new CA with the given common name. */
    public static TestCertificates authority(String caName) throws GeneralSecurityException {
        return new TestCertificates(caName);
    }

    public X509Certificate caCertificate() {
        return ca;
    }

    /** A server context whose certificate names {@code dnsName} (or an IPv4 literal) and is valid now. */
    public SSLContext serverContext(String dnsName) throws GeneralSecurityException {
        Instant now = Instant.now();
        return serverContext(dnsName, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)));
    }

    /** A server context whose certificate for {@code dnsName} expired yesterday. */
    public SSLContext expiredServerContext(String dnsName) throws GeneralSecurityException {
        Instant now = Instant.now();
        return serverContext(dnsName, now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)));
    }

    public SSLContext serverContext(String dnsName, Instant notBefore, Instant notAfter) throws GeneralSecurityException {
        KeyPair keys = keyPair();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ca, serial(), Date.from(notBefore),
                Date.from(notAfter), new X500Name("CN=" + dnsName), keys.getPublic());
        try {
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(isIpLiteral(dnsName) ? GeneralName.iPAddress
                            : GeneralName.dNSName, dnsName)));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        return context(keys, new X509Certificate[] {sign(builder, caKeys), ca});
    }

    private static SSLContext context(KeyPair keys, X509Certificate[] chain) throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        char[] password = "test".toCharArray();
        store.setKeyEntry("server", keys.getPrivate(), password, chain);
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(store, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), null, null);
        return context;
    }

    /** A server context whose certificate for {@code dnsName} is self-signed (its own issuer, no CA). */
    public static SSLContext selfSignedServerContext(String dnsName) throws GeneralSecurityException {
        KeyPair keys = keyPair();
        Instant now = Instant.now();
        X500Name name = new X500Name("CN=" + dnsName);
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(),
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(30))), name,
                keys.getPublic());
        try {
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.dNSName, dnsName)));
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        return context(keys, new X509Certificate[] {sign(builder, keys)});
    }

    /** An IPv4 literal gets an iPAddress SAN, as a certificate for a server reached by address has. */
    private static boolean isIpLiteral(String name) {
        return name.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }

    /** Writes the CA certificate as PEM, the form {@code tls.ca_file} takes. */
    public Path writeCaPem(Path file) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
            pem.writeObject(ca);
        }
        Files.writeString(file, text.toString(), StandardCharsets.US_ASCII);
        return file;
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIAL.incrementAndGet());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer) throws GeneralSecurityException {
        try {
            ContentSigner contentSigner = new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate());
            return new JcaX509CertificateConverter().getCertificate(builder.build(contentSigner));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }
}
