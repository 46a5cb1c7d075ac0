package io.smtpprobe.policy;

import io.smtpprobe.config.ExpectSetting;
import io.smtpprobe.config.Nearest;
import io.smtpprobe.config.OfferNames;
import io.smtpprobe.config.Route;
import java.net.InetAddress;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Looks offers up by key, alias or quotaId, and applies the creation-date and exemption rules of
 * README.md "Azure's policy, as smtp-probe applies it" to give a {@link Port25Policy}.
 */
public final class PolicyTable {
    /** Subscriptions created before this day kept port 25 open (the November 2017 announcement). */
    public static final LocalDate CUTOFF = LocalDate.of(2017, 11, 15);

    /** The port Azure blocks. */
    public static final int SMTP_PORT = 25;

    /** The offer vocabulary, for the config loader's check of {@code subscription.offer}. */
    public static final OfferNames NAMES = new OfferNames() {
        @Override
        public boolean isKnown(String offer) {
            return PolicyTable.isKnown(offer);
        }

        @Override
        public String nearest(String offer) {
            return nearestKey(offer);
        }
    };

    private PolicyTable() {}

    /** Every offer, in table order. */
    public static List<Offer> offers() {
        return List.of(Offer.values());
    }

    /** The offer with this key or alias, case-insensitive. */
    public static Optional<Offer> byKey(String text) {
        String wanted = text.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(Offer.values())
                .filter(o -> o.key().equals(wanted) || o.aliases().contains(wanted))
                .findFirst();
    }

    /** Every offer that carries this quotaId, in table order (some quotaIds are shared). */
    public static List<Offer> byQuotaId(String quotaId) {
        String wanted = quotaId.trim();
        return Arrays.stream(Offer.values())
                .filter(o -> o.quotaIds().stream().anyMatch(q -> q.equalsIgnoreCase(wanted)))
                .toList();
    }

    /** The key closest to what was typed, for "did you mean" in error messages. */
    public static String nearestKey(String text) {
        String typed = text.trim().toLowerCase(Locale.ROOT);
        List<String> names = new ArrayList<>();
        for (Offer offer : Offer.values()) {
            names.add(offer.key());
            names.addAll(offer.aliases());
        }
        return Nearest.of(typed, names);
    }

    /** Whether the text names an offer by key, alias or quotaId. */
    public static boolean isKnown(String text) {
        return byKey(text).isPresent() || !byQuotaId(text).isEmpty();
    }

    /**
     * Applies the policy.
     *
     * @param offerText an offer key, alias or quotaId; anything unrecognised is {@link Offer#UNKNOWN}
     * @param created the subscription's creation date, or null
     * @param exemption whether a port-25 exemption is recorded
     * @param source where the offer came from, reported in {@code smtp_probe_policy_info}
     */
    public static Port25Policy evaluate(String offerText, LocalDate created, boolean exemption, String source) {
        List<String> warnings = new ArrayList<>();
        Offer offer = resolve(offerText, warnings);
        StringBuilder reason = new StringBuilder(offer.summary());
        Expectation port25;
        boolean grandfathered = created != null && created.isBefore(CUTOFF);
        if (grandfathered && !offer.existedBeforeCutoff() && offer != Offer.UNKNOWN) {
            warnings.add("created " + created + " is before " + CUTOFF + ", but " + offer.key()
                    + " subscriptions did not exist then; check subscription.created");
            grandfathered = false;
        }
        if (offer == Offer.UNKNOWN) {
            port25 = exemption ? Expectation.REACHABLE : Expectation.UNKNOWN;
            if (exemption) {
                reason.append(" A port-25 exemption is recorded, so port 25 is expected open.");
            }
        } else if (grandfathered) {
            port25 = offer.beforeCutoff();
            reason.append(" This subscription was created on ").append(created).append(", before ").append(CUTOFF)
                    .append(", so port 25 is expected open.");
        } else if (exemption && offer.sinceCutoff() == Expectation.BLOCKED) {
            port25 = Expectation.REACHABLE;
            reason.append(" A port-25 exemption is recorded, so port 25 is expected open.");
            if (offer.exemption() == ExemptionStatus.NEVER) {
                warnings.add("a port-25 exemption is recorded, but Microsoft has never granted one for "
                        + offer.key() + " subscriptions; the offer may be misrecorded");
            }
        } else {
            port25 = offer.sinceCutoff();
            if (created == null && offer.beforeCutoff() != offer.sinceCutoff()) {
                reason.append(" No creation date is configured, so the subscription is assumed to be created on or"
                        + " after ").append(CUTOFF).append(" (set subscription.created if it is older).");
            }
        }
        return new Port25Policy(offer, created, exemption, port25, reason.toString(), warnings, source);
    }

    /**
     * What to expect when probing a destination.
     *
     * @param setting the target's {@code expect:} key
     * @param route the target's {@code route:} key
     * @param port the destination port
     * @param address the resolved address, or null when resolution failed
     */
    public static Expectation expectationFor(Port25Policy policy, ExpectSetting setting, Route route, int port,
            InetAddress address) {
        return switch (setting) {
            case REACHABLE -> Expectation.REACHABLE;
            case BLOCKED -> Expectation.BLOCKED;
            case AUTO -> {
                if (port != SMTP_PORT) {
                    yield Expectation.REACHABLE; // 587 and 465 are never blocked, nor other ports
                }
                yield subjectToBlock(route, address) ? policy.port25() : Expectation.REACHABLE;
            }
        };
    }

    /** Whether traffic to this destination is internet-routed, and so subject to the port-25 block. */
    public static boolean subjectToBlock(Route route, InetAddress address) {
        return switch (route) {
            case INTERNET -> true;
            case PRIVATE -> false;
            case AUTO -> address == null || !DestinationScope.isPrivate(address);
        };
    }

    private static Offer resolve(String offerText, List<String> warnings) {
        if (offerText == null || offerText.isBlank()) {
            return Offer.UNKNOWN;
        }
        Optional<Offer> byKey = byKey(offerText);
        if (byKey.isPresent()) {
            return byKey.get();
        }
        List<Offer> candidates = byQuotaId(offerText);
        if (candidates.isEmpty()) {
            warnings.add("offer \"" + offerText + "\" is not a known offer key or quotaId; did you mean "
                    + nearestKey(offerText) + "?");
            return Offer.UNKNOWN;
        }
        if (candidates.size() > 1) {
            warnings.add("quotaId " + offerText.trim() + " is shared by "
                    + String.join(", ", candidates.stream().map(Offer::key).toList()) + "; assuming "
                    + candidates.get(0).key() + " (set subscription.offer to the exact key if that is wrong)");
        }
        return candidates.get(0);
    }
}
