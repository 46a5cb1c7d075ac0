package io.smtpprobe.http;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM certificates and private keys as {@code openssl} and cert-manager write them, read as Go's
 * {@code tls.X509KeyPair} reads them for exporter-toolkit: a certificate chain (leaf first) and an
 * unencrypted key in PKCS#8 ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) or SEC1
 * ({@code EC PRIVATE KEY}) form, which must belong to the leaf certificate.
 */
final class PemFiles {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    /** DER of the OIDs rsaEncryption and id-ecPublicKey, for wrapping PKCS#1 and SEC1 keys into PKCS#8. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
        (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
    private static final byte[] EC_OID = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};

    private PemFiles() {}

    /** No certificate, key or web config is this big; a bigger file is the wrong one. */
    static final long MAX_FILE_BYTES = 4L << 20;

    /**
     * The bytes of a regular file of at most {@link #MAX_FILE_BYTES}, checked before it is opened: a FIFO
     * or a device would block a TLS handshake's thread, a huge file exhaust the heap.
     */
    static byte[] readRegularFile(java.nio.file.Path file) throws java.io.IOException {
        var attributes = java.nio.file.Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class);
        if (!attributes.isRegularFile()) {
            throw new java.io.IOException("not a regular file");
        }
        if (attributes.size() > MAX_FILE_BYTES) {
            throw new java.io.IOException("larger than " + MAX_FILE_BYTES + " bytes");
        }
        try (var in = java.nio.file.Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes((int) MAX_FILE_BYTES + 1);
            if (bytes.length > MAX_FILE_BYTES) {
                throw new java.io.IOException("larger than " + MAX_FILE_BYTES + " bytes");
            }
            return bytes;
        }
    }

    /** A certificate chain and its key, checked to belong together. */
    record KeyPair(X509Certificate[] chain, PrivateKey key) {}

    /** Thrown with a message that says what is wrong with the file, never its content. */
    static final class PemException extends Exception {
        private static final long serialVersionUID = 1L;

        PemException(String message) {
            super(message);
        }
    }

    static List<X509Certificate> certificates(byte[] pem) throws PemException {
        List<X509Certificate> certificates = new ArrayList<>();
        Matcher m = BLOCK.matcher(new String(pem, StandardCharsets.US_ASCII));
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            while (m.find()) {
                if (m.group(1).equals("CERTIFICATE")) {
                    certificates.add((X509Certificate) factory.generateCertificate(
                            new ByteArrayInputStream(decode(m.group(2)))));
                }
            }
        } catch (CertificateException e) {
            throw new PemException("not a valid PEM certificate (" + e.getMessage() + ")");
        }
        if (certificates.isEmpty()) {
            throw new PemException("holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        return certificates;
    }

    static KeyPair keyPair(byte[] certificatePem, byte[] keyPem) throws PemException {
        X509Certificate[] chain = certificates(certificatePem).toArray(X509Certificate[]::new);
        String algorithm = chain[0].getPublicKey().getAlgorithm();
        PrivateKey key = privateKey(keyPem, algorithm);
        if (!belongTogether(chain[0], key)) {
            throw new PemException("the private key does not belong to the certificate");
        }
        return new KeyPair(chain, key);
    }

    private static PrivateKey privateKey(byte[] pem, String algorithm) throws PemException {
        Matcher m = BLOCK.matcher(new String(pem, StandardCharsets.US_ASCII));
        while (m.find()) {
            byte[] der = decode(m.group(2));
            byte[] pkcs8 = switch (m.group(1)) {
                case "PRIVATE KEY" -> der;
                case "RSA PRIVATE KEY" -> sequence(concat(new byte[] {0x02, 0x01, 0x00}, RSA_ALGORITHM,
                        tagged(0x04, der)));
                case "EC PRIVATE KEY" -> sequence(concat(new byte[] {0x02, 0x01, 0x00},
                        sequence(concat(EC_OID, curveOf(der))), tagged(0x04, der)));
                case "ENCRYPTED PRIVATE KEY" -> throw new PemException(
                        "holds an encrypted private key; write it unencrypted (openssl pkey -in KEY -out KEY.plain)");
                default -> null;
            };
            if (pkcs8 == null) {
                continue;
            }
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                throw new PemException("holds no " + algorithm + " private key matching the certificate ("
                        + e.getMessage() + ")");
            }
        }
        throw new PemException("holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
    }

    /** The [0] parameters of a SEC1 ECPrivateKey: the curve's OID, needed beside the key in PKCS#8. */
    private static byte[] curveOf(byte[] sec1) throws PemException {
        // SEQUENCE { INTEGER 1, OCTET STRING key, [0] OID curve, [1] BIT STRING public key }
        int i = headerLength(sec1, 0);
        while (i < sec1.length) {
            int tag = sec1[i] & 0xff;
            int contentStart = i + headerLength(sec1, i);
            int end = contentStart + contentLength(sec1, i);
            if (tag == 0xa0) {
                return java.util.Arrays.copyOfRange(sec1, contentStart, end);
            }
            i = end;
        }
        throw new PemException("holds an EC private key that does not name its curve; convert it to PKCS#8"
                + " (openssl pkcs8 -topk8 -nocrypt)");
    }

    private static int headerLength(byte[] der, int at) {
        int first = der[at + 1] & 0xff;
        return first < 0x80 ? 2 : 2 + (first & 0x7f);
    }

    private static int contentLength(byte[] der, int at) {
        int first = der[at + 1] & 0xff;
        if (first < 0x80) {
            return first;
        }
        int length = 0;
        for (int k = 0; k < (first & 0x7f); k++) {
            length = (length << 8) | (der[at + 2 + k] & 0xff);
        }
        return length;
    }

    private static boolean belongTogether(X509Certificate certificate, PrivateKey key) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "RSASSA-PSS" -> "RSASSA-PSS";
            default -> key.getAlgorithm(); // EdDSA, Ed25519: the algorithm names the signature
        };
        try {
            byte[] probe = "smtp-probe key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            if (algorithm.equals("RSASSA-PSS")) {
                signer.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                        java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
            }
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            signer.initVerify(certificate.getPublicKey());
            signer.update(probe);
            return signer.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static byte[] decode(String base64) throws PemException {
        try {
            return Base64.getMimeDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new PemException("holds a PEM block that is not valid base64");
        }
    }

    private static byte[] sequence(byte[] content) {
        return tagged(0x30, content);
    }

    private static byte[] tagged(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int length = content.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = length > 0xffffff ? 4 : length > 0xffff ? 3 : length > 0xff ? 2 : 1;
            out.write(0x80 | bytes);
            for (int k = bytes - 1; k >= 0; k--) {
                out.write(length >>> (8 * k));
            }
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
