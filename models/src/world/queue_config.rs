//! The scenario's message queue compiled for running.

use crate::scenario::queue::{Assignment, OffsetReset, Partitioner, Queue};
use crate::scenario::Scenario;
use hpasim_sim::SimDuration;

/// Which broker, with its settings.
#[derive(Clone, Debug)]
pub enum BrokerConfig {
    /// A Kafka topic and consumer group.
    Kafka(KafkaConfig),
    /// A Redis list work queue.
    List {
        /// Messages a pod holds at once (in service plus fetched ahead).
        prefetch: u32,
    },
}

/// A compiled Kafka topic and group.
#[derive(Clone, Copy, Debug)]
pub struct KafkaConfig {
    /// Partitions.
    pub partitions: u32,
    /// Producer partitioner.
    pub partitioner: Partitioner,
    /// Distinct keys (key_hash).
    pub keys: u32,
    /// Zipf exponent of key popularity.
    pub key_skew: f64,
    /// Assignment strategy.
    pub assignment: Assignment,
    /// Pause at a rebalance.
    pub rebalance_pause: SimDuration,
    /// Session timeout (crash detection).
    pub session_timeout: SimDuration,
    /// Records per poll.
    pub max_poll_records: u32,
    /// Records one poll takes from one partition (from max.partition.fetch.bytes, ≥ 1).
    pub records_per_partition_fetch: u32,
    /// Auto-commit interval.
    pub commit_interval: SimDuration,
    /// auto.offset.reset.
    pub auto_offset_reset: OffsetReset,
}

/// The queue of a run.
#[derive(Clone, Debug)]
pub struct QueueConfig {
    /// Topic or list name.
    pub name: String,
    /// Consumer group (Kafka) or list name (Redis).
    pub group: String,
    /// Broker settings.
    pub broker: BrokerConfig,
    /// Mean time between crashes of a Ready consumer pod, if crashes are on.
    pub crash_mtbf: Option<SimDuration>,
    /// Fixed crash instants, in time order.
    pub crash_at: Vec<SimDuration>,
}

impl QueueConfig {
    /// The Kafka settings, if the broker is Kafka.
    pub fn kafka(&self) -> Option<&KafkaConfig> {
        match &self.broker {
            BrokerConfig::Kafka(k) => Some(k),
            BrokerConfig::List { .. } => None,
        }
    }
}

/// Compiles a validated scenario's queue, if it has one.
pub fn compile_queue(s: &Scenario) -> Option<QueueConfig> {
    let q = s.queue.as_ref()?;
    let crashes = q.crashes();
    let mut crash_at: Vec<SimDuration> = crashes
        .map(|c| c.at.iter().map(|d| d.sim()).collect())
        .unwrap_or_default();
    crash_at.sort();
    let crash_mtbf = crashes.and_then(|c| c.mean_time_between.map(|d| d.sim()));
    Some(match q {
        Queue::Kafka(k) => {
            let c = &k.consumer;
            let per_fetch = (c.max_partition_fetch_bytes.value() / k.producer.message_size.value())
                .floor()
                .clamp(1.0, f64::from(u32::MAX)) as u32;
            QueueConfig {
                name: k.topic.clone(),
                group: c.group.clone(),
                broker: BrokerConfig::Kafka(KafkaConfig {
                    partitions: k.partitions,
                    partitioner: k.producer.partitioner,
                    keys: k.producer.keys,
                    key_skew: k.producer.key_skew,
                    assignment: c.assignment,
                    rebalance_pause: c.rebalance_pause.sim(),
                    session_timeout: c.session_timeout.sim(),
                    max_poll_records: c.max_poll_records,
                    records_per_partition_fetch: per_fetch,
                    commit_interval: c.commit_interval.sim(),
                    auto_offset_reset: c.auto_offset_reset,
                }),
                crash_mtbf,
                crash_at,
            }
        }
        Queue::RedisList(r) => QueueConfig {
            name: r.list.clone(),
            group: r.list.clone(),
            broker: BrokerConfig::List {
                prefetch: r.prefetch.unwrap_or(s.pods.concurrency).max(1),
            },
            crash_mtbf,
            crash_at,
        },
    })
}
