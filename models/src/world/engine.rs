//! The run loop and the event handlers: one pass follows a request from arrival to response.
//!
//! ```text
//!  Arrival ─▶ pick pod (balancer) ─▶ free slot? ─▶ start ─▶ CPU phase (shared) ─▶ I/O phase ─▶ done
//!     │                 │                 └─ no ─▶ local queue (full → rejected)
//!     │                 └─ shared_queue: central FIFO, free workers pull
//!     └─ timeout armed: fires → request abandoned wherever it is
//! ```

use super::balancer::Balancer;
use super::config::Simulation;
use super::deployment::pick_victims;
use super::event::Event;
use super::pod::{Pod, PodPhase};
use super::request::{Request, RequestTable, Stage};
use super::startup::ready_at;
use super::stats::RunStats;
use crate::rows::{
    EventRow, RequestRow, RowSink, RunKey, SummaryRow, TimeseriesRow, CDF_QUANTILES,
};
use crate::scenario::BalancePolicy;
use hpasim_sim::random::splitmix64;
use hpasim_sim::stats::IntervalSampler;
use hpasim_sim::{EventQueue, SimDuration, SimTime, StreamRng, Streams};
use rand::Rng;
use std::collections::VecDeque;

/// Marks a request held by the central queue rather than a pod.
const CENTRAL: u32 = u32::MAX;

/// Random streams, one per stochastic source (common random numbers across variants).
pub(super) struct Rngs {
    arrivals: StreamRng,
    classes: StreamRng,
    service: StreamRng,
    balancer: StreamRng,
    pub(super) startup: StreamRng,
    queries: StreamRng,
    pub(super) messages: StreamRng,
    pub(super) crashes: StreamRng,
    pub(super) faults: StreamRng,
}

/// Why a request left without an answer, or that it got one.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    Completed,
    Rejected,
    TimedOut,
    Killed,
    PoolTimeout,
}

impl Outcome {
    fn name(self) -> &'static str {
        match self {
            Outcome::Completed => "completed",
            Outcome::Rejected => "rejected",
            Outcome::TimedOut => "timed_out",
            Outcome::Killed => "killed",
            Outcome::PoolTimeout => "pool_timeout",
        }
    }
}

/// A run the guard (`max_in_system`) stopped before its end.
#[derive(Debug)]
pub struct RunStopped {
    /// When [s].
    pub at_s: f64,
    /// Why, with the hint.
    pub message: String,
    /// The summary up to the stop.
    pub summary: Box<SummaryRow>,
}

impl std::fmt::Display for RunStopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "run stopped: {}\n  hint: add pods or capacity, bound the queues (pods.max_queue, load_balancer.max_queue), or raise max_in_system",
            self.message
        )
    }
}

/// One run in progress.
pub struct World<'a> {
    pub(super) sim: &'a Simulation,
    pub(super) key: &'a RunKey,
    pub(super) sink: &'a mut dyn RowSink,
    pub(super) queue: EventQueue<Event>,
    pub(super) rng: Rngs,
    pub(super) arrivals: crate::workload::ArrivalProcess,
    pub(super) end: SimTime,
    pub(super) next_id: u64,
    pub(super) sample_threshold: u64,
    pub(super) requests: RequestTable,
    pub(super) pods: Vec<Pod>,
    pub(super) endpoints: Vec<u32>,
    pub(super) balancer: Balancer,
    pub(super) central: VecDeque<(u32, u64)>,
    pub(super) central_live: u32,
    pub(super) free_pods: Vec<u32>,
    pub(super) in_system: u32,
    pub(super) desired: u32,
    pub(super) scratch: Vec<(u32, u64)>,
    pub(super) sampler: IntervalSampler,
    pub(super) stats: RunStats,
    pub(super) hpa: Option<super::autoscaler::HpaState>,
    pub(super) db: Option<super::database::DbState>,
    pub(super) scratch_tokens: Vec<u64>,
    pub(super) broker: Option<super::broker::Broker>,
    pub(super) keda: Option<super::keda::KedaRun>,
    /// Nodes and the cluster autoscaler, if the scenario has a cluster.
    pub(super) cluster: Option<super::nodes::ClusterRun>,
    /// Set when the run guard stopped the run: (when, why).
    pub(super) stopped: Option<(SimTime, String)>,
    /// Pending client timeouts in deadline order: (deadline, slot, request id).
    pub(super) timeouts: VecDeque<(SimTime, u32, u64)>,
    /// A `TimeoutsDue` event is scheduled.
    pub(super) timeout_armed: bool,
    /// Pod faults: per-pod crash state and counters.
    pub(super) faults: super::faults::FaultState,
    /// The predictive controller, if the scenario has one.
    pub(super) predictive: Option<super::predictive::PredictiveState>,
    /// The Vertical Pod Autoscaler's recommender and updater state, if the scenario has one.
    pub(super) vpa: Option<super::vpa::VpaRun>,
}

