package io.smtpprobe.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromQlNamesTest {
    @Test
    void findsMetricNamesButNotFunctionsLabelsOrKeywords() {
        String expr = "max by (instance, job) (smtp_probe_verdict{verdict=~\"a|b\"} == 1 or smtp_probe_outcome * 4)"
                + " unless on (instance) (smtp_probe_diagnosis{diagnosis=\"no_egress\"} == bool 1)"
                + " * on (instance, job) group_left (vm, location) instance:smtp_probe_vm:info"
                + " and rate(smtp_probe_runs_total[5m] offset 1h) > 1e3"
                + " or label_replace(up, \"vm\", \"$1\", \"instance\", \"(.*)\")"
                + " or histogram_quantile(0.9, sum without (le) (rate(smtp_probe_duration_seconds_bucket[$__rate_interval])))";

        assertThat(PromQlNames.metricNames(expr)).containsExactlyInAnyOrder("smtp_probe_verdict",
                "smtp_probe_outcome", "smtp_probe_diagnosis", "instance:smtp_probe_vm:info", "smtp_probe_runs_total",
                "up", "smtp_probe_duration_seconds_bucket");
    }

    @Test
    void reportsAMisspelledMetric() {
        assertThat(PromQlNames.metricNames("time() - smtp_probe_last_run_timestmp_seconds > 3 * 300"))
                .containsExactly("smtp_probe_last_run_timestmp_seconds");
    }
}
