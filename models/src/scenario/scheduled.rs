//! The `scheduled_scaling:` block: day and time rules that raise the HPA's `minReplicas` ahead
//! of known peaks, in an IANA time zone, as a CronJob running `kubectl patch hpa` would (see
//! [`crate::scheduled`] for the calendar semantics).
//!
//! ```yaml
//! scheduled_scaling:
//!   timezone: Europe/Berlin
//!   clock_start: "2026-03-27T00:00:00Z"   # the wall-clock instant of simulated time 0
//!   rules:
//!     - {name: business-hours, days: [weekdays], from: "07:45", to: "18:00", min_replicas: 10}
//! ```

use super::{Scenario, SpecError};
use crate::scheduled::{parse_days, parse_time, parse_tz, Schedule, ScheduleRule};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Scheduled floors for the HPA's `minReplicas`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduledScaling {
    /// IANA time zone the rules' times are read in, config (`Europe/Berlin`, `UTC`).
    pub timezone: String,
    /// Wall-clock instant of simulated time 0 (RFC 3339, `2026-03-27T00:00:00Z`), config.
    pub clock_start: String,
    /// The rules, config.
    pub rules: Vec<RuleSpec>,
}

/// One rule as written.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Rule name, config (events name it).
    pub name: String,
    /// Days the window starts on, config: `mon` … `sun`, `weekdays`, `weekends`, `daily`.
    /// Default every day.
    #[serde(default)]
    pub days: Vec<String>,
    /// Window start [HH:MM local], config.
    pub from: String,
    /// Window end [HH:MM local], config; at or before `from`: the next day.
    pub to: String,
    /// `minReplicas` while the window is open [replicas], config.
    pub min_replicas: u32,
}

/// The compiled block: the calendar and the wall-clock instant of simulated time 0.
#[derive(Clone, Debug, PartialEq)]
pub struct ScheduledConfig {
    /// The rules in their time zone.
    pub schedule: Schedule,
    /// Wall-clock instant of simulated time 0.
    pub clock_start: DateTime<Utc>,
}

/// Compiles `s.scheduled_scaling`; every error is located by parameter path.
pub fn compile(s: &Scenario) -> Result<Option<ScheduledConfig>, Vec<SpecError>> {
    let Some(b) = &s.scheduled_scaling else {
        return Ok(None);
    };
    let p = "scheduled_scaling";
    let mut errors = Vec::new();
    let tz = parse_tz(&b.timezone)
        .map_err(|e| errors.push(SpecError::at_path(format!("{p}.timezone"), e)))
        .ok();
    let clock_start = b
        .clock_start
        .parse::<DateTime<Utc>>()
        .map_err(|_| {
            errors.push(
                SpecError::at_path(
                    format!("{p}.clock_start"),
                    format!("`{}` is not an RFC 3339 instant", b.clock_start),
                )
                .with_hint("write the wall-clock start of the run, e.g. \"2026-03-27T00:00:00Z\""),
            )
        })
        .ok();
    if b.rules.is_empty() {
        errors.push(
            SpecError::at_path(format!("{p}.rules"), "needs at least one rule").with_hint(
                "{name, days: [weekdays], from: \"08:00\", to: \"18:00\", min_replicas: 10}",
            ),
        );
    }
    let max = s.hpa.as_ref().map(|h| h.spec.max_replicas);
    if s.hpa.is_none() || s.scaled_object.is_some() {
        errors.push(
            SpecError::at_path(p, "scheduled scaling raises an HPA's minReplicas: the scenario has no HPA of its own")
                .with_hint("add an autoscaling/v2 HorizontalPodAutoscaler (with KEDA, use its cron trigger instead)"),
        );
    }
    let mut rules = Vec::new();
    for (i, r) in b.rules.iter().enumerate() {
        let here = format!("{p}.rules[{i}]");
        let from = parse_time(&r.from)
            .map_err(|e| errors.push(SpecError::at_path(format!("{here}.from"), e)));
        let to =
            parse_time(&r.to).map_err(|e| errors.push(SpecError::at_path(format!("{here}.to"), e)));
        let days = parse_days(&r.days)
            .map_err(|e| errors.push(SpecError::at_path(format!("{here}.days"), e)));
        if let Some(max) = max {
            if i64::from(r.min_replicas) > i64::from(max) {
                errors.push(
                    SpecError::at_path(
                        format!("{here}.min_replicas"),
                        format!("{} is above the HPA's maxReplicas ({max})", r.min_replicas),
                    )
                    .with_hint("the API server refuses minReplicas > maxReplicas: lower it or raise maxReplicas"),
                );
            }
        }
        if r.min_replicas == 0 {
            errors.push(
                SpecError::at_path(format!("{here}.min_replicas"), "must be at least 1")
                    .with_hint("a floor of 0 raises nothing; drop the rule"),
            );
        }
        if let (Ok(from), Ok(to), Ok(days)) = (from, to, days) {
            rules.push(ScheduleRule {
                name: r.name.clone(),
                days,
                from,
                to,
                min_replicas: r.min_replicas,
            });
        }
    }
    match (tz, clock_start, errors.is_empty()) {
        (Some(tz), Some(clock_start), true) => Ok(Some(ScheduledConfig {
            schedule: Schedule { tz, rules },
            clock_start,
        })),
        _ => Err(errors),
    }
}

/// The problems of `s.scheduled_scaling`, for the validation pass.
pub fn validate(s: &Scenario) -> Vec<SpecError> {
    compile(s).err().unwrap_or_default()
}
