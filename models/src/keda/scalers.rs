//! The scalers, pure: an observation of the outside world (offsets, a list length, a query
//! value, the wall clock) in, `(metric value in milli-units, isActive)` out, or the scaler's
//! error (KEDA `GetMetricsAndActivity` of each scaler; hpa-spec 8.5, 8.9).
//!
//! - kafka: [`super::kafka::kafka_reading`]; metric = capped lag, active iff
//!   lag-with-persistent > activationLagThreshold.
//! - redis (list): metric = list length, active iff length > activationListLength.
//! - prometheus: metric = the query value (milli-units truncated, `GenerateMetricInMili`),
//!   active iff value > activationThreshold; an empty result or ±Inf reads as 0 with
//!   `ignoreNullValues` (default), else it is an error.
//! - cron: active iff the wall clock is inside [start, end) of the schedules in the trigger's
//!   time zone (KEDA compares the next start and the next end after now, robfig/cron
//!   semantics); metric = desiredReplicas when active, else 1; target AverageValue 1.
//! - cpu / memory: no KEDA value (the HPA reads metrics-server); always active.

use super::kafka::{kafka_reading, KafkaReading, KafkaState, PartitionOffsets};
use super::triggers::{CronMetadata, ScalerMetadata, TriggerConfig};
use chrono::{DateTime, TimeZone, Utc};

/// What the world shows a trigger at one read.
#[derive(Clone, Debug, PartialEq)]
pub enum Observation {
    /// Kafka partition offsets.
    Kafka(Vec<PartitionOffsets>),
    /// Redis list length.
    Redis {
        /// `LLEN`.
        list_length: i64,
    },
    /// Prometheus query result; `None` = empty result.
    Prometheus {
        /// The value.
        value: Option<f64>,
    },
    /// The wall clock, for cron triggers.
    Cron {
        /// Now, UTC.
        now: DateTime<Utc>,
    },
    /// cpu / memory: nothing for KEDA to read.
    Resource,
    /// The scaler fails with this message.
    Error(String),
}

/// A scaler's answer.
#[derive(Clone, Debug, PartialEq)]
pub struct ScalerReading {
    /// The metric value [milli-units]; `None` for cpu/memory triggers.
    pub metric_milli: Option<i64>,
    /// Whether the trigger is active.
    pub active: bool,
    /// The Kafka totals, for Kafka triggers.
    pub kafka: Option<KafkaReading>,
}

/// Reads trigger `t` given the observation; `kafka` is the trigger's Kafka memory.
pub fn read_trigger(
    t: &TriggerConfig,
    obs: &Observation,
    kafka: &mut KafkaState,
) -> Result<ScalerReading, String> {
    let plain = |milli: i64, active: bool| ScalerReading {
        metric_milli: Some(milli),
        active,
        kafka: None,
    };
    match (&t.scaler, obs) {
        (_, Observation::Error(e)) => Err(e.clone()),
        (ScalerMetadata::Kafka(m), Observation::Kafka(parts)) => {
            let r = kafka_reading(m, parts, kafka);
            Ok(ScalerReading {
                metric_milli: Some(r.metric.saturating_mul(1000)),
                active: r.active,
                kafka: Some(r),
            })
        }
        (ScalerMetadata::Redis(m), Observation::Redis { list_length }) => Ok(plain(
            list_length.saturating_mul(1000),
            *list_length > m.activation_list_length,
        )),
        (ScalerMetadata::Prometheus(m), Observation::Prometheus { value }) => {
            let v =
                match value {
                    Some(v) if v.is_infinite() && m.ignore_null_values => 0.0,
                    Some(v) if v.is_infinite() => {
                        return Err(format!("prometheus query returns {v}"));
                    }
                    Some(v) => *v,
                    None if m.ignore_null_values => 0.0,
                    None => return Err(
                        "prometheus metrics 'prometheus' target may be lost, the result is empty"
                            .into(),
                    ),
                };
            Ok(plain((v * 1000.0) as i64, v > m.activation_threshold))
        }
        (ScalerMetadata::Cron(m), Observation::Cron { now }) => {
            let active = cron_active(m, *now)?;
            let replicas = if active { m.desired_replicas } else { 1 };
            Ok(plain(replicas.saturating_mul(1000), active))
        }
        (ScalerMetadata::Resource(_), _) => Ok(ScalerReading {
            metric_milli: None,
            active: true,
            kafka: None,
        }),
        (_, other) => Err(format!(
            "observation {} does not fit the {} trigger",
            observation_kind(other),
            t.type_
        )),
    }
}

