package io.smtpprobe.config;

import java.time.LocalDate;

/**
 * The Azure subscription the VM belongs to, as far as the port-25 policy needs it.
 *
 * @param offer an offer key, a quotaId, {@code auto} or {@code unknown}
 * @param created the subscription's creation date, or null when not known
 * @param port25Exemption whether an exemption or self-service unblock is recorded
 */
public record SubscriptionConfig(String offer, LocalDate created, boolean port25Exemption) {}
