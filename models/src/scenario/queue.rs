//! The message queue of a scenario: a broker (a Kafka topic, or a Redis list used as a work
//! queue) fed by the workload's arrival process, and the pods as its consumers.
//!
//! With `queue:` the arrivals are produced messages instead of HTTP requests; each pod is a
//! consumer that fetches messages, processes each with the `service` demand (CPU and I/O, and
//! the database queries if any) and acknowledges or commits it. Latency columns then measure
//! the end-to-end delay from produce to processed.

use super::units::{Duration, Quantity};
use serde::{Deserialize, Serialize};

/// The broker and how the pods consume from it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "broker", rename_all = "snake_case")]
pub enum Queue {
    /// A Kafka topic consumed by a consumer group (one consumer per pod).
    Kafka(KafkaSpec),
    /// A Redis list used as a work queue: competing consumers pop from its head.
    RedisList(RedisListSpec),
}

impl Queue {
    /// Consumer crashes, for either broker.
    pub fn crashes(&self) -> Option<&Crashes> {
        match self {
            Queue::Kafka(k) => k.consumer.crashes.as_ref(),
            Queue::RedisList(r) => r.crashes.as_ref(),
        }
    }
}

/// A Kafka topic, its producer and its consumer group.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KafkaSpec {
    /// Topic name, config (names the lag metrics). Default `events`.
    #[serde(default = "default_topic")]
    pub topic: String,
    /// Partitions of the topic, config.
    pub partitions: u32,
    /// How produced messages are spread over the partitions.
    #[serde(default)]
    pub producer: ProducerSpec,
    /// The consumer group (the pods).
    #[serde(default)]
    pub consumer: KafkaConsumerSpec,
}

fn default_topic() -> String {
    "events".into()
}

/// The producer side.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProducerSpec {
    /// `round_robin` (no key), `random` (no key, uniform), or `key_hash` (a key drawn from
    /// `keys` distinct keys, partition = hash(key) mod partitions), config. Default round_robin.
    #[serde(default)]
    pub partitioner: Partitioner,
    /// Distinct message keys for `key_hash`, config. Default 1000.
    #[serde(default = "default_keys")]
    pub keys: u32,
    /// Zipf exponent of key popularity for `key_hash` (0 = uniform), config. Default 0.
    #[serde(default)]
    pub key_skew: f64,
    /// Size of one message [bytes], config. Default 1 KiB. Bounds the records one fetch takes
    /// from a partition (`max_partition_fetch_bytes`).
    #[serde(default = "default_message_size")]
    pub message_size: Quantity,
}

impl Default for ProducerSpec {
    fn default() -> Self {
        ProducerSpec {
            partitioner: Partitioner::default(),
            keys: default_keys(),
            key_skew: 0.0,
            message_size: default_message_size(),
        }
    }
}

fn default_keys() -> u32 {
    1000
}
fn default_message_size() -> Quantity {
    Quantity::from_value(1024.0)
}

/// How a producer picks a partition.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Partitioner {
    /// Partition `n mod partitions` for the n-th message.
    #[default]
    RoundRobin,
    /// A uniformly random partition per message.
    Random,
    /// `hash(key) mod partitions`, the key drawn per message.
    KeyHash,
}

