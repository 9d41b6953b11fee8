//! The Kafka scaler's arithmetic (hpa-spec 8.9; `kafka_scaler.go` `getLagForPartition`,
//! `getTotalLag`, `getNextFactorThatBalancesConsumersToTopicPartitions`,
//! `GetMetricsAndActivity`), pure: the offsets come in, the metric and activity come out; the
//! scaler's memory of previous committed offsets (`excludePersistentLag`) is a [`KafkaState`]
//! passed `&mut`.

use super::triggers::{KafkaMetadata, OffsetResetPolicy};
use serde::Serialize;
use std::collections::BTreeMap;

/// One partition as the scaler sees it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PartitionOffsets {
    /// Topic (may be empty when the trigger names one topic).
    pub topic: String,
    /// Partition id.
    pub id: i32,
    /// High-water mark from the latest-offset response; `None` = the partition is absent from
    /// it (lag 0, not counted among the partitions).
    pub latest: Option<i64>,
    /// The group's committed offset; `None` (or -1) = no valid committed offset.
    pub committed: Option<i64>,
}

/// The scaler's memory across polls: the committed offset last seen per (topic, partition),
/// kept only with `excludePersistentLag`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KafkaState {
    /// Previous committed offset by (topic, partition).
    pub previous: BTreeMap<(String, i32), i64>,
}

/// How one partition's lag was computed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PartitionLag {
    /// Topic.
    pub topic: String,
    /// Partition id.
    pub id: i32,
    /// Lag counted in the metric.
    pub lag: i64,
    /// Lag counted for activity.
    pub lag_with_persistent: i64,
    /// The rule applied.
    pub rule: &'static str,
}

/// The result of one `getTotalLag` + `GetMetricsAndActivity`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KafkaReading {
    /// The metric value [messages] after the scaler's own rules (even distribution, cap).
    pub metric: i64,
    /// Whether the trigger is active: `total_lag_with_persistent > activationLagThreshold`.
    pub active: bool,
    /// Σ lag over the partitions present in the latest-offset response (before the cap).
    pub total_lag: i64,
    /// Σ lag-with-persistent (activity).
    pub total_lag_with_persistent: i64,
    /// Partitions present in the latest-offset response.
    pub partitions: i64,
    /// Partitions with lag > 0.
    pub partitions_with_lag: i64,
    /// The factor chosen by ensureEvenDistributionOfPartitions, if it applied.
    pub even_factor: Option<i64>,
    /// The upper bound [partitions] when the cap applied.
    pub capped_at: Option<i64>,
    /// Per partition.
    pub per_partition: Vec<PartitionLag>,
}

/// Divisors of `n`, ascending (KEDA `FindFactors`; none for `n < 1`).
pub fn factors(n: i64) -> Vec<i64> {
    if n < 1 {
        return Vec::new();
    }
    let mut f: Vec<i64> = (1..)
        .take_while(|i| i * i <= n)
        .filter(|i| n % i == 0)
        .flat_map(|i| if i == n / i { vec![i] } else { vec![i, n / i] })
        .collect();
    f.sort_unstable();
    f
}

/// The smallest divisor `f` of `partitions` with `f × threshold ≥ lag`, else `partitions`.
pub fn next_balancing_factor(lag: i64, partitions: i64, threshold: i64) -> i64 {
    factors(partitions)
        .into_iter()
        .find(|f| f.saturating_mul(threshold) >= lag)
        .unwrap_or(partitions)
}

/// One partition's (lag, lag-with-persistent, rule); `latest` is present.
fn partition_lag(
    meta: &KafkaMetadata,
    p: &PartitionOffsets,
    latest: i64,
    state: &mut KafkaState,
) -> (i64, i64, &'static str) {
    let committed = p.committed.filter(|c| *c != -1);
    let Some(c) = committed else {
        return match (
            meta.offset_reset_policy,
            meta.scale_to_zero_on_invalid_offset,
        ) {
            (OffsetResetPolicy::Latest, false) => (1, 1, "invalid offset, policy latest: lag 1"),
            (OffsetResetPolicy::Latest, true) => (
                0,
                0,
                "invalid offset, policy latest, scaleToZeroOnInvalidOffset: lag 0",
            ),
            (OffsetResetPolicy::Earliest, false) => (
                latest,
                latest,
                "invalid offset, policy earliest: lag = latest",
            ),
            (OffsetResetPolicy::Earliest, true) => (
                0,
                0,
                "invalid offset, policy earliest, scaleToZeroOnInvalidOffset: lag 0",
            ),
        };
    };
    if meta.exclude_persistent_lag {
        let key = (p.topic.clone(), p.id);
        match state.previous.get(&key) {
            Some(prev) if *prev == c => {
                return (
                    0,
                    latest - c,
                    "excludePersistentLag: committed offset unchanged, metric lag 0",
                )
            }
            _ => {
                state.previous.insert(key, c);
            }
        }
    }
    (latest - c, latest - c, "lag = latest - committed")
}

