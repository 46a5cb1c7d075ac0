/**
 * What a round found, as people and programs read it: {@link io.smtpprobe.report.RoundReport} (the
 * policy, every classified result, the diagnosis), its JSON ({@link io.smtpprobe.report.ReportJson},
 * for {@code check --output json} and /status), and {@link io.smtpprobe.report.ExitCodes}, the one
 * mapping to exit codes.
 *
 * <p>Adding an outcome or a verdict: add the value to {@code probe.Outcome} or {@code classify.Verdict};
 * the exhaustive switches (no {@code default}) that fail to compile are the places that must decide
 * about it ({@code Outcome.connected}, {@code VerdictClassifier}, the metrics renderer); then map the
 * failure to it in {@code probe.target.OutcomeMapper} (the one place exceptions become outcomes), document it
 * in README.md "Reading the verdicts", and add a scenario to {@code OneEngineTest} and the golden expositions.
 */
package io.smtpprobe.report;
