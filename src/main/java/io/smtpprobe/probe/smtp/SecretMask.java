package io.smtpprobe.probe.smtp;

import io.smtpprobe.config.AuthConfig;
import io.smtpprobe.probe.net.Transcript;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Masks our secrets in server text (a reply, a detail quoting one, a transcript) should a hostile or
 * broken server echo them back, in the forms an echo can take: the password or token as it is, in the
 * base64 that AUTH PLAIN, LOGIN and XOAUTH2 send (RFC 4954 section 4, RFC 7628 section 3.1), with or
 * without padding, URL-safe, hex-encoded, URL-encoded, and any piece of one of these of at least
 * {@link #MIN_FRAGMENT} characters (a prefix, a line cut short). Issue 23 added the forms a hostile echo used
 * to get through: any case, base64 of {@code user:password} and of the AUTH strings at every alignment (a
 * secret encoded after one or two other bytes), the secret reversed, and its characters spaced apart. An app's client secret, which never
 * goes to the SMTP server, is masked too should it ever appear. Masking a harmless run of characters
 * that happens to match is the price of never showing a piece of a secret.
 */
final class SecretMask {
    static final String MASK = "<redacted>";
    /** The shortest run of a secret's form that is masked wherever it appears. */
    static final int MIN_FRAGMENT = 6;

    String redact(String text, AuthConfig auth) {
        if (text == null || auth == null) {
            return text;
        }
        List<String> forms = new ArrayList<>();
        String user = auth.username() == null ? "" : auth.username();
        if (auth.password() != null && !auth.password().reveal().isEmpty()) {
            forms.addAll(forms(auth.password().reveal(), user));
        }
        if (auth.oauth() != null && auth.oauth().clientSecret() != null
                && !auth.oauth().clientSecret().reveal().isEmpty()) {
            forms.addAll(forms(auth.oauth().clientSecret().reveal(), user));
        }
        if (forms.isEmpty()) {
            return text;
        }
        // A transcript shows server text escaped (Transcript.printable): a password with a backslash or a
        // control character comes back in that form, which no piece of the raw one may cover.
        for (String form : List.copyOf(forms)) {
            String escaped = Transcript.printable(form);
            if (!escaped.equals(form)) {
                forms.add(escaped);
            }
        }
        boolean[] spaced = spacedOut(text, auth);
        String masked = mask(text, forms, spaced);
        return masked;
    }

    /**
     * Where the password (or client secret) stands with its characters spaced apart: one to three characters
     * that are not letters or digits between each of its characters ("s 3 c r e t", "s-3-c-r-e-t").
     */
    private static boolean[] spacedOut(String text, AuthConfig auth) {
        boolean[] secret = new boolean[text.length()];
        List<String> secrets = new ArrayList<>();
        if (auth.password() != null) {
            secrets.add(auth.password().reveal());
        }
        if (auth.oauth() != null && auth.oauth().clientSecret() != null) {
            secrets.add(auth.oauth().clientSecret().reveal());
        }
        for (String s : secrets) {
            if (s.length() < MIN_FRAGMENT) {
                continue;
            }
            // Its letters and digits with up to three other characters between each: the gaps cannot take a
            // letter or digit, so matching is linear (possessive, no backtracking into a gap), and the symbols of
            // the secret are covered by the gaps. Around them, its leading and trailing symbols.
            String alnum = s.codePoints().filter(Character::isLetterOrDigit)
                    .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
            if (alnum.length() < MIN_FRAGMENT) {
                continue;
            }
            List<String> letters = alnum.codePoints()
                    .mapToObj(c -> java.util.regex.Pattern.quote(new String(Character.toChars(c)))).toList();
            // The secret's own leading and trailing symbols, each optional and at most three characters away.
            int first = 0;
            while (!Character.isLetterOrDigit(s.charAt(first))) {
                first++;
            }
            int last = s.length() - 1;
            while (!Character.isLetterOrDigit(s.charAt(last))) {
                last--;
            }
            StringBuilder lead = new StringBuilder();
            for (char c : s.substring(0, first).toCharArray()) {
                lead.append("(?:").append(java.util.regex.Pattern.quote(String.valueOf(c))).append("[^\\p{Alnum}]{0,3}?)?");
            }
            StringBuilder trail = new StringBuilder();
            for (char c : s.substring(last + 1).toCharArray()) {
                trail.append("(?:[^\\p{Alnum}]{0,3}?").append(java.util.regex.Pattern.quote(String.valueOf(c))).append(")?");
            }
            String pattern = lead + String.join("[^\\p{Alnum}]{0,3}+", letters) + trail;
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(pattern, java.util.regex.Pattern.CASE_INSENSITIVE
                    | java.util.regex.Pattern.UNICODE_CASE | java.util.regex.Pattern.UNICODE_CHARACTER_CLASS).matcher(text);
            while (m.find()) {
                java.util.Arrays.fill(secret, m.start(), m.end(), true);
            }
        }
        return secret;
    }

    /** Every form in which {@code secret} could come back. */
    static List<String> forms(String secret, String user) {
        List<String> forms = new ArrayList<>();
        forms.add(secret);
        forms.add(new StringBuilder(secret).reverse().toString());
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        forms.add(HexFormat.of().formatHex(bytes));
        forms.add(HexFormat.of().withUpperCase().formatHex(bytes));
        forms.add(URLEncoder.encode(secret, StandardCharsets.UTF_8));
        StringBuilder percent = new StringBuilder();
        for (byte b : bytes) {
            percent.append('%').append(String.format(Locale.ROOT, "%02X", b & 0xff));
        }
        forms.add(percent.toString());
        forms.add(percent.toString().toLowerCase(Locale.ROOT));
        for (String sent : List.of(secret, "\0" + user + "\0" + secret, user + "\0" + user + "\0" + secret,
                "user=" + user + "\u0001auth=Bearer " + secret + "\u0001\u0001", user + ":" + secret)) {
            byte[] raw = sent.getBytes(StandardCharsets.UTF_8);
            // Encoded after 0, 1 or 2 other bytes, base64 runs differ whole: each alignment is a form of its own,
            // without its first group (which holds the other bytes).
            for (int shift = 0; shift < 3; shift++) {
                byte[] shifted = new byte[raw.length + shift];
                System.arraycopy(raw, 0, shifted, shift, raw.length);
                String standard = Base64.getEncoder().encodeToString(shifted);
                String urlSafe = Base64.getUrlEncoder().encodeToString(shifted);
                forms.add(shift == 0 ? standard : standard.substring(4));
                forms.add(shift == 0 ? urlSafe : urlSafe.substring(4));
            }
        }
        return forms;
    }

    /**
     * Replaces every run of text covered by a form, or by pieces of forms of at least
     * {@link #MIN_FRAGMENT} characters, with one {@link #MASK}. Padded and unpadded base64 need no
     * forms of their own: the one without padding is a piece of the one with it.
     */
    /** Lower case char by char, so that every index of the text is an index of the folded text. */
    private static String fold(String text) {
        char[] chars = text.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            chars[i] = Character.toLowerCase(chars[i]);
        }
        return new String(chars);
    }

    private static String mask(String text, List<String> forms, boolean[] secret) {
        // A whole form in any case is the secret still (an echo in upper case); its pieces are compared as they
        // are, since a six-letter piece in another case is as often an ordinary word ("Secret" in a reply).
        String folded = fold(text);
        Set<String> pieces = new HashSet<>();
        for (String form : forms) {
            String whole = form.length() < MIN_FRAGMENT ? form : fold(form);
            String in = form.length() < MIN_FRAGMENT ? text : folded;
            for (int at = in.indexOf(whole); at >= 0; at = in.indexOf(whole, at + 1)) {
                java.util.Arrays.fill(secret, at, at + whole.length(), true);
            }
            for (int i = 0; form.length() >= MIN_FRAGMENT && i + MIN_FRAGMENT <= form.length(); i++) {
                pieces.add(form.substring(i, i + MIN_FRAGMENT));
            }
        }
        for (int i = 0; i + MIN_FRAGMENT <= text.length(); i++) {
            if (pieces.contains(text.substring(i, i + MIN_FRAGMENT))) {
                java.util.Arrays.fill(secret, i, i + MIN_FRAGMENT, true);
            }
        }
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            if (!secret[i]) {
                out.append(text.charAt(i));
            } else if (i == 0 || !secret[i - 1]) {
                out.append(MASK);
            }
        }
        return out.toString();
    }
}
