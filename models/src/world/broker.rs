//! Broker state: Kafka partitions with their offsets, or a Redis list; and each consumer's view.
//!
//! ```text
//!  Partition p:   base ──────── committed ──── processed ──── position ──── high-water
//!                 (oldest kept)  (group offset)  (done)         (fetched)      (produced)
//!                 └──────────────── log: messages kept from `base` on ────────────────┘
//! ```
//! Offsets below the committed one are dropped from the log, so memory follows the lag, not
//! the run length. A consumer crash resets a partition's position to its committed offset:
//! the work in between is processed again.

use super::assign::NO_OWNER;
use hpasim_sim::stats::{Counter, TimeWeighted};
use hpasim_sim::SimTime;
use std::collections::VecDeque;

/// A produced message: when, and the seed its processing demand is drawn from (so a message
/// processed twice costs the same, and variants see the same messages).
#[derive(Clone, Copy, Debug)]
pub struct Message {
    /// Produce instant.
    pub produced: SimTime,
    /// Seed of its class and demand.
    pub seed: u64,
    /// Delivered before and lost with a crashed consumer (Redis list redelivery).
    pub redelivered: bool,
}

/// One Kafka partition.
#[derive(Debug)]
pub struct Partition {
    /// Offset of `log[0]`.
    pub base: u64,
    /// Messages from `base` to the high-water mark.
    pub log: VecDeque<Message>,
    /// Next offset to fetch.
    pub position: u64,
    /// One past the last processed offset (by the current owner).
    pub processed: u64,
    /// One past the highest offset ever processed (processing below it is reprocessing).
    pub max_processed: u64,
    /// The group's committed offset (`None` until first committed: an invalid offset).
    pub committed: Option<u64>,
    /// Consumer pod owning it ([`NO_OWNER`] if none).
    pub owner: u32,
    /// Consumption of this partition is stopped until then (rebalance).
    pub paused_until: SimTime,
    /// The owner must apply `auto.offset.reset` before fetching (no committed offset).
    pub needs_reset: bool,
}

impl Partition {
    fn new() -> Partition {
        Partition {
            base: 0,
            log: VecDeque::new(),
            position: 0,
            processed: 0,
            max_processed: 0,
            committed: None,
            owner: NO_OWNER,
            paused_until: SimTime::ZERO,
            needs_reset: true,
        }
    }

    /// The high-water mark: the offset the next produced message gets.
    pub fn high_water(&self) -> u64 {
        self.base + self.log.len() as u64
    }

    /// Consumer-group lag as `kafka-consumer-groups` reports it: high-water minus the committed
    /// offset (minus the oldest kept offset while nothing is committed).
    pub fn lag(&self) -> u64 {
        self.high_water() - self.committed.unwrap_or(self.base)
    }

    /// Commits `offset` (never backwards) and drops the log below it.
    pub fn commit(&mut self, offset: u64) {
        if self.committed.is_some_and(|c| c >= offset) {
            return;
        }
        self.committed = Some(offset);
        while self.base < offset && !self.log.is_empty() {
            self.log.pop_front();
            self.base += 1;
        }
    }

    /// The message at `offset`, if still kept.
    pub fn message(&self, offset: u64) -> Option<Message> {
        offset
            .checked_sub(self.base)
            .and_then(|i| self.log.get(i as usize).copied())
    }
}

/// One consumer pod's state.
#[derive(Debug, Default)]
pub struct Consumer {
    /// In the group (Ready and not yet left).
    pub member: bool,
    /// Partitions assigned (Kafka).
    pub assigned: Vec<u32>,
    /// Where the next poll starts among `assigned`.
    pub cursor: usize,
    /// Records fetched by the last poll, not yet processed: (partition, offset).
    pub batch: VecDeque<(u32, u64)>,
    /// The record in process: (partition, offset) for Kafka.
    pub current: Option<(u32, u64)>,
    /// Last auto-commit.
    pub last_commit: SimTime,
    /// A wake-up event is scheduled at this instant (to commit or resume after a pause).
    pub wake_at: Option<SimTime>,
    /// Messages fetched ahead and not yet started (Redis list prefetch).
    pub buffer: VecDeque<Message>,
    /// Messages in process (Redis list), for redelivery after a crash.
    pub in_process: Vec<(u32, Message)>,
    /// Waiting in the list's blocked-consumer queue.
    pub waiting: bool,
    /// Crashed: it holds its partitions until the session times out.
    pub crashed: bool,
    /// When a crashed member's session times out.
    pub session_expires: SimTime,
}

/// Queue measurements of a run.
#[derive(Debug)]
pub struct QueueStats {
    /// Messages produced.
    pub produced: Counter,
    /// Messages processed again after a crash or rebalance lost their progress.
    pub reprocessed: Counter,
    /// Rebalances of the group.
    pub rebalances: Counter,
    /// Partition-seconds of consumption stopped by rebalances [s].
    pub paused_partition_s: f64,
    /// Total lag (Kafka) or list length (Redis), time-weighted.
    pub lag: TimeWeighted,
    /// Consumer crashes.
    pub crashes: Counter,
}

