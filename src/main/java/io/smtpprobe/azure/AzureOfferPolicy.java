package io.smtpprobe.azure;

import io.smtpprobe.config.AzureConfig;
import io.smtpprobe.config.Config;
import io.smtpprobe.config.ConfigLoader;
import io.smtpprobe.policy.Offer;
import io.smtpprobe.policy.OfferDetection;
import io.smtpprobe.policy.PolicyTable;
import io.smtpprobe.policy.Port25Policy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;

/**
 * The one policy resolver, for the daemon and {@code check} alike: a configuration's policy is
 * {@code subscription:} as configured, or, with {@code offer: auto}, the offer Azure reports. The answer is kept for {@link #REFRESH} (an offer
 * type changes rarely, and the calls need a token), and asked again after {@link #RETRY} when Azure
 * refused, so that a Reader role granted meanwhile is picked up without a restart. Thread-safe.
 */
public final class AzureOfferPolicy implements Function<Config, Port25Policy> {
    public static final Duration REFRESH = Duration.ofHours(6);
    public static final Duration RETRY = Duration.ofMinutes(15);

    private final OfferDetector detector;
    private final Clock clock;
    /** Where a configured (not detected) offer came from, as the policy reports it: config, flag, default. */
    private final String source;
    private AzureConfig detectedFor;
    private OfferDetection detection;
    private Instant detectedAt;

    public AzureOfferPolicy(OfferDetector detector, Clock clock) {
        this(detector, clock, "config");
    }

    public AzureOfferPolicy(OfferDetector detector, Clock clock, String source) {
        this.detector = detector;
        this.clock = clock;
        this.source = source;
    }

    /** The daemon's detector: the real DMI directory and the standard timeouts. */
    public static AzureOfferPolicy forDaemon(Path dmiDirectory, Clock clock) {
        return new AzureOfferPolicy(new OfferDetector(dmiDirectory, OfferDetector.METADATA_TIMEOUT,
                OfferDetector.MANAGEMENT_TIMEOUT, clock), clock);
    }

    @Override
    public synchronized Port25Policy apply(Config config) {
        if (!ConfigLoader.AUTO.equalsIgnoreCase(config.subscription().offer().trim())) {
            return configured(config, source);
        }
        if (detection == null || !config.azure().equals(detectedFor) || due()) {
            try {
                detection = detector.detect(config.azure());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                detection = OfferDetection.failed("interrupted while asking Azure for the offer");
            }
            detectedFor = config.azure();
            detectedAt = clock.instant();
        }
        return detection.policy(config.subscription().created(), config.subscription().port25Exemption());
    }

    /** The policy from {@code subscription:} as configured, its source reported as {@code source}. */
    public static Port25Policy configured(Config config, String source) {
        return PolicyTable.evaluate(config.subscription().offer(), config.subscription().created(),
                config.subscription().port25Exemption(), source);
    }

    private boolean due() {
        boolean failed = detection.offer() == Offer.UNKNOWN && detection.quotaId() == null;
        return !clock.instant().isBefore(detectedAt.plus(failed ? RETRY : REFRESH));
    }
}
