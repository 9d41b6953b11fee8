//! Paired comparison of two variants (`hpasim compare`): the pure statistics.
//!
//! Replication r of variant A and replication r of variant B draw from the same named random
//! streams (common random numbers), so (A_r, B_r) is a *paired* observation and the noise
//! both share cancels in the difference d_r = B_r − A_r. For one metric, [`PairedDiff`]
//! holds the mean of A, the mean of B, the mean difference and the half-width of its 95 %
//! confidence interval (Student t with n − 1 degrees of freedom on the n differences), and
//! [`PairedDiff::verdict`] reads it:
//!
//! * [`Verdict::Identical`]: every d_r is exactly 0 (a missing value, NaN, on both sides
//!   counts as equal);
//! * otherwise, when the interval excludes 0: for a metric where lower is better
//!   ([`lower_is_better`]: latencies, waits, errors, cost, replicas, …)
//!   [`Verdict::ABetter`] or [`Verdict::BBetter`]; for the others (throughput, utilization,
//!   counts of requests, …) [`Verdict::BHigher`] or [`Verdict::BLower`];
//! * when the interval includes 0 (or cannot be computed: fewer than two pairs):
//!   [`Verdict::NoDifference`].
//!
//! A pair with a missing value on one side only (a percentile without samples) makes the
//! metric not identical but does not enter the difference's mean and interval; the means of
//! A and B are over their own present values.

use crate::aggregate::{t975, Moments};

/// Summary metrics (summary.csv column names) where a lower value is better; prefixes end
/// with `_`.
pub const LOWER_IS_BETTER: [&str; 28] = [
    "latency_",
    "wait_",
    "error_rate",
    "rejected",
    "timed_out",
    "killed",
    "cost_usd",
    "pod_seconds",
    "replicas_mean",
    "replicas_max",
    "pool_timeouts",
    "pool_wait_",
    "db_connection_refusals",
    "messages_reprocessed",
    "queue_lag_",
    "rebalances",
    "partition_paused_s",
    "consumer_crashes",
    "keda_fallback_polls",
    "in_system_mean",
    "slo_violation_s",
    "node_hours",
    "node_cost_",
    "pods_unschedulable_max",
    "capacity_wait_",
    "pods_quota_denied",
    "fault_errors",
    "vpa_evictions",
];

/// Whether a lower value of the summary metric `metric` is better (for the others a
/// difference is reported as higher or lower, without judgement).
pub fn lower_is_better(metric: &str) -> bool {
    LOWER_IS_BETTER.iter().any(|m| match m.strip_suffix('_') {
        Some(_) => metric.starts_with(m),
        None => metric == *m,
    })
}

/// What a paired comparison concludes about one metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every paired difference is exactly 0.
    Identical,
    /// The 95 % interval includes 0 (or there are fewer than two pairs).
    NoDifference,
    /// Lower is better and B − A is significantly positive.
    ABetter,
    /// Lower is better and B − A is significantly negative.
    BBetter,
    /// No better direction; B − A is significantly positive.
    BHigher,
    /// No better direction; B − A is significantly negative.
    BLower,
}

impl Verdict {
    /// The fixed label of compare.csv: `identical`, `no difference`, `A better`,
    /// `B better`, `B higher` or `B lower`.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Identical => "identical",
            Verdict::NoDifference => "no difference",
            Verdict::ABetter => "A better",
            Verdict::BBetter => "B better",
            Verdict::BHigher => "B higher",
            Verdict::BLower => "B lower",
        }
    }

    /// The label with the better variant's name (`B better (fast)`), for people.
    pub fn named(self, a: &str, b: &str) -> String {
        match self {
            Verdict::ABetter => format!("A better ({a})"),
            Verdict::BBetter => format!("B better ({b})"),
            other => other.label().to_string(),
        }
    }
}

/// One metric of a paired comparison: means, mean difference B − A and its 95 % interval.
/// Values are in the metric's own unit (ms for `latency_*_ms`, USD for `cost_usd`, …).
#[derive(Clone, Debug, PartialEq)]
pub struct PairedDiff {
    /// Pairs given (replications).
    pub pairs: u64,
    /// Pairs with a value on both sides: the differences behind the mean and interval.
    pub n: u64,
    /// Mean of A over its present values [metric unit]; NaN if none.
    pub a_mean: f64,
    /// Mean of B over its present values [metric unit]; NaN if none.
    pub b_mean: f64,
    /// Mean of the differences B_r − A_r [metric unit]; NaN if none.
    pub diff_mean: f64,
    /// Half-width of the 95 % Student-t interval of the mean difference [metric unit]; NaN
    /// below two differences, 0 when every difference is the same.
    pub half_width: f64,
    /// Every pair is exactly equal (or missing on both sides).
    pub identical: bool,
}

