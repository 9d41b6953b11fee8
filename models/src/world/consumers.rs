//! Pods as queue consumers: producing into the broker, polling, committing, rebalancing and
//! crashing.
//!
//! ```text
//!  Arrival ─produce─▶ partition (key/round robin) or list tail
//!  Kafka consumer (one per pod, one record at a time):
//!     poll: auto-commit if commit_interval passed ─▶ fetch ≤ max_poll_records from its
//!     unpaused partitions ─▶ process each (service demand, DB queries) ─▶ poll again
//!     idle: woken by a produce to its partitions, a due commit, or the end of a pause
//!  Group: Ready pod joins ─▶ Rebalance (same instant, coalesced) ─▶ assignor ─▶ revoked
//!     partitions commit and stop for rebalance_pause (eager: all; cooperative: moved only)
//!     Terminating pod: commits and leaves ─▶ Rebalance. Crash: progress since the last
//!     commit is lost; the member keeps its partitions until session_timeout.
//!  Redis list: idle pods block (FIFO); a produce wakes the first; prefetch bounds what a pod
//!     holds; a crash puts its messages back at the head of the list.
//! ```

use super::assign::{assign, NO_OWNER};
use super::broker::{Broker, Message};
use super::engine::World;
use super::event::Event;
use super::pod::PodPhase;
use super::queue_config::{BrokerConfig, KafkaConfig};
use super::request::{Request, Stage};
use crate::scenario::queue::{Assignment, OffsetReset, Partitioner};
use hpasim_sim::random::{fnv1a, splitmix64};
use hpasim_sim::{SimDuration, SimTime, StreamRng};
use rand::{Rng, RngExt, SeedableRng};
use rand_distr::Distribution;

/// Pod id standing for "the oldest Ready consumer" in a scheduled crash.
pub(super) const OLDEST_READY: u32 = u32::MAX;

