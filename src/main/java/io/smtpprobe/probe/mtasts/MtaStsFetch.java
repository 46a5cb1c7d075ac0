package io.smtpprobe.probe.mtasts;

import io.smtpprobe.probe.dns.HostResolver;
import io.smtpprobe.probe.dns.ResolutionException;
import io.smtpprobe.probe.net.DeadlineSocket;
import io.smtpprobe.probe.net.ReplyLimits;
import io.smtpprobe.probe.net.Transcript;
import io.smtpprobe.probe.step.ProbeDeadline;
import io.smtpprobe.probe.tls.TlsContexts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

/**
 * Fetches {@code https://mta-sts.<domain>/.well-known/mta-sts.txt} (RFC 8461 section 3.3): the policy
 * host's name is resolved by the probe's own resolver (the same name servers as the MX lookup), the
 * certificate is verified in full (trust and the host name, HTTPS rules), redirects are not followed,
 * and everything (connect, handshake, reading) ends by the probe's deadline. A small HTTP/1.0 client
 * of its own: the JDK's HttpClient would resolve the name through the system resolver.
 */
final class MtaStsFetch {
    static final String PATH = "/.well-known/mta-sts.txt";
    /** RFC 8461 section 3.2 lets senders cap the policy body at 64 KiB; headers get a margin. */
    private static final int MAX_RESPONSE_BYTES = 64 * 1024 + 8 * 1024;

    private final HostResolver resolver;
    private final int port;

    /** @param port 443, except in tests, which serve the policy on a loopback port */
    MtaStsFetch(HostResolver resolver, int port) {
        this.resolver = resolver;
        this.port = port;
    }

    /** The URL fetched for {@code domain}, for messages. */
    String url(String domain) {
        return "https://mta-sts." + domain + (port == 443 ? "" : ":" + port) + PATH;
    }

    /**
     * The policy text.
     *
     * @throws IOException saying what failed: resolution, connect, TLS, an HTTP status, the size
     */
    String fetch(String domain, TrustManager[] trust, ProbeDeadline deadline) throws IOException {
        String host = "mta-sts." + domain;
        InetAddress address = address(host, deadline);
        try (Socket raw = new Socket()) {
            int left = deadline.remainingMillis();
            if (left <= 0) {
                throw new SocketTimeoutException("no time left in the probe deadline");
            }
            raw.connect(new InetSocketAddress(address, port), left);
            ReplyLimits limits = new ReplyLimits(Integer.MAX_VALUE, MAX_RESPONSE_BYTES + 16 * 1024);
            limits.tlsStarted();
            try (SSLSocket tls = (SSLSocket) TlsContexts.newContext(trust).getSocketFactory()
                    .createSocket(new DeadlineSocket(raw, deadline, limits), host, port, true)) {
                SSLParameters parameters = tls.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                tls.setSSLParameters(parameters);
                tls.startHandshake();
                OutputStream out = tls.getOutputStream();
                out.write(("GET " + PATH + " HTTP/1.0\r\nHost: " + host + "\r\nUser-Agent: smtp-probe\r\n"
                        + "Accept: text/plain\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                return body(read(tls.getInputStream()));
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    private InetAddress address(String host, ProbeDeadline deadline) throws IOException {
        try {
            List<InetAddress> addresses = resolver.addresses(host, deadline.remaining());
            if (addresses.isEmpty()) {
                throw new IOException("no address for " + host);
            }
            return addresses.get(0);
        } catch (ResolutionException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /**
     * The response, read until the server closes or, once the head is in and gives a Content-Length, until the
     * body has that many bytes: a server that keeps the connection open after a complete body does not hold
     * the probe until its deadline (issue 23).
     */
    private static byte[] read(InputStream in) throws IOException {
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        int n;
        while ((n = in.read(buffer)) != -1) {
            response.write(buffer, 0, n);
            if (response.size() > MAX_RESPONSE_BYTES) {
                throw new IOException("the response is larger than " + MAX_RESPONSE_BYTES / 1024 + " KiB");
            }
            if (complete(response.toByteArray())) {
                break;
            }
        }
        return response.toByteArray();
    }

    /** Whether the head is in, says Content-Length, and the body has that many bytes. */
    private static boolean complete(byte[] response) {
        String text = new String(response, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        int bodyStart = end + 4;
        if (end < 0) {
            end = text.indexOf("\n\n"); // as body() reads a head with bare line feeds
            bodyStart = end + 2;
        }
        if (end < 0) {
            return false;
        }
        for (String header : text.substring(0, end).split("\r?\n")) {
            String lower = header.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                try {
                    return response.length - bodyStart >= Integer.parseInt(lower.substring(15).strip());
                } catch (NumberFormatException e) {
                    return false; // body() says what is wrong with it
                }
            }
        }
        return false;
    }

    /** The body of a 200 response (Content-Length honoured when given), or why there is none. */
    private static String body(byte[] response) throws IOException {
        String text = new String(response, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        int bodyStart = end + 4;
        if (end < 0) {
            end = text.indexOf("\n\n");
            bodyStart = end + 2;
        }
        if (end < 0) {
            throw new IOException("the response ended before its headers did");
        }
        String[] head = text.substring(0, end).split("\r?\n");
        String[] status = head[0].split(" ", 3);
        if (status.length < 2 || !status[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP response");
        }
        if (!status[1].equals("200")) {
            // Redirects are not followed (RFC 8461 section 3.3).
            throw new IOException("HTTP status " + Transcript.printable(head[0].substring(status[0].length()).strip()));
        }
        int length = -1;
        String type = null;
        for (int i = 1; i < head.length; i++) {
            String header = head[i].toLowerCase(Locale.ROOT);
            if (header.startsWith("content-type:")) {
                type = header.substring("content-type:".length()).strip();
            }
            if (header.startsWith("content-length:")) {
                try {
                    length = Integer.parseInt(header.substring("content-length:".length()).strip());
                } catch (NumberFormatException e) {
                    throw new IOException("a Content-Length that is not a number");
                }
            } else if (header.startsWith("transfer-encoding:") && !header.contains("identity")) {
                throw new IOException("a Transfer-Encoding in an answer to HTTP/1.0");
            }
        }
        // "The policy ... MUST have a media type of text/plain" (RFC 8461 section 3.2): an HTML page is no policy.
        String bare = type == null ? null : type.replace(" ", ""); // "text/plain ; charset=utf-8" is text/plain too
        if (bare == null || !(bare.equals("text/plain") || bare.startsWith("text/plain;"))) {
            throw new IOException("the policy is served as " + (type == null ? "no media type"
                    : Transcript.printable(type)) + ", not text/plain");
        }
        int available = response.length - bodyStart;
        if (length > available) {
            throw new IOException("the body ended after " + available + " of " + length + " bytes");
        }
        return new String(response, bodyStart, length >= 0 ? length : available, StandardCharsets.UTF_8);
    }
}