impl PairedDiff {
    /// Pairs `a[r]` with `b[r]` (replication r of each); extra values of the longer slice
    /// are ignored.
    pub fn new(a: &[f64], b: &[f64]) -> PairedDiff {
        let (mut ma, mut mb, mut md) = (Moments::default(), Moments::default(), Moments::default());
        let mut identical = true;
        let mut pairs = 0;
        for (&x, &y) in a.iter().zip(b) {
            pairs += 1;
            ma.push(x);
            mb.push(y);
            match (x.is_nan(), y.is_nan()) {
                (true, true) => {}
                (false, false) => {
                    if y - x != 0.0 {
                        identical = false;
                    }
                    md.push(y - x);
                }
                _ => identical = false,
            }
        }
        // Zero variance gives exactly 0 here (Welford's update of equal values adds 0).
        let half_width = if md.count() >= 2 {
            md.ci95_half_width()
        } else {
            f64::NAN
        };
        PairedDiff {
            pairs,
            n: md.count(),
            a_mean: ma.mean(),
            b_mean: mb.mean(),
            diff_mean: md.mean(),
            half_width,
            identical,
        }
    }

    /// The 95 % interval of the mean difference, (low, high) [metric unit]; NaN bounds below
    /// two differences.
    pub fn ci95(&self) -> (f64, f64) {
        (
            self.diff_mean - self.half_width,
            self.diff_mean + self.half_width,
        )
    }

    /// Whether the 95 % interval lies entirely above or below 0.
    pub fn excludes_zero(&self) -> bool {
        let (low, high) = self.ci95();
        low > 0.0 || high < 0.0
    }

    /// The mean difference relative to A's mean [%]; NaN when A's mean is 0 or missing.
    pub fn relative_pct(&self) -> f64 {
        if self.a_mean == 0.0 || self.a_mean.is_nan() {
            f64::NAN
        } else {
            100.0 * self.diff_mean / self.a_mean
        }
    }

    /// The verdict for the summary metric `metric` (see the module documentation).
    pub fn verdict(&self, metric: &str) -> Verdict {
        if self.identical {
            return Verdict::Identical;
        }
        if !self.excludes_zero() {
            return Verdict::NoDifference;
        }
        let up = self.diff_mean > 0.0;
        match (lower_is_better(metric), up) {
            (true, true) => Verdict::ABetter,
            (true, false) => Verdict::BBetter,
            (false, true) => Verdict::BHigher,
            (false, false) => Verdict::BLower,
        }
    }
}