impl World<'_> {
    fn broker_mut(&mut self) -> &mut Broker {
        self.broker
            .as_mut()
            .expect("queue state exists with a queue")
    }

    fn kafka_cfg(&self) -> Option<&KafkaConfig> {
        self.sim.queue.as_ref().and_then(|q| q.kafka())
    }

    /// Run start: schedules the fixed crash instants.
    pub(super) fn start_queue(&mut self) {
        let Some(q) = self.sim.queue.as_ref() else {
            return;
        };
        for at in q.crash_at.clone() {
            let t = SimTime::ZERO + at;
            if t < self.end {
                self.schedule(t, Event::ConsumerCrash { pod: OLDEST_READY });
            }
        }
    }

    // ----- producing ------------------------------------------------------------------------

    /// An arrival is a produced message.
    pub(super) fn produce(&mut self, now: SimTime) {
        self.stats.arrivals.incr();
        self.in_system += 1;
        self.stats.in_system.set(now, f64::from(self.in_system));
        let seed = self.rng.messages.next_u64();
        let msg = Message {
            produced: now,
            seed,
            redelivered: false,
        };
        let Some(k) = self.kafka_cfg() else {
            let b = self.broker_mut();
            b.stats.produced.incr();
            b.list.push_back(msg);
            self.note_lag(now);
            self.dispatch_blocked(now);
            return;
        };
        let n = u64::from(k.partitions);
        let partitioner = k.partitioner;
        let keys = u64::from(k.keys);
        let b = self.broker.as_mut().expect("queue state");
        let p = match partitioner {
            Partitioner::RoundRobin => b.next_seq % n,
            Partitioner::Random => self.rng.messages.random_range(0..n),
            Partitioner::KeyHash => {
                let key = match &b.zipf {
                    Some(z) => (z.sample(&mut self.rng.messages) as u64).saturating_sub(1),
                    None => self.rng.messages.random_range(0..keys),
                };
                fnv1a(&key.to_le_bytes()) % n
            }
        } as usize;
        b.next_seq += 1;
        b.stats.produced.incr();
        b.partitions[p].log.push_back(msg);
        b.lag_sum += 1;
        let owner = b.partitions[p].owner;
        self.note_lag(now);
        if owner != NO_OWNER {
            self.kafka_step(now, owner);
        }
    }

    fn note_lag(&mut self, now: SimTime) {
        let b = self.broker_mut();
        let lag = b.total_lag() as f64;
        b.stats.lag.set(now, lag);
    }

    // ----- processing -----------------------------------------------------------------------

    /// Starts processing `msg` on `pod`: class, demand and queries from the message's seed.
    fn start_message(&mut self, now: SimTime, pod: u32, msg: Message) -> u32 {
        let mut rng = StreamRng::seed_from_u64(msg.seed);
        let classes = &self.sim.classes;
        let class = classes.pick(&mut rng);
        let cpu_work = classes.cpu(class).sample(&mut rng) * 1e9;
        let io = SimDuration::from_secs_f64(classes.io(class).sample(&mut rng));
        let (queries_left, query_seed) = match self.sim.db.as_ref() {
            Some(d) => (d.classes[class].count.draw(&mut rng), rng.next_u64()),
            None => (0, 0),
        };
        let id = self.next_id;
        self.next_id += 1;
        let sampled = self.sample_threshold != 0
            && (self.sample_threshold == u64::MAX
                || splitmix64(id ^ self.key.seed.rotate_left(17)) < self.sample_threshold);
        let slot = self.requests.insert(Request {
            id,
            arrival: msg.produced,
            class: class as u16,
            sampled,
            stage: Stage::Queued,
            pod,
            cpu_work,
            io,
            started: now,
            queries_left,
            query_seed,
            wait_since: now,
            server: 0,
        });
        self.start_service(now, pod, slot);
        slot
    }

    /// A message's processing ended (`completed`, or failed on a pool time-out: the consumer
    /// logs it and moves on). Frees the slot, advances the offsets, polls for more.
    pub(super) fn message_finished(&mut self, now: SimTime, slot: u32, completed: bool) {
        let r = *self.requests.get(slot);
        let pod = r.pod;
        if completed {
            if self.hpa.is_some() {
                self.count_request(pod);
            }
            if self.keda.is_some() {
                self.keda_record(now, now - r.arrival);
            }
            self.stats.record_completion(now - r.arrival);
        }
        self.requests.remove(slot);
        self.pods[pod as usize].busy -= 1;
        let kafka = self.kafka_cfg().is_some();
        let b = self.broker.as_mut().expect("queue state");
        let first = if kafka {
            let (p, off) = b
                .consumer(pod)
                .current
                .take()
                .expect("a Kafka consumer in process knows its record");
            let part = &mut b.partitions[p as usize];
            let first = off >= part.max_processed;
            part.max_processed = part.max_processed.max(off + 1);
            if part.processed == off && (part.owner == pod || part.position == off) {
                part.processed = off + 1;
                if part.position == off {
                    part.position = off + 1;
                }
                if part.owner != pod {
                    b.commit(p, off + 1);
                }
            }
            first
        } else {
            let c = b.consumer(pod);
            let k = c
                .in_process
                .iter()
                .position(|&(s, _)| s == slot)
                .expect("a list consumer in process holds the message");
            let (_, msg) = c.in_process.swap_remove(k);
            !msg.redelivered
        };
        if first {
            self.in_system -= 1;
            self.stats.in_system.set(now, f64::from(self.in_system));
        } else {
            self.broker_mut().stats.reprocessed.incr();
        }
        self.note_lag(now);
        if self.pods[pod as usize].phase == PodPhase::Terminating {
            self.maybe_finish_termination(now, pod);
        } else {
            self.consumer_step(now, pod);
        }
    }

    fn consumer_step(&mut self, now: SimTime, pod: u32) {
        if self.kafka_cfg().is_some() {
            self.kafka_step(now, pod);
        } else {
            self.list_step(now, pod);
        }
    }

    /// A Kafka consumer's loop: next record of the batch, else poll (commit, fetch), else idle.
    fn kafka_step(&mut self, now: SimTime, pod: u32) {
        let k = *self.kafka_cfg().expect("Kafka");
        if self.pods[pod as usize].phase != PodPhase::Ready || self.pods[pod as usize].busy > 0 {
            return;
        }
        let b = self.broker.as_mut().expect("queue state");
        let c = b.consumer(pod);
        if !c.member || c.crashed {
            return;
        }
        for pass in 0..2 {
            let b = self.broker.as_mut().expect("queue state");
            while let Some((p, off)) = b.consumers[pod as usize].batch.pop_front() {
                let part = &b.partitions[p as usize];
                if part.owner != pod || part.paused_until > now {
                    continue;
                }
                let msg = part.message(off).expect("fetched records are kept");
                b.consumers[pod as usize].current = Some((p, off));
                self.start_message(now, pod, msg);
                return;
            }
            if pass == 1 {
                break;
            }
            // poll(): auto-commit when due, then fetch.
            let last = b.consumers[pod as usize].last_commit;
            if now >= last + k.commit_interval {
                self.commit_owned(pod);
                let b = self.broker.as_mut().expect("queue state");
                b.consumers[pod as usize].last_commit = now;
            }
            self.fetch(now, pod, &k);
        }
        self.schedule_consumer_wake(now, pod, &k);
    }

    /// Commits the processed offset of every partition `pod` owns.
    fn commit_owned(&mut self, pod: u32) {
        let b = self.broker.as_mut().expect("queue state");
        let owned = std::mem::take(&mut b.consumers[pod as usize].assigned);
        for &p in &owned {
            let part = &b.partitions[p as usize];
            if !part.needs_reset {
                let processed = part.processed;
                b.commit(p, processed);
            }
        }
        b.consumers[pod as usize].assigned = owned;
    }

    /// One fetch into the consumer's batch from its unpaused partitions.
    fn fetch(&mut self, now: SimTime, pod: u32, k: &KafkaConfig) {
        let b = self.broker.as_mut().expect("queue state");
        let n = b.consumers[pod as usize].assigned.len();
        if n == 0 {
            return;
        }
        let start = b.consumers[pod as usize].cursor % n;
        b.consumers[pod as usize].cursor = (start + 1) % n;
        let mut room = k.max_poll_records as u64;
        let mut skipped: Vec<(u32, u64)> = Vec::new();
        for i in 0..n {
            if room == 0 {
                break;
            }
            let p = b.consumers[pod as usize].assigned[(start + i) % n];
            let part = &mut b.partitions[p as usize];
            if part.paused_until > now {
                continue;
            }
            if part.needs_reset {
                part.needs_reset = false;
                let at = match (part.committed, k.auto_offset_reset) {
                    (Some(c), _) => c,
                    (None, OffsetReset::Latest) => part.high_water(),
                    (None, OffsetReset::Earliest) => part.base,
                };
                part.position = at;
                part.processed = at;
                if at > part.max_processed {
                    skipped.push((p, at - part.max_processed));
                    part.max_processed = at;
                }
            }
            let take = (part.high_water() - part.position)
                .min(u64::from(k.records_per_partition_fetch))
                .min(room);
            let from = part.position;
            part.position += take;
            room -= take;
            let c = &mut b.consumers[pod as usize];
            c.batch.extend((from..from + take).map(|o| (p, o)));
        }
        for (p, n) in skipped {
            // auto.offset.reset=latest with no committed offset: these are never processed.
            self.in_system -= n as u32;
            self.stats.in_system.set(now, f64::from(self.in_system));
            let name = self.pod_name(pod);
            let detail = format!(
                "partition {p}: no committed offset, auto.offset.reset=latest skips {n} messages"
            );
            self.event(now, "offset_reset", name, detail);
        }
    }

    /// An idle consumer wakes for its next due commit or the end of a pause.
    fn schedule_consumer_wake(&mut self, now: SimTime, pod: u32, k: &KafkaConfig) {
        let b = self.broker.as_mut().expect("queue state");
        let c = &b.consumers[pod as usize];
        let mut at: Option<SimTime> = None;
        let uncommitted = c.assigned.iter().any(|&p| {
            let part = &b.partitions[p as usize];
            !part.needs_reset && part.committed != Some(part.processed)
        });
        if uncommitted {
            at = Some((c.last_commit + k.commit_interval).max(now));
        }
        for &p in &c.assigned {
            let until = b.partitions[p as usize].paused_until;
            if until > now {
                at = Some(at.map_or(until, |a| a.min(until)));
            }
        }
        if let Some(t) = at {
            if c.wake_at.is_some_and(|w| w <= t && w >= now) {
                return;
            }
            b.consumers[pod as usize].wake_at = Some(t);
            if t < self.end {
                self.schedule(t, Event::ConsumerWake { pod });
            }
        }
    }

    /// A scheduled wake-up of an idle consumer.
    pub(super) fn on_consumer_wake(&mut self, now: SimTime, pod: u32) {
        let c = self.broker_mut().consumer(pod);
        if c.wake_at != Some(now) {
            return;
        }
        c.wake_at = None;
        self.consumer_step(now, pod);
    }

    /// A Redis-list consumer: start buffered messages, fetch up to `prefetch`, block if empty.
    fn list_step(&mut self, now: SimTime, pod: u32) {
        let prefetch = match self.sim.queue.as_ref().map(|q| &q.broker) {
            Some(BrokerConfig::List { prefetch }) => *prefetch,
            _ => return,
        };
        let concurrency = self.sim.pods.concurrency;
        loop {
            let p = &self.pods[pod as usize];
            if p.phase != PodPhase::Ready {
                return;
            }
            let busy = p.busy;
            let b = self.broker.as_mut().expect("queue state");
            if !b.consumer(pod).member {
                return;
            }
            let buffered = b.consumers[pod as usize].buffer.len() as u32;
            if busy < concurrency && buffered > 0 {
                let msg = b.consumers[pod as usize]
                    .buffer
                    .pop_front()
                    .expect("non-empty");
                let slot = self.start_message(now, pod, msg);
                let b = self.broker_mut();
                b.consumers[pod as usize].in_process.push((slot, msg));
                continue;
            }
            if busy + buffered < prefetch {
                if let Some(msg) = b.list.pop_front() {
                    b.consumers[pod as usize].buffer.push_back(msg);
                    self.note_lag(now);
                    continue;
                }
                let c = &mut b.consumers[pod as usize];
                if !c.waiting {
                    c.waiting = true;
                    b.blocked.push_back(pod);
                }
            }
            return;
        }
    }

    /// Hands list messages to blocked consumers, first blocked first.
    fn dispatch_blocked(&mut self, now: SimTime) {
        loop {
            let b = self.broker_mut();
            if b.list.is_empty() {
                return;
            }
            let Some(pod) = b.blocked.pop_front() else {
                return;
            };
            b.consumers[pod as usize].waiting = false;
            self.list_step(now, pod);
        }
    }

    // ----- group membership -----------------------------------------------------------------

    /// A pod became Ready: it joins the group (Kafka) or starts popping (Redis).
    pub(super) fn consumer_joined(&mut self, now: SimTime, pod: u32) {
        let mtbf = self.sim.queue.as_ref().and_then(|q| q.crash_mtbf);
        let c = self.broker_mut().consumer(pod);
        c.member = true;
        c.last_commit = now;
        if let Some(m) = mtbf {
            let u: f64 = self.rng.crashes.random();
            let after = SimDuration::from_secs_f64(-m.as_secs_f64() * (1.0 - u).ln());
            if now + after < self.end {
                self.schedule(now + after, Event::ConsumerCrash { pod });
            }
        }
        if self.kafka_cfg().is_some() {
            self.request_rebalance(now);
        } else {
            self.list_step(now, pod);
        }
    }

    /// A pod starts terminating: a Kafka consumer commits and leaves the group; a Redis
    /// consumer returns what it fetched ahead. Messages in process finish (or are killed at
    /// the end of the grace period).
    pub(super) fn consumer_leaving(&mut self, now: SimTime, pod: u32) {
        let kafka = self.kafka_cfg().is_some();
        let b = self.broker_mut();
        let c = b.consumer(pod);
        if !c.member {
            return;
        }
        c.member = false;
        c.batch.clear();
        if kafka {
            self.commit_owned(pod);
            self.request_rebalance(now);
        } else {
            let b = self.broker_mut();
            let back: Vec<Message> = b.consumers[pod as usize].buffer.drain(..).collect();
            for m in back.into_iter().rev() {
                b.list.push_front(m);
            }
            self.note_lag(now);
            self.dispatch_blocked(now);
        }
    }

    fn request_rebalance(&mut self, now: SimTime) {
        let b = self.broker_mut();
        if !b.rebalance_pending {
            b.rebalance_pending = true;
            self.schedule(now, Event::Rebalance);
        }
    }

    /// The group rebalances: new owners, revoked partitions commit, reset and pause.
    pub(super) fn on_rebalance(&mut self, now: SimTime) {
        let k = *self.kafka_cfg().expect("rebalances only with Kafka");
        let group = self.sim.queue.as_ref().map(|q| q.group.clone());
        let b = self.broker.as_mut().expect("queue state");
        b.rebalance_pending = false;
        let dead = b
            .consumers
            .iter()
            .filter(|c| c.member && c.crashed)
            .map(|c| c.session_expires)
            .max();
        if let Some(expires) = dead {
            // The group cannot complete a rebalance until the dead member's session expires
            // (its expiry rebalances again). Eager members have already revoked everything.
            if k.assignment != Assignment::CooperativeSticky {
                self.stall_group(now, expires);
            }
            return;
        }
        b.stats.rebalances.incr();
        let members: Vec<u32> = b
            .members()
            .into_iter()
            .filter(|&m| !b.consumers[m as usize].crashed)
            .collect();
        let previous: Vec<u32> = b.partitions.iter().map(|p| p.owner).collect();
        let owners = assign(k.assignment, k.partitions, &members, &previous);
        let eager = k.assignment != Assignment::CooperativeSticky;
        let pause_end = now + k.rebalance_pause;
        let mut moved = 0u32;
        for (p, &owner) in owners.iter().enumerate() {
            let old = previous[p];
            if !eager && owner == old {
                continue;
            }
            if owner != old {
                moved += 1;
            }
            let alive = old != NO_OWNER && !b.consumers[old as usize].crashed;
            let part = &b.partitions[p];
            if alive && !part.needs_reset {
                let processed = part.processed;
                b.commit(p as u32, processed);
            }
            let part = &mut b.partitions[p];
            match part.committed {
                Some(c) => {
                    part.position = c;
                    part.processed = c;
                }
                None => part.needs_reset = true,
            }
            let from = part.paused_until.max(now);
            if pause_end > from {
                b.stats.paused_partition_s += (pause_end - from).as_secs_f64();
            }
            part.paused_until = pause_end.max(part.paused_until);
            part.owner = owner;
        }
        for c in b.consumers.iter_mut() {
            c.assigned.clear();
        }
        for (p, &owner) in owners.iter().enumerate() {
            if owner != NO_OWNER {
                b.consumers[owner as usize].assigned.push(p as u32);
            }
        }
        let parts = &b.partitions;
        for (i, c) in b.consumers.iter_mut().enumerate() {
            c.batch.retain(|&(p, _)| {
                let part = &parts[p as usize];
                part.owner == i as u32 && part.paused_until <= now
            });
        }
        let idle = b.idle_consumers();
        let detail = format!(
            "members={} moved={moved} idle={idle} pause_until_s={:.3} ({:?})",
            members.len(),
            pause_end.as_secs_f64(),
            k.assignment
        );
        let object = format!("group/{}", group.unwrap_or_default());
        self.event(now, "rebalance", object, detail);
        for m in members {
            self.kafka_step(now, m);
        }
    }

    /// Eager members joined a rebalance that waits for a dead member: every partition stops
    /// until `until` (after committing what live owners processed).
    fn stall_group(&mut self, now: SimTime, until: SimTime) {
        let b = self.broker.as_mut().expect("queue state");
        for p in 0..b.partitions.len() {
            let part = &b.partitions[p];
            let owner = part.owner;
            let alive = owner != NO_OWNER && !b.consumers[owner as usize].crashed;
            if alive && !part.needs_reset {
                let processed = part.processed;
                b.commit(p as u32, processed);
            }
            let part = &mut b.partitions[p];
            if let Some(c) = part.committed {
                part.position = c;
                part.processed = c;
            }
            let from = part.paused_until.max(now);
            if until > from {
                b.stats.paused_partition_s += (until - from).as_secs_f64();
                part.paused_until = until;
            }
        }
        for c in b.consumers.iter_mut() {
            c.batch.clear();
        }
        let group = self.sim.queue.as_ref().map_or("", |q| q.group.as_str());
        let detail = format!(
            "rebalance waits for a crashed member's session: all partitions stop until {:.3} s",
            until.as_secs_f64()
        );
        self.event(now, "rebalance_stalled", format!("group/{group}"), detail);
    }

    /// A crashed consumer's session expired: it leaves the group.
    pub(super) fn on_session_expired(&mut self, now: SimTime, pod: u32) {
        let c = self.broker_mut().consumer(pod);
        if c.member {
            c.member = false;
            self.request_rebalance(now);
        }
    }

    // ----- crashes --------------------------------------------------------------------------

    /// A consumer pod's container dies: in-process work is lost, the ReplicaSet replaces it.
    pub(super) fn on_consumer_crash(&mut self, now: SimTime, pod: u32) {
        let pod = if pod == OLDEST_READY {
            match self.endpoints.iter().min() {
                Some(&p) => p,
                None => return,
            }
        } else {
            pod
        };
        if self.pods[pod as usize].phase != PodPhase::Ready {
            return;
        }
        self.broker_mut().stats.crashes.incr();
        self.consumer_lost(now, pod);
        let name = self.pod_name(pod);
        self.event(
            now,
            "consumer_crashed",
            name,
            "progress since the last commit is lost".into(),
        );
        self.delete(now, pod, "crashed");
        self.replace_pod(now);
    }

    /// A consumer pod's process dies (a crash, or a pod killed by fault injection): it leaves
    /// the endpoints, the messages it holds go back (Redis) or are re-read from the last
    /// commit (Kafka: the member keeps its partitions until `session_timeout`).
    pub(super) fn consumer_lost(&mut self, now: SimTime, pod: u32) {
        let kafka = self.kafka_cfg().copied();
        self.leave_endpoints(now, pod);
        self.drop_messages(now, pod);
        let c = self.broker_mut().consumer(pod);
        c.crashed = true;
        c.batch.clear();
        c.current = None;
        match kafka {
            Some(k) => {
                let t = now + k.session_timeout;
                self.broker_mut().consumers[pod as usize].session_expires = t;
                if t < self.end {
                    self.schedule(t, Event::SessionExpired { pod });
                }
            }
            None => self.broker_mut().consumers[pod as usize].member = false,
        }
    }

    /// Removes every message `pod` holds (crash or end of grace period); a Redis consumer's
    /// messages go back to the head of the list.
    pub(super) fn drop_messages(&mut self, now: SimTime, pod: u32) {
        for slot in 0..self.requests.slot_count() as u32 {
            let r = *self.requests.get(slot);
            if r.stage == Stage::Free || r.pod != pod {
                continue;
            }
            if matches!(r.stage, Stage::PoolWait | Stage::BouncerWait | Stage::Db) {
                self.abandon_db(now, slot);
            }
            if r.stage == Stage::Cpu {
                let cpu = &mut self.pods[pod as usize].cpu;
                let used = cpu.advance(now);
                cpu.remove();
                self.stats.record_cpu(used);
            }
            self.requests.remove(slot);
        }
        self.pods[pod as usize].busy = 0;
        let b = self.broker_mut();
        let c = b.consumer(pod);
        c.current = None;
        let mut back: Vec<Message> = c.in_process.drain(..).map(|(_, m)| m).collect();
        back.extend(c.buffer.drain(..));
        for mut m in back.into_iter().rev() {
            m.redelivered = true;
            b.list.push_front(m);
        }
        if !b.list.is_empty() && b.partitions.is_empty() {
            self.note_lag(now);
            self.dispatch_blocked(now);
        }
    }

    /// The queue's time-series values at an interval close ([`QUEUE_COLUMNS`] order).
    pub(super) fn queue_columns(&mut self, now: SimTime) -> Vec<f64> {
        let Some(b) = self.broker.as_mut() else {
            return Vec::new();
        };
        vec![
            b.total_lag() as f64,
            b.max_partition_lag() as f64,
            f64::from(b.idle_consumers()),
            f64::from(b.paused_partitions(now)),
            b.stats.produced.close_interval() as f64,
            b.stats.reprocessed.close_interval() as f64,
            b.stats.rebalances.close_interval() as f64,
        ]
    }
}

/// Names of the queue time-series columns.
pub const QUEUE_COLUMNS: [&str; 7] = [
    "queue_lag",
    "queue_lag_max_partition",
    "consumers_idle",
    "partitions_paused",
    "messages_produced",
    "messages_reprocessed",
    "rebalances",
];
