//! The service level objective: the line drawn on latency plots and the sample intervals
//! counted as violations in `slo_violation_s`.
//!
//! ```yaml
//! slo:
//!   latency_ms: 500     # an interval whose p99 latency exceeds 500 ms violates the SLO
//!   percentile: 99      # 50, 95 or 99 (the per-interval percentiles of timeseries.csv)
//!   error_rate: 0.01    # optional: so does an interval with more than 1 % errors
//! ```

use super::SpecError;
use serde::{Deserialize, Serialize};

/// Per-interval percentiles the SLO can name (the columns of timeseries.csv).
pub const SLO_PERCENTILES: [u32; 3] = [50, 95, 99];

/// A latency (and optionally error) objective, judged per sample interval.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Slo {
    /// Latency objective [ms], config: an interval whose `percentile` latency of completed
    /// requests exceeds it violates the SLO.
    pub latency_ms: f64,
    /// Which percentile of each interval is compared [%], config: 50, 95 or 99. Default 99.
    #[serde(default = "default_percentile")]
    pub percentile: u32,
    /// Error objective [fraction of the interval's arrivals], config: an interval whose
    /// rejected + timed-out + killed requests exceed this fraction violates the SLO.
    /// Default: none (latency only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_rate: Option<f64>,
}

fn default_percentile() -> u32 {
    99
}

impl Slo {
    /// Whether one sample interval violates the objective, from its `latency_ms` at the
    /// SLO's percentile [ms], its errors and its arrivals. An interval without arrivals has
    /// no error rate; one without completions has no latency.
    pub fn violated(&self, latency_ms: f64, errors: u64, arrivals: u64) -> bool {
        let slow = latency_ms > self.latency_ms;
        let failing = match self.error_rate {
            Some(limit) if arrivals > 0 => errors as f64 / arrivals as f64 > limit,
            _ => false,
        };
        slow || failing
    }

    /// Errors located at `slo.*`.
    pub fn validate(&self) -> Vec<SpecError> {
        let mut errors = Vec::new();
        if !self.latency_ms.is_finite() || self.latency_ms <= 0.0 {
            errors.push(
                SpecError::at_path(
                    "slo.latency_ms",
                    format!("must be positive, got {}", self.latency_ms),
                )
                .with_hint("the latency objective in milliseconds, e.g. `latency_ms: 500`"),
            );
        }
        if !SLO_PERCENTILES.contains(&self.percentile) {
            errors.push(
                SpecError::at_path(
                    "slo.percentile",
                    format!("must be 50, 95 or 99, got {}", self.percentile),
                )
                .with_hint("the per-interval percentiles of timeseries.csv are p50, p95 and p99"),
            );
        }
        if let Some(e) = self.error_rate {
            if !e.is_finite() || !(0.0..1.0).contains(&e) {
                errors.push(
                    SpecError::at_path(
                        "slo.error_rate",
                        format!("must be a fraction in [0, 1), got {e}"),
                    )
                    .with_hint("e.g. `error_rate: 0.01` for at most 1 % failed requests"),
                );
            }
        }
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slo(error_rate: Option<f64>) -> Slo {
        Slo {
            latency_ms: 500.0,
            percentile: 99,
            error_rate,
        }
    }

    #[test]
    fn slo_an_interval_violates_by_latency_strictly_above_the_objective() {
        assert!(!slo(None).violated(500.0, 0, 10));
        assert!(slo(None).violated(500.1, 0, 10));
    }

    #[test]
    fn slo_errors_count_only_with_an_error_objective_and_arrivals() {
        assert!(!slo(None).violated(1.0, 10, 10));
        assert!(slo(Some(0.01)).violated(1.0, 2, 100));
        assert!(!slo(Some(0.01)).violated(1.0, 1, 100));
        assert!(!slo(Some(0.01)).violated(0.0, 0, 0));
    }

    #[test]
    fn slo_validation_names_each_bad_field() {
        let bad = Slo {
            latency_ms: -1.0,
            percentile: 90,
            error_rate: Some(1.5),
        };
        let paths: Vec<String> = bad.validate().iter().map(|e| e.to_string()).collect();
        assert_eq!(paths.len(), 3, "{paths:?}");
        assert!(paths[0].contains("slo.latency_ms"));
        assert!(paths[1].contains("slo.percentile") && paths[1].contains("50, 95 or 99"));
        assert!(paths[2].contains("slo.error_rate"));
        assert!(slo(Some(0.01)).validate().is_empty());
    }
}