/// The trigger type an observation is for.
pub fn observation_kind(o: &Observation) -> &'static str {
    match o {
        Observation::Kafka(_) => "kafka",
        Observation::Redis { .. } => "redis",
        Observation::Prometheus { .. } => "prometheus",
        Observation::Cron { .. } => "cron",
        Observation::Resource => "cpu/memory",
        Observation::Error(_) => "error",
    }
}

/// Whether `now` is inside the cron window: KEDA takes the next start and the next end strictly
/// after now (whole seconds) and is inactive iff `nextStart < nextEnd && now < nextStart`, active
/// iff `now <= nextEnd` otherwise. That is the half-open window [start, end).
pub fn cron_active(m: &CronMetadata, now: DateTime<Utc>) -> Result<bool, String> {
    let secs = now.timestamp();
    let local = m
        .timezone
        .timestamp_opt(secs, 0)
        .single()
        .ok_or("time outside the time zone's range")?;
    let next = |c: &croner::Cron, what: &str| {
        c.find_next_occurrence(&local, false)
            .map(|t| t.timestamp())
            .map_err(|e| format!("error computing the next {what} time: {e}"))
    };
    let start = next(&m.start, "start")?;
    let end = next(&m.end, "end")?;
    Ok(if start < end && secs < start {
        false
    } else {
        secs <= end
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keda::spec::ScaleTrigger;
    use crate::keda::triggers::compile_trigger;

    fn cron() -> TriggerConfig {
        let t: ScaleTrigger = serde_saphyr::from_str(
            "type: cron\nmetadata: {timezone: Europe/Berlin, start: 0 8 * * *, end: 0 18 * * *, desiredReplicas: 6}",
        )
        .unwrap();
        compile_trigger(&t, 0, "t").unwrap()
    }

    fn at(s: &str) -> Observation {
        Observation::Cron {
            now: s.parse().unwrap(),
        }
    }

    #[test]
    fn cron_window_is_half_open_in_the_trigger_time_zone() {
        let c = cron();
        let mut k = KafkaState::default();
        let read = |o: &Observation, k: &mut KafkaState| read_trigger(&c, o, k).unwrap();
        // 08:00 Berlin in January is 07:00 UTC.
        assert!(!read(&at("2026-01-05T06:59:59Z"), &mut k).active);
        let r = read(&at("2026-01-05T07:00:00Z"), &mut k);
        assert!(r.active);
        assert_eq!(r.metric_milli, Some(6000));
        assert!(read(&at("2026-01-05T16:59:59Z"), &mut k).active);
        let r = read(&at("2026-01-05T17:00:00Z"), &mut k);
        assert!(!r.active);
        assert_eq!(r.metric_milli, Some(1000));
    }

    #[test]
    fn cron_window_follows_the_trigger_time_zone_across_a_daylight_saving_change() {
        let c = cron();
        let mut k = KafkaState::default();
        let active = |t: &str, k: &mut KafkaState| read_trigger(&c, &at(t), k).unwrap().active;
        // Saturday 2026-03-28, CET (UTC+1): 08:00–18:00 local is 07:00–17:00 UTC.
        assert!(!active("2026-03-28T06:59:59Z", &mut k));
        assert!(active("2026-03-28T07:00:00Z", &mut k));
        assert!(!active("2026-03-28T17:00:00Z", &mut k));
        // Sunday 2026-03-29, clocks forward at 02:00: CEST (UTC+2), so 06:00–16:00 UTC.
        assert!(!active("2026-03-29T05:59:59Z", &mut k));
        assert!(active("2026-03-29T06:00:00Z", &mut k));
        assert!(active("2026-03-29T15:59:59Z", &mut k));
        assert!(!active("2026-03-29T16:00:00Z", &mut k));
        // Sunday 2026-10-25, back to CET: 07:00–17:00 UTC again.
        assert!(!active("2026-10-25T06:59:59Z", &mut k));
        assert!(active("2026-10-25T07:00:00Z", &mut k));
        assert!(active("2026-10-25T16:59:59Z", &mut k));
    }
}