/// The consumer group.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KafkaConsumerSpec {
    /// `group.id`, config (names the lag metrics). Default `consumers`.
    #[serde(default = "default_group")]
    pub group: String,
    /// `partition.assignment.strategy`: `range`, `round_robin` (eager protocol: every member
    /// stops during a rebalance) or `cooperative_sticky` (only moved partitions stop), config.
    /// Default range.
    #[serde(default)]
    pub assignment: Assignment,
    /// Consumption stops this long at each rebalance [s], config. Default 3 s.
    #[serde(default = "default_rebalance_pause")]
    pub rebalance_pause: Duration,
    /// `session.timeout.ms` [s], config: a crashed consumer keeps its partitions this long.
    /// Default 45 s.
    #[serde(default = "default_session_timeout")]
    pub session_timeout: Duration,
    /// `max.poll.records`, config: records one poll returns. Default 500.
    #[serde(default = "default_max_poll_records")]
    pub max_poll_records: u32,
    /// `max.partition.fetch.bytes` [bytes], config: bytes one poll takes from one partition
    /// (at least one record). Default 1 MiB.
    #[serde(default = "default_fetch_bytes")]
    pub max_partition_fetch_bytes: Quantity,
    /// `auto.commit.interval.ms` [s], config: processed offsets are committed at the first
    /// poll this long after the previous commit. Default 5 s.
    #[serde(default = "default_commit_interval")]
    pub commit_interval: Duration,
    /// `auto.offset.reset`: where a consumer starts in a partition with no committed offset,
    /// `latest` (skips what is there) or `earliest`, config. Default latest (Kafka's default).
    #[serde(default)]
    pub auto_offset_reset: OffsetReset,
    /// Consumer crashes, config. Default none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crashes: Option<Crashes>,
}

impl Default for KafkaConsumerSpec {
    fn default() -> Self {
        KafkaConsumerSpec {
            group: default_group(),
            assignment: Assignment::default(),
            rebalance_pause: default_rebalance_pause(),
            session_timeout: default_session_timeout(),
            max_poll_records: default_max_poll_records(),
            max_partition_fetch_bytes: default_fetch_bytes(),
            commit_interval: default_commit_interval(),
            auto_offset_reset: OffsetReset::default(),
            crashes: None,
        }
    }
}

fn default_group() -> String {
    "consumers".into()
}
fn default_rebalance_pause() -> Duration {
    Duration::from_secs(3.0)
}
fn default_session_timeout() -> Duration {
    Duration::from_secs(45.0)
}
fn default_max_poll_records() -> u32 {
    500
}
fn default_fetch_bytes() -> Quantity {
    Quantity::from_value(1_048_576.0)
}
fn default_commit_interval() -> Duration {
    Duration::from_secs(5.0)
}

/// Partition assignment strategy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Assignment {
    /// `RangeAssignor`: contiguous ranges, the first `partitions mod members` get one more.
    #[default]
    Range,
    /// `RoundRobinAssignor`: partition i to member i mod members.
    RoundRobin,
    /// `CooperativeStickyAssignor`: balanced, keeping current owners where possible; only
    /// moved partitions stop during a rebalance.
    CooperativeSticky,
}

/// `auto.offset.reset`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OffsetReset {
    /// Start at the high-water mark.
    #[default]
    Latest,
    /// Start at the oldest retained message.
    Earliest,
}

/// A Redis list as a work queue.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedisListSpec {
    /// List name, config (names the length metric). Default `tasks`.
    #[serde(default = "default_list")]
    pub list: String,
    /// Messages a pod holds at once (in service plus fetched ahead), config. Default: the
    /// pods' `concurrency`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefetch: Option<u32>,
    /// Consumer crashes, config. Default none. A crashed pod's messages go back to the head of
    /// the list (a reliable-queue pattern) and are processed again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crashes: Option<Crashes>,
}

fn default_list() -> String {
    "tasks".into()
}

/// Consumer crashes: the container dies, in-flight work is lost, the ReplicaSet replaces the
/// pod (a cold start).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Crashes {
    /// Mean time between crashes of one Ready consumer pod [s] (exponential), config.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean_time_between: Option<Duration>,
    /// Fixed instants [s] at which the oldest Ready consumer pod crashes, config.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub at: Vec<Duration>,
}