/// Half-width of the 95 % Welch interval of mean(B) − mean(A) for *unpaired* samples
/// [unit of the values]: what the same runs would give without common random numbers.
/// NaN when either sample has fewer than two values.
pub fn welch_half_width(a: &[f64], b: &[f64]) -> f64 {
    let moments = |xs: &[f64]| {
        let mut m = Moments::default();
        xs.iter().for_each(|&x| m.push(x));
        m
    };
    let (ma, mb) = (moments(a), moments(b));
    if ma.count() < 2 || mb.count() < 2 {
        return f64::NAN;
    }
    let va = ma.sd().powi(2) / ma.count() as f64;
    let vb = mb.sd().powi(2) / mb.count() as f64;
    let se2 = va + vb;
    if se2 == 0.0 {
        return 0.0;
    }
    // Welch–Satterthwaite degrees of freedom, rounded down (conservative).
    let df = se2 * se2 / (va * va / (ma.count() - 1) as f64 + vb * vb / (mb.count() - 1) as f64);
    t975((df.floor() as u64).max(1)) * se2.sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_difference_with_noise_shared_by_both_sides_is_found_exactly() {
        // B = A − 5 in every replication: the shared noise cancels.
        let a = [100.0, 130.0, 90.0, 120.0, 110.0];
        let b: Vec<f64> = a.iter().map(|x| x - 5.0).collect();
        let d = PairedDiff::new(&a, &b);
        assert_eq!((d.pairs, d.n), (5, 5));
        assert!((d.a_mean - 110.0).abs() < 1e-12);
        assert!((d.b_mean - 105.0).abs() < 1e-12);
        assert_eq!(d.diff_mean, -5.0);
        assert_eq!(d.half_width, 0.0, "zero variance: a zero-width interval");
        assert_eq!(d.ci95(), (-5.0, -5.0));
        assert!((d.relative_pct() + 100.0 * 5.0 / 110.0).abs() < 1e-12);
        assert_eq!(d.verdict("latency_p99_ms"), Verdict::BBetter);
        assert_eq!(d.verdict("cost_usd"), Verdict::BBetter);
        assert_eq!(d.verdict("throughput_rps"), Verdict::BLower);
        let up = PairedDiff::new(&b, &a);
        assert_eq!(up.verdict("latency_p99_ms"), Verdict::ABetter);
        assert_eq!(up.verdict("throughput_rps"), Verdict::BHigher);
    }

    #[test]
    fn the_interval_matches_a_hand_computed_case() {
        // d = [1, 2, 3, 6]: mean 3, sample variance (4 + 1 + 0 + 9) / 3 = 14/3,
        // half-width t(0.975, 3) · sqrt(14/3) / 2 = 3.182446 · 2.160247 / 2 = 3.437435.
        let a = [10.0, 20.0, 30.0, 40.0];
        let b = [11.0, 22.0, 33.0, 46.0];
        let d = PairedDiff::new(&a, &b);
        assert_eq!(d.diff_mean, 3.0);
        let hw = 3.182446 * (14.0f64 / 3.0).sqrt() / 2.0;
        assert!((d.half_width - hw).abs() < 1e-9, "{}", d.half_width);
        assert!((d.half_width - 3.437435).abs() < 1e-6);
        // The interval (−0.437, 6.437) includes 0.
        assert!(!d.excludes_zero());
        assert_eq!(d.verdict("latency_mean_ms"), Verdict::NoDifference);
        assert_eq!(d.verdict("throughput_rps"), Verdict::NoDifference);
        assert!((d.relative_pct() - 12.0).abs() < 1e-12);
    }

    #[test]
    fn identical_samples_are_identical_whatever_their_spread() {
        let a = [1.0, 50.0, f64::NAN, 3.0];
        let d = PairedDiff::new(&a, &a);
        assert!(d.identical);
        assert_eq!(d.verdict("latency_p99_ms"), Verdict::Identical);
        assert_eq!(d.diff_mean, 0.0);
        assert_eq!(d.half_width, 0.0);
        assert_eq!((d.pairs, d.n), (4, 3));
        let zero = PairedDiff::new(&[0.0; 3], &[0.0; 3]);
        assert!(zero.identical && zero.relative_pct().is_nan());
    }

    #[test]
    fn a_value_missing_on_one_side_only_is_a_difference_but_not_a_pair() {
        let d = PairedDiff::new(&[1.0, f64::NAN, 1.0], &[1.0, 2.0, 1.0]);
        assert!(!d.identical);
        assert_eq!(d.n, 2);
        assert_eq!(d.verdict("latency_p99_ms"), Verdict::NoDifference);
        assert!((d.b_mean - 4.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn fewer_than_two_pairs_give_no_interval_and_no_verdict_beyond_no_difference() {
        let d = PairedDiff::new(&[1.0], &[2.0]);
        assert!(d.half_width.is_nan());
        assert_eq!(d.verdict("cost_usd"), Verdict::NoDifference);
    }

    #[test]
    fn the_direction_table_covers_prefixes_and_exact_names() {
        for m in [
            "latency_p999_ms",
            "wait_probability",
            "pool_wait_p99_ms",
            "queue_lag_max",
            "error_rate",
            "replicas_max",
            "in_system_mean",
            "keda_fallback_polls",
            "slo_violation_s",
        ] {
            assert!(lower_is_better(m), "{m}");
        }
        for m in [
            "throughput_rps",
            "requests",
            "completed",
            "pods_ready_mean",
            "cpu_utilization_mean_pct",
            "duration_s",
            "db_connections_max",
            "keda_activations",
            "replicas",
        ] {
            assert!(!lower_is_better(m), "{m}");
        }
    }

    #[test]
    fn verdict_labels_name_the_better_variant_for_people_only() {
        assert_eq!(Verdict::BBetter.label(), "B better");
        assert_eq!(Verdict::BBetter.named("slow", "fast"), "B better (fast)");
        assert_eq!(Verdict::ABetter.named("slow", "fast"), "A better (slow)");
        assert_eq!(Verdict::BHigher.named("slow", "fast"), "B higher");
    }

    #[test]
    fn welch_half_width_matches_a_hand_computed_case() {
        // a: mean 2, var 1 (n 3); b: mean 5, var 4 (n 3); se² = 1/3 + 4/3 = 5/3;
        // df = (5/3)² / ((1/9)/2 + (16/9)/2) = 50/17 ≈ 2.94 → 2; t(0.975, 2) = 4.302653.
        let hw = welch_half_width(&[1.0, 2.0, 3.0], &[3.0, 5.0, 7.0]);
        assert!((hw - 4.302653 * (5.0f64 / 3.0).sqrt()).abs() < 1e-9, "{hw}");
        assert!(welch_half_width(&[1.0], &[1.0, 2.0]).is_nan());
    }
}