impl<'a> World<'a> {
    /// A world at time zero for run `key` (its seed and replication pick the random streams).
    pub fn new(sim: &'a Simulation, key: &'a RunKey, sink: &'a mut dyn RowSink) -> Self {
        let streams = Streams::new(key.seed, u64::from(key.replication));
        let rng = Rngs {
            arrivals: streams.get("arrivals"),
            classes: streams.get("classes"),
            service: streams.get("service"),
            balancer: streams.get("balancer"),
            startup: streams.get("startup"),
            queries: streams.get("queries"),
            messages: streams.get("messages"),
            crashes: streams.get("crashes"),
            faults: streams.get("faults"),
        };
        let db = sim.db.as_ref().map(|c| {
            let bouncers = c.bouncer.as_ref().map_or(0, |b| b.replicas);
            super::database::DbState::new(
                c.cores,
                1 + c.read_replicas,
                bouncers,
                streams.get("db_connections"),
            )
        });
        let p = sim.requests_sample.clamp(0.0, 1.0);
        let sample_threshold = if p >= 1.0 {
            u64::MAX
        } else {
            (p * 2f64.powi(64)) as u64
        };
        World {
            sim,
            key,
            sink,
            queue: EventQueue::with_capacity(1024),
            rng,
            arrivals: sim.arrivals.clone(),
            end: SimTime::ZERO + sim.duration,
            next_id: 0,
            sample_threshold,
            requests: RequestTable::default(),
            pods: Vec::new(),
            endpoints: Vec::new(),
            balancer: Balancer::default(),
            central: VecDeque::new(),
            central_live: 0,
            free_pods: Vec::new(),
            in_system: 0,
            desired: 0,
            scratch: Vec::new(),
            sampler: IntervalSampler::new(SimTime::ZERO, sim.sample_interval),
            stats: RunStats::new(SimTime::ZERO),
            hpa: sim.hpa.as_ref().map(super::autoscaler::HpaState::new),
            db,
            scratch_tokens: Vec::new(),
            broker: sim.queue.as_ref().map(super::broker::Broker::for_config),
            keda: sim.keda.as_ref().map(super::keda::KedaRun::new),
            cluster: sim
                .cluster
                .as_ref()
                .map(|c| super::nodes::ClusterRun::new(c, &streams)),
            stopped: None,
            timeouts: VecDeque::new(),
            timeout_armed: false,
            faults: Default::default(),
            predictive: sim
                .predictive
                .as_ref()
                .map(super::predictive::PredictiveState::new),
            vpa: sim.vpa.as_ref().map(|_| super::vpa::VpaRun::default()),
        }
    }

    pub(super) fn schedule(&mut self, at: SimTime, e: Event) {
        self.queue
            .schedule(at, e)
            .expect("the world only schedules at or after now");
    }

    /// Runs to the end and returns the summary row; rows stream to the sink meanwhile. A run
    /// stopped by the guard returns the summary up to the stop.
    pub fn run(self) -> SummaryRow {
        match self.run_checked() {
            Ok(s) => s,
            Err(stop) => *stop.summary,
        }
    }

    /// Like [`World::run`], but a run the guard stopped is an error saying when and why.
    pub fn run_checked(mut self) -> Result<SummaryRow, RunStopped> {
        let now = SimTime::ZERO;
        self.schedule(self.end, Event::End);
        self.start_cluster(now);
        self.start_warm_pods(now, self.sim.pods.replicas);
        self.start_placeholders(now);
        self.start_schedule(now);
        if self.sampler.next_close() < self.end {
            self.schedule(self.sampler.next_close(), Event::Sample);
        }
        self.start_autoscaling();
        self.start_predictive();
        self.start_queue();
        self.start_keda();
        self.start_faults();
        self.start_vpa();
        for &(at, replicas) in &self.sim.pods.scale_schedule {
            if SimTime::ZERO + at < self.end {
                self.schedule(SimTime::ZERO + at, Event::SetReplicas { replicas });
            }
        }
        if let Some(t) = self.arrivals.next_arrival(now, &mut self.rng.arrivals) {
            if t < self.end {
                self.schedule(t, Event::Arrival);
            }
        }
        while let Some((now, event)) = self.queue.pop() {
            if self.in_system > self.sim.max_in_system {
                self.stopped = Some((
                    now,
                    format!(
                        "more than {} requests in the system at {:.1} s: the load outgrows the capacity without bound",
                        self.sim.max_in_system,
                        now.as_secs_f64()
                    ),
                ));
                self.end = now;
                break;
            }
            match event {
                Event::Arrival => self.on_arrival(now),
                Event::CpuDone { pod, gen } if pod > u32::MAX - 256 => {
                    self.on_db_done(now, (u32::MAX - pod) as u8, gen)
                }
                Event::CpuDone { pod, gen } => self.on_cpu_done(now, pod, gen),
                Event::IoDone { slot, id } => {
                    if self.requests.is_live(slot, id) {
                        self.after_io(now, slot);
                    }
                }
                Event::PoolTimeout { slot, id } => self.on_pool_timeout(now, slot, id),
                Event::ConnOpened { pod } => self.on_conn_opened(now, pod),
                Event::RetireConnection { pod } => self.on_retire_connection(now, pod),
                Event::ReserveCheck { slot, id } => self.on_reserve_check(now, slot, id),
                Event::BouncerTimeout { slot, id } => self.on_bouncer_timeout(now, slot, id),
                Event::TimeoutsDue => self.on_timeouts_due(now),
                Event::PodPhase { pod, to } => self.on_pod_phase(now, pod, to),
                Event::GraceExpired { pod } => self.on_grace_expired(now, pod),
                Event::MetricsScrape => self.on_metrics_scrape(now),
                Event::PromScrape => self.on_prometheus_scrape(now),
                Event::HpaSync => self.on_hpa_sync(now),
                Event::Rebalance => self.on_rebalance(now),
                Event::KedaPoll => self.on_keda_poll(now),
                Event::ConsumerWake { pod } => self.on_consumer_wake(now, pod),
                Event::SessionExpired { pod } => self.on_session_expired(now, pod),
                Event::ConsumerCrash { pod } => self.on_consumer_crash(now, pod),
                Event::PodKill { index } => self.on_pod_kill(now, index),
                Event::PodCrash { pod, gen } => self.on_pod_crash(now, pod, gen),
                Event::PodRestart { pod, gen } => self.on_pod_restart(now, pod, gen),
                Event::SetReplicas { replicas } => {
                    self.set_replicas(now, replicas, "scale_schedule")
                }
                Event::NodeReady { node } => self.node_ready(now, node, None, true),
                Event::CaScan => self.on_ca_scan(now),
                Event::ScheduleBoundary => self.on_schedule_boundary(now),
                Event::PredictiveStep => self.on_predictive_step(now),
                Event::VpaRecommend => self.on_vpa_recommend(now),
                Event::VpaUpdate => self.on_vpa_update(now),
                Event::DrainRetry { node } => self.drain_step(now, node),
                Event::SpotNotice { node } => self.on_spot_notice(now, node),
                Event::NodeTerminated { node } => self.on_node_terminated(now, node),
                Event::NodeFailAt { index } => self.on_node_fail_at(now, index),
                Event::NodeFail { node } => self.on_node_fail(now, node),
                Event::NodeNotReady { node } => self.on_node_not_ready(now, node),
                Event::NodeEvictPods { node } => self.on_node_evict_pods(now, node),
                Event::Sample => {
                    self.close_interval(now);
                    if self.sampler.next_close() < self.end {
                        self.schedule(self.sampler.next_close(), Event::Sample);
                    }
                }
                Event::End => break,
            }
        }
        let end = self.end;
        self.close_interval(end);
        let summary = self.summary(end);
        match self.stopped.take() {
            None => {
                let mut cdf = Vec::with_capacity(CDF_QUANTILES.len());
                self.stats.latency.quantiles_ms(&CDF_QUANTILES, &mut cdf);
                self.sink.latency_cdf(self.key, &cdf);
                Ok(summary)
            }
            Some((at, message)) => Err(RunStopped {
                at_s: at.as_secs_f64(),
                message,
                summary: Box::new(summary),
            }),
        }
    }