/// The broker of a run.
#[derive(Debug)]
pub struct Broker {
    /// Kafka partitions (empty for a Redis list).
    pub partitions: Vec<Partition>,
    /// The Redis list.
    pub list: VecDeque<Message>,
    /// Pods blocked on an empty list, in blocking order.
    pub blocked: VecDeque<u32>,
    /// Consumer state by pod index.
    pub consumers: Vec<Consumer>,
    /// Messages produced so far (round-robin partitioner).
    pub next_seq: u64,
    /// A rebalance is scheduled at the current instant.
    pub rebalance_pending: bool,
    /// Sum of the partitions' lags, kept up to date by produce and [`Broker::commit`].
    pub lag_sum: u64,
    /// Measurements.
    pub stats: QueueStats,
    /// Zipf sampler of key ranks (key_hash partitioner with skew).
    pub zipf: Option<rand_distr::Zipf<f64>>,
}

impl Broker {
    /// An empty broker with `partitions` partitions (0 for a Redis list).
    pub fn new(partitions: u32, zipf: Option<rand_distr::Zipf<f64>>) -> Broker {
        Broker {
            partitions: (0..partitions).map(|_| Partition::new()).collect(),
            list: VecDeque::new(),
            blocked: VecDeque::new(),
            consumers: Vec::new(),
            next_seq: 0,
            rebalance_pending: false,
            lag_sum: 0,
            stats: QueueStats {
                produced: Counter::default(),
                reprocessed: Counter::default(),
                rebalances: Counter::default(),
                paused_partition_s: 0.0,
                lag: TimeWeighted::new(SimTime::ZERO, 0.0),
                crashes: Counter::default(),
            },
            zipf,
        }
    }

    /// The empty broker of a compiled queue.
    pub fn for_config(q: &super::queue_config::QueueConfig) -> Broker {
        match q.kafka() {
            Some(k) => {
                let zipf = (k.partitioner == crate::scenario::queue::Partitioner::KeyHash
                    && k.key_skew > 0.0)
                    .then(|| rand_distr::Zipf::new(f64::from(k.keys), k.key_skew).ok())
                    .flatten();
                Broker::new(k.partitions, zipf)
            }
            None => Broker::new(0, None),
        }
    }

    /// The consumer state of `pod`, created on first use.
    pub fn consumer(&mut self, pod: u32) -> &mut Consumer {
        let i = pod as usize;
        if self.consumers.len() <= i {
            self.consumers.resize_with(i + 1, Consumer::default);
        }
        &mut self.consumers[i]
    }

    /// Total lag (Kafka) or list length (Redis).
    pub fn total_lag(&self) -> u64 {
        if self.partitions.is_empty() {
            self.list.len() as u64
        } else {
            self.lag_sum
        }
    }

    /// Commits `offset` on partition `p`, keeping the lag sum.
    pub fn commit(&mut self, p: u32, offset: u64) {
        let part = &mut self.partitions[p as usize];
        let before = part.lag();
        part.commit(offset);
        self.lag_sum = self.lag_sum - before + part.lag();
    }

    /// Largest partition lag (Kafka) or list length (Redis).
    pub fn max_partition_lag(&self) -> u64 {
        if self.partitions.is_empty() {
            self.list.len() as u64
        } else {
            self.partitions
                .iter()
                .map(Partition::lag)
                .max()
                .unwrap_or(0)
        }
    }

    /// Members of the group, in member-id (pod creation) order.
    pub fn members(&self) -> Vec<u32> {
        (0..self.consumers.len() as u32)
            .filter(|&p| self.consumers[p as usize].member)
            .collect()
    }

    /// Members with no partition (Kafka) or blocked on the empty list (Redis).
    pub fn idle_consumers(&self) -> u32 {
        if self.partitions.is_empty() {
            self.blocked.len() as u32
        } else {
            self.consumers
                .iter()
                .filter(|c| c.member && !c.crashed && c.assigned.is_empty())
                .count() as u32
        }
    }

    /// Partitions stopped by a rebalance at `now`.
    pub fn paused_partitions(&self, now: SimTime) -> u32 {
        self.partitions
            .iter()
            .filter(|p| p.paused_until > now)
            .count() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg() -> Message {
        Message {
            produced: SimTime::ZERO,
            seed: 0,
            redelivered: false,
        }
    }

    #[test]
    fn lag_is_high_water_minus_committed_and_commits_drop_the_log() {
        let mut p = Partition::new();
        for _ in 0..10 {
            p.log.push_back(msg());
        }
        assert_eq!((p.high_water(), p.lag()), (10, 10));
        p.commit(4);
        assert_eq!((p.base, p.log.len(), p.lag()), (4, 6, 6));
        p.commit(2);
        assert_eq!(p.committed, Some(4), "commits never go backwards");
        assert!(p.message(3).is_none() && p.message(4).is_some());
    }
}
