package io.smtpprobe.classify;

import io.smtpprobe.policy.Expectation;
import io.smtpprobe.probe.ProbeResult;

/**
 * A probe result with its expectation and verdict.
 *
 * @param subjectToBlock whether Azure's port-25 rule applies to this destination (port 25,
 *     internet-routed); such results decide the port-25 diagnosis, the others are controls
 */
public record ClassifiedResult(ProbeResult result, Expectation expected, Verdict verdict, boolean subjectToBlock) {}