    // ----- requests -------------------------------------------------------------------------

    fn on_arrival(&mut self, now: SimTime) {
        if let Some(t) = self.arrivals.next_arrival(now, &mut self.rng.arrivals) {
            if t < self.end {
                self.schedule(t, Event::Arrival);
            }
        }
        if self.broker.is_some() {
            self.produce(now);
            return;
        }
        let id = self.next_id;
        self.next_id += 1;
        self.stats.arrivals.incr();
        let classes = &self.sim.classes;
        let class = classes.pick(&mut self.rng.classes);
        let cpu_work = classes.cpu(class).sample(&mut self.rng.service) * 1e9;
        let io = SimDuration::from_secs_f64(classes.io(class).sample(&mut self.rng.service));
        let sampled = self.sample_threshold != 0
            && (self.sample_threshold == u64::MAX
                || splitmix64(id ^ self.key.seed.rotate_left(17)) < self.sample_threshold);
        let request = Request {
            id,
            arrival: now,
            class: class as u16,
            sampled,
            stage: Stage::Queued,
            pod: CENTRAL,
            cpu_work,
            io,
            started: now,
            queries_left: match self.sim.db.as_ref() {
                Some(d) => d.classes[class].count.draw(&mut self.rng.queries),
                None => 0,
            },
            query_seed: if self.sim.db.is_some() {
                self.rng.queries.next_u64()
            } else {
                0
            },
            wait_since: now,
            server: 0,
        };
        if self.sim.policy == BalancePolicy::SharedQueue {
            if let Some(pod) = self.pop_free_pod() {
                let slot = self.admit(now, request);
                self.start_service(now, pod, slot);
            } else if self.central_live < self.sim.central_max_queue {
                let slot = self.admit(now, request);
                self.central.push_back((slot, id));
                self.central_live += 1;
            } else {
                self.reject(now, &request);
            }
            return;
        }
        let picked = self.balancer.pick(
            self.sim.policy,
            &self.endpoints,
            &self.pods,
            &mut self.rng.balancer,
        );
        let Some(pod) = picked else {
            self.reject(now, &request);
            return;
        };
        if self.pods[pod as usize].lost {
            self.lost_on_failed_node(now, Request { pod, ..request });
            return;
        }
        let p = &self.pods[pod as usize];
        if p.busy < self.sim.pods.concurrency {
            let slot = self.admit(now, request);
            self.start_service(now, pod, slot);
        } else if p.queued < self.sim.pods.max_queue {
            let slot = self.admit(now, request);
            self.requests.get_mut(slot).pod = pod;
            let p = &mut self.pods[pod as usize];
            p.queue.push_back((slot, id));
            p.queued += 1;
        } else {
            self.reject(now, &request);
        }
    }

    /// Accepts a request into the system: stores it and arms its timeout.
    fn admit(&mut self, now: SimTime, request: Request) -> u32 {
        let id = request.id;
        let slot = self.requests.insert(request);
        self.in_system += 1;
        self.stats.in_system.set(now, f64::from(self.in_system));
        if let Some(timeout) = self.sim.pods.timeout {
            // Every request has the same timeout, so deadlines come in arrival order: a FIFO
            // with one pending event at its head replaces an event per request in the heap.
            self.timeouts.push_back((now + timeout, slot, id));
            if !self.timeout_armed {
                self.timeout_armed = true;
                self.schedule(now + timeout, Event::TimeoutsDue);
            }
        }
        slot
    }

    fn reject(&mut self, now: SimTime, request: &Request) {
        self.stats.rejected.incr();
        self.emit_request(now, request, Outcome::Rejected);
    }

    pub(super) fn start_service(&mut self, now: SimTime, pod: u32, slot: u32) {
        let slow = self.sim.pods.slow_start;
        let p = &mut self.pods[pod as usize];
        p.busy += 1;
        let factor = match (slow, p.ready) {
            (Some((f, d)), Some(ready)) if now < ready + d => f,
            _ => 1.0,
        };
        let r = self.requests.get_mut(slot);
        r.pod = pod;
        r.started = now;
        if factor != 1.0 {
            r.cpu_work *= factor;
            r.io = SimDuration::from_secs_f64(r.io.as_secs_f64() * factor);
        }
        let wait = now - r.arrival;
        self.stats.record_start(wait);
        self.begin_cpu_or_io(now, slot);
    }

