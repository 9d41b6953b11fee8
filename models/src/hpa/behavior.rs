//! Pure normalization of the prenormalized desired count: stabilization and rate limits, with
//! the history passed in and `now` as an argument. Every clamp returns its [`Reason`].
//!
//! Legacy path, `spec.behavior` absent (hpa-spec §5):
//! - [`stabilize_legacy`]: H `stabilizeRecommendation` — max over recommendations at or after
//!   `now - window` (`!Before(cutoff)`), then store (reuse the last slot before the cutoff).
//! - [`limit_legacy`]: H `convertDesiredReplicasWithRules` with `calculateScaleUpLimit`
//!   (`max(factor·c, minimum)`).
//!
//! Behavior path (hpa-spec §6):
//! - [`ScalingRules::up`], [`ScalingRules::down`]: DEF `GenerateHPAScaleUpRules`,
//!   `GenerateHPAScaleDownRules`, `copyHPAScalingRules`, and H
//!   `maybeInitScaleDownStabilizationWindow` (the controller flag fills the down window).
//! - [`stabilize_with_behavior`]: H `stabilizeRecommendationWithBehaviors` — windows keep
//!   recommendations strictly after `now - window` (`After(cutoff)`).
//! - [`limit_with_behavior`]: H `convertDesiredReplicasWithBehaviorRate`,
//!   `calculateScaleUpLimitWithScalingRules`, `calculateScaleDownLimitWithBehaviors`,
//!   `getReplicasChangePerPeriod` (events strictly after `now - period`, both directions).
//! - [`History::record_scale`]: H `storeScaleEvent`, `markScaleEventsOutdated`,
//!   `getLongestPolicyPeriod`.

use super::snapshot::{History, Recommendation, ScaleEvent};
use super::spec::{HpaBehavior, HpaScalingPolicy, HpaScalingRules, PolicyType, SelectPolicy};
use hpasim_sim::{SimDuration, SimTime};
use serde::Serialize;
use std::fmt;

/// Why the controller chose its count (condition reasons of upstream, plus the two bypasses).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Reason {
    /// Rate limit bound a scale-up.
    ScaleUpLimit,
    /// Rate limit bound a scale-down.
    ScaleDownLimit,
    /// `maxReplicas` bound.
    TooManyReplicas,
    /// `minReplicas` bound.
    TooFewReplicas,
    /// The up window held the count below the recommendation.
    ScaleUpStabilized,
    /// The down window (or the legacy max) held the count above the recommendation.
    ScaleDownStabilized,
    /// No clamp applied.
    DesiredWithinRange,
    /// `currentReplicas == 0` and `minReplicas > 0`: autoscaling is off.
    ScalingDisabled,
    /// Metrics missing or invalid: no change (hpa-spec 4.2).
    InvalidMetrics,
    /// Current above `maxReplicas`: jump to it, no metrics (upstream rescale reason
    /// "Current number of replicas above Spec.MaxReplicas").
    CurrentAboveMaxReplicas,
    /// Current below `minReplicas`: jump to it, no metrics ("... below Spec.MinReplicas").
    CurrentBelowMinReplicas,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// A count and the reason it has that value.
pub type Limited = (i32, Reason);

fn older_than(at: SimTime, now: SimTime, window: SimDuration) -> bool {
    // Go `at.Before(now - window)`; a cutoff before time zero keeps everything.
    now.0
        .checked_sub(window.0)
        .is_some_and(|cutoff| at.0 < cutoff)
}

fn newer_than(at: SimTime, now: SimTime, window: SimDuration) -> bool {
    // Go `at.After(now - window)`.
    now.0
        .checked_sub(window.0)
        .is_none_or(|cutoff| at.0 > cutoff)
}

/// Stores `rec` over `slot`, or appends it.
fn store(recs: &mut Vec<Recommendation>, slot: Option<usize>, rec: Recommendation) {
    match slot {
        Some(i) => recs[i] = rec,
        None => recs.push(rec),
    }
}

/// Legacy stabilization (5.1): `(stabilized, ScaleDownStabilized | DesiredWithinRange)`.
pub fn stabilize_legacy(
    history: &mut History,
    desired: i32,
    window: SimDuration,
    now: SimTime,
) -> Limited {
    let recs = history.recommendations.get_or_insert_with(Vec::new);
    let (mut max, mut old) = (desired, None);
    for (i, r) in recs.iter().enumerate() {
        if older_than(r.at, now, window) {
            old = Some(i);
        } else if r.replicas > max {
            max = r.replicas;
        }
    }
    store(
        recs,
        old,
        Recommendation {
            replicas: desired,
            at: now,
        },
    );
    let reason = if max != desired {
        Reason::ScaleDownStabilized
    } else {
        Reason::DesiredWithinRange
    };
    (max, reason)
}

