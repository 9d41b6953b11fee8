//! Fallback (hpa-spec 8.8, 8.8a; `pkg/fallback/fallback.go` `GetMetricsWithFallback`,
//! `doFallback`), pure, and the bookkeeping of the HPA's reads of KEDA's metrics API
//! (live, or the last poll's value with `useCachedMetrics`).
//!
//! At each read of a trigger's External metric: a success resets the trigger's consecutive
//! failure count and is served as is; a failure increments it, and once the count is **greater
//! than** `failureThreshold` (not equal) the read is answered with a synthetic value
//! `replicas × target` so the HPA computes `replicas` (the fallback replicas, or the current
//! count per `fallback.behavior`); its error is suppressed. Before that, the error reaches the
//! HPA (an invalid metric).
//!
//! AverageValue targets use `int(target) × 1000 × replicas` milli-units (KEDA truncates the
//! target to whole units). For Value targets (hpa-spec 8.8) the value is divided by the ready
//! replicas, so that `value / target × ready = replicas`.

use super::spec::{Fallback, FallbackBehavior};
use super::triggers::{TargetType, TriggerConfig};
use serde::Serialize;

/// The fallback's replica count for `current` replicas (`doFallback`).
pub fn fallback_replicas(f: &Fallback, current: i32) -> i32 {
    match f.behavior.unwrap_or_default() {
        FallbackBehavior::Static => f.replicas,
        FallbackBehavior::CurrentReplicas => current,
        FallbackBehavior::CurrentReplicasIfHigher => current.max(f.replicas),
        FallbackBehavior::CurrentReplicasIfLower => current.min(f.replicas),
    }
}

/// The synthetic metric [milli-units] that makes the HPA compute `replicas`.
pub fn synthetic_metric(
    target_type: TargetType,
    target_milli: i64,
    replicas: i32,
    ready_replicas: i32,
) -> i64 {
    let whole = target_milli / 1000;
    let total = whole
        .saturating_mul(1000)
        .saturating_mul(i64::from(replicas));
    match target_type {
        TargetType::Value => total / i64::from(ready_replicas.max(1)),
        _ => total,
    }
}

/// Whether fallback can serve `t` at all: a fallback is configured with non-negative fields,
/// and the trigger is an External one.
pub fn fallback_enabled(f: Option<&Fallback>, t: &TriggerConfig) -> bool {
    f.is_some_and(|f| f.failure_threshold >= 0 && f.replicas >= 0) && !t.is_resource()
}

/// The answer to one HPA read of a trigger's metric.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MetricRead {
    /// The value served [milli-units], or the error the HPA sees.
    pub value: Result<i64, String>,
    /// Whether the value is the fallback's synthetic one.
    pub fallback: bool,
    /// The trigger's consecutive failures after this read.
    pub failures: i32,
    /// The fallback replica count, when fallback served the read.
    pub fallback_replicas: Option<i32>,
}

/// `GetMetricsWithFallback`: one read of trigger `t` whose scaler answered `reading`;
/// `failures` is the trigger's consecutive failure count, updated here.
pub fn metrics_with_fallback(
    f: Option<&Fallback>,
    t: &TriggerConfig,
    reading: Result<i64, String>,
    failures: &mut i32,
    current_replicas: i32,
    ready_replicas: i32,
) -> MetricRead {
    let err = match reading {
        Ok(v) => {
            *failures = 0;
            return MetricRead {
                value: Ok(v),
                fallback: false,
                failures: 0,
                fallback_replicas: None,
            };
        }
        Err(e) => e,
    };
    *failures = failures.saturating_add(1);
    let Some(fb) = f.filter(|_| fallback_enabled(f, t)) else {
        return MetricRead {
            value: Err(err),
            fallback: false,
            failures: *failures,
            fallback_replicas: None,
        };
    };
    if *failures > fb.failure_threshold {
        let replicas = fallback_replicas(fb, current_replicas);
        MetricRead {
            value: Ok(synthetic_metric(
                t.target_type,
                t.target_milli,
                replicas,
                ready_replicas,
            )),
            fallback: true,
            failures: *failures,
            fallback_replicas: Some(replicas),
        }
    } else {
        MetricRead {
            value: Err(err),
            fallback: false,
            failures: *failures,
            fallback_replicas: None,
        }
    }
}

/// Whether trigger `t`, whose scaler failed, is currently served by fallback given its
/// failure count (8.8a: it then counts as active and its error is suppressed at the poll).
pub fn in_fallback(f: Option<&Fallback>, t: &TriggerConfig, failures: i32) -> bool {
    fallback_enabled(f, t) && f.is_some_and(|f| failures > f.failure_threshold)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaviors_pick_the_replica_count() {
        let f = |b| Fallback {
            failure_threshold: 3,
            replicas: 5,
            behavior: Some(b),
        };
        assert_eq!(fallback_replicas(&f(FallbackBehavior::Static), 2), 5);
        assert_eq!(
            fallback_replicas(&f(FallbackBehavior::CurrentReplicas), 2),
            2
        );
        assert_eq!(
            fallback_replicas(&f(FallbackBehavior::CurrentReplicasIfHigher), 7),
            7
        );
        assert_eq!(
            fallback_replicas(&f(FallbackBehavior::CurrentReplicasIfLower), 7),
            5
        );
    }

    #[test]
    fn synthetic_value_truncates_the_target_like_keda() {
        assert_eq!(
            synthetic_metric(TargetType::AverageValue, 12_500, 4, 3),
            48_000
        );
        assert_eq!(synthetic_metric(TargetType::Value, 10_000, 4, 2), 20_000);
    }
}