    /// Moves a request that holds a slot into its CPU phase, else its I/O phase, else done.
    fn begin_cpu_or_io(&mut self, now: SimTime, slot: u32) {
        let r = *self.requests.get(slot);
        if r.cpu_work > 0.0 && r.stage != Stage::Cpu && r.stage != Stage::Io {
            self.requests.get_mut(slot).stage = Stage::Cpu;
            let cpu = &mut self.pods[r.pod as usize].cpu;
            let used = cpu.advance(now);
            cpu.add(slot, r.id, r.cpu_work);
            self.stats.record_cpu(used);
            self.reschedule_cpu(now, r.pod);
        } else if r.io.as_nanos() > 0 && r.stage != Stage::Io {
            self.requests.get_mut(slot).stage = Stage::Io;
            self.schedule(now + r.io, Event::IoDone { slot, id: r.id });
        } else {
            self.after_io(now, slot);
        }
    }

    fn reschedule_cpu(&mut self, now: SimTime, pod: u32) {
        let requests = &self.requests;
        let cpu = &mut self.pods[pod as usize].cpu;
        let next = cpu.next_completion(now, |s, id| {
            requests.is_live(s, id) && requests.get(s).stage == Stage::Cpu
        });
        if next != cpu.scheduled {
            cpu.gen = cpu.gen.wrapping_add(1);
            cpu.scheduled = next;
            let gen = cpu.gen;
            if let Some(t) = next {
                self.schedule(t, Event::CpuDone { pod, gen });
            }
        }
    }

    fn on_cpu_done(&mut self, now: SimTime, pod: u32, gen: u32) {
        let cpu = &mut self.pods[pod as usize].cpu;
        if cpu.gen != gen {
            return;
        }
        cpu.scheduled = None;
        let used = cpu.advance(now);
        self.stats.record_cpu(used);
        let mut done = std::mem::take(&mut self.scratch);
        {
            let requests = &self.requests;
            let cpu = &mut self.pods[pod as usize].cpu;
            while let Some(f) = cpu.pop_finished(|s, id| {
                requests.is_live(s, id) && requests.get(s).stage == Stage::Cpu
            }) {
                cpu.remove();
                done.push(f);
            }
        }
        for &(slot, _) in &done {
            let r = self.requests.get_mut(slot);
            if r.io.as_nanos() > 0 {
                r.stage = Stage::Io;
                let (id, io) = (r.id, r.io);
                self.schedule(now + io, Event::IoDone { slot, id });
            } else {
                self.after_io(now, slot);
            }
        }
        done.clear();
        self.scratch = done;
        // A request started in the loop has already rescheduled this CPU (bumping `gen`).
        if self.pods[pod as usize].cpu.gen == gen {
            self.reschedule_cpu(now, pod);
        }
    }

    pub(super) fn complete(&mut self, now: SimTime, slot: u32) {
        if self.broker.is_some() {
            self.message_finished(now, slot, true);
            return;
        }
        let r = *self.requests.get(slot);
        if self.hpa.is_some() {
            self.count_request(r.pod);
        }
        if self.keda.is_some() {
            self.keda_record(now, now - r.arrival);
        }
        self.stats.record_completion(now - r.arrival);
        self.emit_request(now, &r, Outcome::Completed);
        self.release(now, slot);
    }

    /// A request that held a worker slot leaves: free the slot, let the pod take more work.
    fn release(&mut self, now: SimTime, slot: u32) {
        let pod = self.requests.get(slot).pod;
        self.requests.remove(slot);
        self.in_system -= 1;
        self.stats.in_system.set(now, f64::from(self.in_system));
        self.pods[pod as usize].busy -= 1;
        self.pull_next(now, pod);
    }

    /// A pod with a free slot takes the next queued request, if any.
    fn pull_next(&mut self, now: SimTime, pod: u32) {
        let phase = self.pods[pod as usize].phase;
        if self.pods[pod as usize].killing {
            return;
        }
        if self.sim.policy == BalancePolicy::SharedQueue {
            if phase != PodPhase::Ready {
                self.maybe_finish_termination(now, pod);
                return;
            }
            while let Some((slot, id)) = self.central.pop_front() {
                if self.requests.is_live(slot, id) {
                    self.central_live -= 1;
                    self.start_service(now, pod, slot);
                    return;
                }
            }
            let p = &mut self.pods[pod as usize];
            if !p.in_free_list {
                p.in_free_list = true;
                self.free_pods.push(pod);
            }
            return;
        }
        let p = &mut self.pods[pod as usize];
        while let Some((slot, id)) = p.queue.pop_front() {
            if self.requests.is_live(slot, id) {
                p.queued -= 1;
                self.start_service(now, pod, slot);
                return;
            }
        }
        self.maybe_finish_termination(now, pod);
    }

    /// A Ready pod with a free worker slot, for `shared_queue` (most recently freed first).
    fn pop_free_pod(&mut self) -> Option<u32> {
        while let Some(pod) = self.free_pods.pop() {
            let p = &mut self.pods[pod as usize];
            p.in_free_list = false;
            if p.phase == PodPhase::Ready && !p.lost && p.busy < self.sim.pods.concurrency {
                if p.busy + 1 < self.sim.pods.concurrency {
                    p.in_free_list = true;
                    self.free_pods.push(pod);
                }
                return Some(pod);
            }
        }
        None
    }

    /// Fires every timeout due at `now`, then re-arms for the next live one.
    fn on_timeouts_due(&mut self, now: SimTime) {
        while let Some(&(at, slot, id)) = self.timeouts.front() {
            if at > now && self.requests.is_live(slot, id) {
                self.schedule(at, Event::TimeoutsDue);
                return;
            }
            self.timeouts.pop_front();
            if at <= now {
                self.on_timeout(now, slot, id);
            }
        }
        self.timeout_armed = false;
    }