/// What the model cannot run: zero partitions, zero fetch sizes, non-positive times, and
/// request-only settings (client timeouts) on consumers. Errors carry parameter paths.
pub fn validate(s: &super::Scenario) -> Vec<super::SpecError> {
    use super::SpecError;
    let Some(q) = &s.queue else {
        return Vec::new();
    };
    let mut errors = Vec::new();
    let mut fail = |path: &str, message: String, hint: &str| {
        let e = SpecError::at_path(path, message);
        errors.push(if hint.is_empty() {
            e
        } else {
            e.with_hint(hint)
        });
    };
    let positive = |d: Duration| d.secs().is_finite() && d.secs() > 0.0;
    if s.pods.timeout.is_some() {
        fail(
            "pods.timeout",
            "a client timeout does not apply to queue consumers".into(),
            "remove pods.timeout: messages wait in the broker until a consumer takes them",
        );
    }
    if s.pods.max_queue.is_some() {
        fail(
            "pods.max_queue",
            "a local request queue does not apply to queue consumers".into(),
            "remove pods.max_queue: consumers take messages from the broker when they have room (see queue.prefetch)",
        );
    }
    match q {
        Queue::Kafka(k) => {
            if k.partitions == 0 {
                fail(
                    "queue.partitions",
                    "must be at least 1, got 0".into(),
                    "a topic has one partition or more",
                );
            }
            if s.pods.concurrency != 1 {
                fail(
                    "pods.concurrency",
                    format!(
                        "a Kafka consumer processes its records one at a time, got concurrency {}",
                        s.pods.concurrency
                    ),
                    "set pods.concurrency: 1 (one poll loop per pod); scale with partitions and replicas",
                );
            }
            let p = &k.producer;
            if p.partitioner == Partitioner::KeyHash && p.keys == 0 {
                fail(
                    "queue.producer.keys",
                    "must be at least 1 with the key_hash partitioner, got 0".into(),
                    "",
                );
            }
            if !p.key_skew.is_finite() || p.key_skew < 0.0 {
                fail(
                    "queue.producer.key_skew",
                    format!("must be zero or positive, got {}", p.key_skew),
                    "0 means every key is equally likely; 1 is a classic Zipf skew",
                );
            }
            if !p.message_size.value().is_finite() || p.message_size.value() <= 0.0 {
                fail(
                    "queue.producer.message_size",
                    format!("must be positive, got {}", p.message_size.value()),
                    "",
                );
            }
            let c = &k.consumer;
            if c.max_poll_records == 0 {
                fail(
                    "queue.consumer.max_poll_records",
                    "must be at least 1, got 0".into(),
                    "Kafka's default is 500",
                );
            }
            if !c.max_partition_fetch_bytes.value().is_finite()
                || c.max_partition_fetch_bytes.value() <= 0.0
            {
                fail(
                    "queue.consumer.max_partition_fetch_bytes",
                    "must be positive".into(),
                    "Kafka's default is 1Mi",
                );
            }
            for (name, d) in [
                ("commit_interval", c.commit_interval),
                ("session_timeout", c.session_timeout),
            ] {
                if !positive(d) {
                    fail(
                        &format!("queue.consumer.{name}"),
                        format!("must be longer than zero, got {d}"),
                        "",
                    );
                }
            }
            if !c.rebalance_pause.secs().is_finite() || c.rebalance_pause.secs() < 0.0 {
                fail(
                    "queue.consumer.rebalance_pause",
                    format!("must be zero or longer, got {}", c.rebalance_pause),
                    "",
                );
            }
        }
        Queue::RedisList(r) => {
            if r.prefetch == Some(0) {
                fail(
                    "queue.prefetch",
                    "must be at least 1, got 0".into(),
                    "a consumer holds at least the message it processes",
                );
            }
        }
    }
    if let Some(c) = q.crashes() {
        let base = match q {
            Queue::Kafka(_) => "queue.consumer.crashes",
            Queue::RedisList(_) => "queue.crashes",
        };
        if let Some(m) = c.mean_time_between {
            if !positive(m) {
                fail(
                    &format!("{base}.mean_time_between"),
                    format!("must be longer than zero, got {m}"),
                    "",
                );
            }
        }
        for (i, t) in c.at.iter().enumerate() {
            if !t.secs().is_finite() || t.secs() < 0.0 {
                fail(
                    &format!("{base}.at[{i}]"),
                    format!("must be zero or later, got {t}"),
                    "",
                );
            }
        }
    }
    errors
}
