//! [`human_summary`]: the short block `hpasim run` prints after a run.

use std::fmt::Write as _;

use hpasim_models::rows::{RunKey, SummaryRow};

/// Width of the label column.
const LABEL: usize = 14;

/// A short, aligned, human-readable summary of one run (about a dozen lines, units
/// shown, each line ending with `\n`). Values that are not numbers (a percentile
/// with no completed request) show as `n/a`.
pub fn human_summary(key: &RunKey, row: &SummaryRow) -> String {
    let mut s = String::new();
    let mut line = |label: &str, text: String| {
        let _ = writeln!(s, "{label:<LABEL$}{text}");
    };
    line(
        "run",
        format!(
            "{} / {} / replication {} / seed {}",
            key.scenario, key.variant, key.replication, key.seed
        ),
    );
    line("simulated", format!("{} s", num(row.duration_s, 3)));
    line(
        "requests",
        format!(
            "{}  (completed {}, rejected {}, timed out {}, killed {})",
            row.requests, row.completed, row.rejected, row.timed_out, row.killed
        ),
    );
    line(
        "error rate",
        format!("{} %", num(row.error_rate * 100.0, 3)),
    );
    line(
        "latency [ms]",
        format!(
            "mean {}  p50 {}  p95 {}  p99 {}  p99.9 {}  max {}",
            num(row.latency_mean_ms, 2),
            num(row.latency_p50_ms, 2),
            num(row.latency_p95_ms, 2),
            num(row.latency_p99_ms, 2),
            num(row.latency_p999_ms, 2),
            num(row.latency_max_ms, 2),
        ),
    );
    line(
        "wait [ms]",
        format!(
            "mean {}  (waited: {} % of started)",
            num(row.wait_mean_ms, 2),
            num(row.wait_probability * 100.0, 1)
        ),
    );
    line(
        "throughput",
        format!("{} requests/s", num(row.throughput_rps, 2)),
    );
    line(
        "replicas",
        format!(
            "mean {}  max {}",
            num(row.replicas_mean, 2),
            num(row.replicas_max, 0)
        ),
    );
    line(
        "pods ready",
        format!("mean {}", num(row.pods_ready_mean, 2)),
    );
    line(
        "CPU",
        format!("{} % of request", num(row.cpu_utilization_mean_pct, 1)),
    );
    line(
        "pod-hours",
        format!("{} pod·h", num(row.pod_seconds / 3600.0, 3)),
    );
    line("cost", format!("{} USD", num(row.cost_usd, 4)));
    s
}

/// `x` with `decimals` decimals, or `n/a` if it is not finite.
fn num(x: f64, decimals: usize) -> String {
    if x.is_finite() {
        // Avoid "-0.00".
        let s = format!("{x:.decimals$}");
        if s.starts_with('-') && s[1..].bytes().all(|b| b == b'0' || b == b'.') {
            s[1..].to_owned()
        } else {
            s
        }
    } else {
        "n/a".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn row() -> SummaryRow {
        SummaryRow {
            duration_s: 3600.0,
            requests: 100_000,
            completed: 99_000,
            rejected: 600,
            timed_out: 300,
            killed: 100,
            error_rate: 0.01,
            latency_mean_ms: 12.345,
            latency_p50_ms: 10.0,
            latency_p90_ms: 20.0,
            latency_p95_ms: 25.0,
            latency_p99_ms: 40.0,
            latency_p999_ms: 80.0,
            latency_max_ms: 123.4,
            wait_mean_ms: 1.5,
            wait_probability: 0.25,
            throughput_rps: 27.5,
            replicas_mean: 3.42,
            replicas_max: 6.0,
            pods_ready_mean: 3.1,
            pod_seconds: 12_312.0,
            cpu_utilization_mean_pct: 62.5,
            in_system_mean: 0.4,
            cost_usd: 0.1234,
            ..SummaryRow::default()
        }
    }

    fn key() -> RunKey {
        RunKey {
            scenario: "web".into(),
            variant: "base".into(),
            replication: 0,
            seed: 42,
        }
    }

    #[test]
    fn human_summary_is_a_dozen_aligned_lines_with_units() {
        let s = human_summary(&key(), &row());
        let lines: Vec<_> = s.lines().collect();
        assert!((10..=14).contains(&lines.len()), "{s}");
        for l in &lines {
            assert!(l.len() > LABEL, "{l}");
            assert!(!l[..LABEL].ends_with(|c: char| !c.is_whitespace()), "{l}");
            assert!(!l[LABEL..].starts_with(' '), "{l}");
        }
        for needle in [
            "web / base / replication 0 / seed 42",
            "100000  (completed 99000, rejected 600, timed out 300, killed 100)",
            "1.000 %",
            "mean 12.35  p50 10.00  p95 25.00  p99 40.00  p99.9 80.00  max 123.40",
            "27.50 requests/s",
            "mean 3.42  max 6",
            "62.5 % of request",
            "3.420 pod·h",
            "0.1234 USD",
        ] {
            assert!(s.contains(needle), "missing {needle:?} in\n{s}");
        }
    }

    #[test]
    fn human_summary_shows_missing_values_as_n_a() {
        let mut r = row();
        r.latency_p99_ms = f64::NAN;
        r.cost_usd = -0.0;
        let s = human_summary(&key(), &r);
        assert!(s.contains("p99 n/a"), "{s}");
        assert!(s.contains("cost          0.0000 USD"), "{s}");
    }
}