    fn on_timeout(&mut self, now: SimTime, slot: u32, id: u64) {
        if !self.requests.is_live(slot, id) {
            return;
        }
        let r = *self.requests.get(slot);
        self.stats.timed_out.incr();
        self.emit_request(now, &r, Outcome::TimedOut);
        self.abandon(now, slot);
    }

    /// Removes a live request wherever it is (timed out or killed); its work is dropped.
    pub(super) fn abandon(&mut self, now: SimTime, slot: u32) {
        let r = *self.requests.get(slot);
        match r.stage {
            Stage::Queued => {
                if r.pod == CENTRAL {
                    self.central_live -= 1;
                } else {
                    self.pods[r.pod as usize].queued -= 1;
                }
                self.requests.remove(slot);
                self.in_system -= 1;
                self.stats.in_system.set(now, f64::from(self.in_system));
                if r.pod != CENTRAL {
                    self.maybe_finish_termination(now, r.pod);
                }
            }
            Stage::Cpu => {
                let cpu = &mut self.pods[r.pod as usize].cpu;
                let used = cpu.advance(now);
                cpu.remove();
                self.stats.record_cpu(used);
                self.release(now, slot);
                self.reschedule_cpu(now, r.pod);
            }
            Stage::Io => self.release(now, slot),
            Stage::PoolWait | Stage::BouncerWait | Stage::Db => {
                self.abandon_db(now, slot);
                self.release(now, slot);
            }
            Stage::Free => {}
        }
    }

    /// A request gave up waiting for a pool connection: it fails and frees its slot.
    pub(super) fn fail_pool_timeout(&mut self, now: SimTime, slot: u32) {
        let r = *self.requests.get(slot);
        self.emit_request(now, &r, Outcome::PoolTimeout);
        if self.broker.is_some() {
            self.message_finished(now, slot, false);
            return;
        }
        self.release(now, slot);
    }

    pub(super) fn emit_request(&mut self, now: SimTime, r: &Request, outcome: Outcome) {
        if !r.sampled {
            return;
        }
        let started = r.pod != CENTRAL
            && matches!(
                r.stage,
                Stage::Cpu | Stage::Io | Stage::PoolWait | Stage::Db
            )
            || outcome == Outcome::Completed;
        let row = RequestRow {
            id: r.id,
            class: self.sim.classes.name(usize::from(r.class)).to_string(),
            arrival_s: r.arrival.as_secs_f64(),
            pod: if r.pod == CENTRAL || outcome == Outcome::Rejected {
                String::new()
            } else {
                self.pod_name(r.pod)
            },
            outcome: outcome.name(),
            wait_ms: started.then(|| (r.started - r.arrival).as_secs_f64() * 1e3),
            latency_ms: (outcome == Outcome::Completed)
                .then(|| (now - r.arrival).as_secs_f64() * 1e3),
        };
        self.sink.request(self.key, &row);
    }

    // ----- pods and the Deployment ----------------------------------------------------------

    pub(super) fn pod_name(&self, pod: u32) -> String {
        format!("pod/{}-{}", self.sim.name, self.pods[pod as usize].ordinal)
    }

    pub(super) fn event(
        &mut self,
        now: SimTime,
        kind: &'static str,
        object: String,
        detail: String,
    ) {
        let row = EventRow {
            time_s: now.as_secs_f64(),
            kind,
            object,
            detail,
        };
        self.sink.event(self.key, &row);
    }

    fn new_pod(&mut self, now: SimTime, phase: PodPhase) -> u32 {
        let idx = self.pods.len() as u32;
        let res = self.admission_resources(now);
        let cfg = &self.sim.pods;
        self.pods.push(Pod {
            ordinal: idx,
            phase,
            created: now,
            scheduled: None,
            ready: None,
            planned: [SimTime::ZERO; 4],
            busy: 0,
            queue: VecDeque::new(),
            queued: 0,
            cpu: super::cpu::CpuShare::new(res.cpu_limit, cfg.concurrency, now),
            in_free_list: false,
            killing: false,
            node: super::nodes::NO_NODE,
            lost: false,
            res,
        });
        idx
    }

    /// The Deployment's initial pods: already running and Ready at time zero.
    fn start_warm_pods(&mut self, now: SimTime, n: u32) {
        self.set_desired(now, n, "initial");
        let n = self.quota_admitted(now, n);
        for _ in 0..n {
            let pod = self.new_pod(now, PodPhase::Pending);
            if self.cluster.is_some() && !self.bind_warm_pod(now, pod) {
                continue;
            }
            self.bill(now, pod);
            self.enter_running(now, pod);
            self.db_pod_started(now, pod);
            self.arm_crash(now, pod);
            self.make_ready(now, pod);
        }
    }

    fn set_desired(&mut self, now: SimTime, n: u32, reason: &str) {
        let from = self.desired;
        self.desired = n;
        self.stats.replicas.set(now, f64::from(n));
        self.event(
            now,
            "replicas_set",
            format!("deployment/{}", self.sim.name),
            format!("{from} -> {n} ({reason})"),
        );
    }

    /// Sets the Deployment's desired replica count at `now` (what an autoscaler calls): new
    /// pods start cold; surplus pods terminate in ReplicaSet deletion order.
    pub fn set_replicas(&mut self, now: SimTime, n: u32, reason: &str) {
        self.set_desired(now, n, reason);
        let live: Vec<u32> = (0..self.pods.len() as u32)
            .filter(|&i| self.pods[i as usize].phase < PodPhase::Terminating)
            .collect();
        let have = live.len() as u32;
        if have < n {
            for _ in 0..self.quota_admitted(now, n - have) {
                self.create_cold_pod(now);
            }
        } else if have > n {
            for pod in pick_victims(&self.pods, &live, (have - n) as usize) {
                self.terminate(now, pod);
            }
        }
    }