/// `getTotalLag` and `GetMetricsAndActivity` over `partitions`. Partitions outside
/// `partitionLimitation` are not asked for (absent).
pub fn kafka_reading(
    meta: &KafkaMetadata,
    partitions: &[PartitionOffsets],
    state: &mut KafkaState,
) -> KafkaReading {
    let mut r = KafkaReading {
        metric: 0,
        active: false,
        total_lag: 0,
        total_lag_with_persistent: 0,
        partitions: 0,
        partitions_with_lag: 0,
        even_factor: None,
        capped_at: None,
        per_partition: Vec::new(),
    };
    for p in partitions {
        if let Some(limit) = &meta.partition_limitation {
            if !limit.contains(&p.id) {
                continue;
            }
        }
        let Some(latest) = p.latest else { continue };
        let (lag, with_persistent, rule) = partition_lag(meta, p, latest, state);
        r.total_lag += lag;
        r.total_lag_with_persistent += with_persistent;
        r.partitions += 1;
        if lag > 0 {
            r.partitions_with_lag += 1;
        }
        r.per_partition.push(PartitionLag {
            topic: p.topic.clone(),
            id: p.id,
            lag,
            lag_with_persistent: with_persistent,
            rule,
        });
    }
    let threshold = meta.lag_threshold.max(1);
    let mut lag = r.total_lag;
    if !meta.allow_idle_consumers
        || meta.limit_to_partitions_with_lag
        || meta.ensure_even_distribution_of_partitions
    {
        let mut upper = r.partitions;
        if meta.ensure_even_distribution_of_partitions {
            let f = next_balancing_factor(lag, r.partitions, threshold);
            r.even_factor = Some(f);
            lag = f * threshold;
        }
        if meta.limit_to_partitions_with_lag {
            upper = r.partitions_with_lag;
        }
        // Go integer division: a lag just above upper × threshold is not capped.
        if lag / threshold > upper {
            lag = upper * threshold;
            r.capped_at = Some(upper);
        }
    }
    r.metric = lag;
    r.active = r.total_lag_with_persistent > meta.activation_lag_threshold;
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> KafkaMetadata {
        KafkaMetadata {
            bootstrap_servers: "b".into(),
            consumer_group: "g".into(),
            topic: Some("t".into()),
            partition_limitation: None,
            lag_threshold: 10,
            activation_lag_threshold: 0,
            offset_reset_policy: OffsetResetPolicy::Latest,
            allow_idle_consumers: false,
            exclude_persistent_lag: false,
            scale_to_zero_on_invalid_offset: false,
            limit_to_partitions_with_lag: false,
            ensure_even_distribution_of_partitions: false,
        }
    }

    fn p(id: i32, latest: i64, committed: i64) -> PartitionOffsets {
        PartitionOffsets {
            topic: "t".into(),
            id,
            latest: Some(latest),
            committed: Some(committed),
        }
    }

    #[test]
    fn factors_are_sorted_divisors() {
        assert_eq!(factors(12), vec![1, 2, 3, 4, 6, 12]);
        assert_eq!(factors(0), Vec::<i64>::new());
        assert_eq!(next_balancing_factor(35, 12, 10), 4);
        assert_eq!(next_balancing_factor(500, 12, 10), 12);
    }

    #[test]
    fn integer_division_gap_leaves_35_uncapped_on_3_partitions() {
        let r = kafka_reading(
            &meta(),
            &[p(0, 20, 0), p(1, 10, 0), p(2, 5, 0)],
            &mut KafkaState::default(),
        );
        assert_eq!((r.total_lag, r.metric, r.capped_at), (35, 35, None));
        let r = kafka_reading(
            &meta(),
            &[p(0, 30, 0), p(1, 10, 0), p(2, 5, 0)],
            &mut KafkaState::default(),
        );
        assert_eq!((r.metric, r.capped_at), (30, Some(3)));
    }
}