/// Legacy clamp (5.2): `[minReplicas, min(maxReplicas, max(factor·c, minimum))]`.
pub fn limit_legacy(
    current: i32,
    desired: i32,
    min: i32,
    max: i32,
    factor: f64,
    minimum: f64,
) -> Limited {
    let cap = (factor * f64::from(current)).max(minimum) as i32;
    let (upper, upper_reason) = if max > cap {
        (cap, Reason::ScaleUpLimit)
    } else {
        (max, Reason::TooManyReplicas)
    };
    if desired < min {
        (min, Reason::TooFewReplicas)
    } else if desired > upper {
        (upper, upper_reason)
    } else {
        (desired, Reason::DesiredWithinRange)
    }
}

/// One direction's rules with the API defaults applied (6.1).
#[derive(Clone, Debug, PartialEq)]
pub struct ScalingRules {
    /// Stabilization window.
    pub window: SimDuration,
    /// How policies combine.
    pub select: SelectPolicy,
    /// Policies.
    pub policies: Vec<HpaScalingPolicy>,
    /// Tolerance from the spec, if set.
    pub tolerance: Option<f64>,
}

fn policy(type_: PolicyType, value: i32, period_seconds: i32) -> HpaScalingPolicy {
    HpaScalingPolicy {
        type_,
        value,
        period_seconds,
    }
}

fn secs(s: i32) -> SimDuration {
    SimDuration::from_secs(u64::try_from(s).unwrap_or(0))
}

impl ScalingRules {
    fn with_defaults(
        rules: Option<&HpaScalingRules>,
        window: SimDuration,
        policies: Vec<HpaScalingPolicy>,
    ) -> ScalingRules {
        let r = rules.cloned().unwrap_or_default();
        ScalingRules {
            window: r.stabilization_window_seconds.map_or(window, secs),
            select: r.select_policy.unwrap_or(SelectPolicy::Max),
            policies: r.policies.unwrap_or(policies),
            tolerance: r.tolerance.map(|q| q.value()),
        }
    }

    /// Scale-up rules: window 0, Max, `[Pods 4/15 s, Percent 100/15 s]` by default.
    pub fn up(b: &HpaBehavior) -> ScalingRules {
        let defaults = vec![
            policy(PolicyType::Pods, 4, 15),
            policy(PolicyType::Percent, 100, 15),
        ];
        Self::with_defaults(b.scale_up.as_ref(), SimDuration::ZERO, defaults)
    }

    /// Scale-down rules: window = the controller flag, Max, `[Percent 100/15 s]` by default.
    pub fn down(b: &HpaBehavior, downscale_window: SimDuration) -> ScalingRules {
        let defaults = vec![policy(PolicyType::Percent, 100, 15)];
        Self::with_defaults(b.scale_down.as_ref(), downscale_window, defaults)
    }

    fn longest_period(&self) -> SimDuration {
        secs(
            self.policies
                .iter()
                .map(|p| p.period_seconds)
                .max()
                .unwrap_or(0),
        )
    }
}

/// Behavior stabilization (6.2): `(stabilized, ScaleUpStabilized | ScaleDownStabilized |
/// DesiredWithinRange)`; stores `desired` in the shared list.
pub fn stabilize_with_behavior(
    history: &mut History,
    current: i32,
    desired: i32,
    up: &ScalingRules,
    down: &ScalingRules,
    now: SimTime,
) -> Limited {
    let recs = history.recommendations.get_or_insert_with(Vec::new);
    let (mut up_rec, mut down_rec, mut old) = (desired, desired, None);
    for (i, r) in recs.iter().enumerate() {
        if newer_than(r.at, now, up.window) {
            up_rec = up_rec.min(r.replicas);
        }
        if newer_than(r.at, now, down.window) {
            down_rec = down_rec.max(r.replicas);
        }
        if older_than(r.at, now, up.window) && older_than(r.at, now, down.window) {
            old = Some(i);
        }
    }
    let stabilized = current.max(up_rec).min(down_rec);
    store(
        recs,
        old,
        Recommendation {
            replicas: desired,
            at: now,
        },
    );
    let reason = if stabilized == desired {
        Reason::DesiredWithinRange
    } else if desired >= current {
        Reason::ScaleUpStabilized
    } else {
        Reason::ScaleDownStabilized
    };
    (stabilized, reason)
}