    /// The ReplicaSet replaces a pod that died: a cold start, desired replicas unchanged.
    pub(super) fn replace_pod(&mut self, now: SimTime) {
        self.sync_replicas(now);
    }

    pub(super) fn create_cold_pod(&mut self, now: SimTime) {
        let pod = self.new_pod(now, PodPhase::Pending);
        let st = &self.sim.pods.startup;
        let rng = &mut self.rng.startup;
        let sched = now + SimDuration::from_secs_f64(st.schedule.sample(rng));
        let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let pull = if u < st.image_cached_probability {
            st.image_pull_cached.sample(rng)
        } else {
            st.image_pull.sample(rng)
        };
        let pulled = sched + SimDuration::from_secs_f64(pull);
        let started = pulled + SimDuration::from_secs_f64(st.container_start.sample(rng));
        let app_up = started + SimDuration::from_secs_f64(st.app_start.sample(rng));
        let ready = ready_at(started, app_up, st.probe);
        self.pods[pod as usize].planned = [sched, pulled, started, ready];
        let name = self.pod_name(pod);
        let detail = self.vpa_admission_detail(pod);
        self.event(now, PodPhase::Pending.event_kind(), name, detail);
        self.schedule(
            sched,
            Event::PodPhase {
                pod,
                to: PodPhase::Scheduled,
            },
        );
    }

    pub(super) fn on_pod_phase(&mut self, now: SimTime, pod: u32, to: PodPhase) {
        if to == PodPhase::Ready && self.stale_ready(now, pod) {
            return;
        }
        let p = &self.pods[pod as usize];
        if p.phase >= PodPhase::Terminating || p.lost {
            return;
        }
        if to == PodPhase::Scheduled && self.cluster.is_some() && !self.bind_starting_pod(now, pod)
        {
            return;
        }
        let p = &self.pods[pod as usize];
        let plan = p.planned;
        match to {
            PodPhase::Scheduled => {
                self.bill(now, pod);
                self.schedule(
                    plan[1],
                    Event::PodPhase {
                        pod,
                        to: PodPhase::Pulled,
                    },
                );
            }
            PodPhase::Pulled => {
                self.schedule(
                    plan[2],
                    Event::PodPhase {
                        pod,
                        to: PodPhase::Started,
                    },
                );
            }
            PodPhase::Started => {
                self.enter_running(now, pod);
                self.db_pod_started(now, pod);
                self.arm_crash(now, pod);
                self.schedule(
                    plan[3],
                    Event::PodPhase {
                        pod,
                        to: PodPhase::Ready,
                    },
                );
            }
            _ => {}
        }
        if to == PodPhase::Ready {
            self.make_ready(now, pod);
        } else {
            self.pods[pod as usize].phase = to;
            let name = self.pod_name(pod);
            let detail = if to == PodPhase::Scheduled {
                self.node_name_of(pod)
            } else {
                String::new()
            };
            self.event(now, to.event_kind(), name, detail);
        }
    }

    fn bill(&mut self, now: SimTime, pod: u32) {
        self.pods[pod as usize].scheduled = Some(now);
        let billed = self.stats.billed_pods.value() + 1.0;
        self.stats.billed_pods.set(now, billed);
        let rate = self.stats.cost_rate.value() + self.pods[pod as usize].res.cost_per_second_usd;
        self.stats.cost_rate.set(now, rate);
    }

    pub(super) fn enter_running(&mut self, now: SimTime, pod: u32) {
        let request = self.pods[pod as usize].res.cpu_cores;
        let cores = self.stats.running_request_cores.value() + request;
        self.stats.running_request_cores.set(now, cores);
    }

    fn make_ready(&mut self, now: SimTime, pod: u32) {
        let p = &mut self.pods[pod as usize];
        p.phase = PodPhase::Ready;
        p.ready = Some(now);
        self.endpoints.push(pod);
        self.stats.ready.set(now, self.endpoints.len() as f64);
        let name = self.pod_name(pod);
        self.event(now, PodPhase::Ready.event_kind(), name, String::new());
        if self.broker.is_some() {
            self.consumer_joined(now, pod);
            return;
        }
        if self.sim.policy == BalancePolicy::SharedQueue {
            for _ in 0..self.sim.pods.concurrency {
                if self.pods[pod as usize].busy >= self.sim.pods.concurrency {
                    break;
                }
                self.pull_next(now, pod);
                if self.pods[pod as usize].in_free_list {
                    break;
                }
            }
        }
    }

    /// Takes `pod` out of the endpoints (if it is one).
    pub(super) fn leave_endpoints(&mut self, now: SimTime, pod: u32) {
        if let Some(k) = self.endpoints.iter().position(|&e| e == pod) {
            self.endpoints.remove(k);
            self.stats.ready.set(now, self.endpoints.len() as f64);
        }
    }

    pub(super) fn terminate(&mut self, now: SimTime, pod: u32) {
        let phase = self.pods[pod as usize].phase;
        self.leave_endpoints(now, pod);
        let name = self.pod_name(pod);
        if phase < PodPhase::Started {
            self.delete(now, pod, "not started");
            return;
        }
        self.pods[pod as usize].phase = PodPhase::Terminating;
        self.event(now, PodPhase::Terminating.event_kind(), name, String::new());
        if self.broker.is_some() {
            self.consumer_leaving(now, pod);
        }
        if !self.maybe_finish_termination(now, pod) {
            let grace = self.sim.pods.grace;
            self.schedule(now + grace, Event::GraceExpired { pod });
        }
    }

