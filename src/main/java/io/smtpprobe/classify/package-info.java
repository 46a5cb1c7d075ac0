/**
 * Judges probe results against the policy: each result's role ({@link io.smtpprobe.classify.Role}),
 * expectation and verdict ({@link io.smtpprobe.classify.VerdictClassifier}), and the diagnosis of a whole
 * round ({@link io.smtpprobe.classify.DiagnosisEngine}, whose precedence is README.md "Reading the verdicts" read top to
 * bottom). Advice names commands through {@link io.smtpprobe.classify.CheckInvocation}, so that they run
 * as printed; a new verdict or diagnosis fails to compile in the exhaustive switches and is caught by
 * {@code DiagnosisEngineTest} and {@code AdviceCommandsTest}, which must reach every value.
 */
package io.smtpprobe.classify;
