package io.smtpprobe.metrics;

import java.util.List;

/**
 * Every metric the agent exports (README.md "Metrics"). Dashboards, alert rules and their tests
 * check their expressions against this list, so a rename here breaks them loudly.
 */
public final class MetricNames {
    private MetricNames() {}

    public static final String PREFIX = "smtp_probe_";

    public static final String SUCCESS = PREFIX + "success";
    public static final String OUTCOME = PREFIX + "outcome";
    public static final String VERDICT = PREFIX + "verdict";
    public static final String EXPECTED_REACHABLE = PREFIX + "expected_reachable";
    public static final String PHASE_DURATION_SECONDS = PREFIX + "phase_duration_seconds";
    public static final String DURATION_SECONDS = PREFIX + "duration_seconds";
    public static final String RUNS_TOTAL = PREFIX + "runs_total";
    public static final String LAST_RUN_TIMESTAMP_SECONDS = PREFIX + "last_run_timestamp_seconds";
    public static final String TLS_CERTIFICATE_EXPIRY_TIMESTAMP_SECONDS =
            PREFIX + "tls_certificate_expiry_timestamp_seconds";
    /** 1 when the last probe's TLS certificate passed verification, 0 when not; absent without TLS (r2). */
    public static final String TLS_VERIFIED = PREFIX + "tls_verified";
    /** 1 when one host of an mx: target's domain took the session in the last probe, else 0; mx targets only (r3). */
    public static final String DELIVERABLE = PREFIX + "deliverable";
    /** 1 with the cause of the last probe's refusal; absent while the last probe was not one (r3). */
    public static final String REFUSAL = PREFIX + "refusal";
    public static final String DIAGNOSIS = PREFIX + "diagnosis";
    public static final String POLICY_INFO = PREFIX + "policy_info";
    public static final String AZURE_VM_INFO = PREFIX + "azure_vm_info";
    public static final String BUILD_INFO = PREFIX + "build_info";
    public static final String CONFIG_LAST_RELOAD_SUCCESSFUL = PREFIX + "config_last_reload_successful";
    public static final String CONFIG_LAST_RELOAD_SUCCESS_TIMESTAMP_SECONDS =
            PREFIX + "config_last_reload_success_timestamp_seconds";

    /** 1 when the last delivery probe's message arrived, else 0; delivery targets only (r3). */
    public static final String DELIVERY_SUCCESS = PREFIX + "delivery_success";
    /** Submission to arrival of the last delivery probe's message (r3). */
    public static final String DELIVERY_DURATION_SECONDS = PREFIX + "delivery_duration_seconds";
    public static final String DELIVERY_LAST_SUCCESS_TIMESTAMP_SECONDS = PREFIX + "delivery_last_success_timestamp_seconds";

    /** Every name above, as it appears in the exposition (histograms and counters add suffixes there). */
    public static final List<String> ALL = List.of(SUCCESS, OUTCOME, VERDICT, EXPECTED_REACHABLE,
            PHASE_DURATION_SECONDS, DURATION_SECONDS, RUNS_TOTAL, LAST_RUN_TIMESTAMP_SECONDS,
            TLS_CERTIFICATE_EXPIRY_TIMESTAMP_SECONDS, TLS_VERIFIED, REFUSAL, DELIVERABLE, DIAGNOSIS, POLICY_INFO, AZURE_VM_INFO, BUILD_INFO,
            CONFIG_LAST_RELOAD_SUCCESSFUL, CONFIG_LAST_RELOAD_SUCCESS_TIMESTAMP_SECONDS, DELIVERY_SUCCESS,
            DELIVERY_DURATION_SECONDS, DELIVERY_LAST_SUCCESS_TIMESTAMP_SECONDS);
}
