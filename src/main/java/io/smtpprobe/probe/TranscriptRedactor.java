package io.smtpprobe.probe;

import io.smtpprobe.config.AuthConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Takes secrets out of a recorded SMTP conversation. Angus Mail already suppresses its trace during
 * AUTH ({@code mail.debug.auth=false}); this is the second line: every AUTH command and the base64
 * lines that answer its 334 challenges (RFC 4954 section 4) become {@code AUTH <redacted>}, and any
 * remaining copy of the password, plain or in the encodings PLAIN and LOGIN use, is masked. With
 * XOAUTH2 the "password" is the bearer token, masked alone and inside the initial response
 * {@code base64("user=" user ^A "auth=Bearer " token ^A ^A)} (RFC 7628 section 3.1); an app's client
 * secret, which never goes to the SMTP server, is masked too should it ever appear.
 */
final class TranscriptRedactor {
    static final String REDACTED = "AUTH <redacted>";
    private static final Pattern BASE64_LINE = Pattern.compile("[A-Za-z0-9+/]+={0,2}");
    private static final Pattern REPLY_LINE = Pattern.compile("\\d{3}[ -].*|\\d{3}");

    String redact(String transcript, AuthConfig auth) {
        List<String> out = new ArrayList<>();
        boolean inAuth = false;
        for (String line : transcript.split("\r?\n", -1)) {
            String trimmed = line.strip();
            if (trimmed.regionMatches(true, 0, "AUTH ", 0, 5)) {
                inAuth = true;
                out.add(REDACTED);
            } else if (inAuth && REPLY_LINE.matcher(trimmed).matches()) {
                inAuth = trimmed.startsWith("334");
                out.add(line);
            } else if (inAuth && (trimmed.isEmpty() || BASE64_LINE.matcher(trimmed).matches() || trimmed.equals("*"))) {
                out.add(trimmed.isEmpty() ? line : REDACTED);
            } else {
                out.add(line);
            }
        }
        String redacted = String.join("\n", out);
        if (auth != null && auth.oauth() != null && auth.oauth().clientSecret() != null) {
            redacted = mask(redacted, List.of(auth.oauth().clientSecret().reveal()));
        }
        return auth == null || auth.password() == null ? redacted : mask(redacted, auth);
    }

    private static String mask(String text, AuthConfig auth) {
        String password = auth.password().reveal();
        if (password.isEmpty()) {
            return text;
        }
        String user = auth.username() == null ? "" : auth.username();
        return mask(text, List.of(
                base64("user=" + user + "\u0001auth=Bearer " + password + "\u0001\u0001"),
                base64(user + "\0" + user + "\0" + password),
                base64("\0" + user + "\0" + password),
                base64(password),
                password));
    }

    private static String mask(String text, List<String> forms) {
        String result = text;
        for (String form : forms) {
            result = result.replace(form, "<redacted>");
        }
        return result;
    }

    private static String base64(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }
}