fn change_in_period(events: &[ScaleEvent], period: SimDuration, now: SimTime) -> i32 {
    events
        .iter()
        .filter(|e| newer_than(e.at, now, period))
        .map(|e| e.replicas)
        .sum()
}

fn period_start(history: &History, p: &HpaScalingPolicy, current: i32, now: SimTime) -> i32 {
    let period = secs(p.period_seconds);
    current - change_in_period(&history.scale_up_events, period, now)
        + change_in_period(&history.scale_down_events, period, now)
}

/// The highest count the scale-up policies allow now (6.4).
pub fn scale_up_limit(history: &History, current: i32, rules: &ScalingRules, now: SimTime) -> i32 {
    let proposals = rules.policies.iter().map(|p| {
        let start = period_start(history, p, current, now);
        match p.type_ {
            PolicyType::Pods => start + p.value,
            PolicyType::Percent => {
                (f64::from(start) * (1.0 + f64::from(p.value) / 100.0)).ceil() as i32
            }
        }
    });
    match rules.select {
        SelectPolicy::Disabled => current,
        SelectPolicy::Min => proposals.fold(i32::MAX, i32::min),
        SelectPolicy::Max => proposals.fold(i32::MIN, i32::max),
    }
}

/// The lowest count the scale-down policies allow now (6.4).
pub fn scale_down_limit(
    history: &History,
    current: i32,
    rules: &ScalingRules,
    now: SimTime,
) -> i32 {
    let proposals = rules.policies.iter().map(|p| {
        let start = period_start(history, p, current, now);
        match p.type_ {
            PolicyType::Pods => start - p.value,
            PolicyType::Percent => (f64::from(start) * (1.0 - f64::from(p.value) / 100.0)) as i32,
        }
    });
    match rules.select {
        SelectPolicy::Disabled => current,
        SelectPolicy::Min => proposals.fold(i32::MIN, i32::max),
        SelectPolicy::Max => proposals.fold(i32::MAX, i32::min),
    }
}

/// Behavior rate limits and bounds (6.3) applied to the stabilized count.
#[allow(clippy::too_many_arguments)]
pub fn limit_with_behavior(
    history: &History,
    current: i32,
    desired: i32,
    min: i32,
    max: i32,
    up: &ScalingRules,
    down: &ScalingRules,
    now: SimTime,
) -> Limited {
    if desired > current {
        let limit = scale_up_limit(history, current, up, now).max(current);
        let (allowed, reason) = if max > limit {
            (limit, Reason::ScaleUpLimit)
        } else {
            (max, Reason::TooManyReplicas)
        };
        if desired > allowed {
            return (allowed, reason);
        }
    } else if desired < current {
        let limit = scale_down_limit(history, current, down, now).min(current);
        let (allowed, reason) = if min < limit {
            (limit, Reason::ScaleDownLimit)
        } else {
            (min, Reason::TooFewReplicas)
        };
        if desired < allowed {
            return (allowed, reason);
        }
    }
    (desired, Reason::DesiredWithinRange)
}

impl History {
    /// Seeds the recommendations with `(current, now)` if never reconciled (1.3 step 2).
    pub fn record_initial(&mut self, current: i32, now: SimTime) {
        if self.recommendations.is_none() {
            self.recommendations = Some(vec![Recommendation {
                replicas: current,
                at: now,
            }]);
        }
    }

    /// Records a successful scale from `old` to `new` (6.5); does nothing on the legacy path
    /// (`behavior == None`) or when the count did not change.
    pub fn record_scale(
        &mut self,
        behavior: Option<&HpaBehavior>,
        downscale_window: SimDuration,
        old: i32,
        new: i32,
        now: SimTime,
    ) {
        let Some(b) = behavior else { return };
        let (events, rules) = if new > old {
            (&mut self.scale_up_events, ScalingRules::up(b))
        } else if new < old {
            (
                &mut self.scale_down_events,
                ScalingRules::down(b, downscale_window),
            )
        } else {
            return;
        };
        let longest = rules.longest_period();
        let mut slot = None;
        for (i, e) in events.iter_mut().enumerate() {
            if older_than(e.at, now, longest) {
                e.outdated = true;
            }
            if e.outdated {
                slot = Some(i);
            }
        }
        let event = ScaleEvent {
            replicas: (new - old).abs(),
            at: now,
            outdated: false,
        };
        match slot {
            Some(i) => events[i] = event,
            None => events.push(event),
        }
    }
}