    /// Deletes a Terminating pod once it holds no work; true if it did.
    pub(super) fn maybe_finish_termination(&mut self, now: SimTime, pod: u32) -> bool {
        let p = &self.pods[pod as usize];
        if p.phase == PodPhase::Terminating && !p.killing && p.busy == 0 && p.queued == 0 {
            self.delete(now, pod, "drained");
            true
        } else {
            false
        }
    }

    fn on_grace_expired(&mut self, now: SimTime, pod: u32) {
        if self.pods[pod as usize].phase != PodPhase::Terminating {
            return;
        }
        self.pods[pod as usize].killing = true;
        if self.broker.is_some() {
            self.drop_messages(now, pod);
            let name = self.pod_name(pod);
            let detail = "messages in process past the grace period: not committed".to_string();
            self.event(now, "requests_killed", name, detail);
            self.delete(now, pod, "grace period expired");
            return;
        }
        let mut killed = 0u64;
        for slot in 0..self.requests_len() {
            let r = *self.requests.get(slot);
            if r.stage != Stage::Free && r.pod == pod {
                killed += 1;
                self.stats.killed.incr();
                self.emit_request(now, &r, Outcome::Killed);
                self.abandon(now, slot);
            }
        }
        let name = self.pod_name(pod);
        let detail = format!("{killed} requests past the grace period");
        self.event(now, "requests_killed", name, detail);
        self.delete(now, pod, "grace period expired");
    }

    fn requests_len(&self) -> u32 {
        self.requests.slot_count() as u32
    }

    pub(super) fn delete(&mut self, now: SimTime, pod: u32, reason: &str) {
        let p = &mut self.pods[pod as usize];
        let was_running = p.phase >= PodPhase::Started;
        let was_billed = p.scheduled.is_some();
        let res = p.res;
        p.phase = PodPhase::Deleted;
        p.queue = VecDeque::new();
        if was_billed {
            let billed = self.stats.billed_pods.value() - 1.0;
            self.stats.billed_pods.set(now, billed);
            let rate = self.stats.cost_rate.value() - res.cost_per_second_usd;
            self.stats.cost_rate.set(now, rate.max(0.0));
        }
        if was_running {
            let cores = self.stats.running_request_cores.value() - res.cpu_cores;
            self.stats.running_request_cores.set(now, cores.max(0.0));
        }
        self.forget_pod_metrics(pod);
        self.db_pod_deleted(now, pod);
        let name = self.pod_name(pod);
        self.event(
            now,
            PodPhase::Deleted.event_kind(),
            name,
            reason.to_string(),
        );
        self.unbind(now, pod);
        self.quota_freed(now);
    }

    // ----- rows -----------------------------------------------------------------------------

    fn account_cpu(&mut self, now: SimTime) {
        for p in &mut self.pods {
            if p.cpu.active() > 0 {
                let used = p.cpu.advance(now);
                self.stats.cpu_used_core_s += used * 1e-9;
                self.stats.cpu_used_interval_core_s += used * 1e-9;
            }
        }
    }

    fn close_interval(&mut self, now: SimTime) {
        let start = SimTime(self.sampler.next_close().0 - self.sampler.interval().0);
        if now <= start {
            return;
        }
        self.sampler.advance();
        self.account_cpu(now);
        let span = (now - start).as_secs_f64();
        let s = &mut self.stats;
        let completed = s.completed.close_interval();
        let started = s.started.close_interval();
        let waited = s.waited.close_interval();
        let request_core_s = s.running_request_cores.close_interval(now) * span;
        let row = TimeseriesRow {
            time_s: now.as_secs_f64(),
            arrival_rate_rps: s.arrivals.close_interval() as f64 / span,
            throughput_rps: completed as f64 / span,
            replicas_desired: self.desired,
            pods_ready: self.endpoints.len() as u32,
            pods_starting: self.pods.iter().filter(|p| p.phase.is_starting()).count() as u32,
            pods_terminating: self
                .pods
                .iter()
                .filter(|p| p.phase == PodPhase::Terminating)
                .count() as u32,
            in_flight: self.pods.iter().map(|p| p.busy).sum(),
            queued: self.central_live + self.pods.iter().map(|p| p.queued).sum::<u32>(),
            in_system_mean: s.in_system.close_interval(now),
            cpu_utilization_pct: ratio_pct(s.cpu_used_interval_core_s, request_core_s),
            completed,
            latency_mean_ms: if completed > 0 {
                s.latency_sum_interval_ns as f64 / completed as f64 / 1e6
            } else {
                0.0
            },
            wait_mean_ms: if started > 0 {
                s.wait_sum_interval_ns as f64 / started as f64 / 1e6
            } else {
                0.0
            },
            wait_probability: if started > 0 {
                waited as f64 / started as f64
            } else {
                0.0
            },
            latency_p50_ms: s.latency_interval.quantile_ms(0.50),
            latency_p95_ms: s.latency_interval.quantile_ms(0.95),
            latency_p99_ms: s.latency_interval.quantile_ms(0.99),
            rejected: s.rejected.close_interval(),
            timed_out: s.timed_out.close_interval(),
            cost_usd: s.cost_rate.integral(now),
            extra: Vec::new(),
        };
        let mut row = row;
        if let Some(slo) = &self.sim.slo {
            let pool_timeouts = self.db.as_ref().map_or(0, |d| d.pool_timeouts.total());
            let errors =
                s.rejected.total() + s.timed_out.total() + s.killed.total() + pool_timeouts;
            let arrivals = s.arrivals.total();
            let (errors_before, arrivals_before) = s.slo_counts_at_interval_start;
            s.slo_counts_at_interval_start = (errors, arrivals);
            let latency_ms = match slo.percentile {
                50 => row.latency_p50_ms,
                95 => row.latency_p95_ms,
                _ => row.latency_p99_ms,
            };
            if slo.violated(
                latency_ms,
                errors - errors_before,
                arrivals - arrivals_before,
            ) {
                s.slo_violation_s += span;
            }
        }
        s.latency.merge(&s.latency_interval);
        s.latency_interval.reset();
        s.latency_sum_interval_ns = 0;
        s.wait_sum_interval_ns = 0;
        s.cpu_used_interval_core_s = 0.0;
        s.replicas.close_interval(now);
        s.ready.close_interval(now);
        s.billed_pods.close_interval(now);
        row.extra = self.hpa_columns();
        let db_columns = self.db_columns(now, span);
        row.extra.extend(db_columns);
        let queue_columns = self.queue_columns(now);
        row.extra.extend(queue_columns);
        row.extra.extend(self.keda_columns());
        let cluster_columns = self.cluster_columns(now);
        row.extra.extend(cluster_columns);
        row.extra.extend(self.fault_columns());
        row.extra.extend(self.predictive_columns());
        row.extra.extend(self.vpa_columns());
        self.sink.timeseries(self.key, &row);
    }

    fn summary(&mut self, end: SimTime) -> SummaryRow {
        let s = &mut self.stats;
        let duration_s = end.as_secs_f64();
        let requests = s.arrivals.total();
        let (rejected, timed_out, killed) =
            (s.rejected.total(), s.timed_out.total(), s.killed.total());
        let db = self.db.as_ref();
        let queue_lag_mean = self
            .broker
            .as_mut()
            .map_or(0.0, |b| b.stats.lag.mean(SimTime::ZERO, end));
        let q = self.broker.as_ref();
        let pool_timeouts = db.map_or(0, |d| d.pool_timeouts.total());
        let started = s.started.total();
        let request_core_s = s.running_request_cores.integral(end);
        let mut row = SummaryRow {
            duration_s,
            requests,
            completed: s.completed.total(),
            rejected,
            timed_out,
            killed,
            error_rate: if requests > 0 {
                (rejected + timed_out + killed + pool_timeouts) as f64 / requests as f64
            } else {
                0.0
            },
            latency_mean_ms: s.latency.mean_ms(),
            latency_p50_ms: s.latency.quantile_ms(0.50),
            latency_p90_ms: s.latency.quantile_ms(0.90),
            latency_p95_ms: s.latency.quantile_ms(0.95),
            latency_p99_ms: s.latency.quantile_ms(0.99),
            latency_p999_ms: s.latency.quantile_ms(0.999),
            latency_max_ms: s.latency.max_ms(),
            wait_mean_ms: if started > 0 {
                s.wait_sum_ns as f64 / started as f64 / 1e6
            } else {
                0.0
            },
            wait_probability: if started > 0 {
                s.waited.total() as f64 / started as f64
            } else {
                0.0
            },
            throughput_rps: s.completed.total() as f64 / duration_s,
            replicas_mean: s.replicas.mean(SimTime::ZERO, end),
            replicas_max: s.replicas.max(),
            pods_ready_mean: s.ready.mean(SimTime::ZERO, end),
            pod_seconds: s.billed_pods.integral(end),
            cpu_utilization_mean_pct: ratio_pct(s.cpu_used_core_s, request_core_s),
            in_system_mean: s.in_system.mean(SimTime::ZERO, end),
            cost_usd: s.cost_rate.integral(end),
            pool_timeouts,
            pool_wait_mean_ms: db.map_or(0.0, |d| d.pool_wait.mean_ms()),
            pool_wait_p99_ms: db.map_or(0.0, |d| d.pool_wait.quantile_ms(0.99)),
            db_connection_refusals: db.map_or(0, |d| d.refusals.total()),
            db_connections_max: db.map_or(0, |d| u64::from(d.connections_max)),
            db_cpu_utilization_max_pct: db.map_or(0.0, |d| d.cpu_util_max_pct),
            messages_reprocessed: q.map_or(0, |b| b.stats.reprocessed.total()),
            queue_lag_mean,
            queue_lag_max: q.map_or(0, |b| b.stats.lag.max() as u64),
            rebalances: q.map_or(0, |b| b.stats.rebalances.total()),
            partition_paused_s: q.map_or(0.0, |b| b.stats.paused_partition_s),
            consumer_crashes: q.map_or(0, |b| b.stats.crashes.total()),
            keda_activations: self.keda.as_ref().map_or(0, |k| k.activations),
            keda_deactivations: self.keda.as_ref().map_or(0, |k| k.deactivations),
            keda_fallback_polls: self.keda.as_ref().map_or(0, |k| k.fallback_polls),
            slo_violation_s: s.slo_violation_s,
            nodes_mean: 0.0,
            nodes_max: 0,
            node_hours: 0.0,
            node_cost_usd: 0.0,
            node_cost_spot_usd: 0.0,
            pods_unschedulable_max: 0,
            capacity_wait_mean_s: 0.0,
            capacity_wait_max_s: 0.0,
            ca_scale_ups: 0,
            ca_nodes_removed: 0,
            node_failures: 0,
            spot_interruptions: 0,
            pods_quota_denied: self.stats.quota_denied,
            pod_crashes: self.faults.pod_crashes,
            pod_kills: self.faults.pod_kills,
            fault_errors: self.faults.fault_errors,
            forecast_mae: 0.0,
            forecast_rmse: 0.0,
            forecast_bias: 0.0,
            predictive_added_pod_seconds: 0.0,
            predictive_raised_syncs: 0,
            vpa_evictions: 0,
            vpa_final_target_cpu_m: 0.0,
            vpa_final_target_memory_mib: 0.0,
        };
        self.fill_cluster_summary(end, &mut row);
        self.fill_predictive_summary(&mut row);
        self.fill_vpa_summary(&mut row);
        row
    }
}

fn ratio_pct(num: f64, den: f64) -> f64 {
    if den > 0.0 {
        100.0 * num / den
    } else {
        0.0
    }
}
