//! Connection pools and the database: each pod's pool (HikariCP), the server's connection
//! limit and its cores shared by active queries.
//!
//! ```text
//!  request after its I/O ─▶ query k: pod pool (Semaphore, FIFO) ─granted─▶ server CPU (PS on
//!     cores) ─DbDone─▶ release connection (next waiter runs) ─▶ query k+1 … ─▶ response
//!        │ no connection free: wait; open one more if below maximumPoolSize (ConnOpened after
//!        │ the setup time, refused beyond max_connections); PoolTimeout after connectionTimeout
//! ```
//!
//! Query times are drawn from a per-request seed fixed at arrival, so policy variants see the
//! same queries (common random numbers).

use super::cpu::CpuShare;
use super::db_config::BouncerConfig;
use super::engine::World;
use super::event::Event;
use super::pod::PodPhase;
use super::request::Stage;
use hpasim_sim::random::splitmix64;
use hpasim_sim::stats::{Counter, LatencyHistogram};
use hpasim_sim::{Acquire, Semaphore, SimDuration, SimTime, StreamRng};
use rand::{Rng, SeedableRng};

/// Marks the database server's CPU in `CpuShare` marks' owner.
const SERVER: u32 = u32::MAX;

/// One PgBouncer replica.
#[derive(Debug, Default)]
pub struct Bouncer {
    /// Client connections (pods' pool connections) it holds.
    pub clients: u32,
    /// Its server connections: units = opened, FIFO of waiting transactions.
    pub server: Semaphore,
    /// Reserve connections opened so far.
    pub reserve_used: u32,
    /// Session mode: client connections waiting for a server connection (their tokens).
    pub session_line: Vec<u64>,
}

/// Per-run state of pools and server.
pub struct DbState {
    /// Session mode: pool connections of each pod waiting for a server session.
    pub session_pending: Vec<u32>,
    /// Session-token counter.
    pub session_seq: u64,
    /// PgBouncer replicas (empty without PgBouncer).
    pub bouncers: Vec<Bouncer>,

    /// Each pod's pool: units = open connections.
    pub pools: Vec<Semaphore>,
    /// Connections being opened, per pod.
    pub opening: Vec<u32>,
    /// Connections the server holds (open or being opened).
    pub connections: u32,
    /// Most connections the server held.
    pub connections_max: u32,
    /// The servers' CPUs: the primary first, then the read replicas.
    pub cpus: Vec<CpuShare>,
    /// Connection set-up times.
    pub rng: StreamRng,
    /// Wait for a connection, of every query that got one.
    pub pool_wait: LatencyHistogram,
    /// Waits in the current interval: (sum [ns], count).
    pub pool_wait_interval: (u128, u64),
    /// Requests that gave up waiting for a connection: the pool's `connectionTimeout` or
    /// PgBouncer's `query_wait_timeout`.
    pub pool_timeouts: Counter,
    /// Connection attempts refused by `max_connections`.
    pub refusals: Counter,
    /// Connections retired at `maxLifetime`.
    pub retired: Counter,
    /// Server CPU used in the current interval [core-ns].
    pub cpu_interval_core_ns: f64,
    /// Highest interval CPU utilization of the server [%].
    pub cpu_util_max_pct: f64,
}

impl DbState {
    /// Fresh state; `rng` is the run's `db_connections` stream.
    pub fn new(cores: f64, servers: u32, bouncers: u32, rng: StreamRng) -> DbState {
        DbState {
            session_pending: Vec::new(),
            session_seq: 0,
            bouncers: (0..bouncers).map(|_| Bouncer::default()).collect(),

            pools: Vec::new(),
            opening: Vec::new(),
            connections: 0,
            connections_max: 0,
            cpus: (0..servers)
                .map(|_| CpuShare::new(cores, 64, SimTime::ZERO))
                .collect(),
            rng,
            pool_wait: LatencyHistogram::new(),
            pool_wait_interval: (0, 0),
            pool_timeouts: Counter::default(),
            refusals: Counter::default(),
            retired: Counter::default(),
            cpu_interval_core_ns: 0.0,
            cpu_util_max_pct: 0.0,
        }
    }

    fn pool(&mut self, pod: u32) -> &mut Semaphore {
        let i = pod as usize;
        if self.pools.len() <= i {
            self.pools.resize_with(i + 1, Semaphore::default);
            self.opening.resize(i + 1, 0);
            self.session_pending.resize(i + 1, 0);
        }
        &mut self.pools[i]
    }
}

/// The pool token of a request: its slot and the low bits of its id.
fn token(slot: u32, id: u64) -> u64 {
    (u64::from(slot) << 32) | (id & 0xffff_ffff)
}

/// Marks a PgBouncer token that stands for a client connection waiting for a session.
const SESSION: u64 = 1 << 63;

impl<'a> World<'a> {
    /// The PgBouncer tier, if the scenario has one (borrowed from the shared simulation, so
    /// callers may keep it while they change the world).
    fn bouncer(&self) -> Option<&'a BouncerConfig> {
        let sim: &'a super::config::Simulation = self.sim;
        sim.db.as_ref().and_then(|c| c.bouncer.as_ref())
    }

    /// A pod's container started: its pool opens `minimumIdle` connections.
    pub(super) fn db_pod_started(&mut self, now: SimTime, pod: u32) {
        let Some(cfg) = self.sim.db.as_ref() else {
            return;
        };
        let retire = cfg.retire_every;
        for _ in 0..cfg.min_idle {
            self.open_connection(now, pod);
        }
        if let Some(every) = retire {
            self.schedule(now + every, Event::RetireConnection { pod });
        }
    }

    /// `maxLifetime`: the pool closes one idle connection (the oldest, in turn) and opens its
    /// replacement; when every connection is busy this turn passes.
    pub(super) fn on_retire_connection(&mut self, now: SimTime, pod: u32) {
        if self.pods[pod as usize].phase >= PodPhase::Deleted {
            return;
        }
        let cfg = self.sim.db.as_ref().expect("database configured");
        let every = cfg.retire_every.expect("retirements only with maxLifetime");
        let bouncer = cfg.bouncer.as_ref().map(|b| b.replicas);
        let db = self.db.as_mut().expect("database state");
        let pool = db.pool(pod);
        if pool.units() > pool.in_use() {
            pool.remove_units(1);
            match bouncer {
                Some(n) => db.bouncers[(pod % n) as usize].clients -= 1,
                None => db.connections -= 1,
            }
            db.retired.incr();
            self.end_session(now, pod);
            self.open_connection(now, pod);
        }
        let next = now + every;
        if next < self.end {
            self.schedule(next, Event::RetireConnection { pod });
        }
    }

    /// Tries to open one connection for `pod`; refused beyond `max_connections`.
    pub(super) fn open_connection(&mut self, now: SimTime, pod: u32) {
        let cfg = self.sim.db.as_ref().expect("database configured");
        let db = self.db.as_mut().expect("database state");
        db.pool(pod);
        if let Some(b) = &cfg.bouncer {
            let bouncer = &mut db.bouncers[(pod % b.replicas) as usize];
            if bouncer.clients >= b.max_client_conn {
                db.refusals.incr();
                return;
            }
            bouncer.clients += 1;
        } else {
            if db.connections >= cfg.max_connections {
                db.refusals.incr();
                return;
            }
            db.connections += 1;
            db.connections_max = db.connections_max.max(db.connections);
        }
        db.opening[pod as usize] += 1;
        let setup = SimDuration::from_secs_f64(cfg.connection_setup.sample(&mut db.rng));
        self.schedule(now + setup, Event::ConnOpened { pod });
    }

    /// A connection finished opening.
    pub(super) fn on_conn_opened(&mut self, now: SimTime, pod: u32) {
        let alive = self.pods[pod as usize].phase < PodPhase::Deleted;
        let bouncer = self.bouncer().map(|b| b.replicas);
        let session = self.bouncer().filter(|b| b.session);
        let db = self.db.as_mut().expect("database state");
        db.opening[pod as usize] -= 1;
        if !alive {
            match bouncer {
                Some(n) => db.bouncers[(pod % n) as usize].clients -= 1,
                None => db.connections -= 1,
            }
            return;
        }
        if let Some(b) = session {
            // The client connection needs a server session before the pool can use it.
            let k = (pod % b.replicas) as usize;
            db.session_seq += 1;
            let t = SESSION | (u64::from(pod) << 32) | (db.session_seq & 0xffff_ffff);
            db.session_pending[pod as usize] += 1;
            match db.bouncers[k].server.acquire(t) {
                Acquire::Granted => self.server_granted(now, k, t),
                Acquire::Queued => {
                    db.bouncers[k].session_line.push(t);
                    if db.bouncers[k].server.units() < b.pool_size {
                        self.open_server_connection(now, k);
                    }
                }
            }
            return;
        }
        self.pool_gains_connection(now, pod);
    }

    /// One more usable connection in `pod`'s pool: waiters get it first.
    fn pool_gains_connection(&mut self, now: SimTime, pod: u32) {
        let db = self.db.as_mut().expect("database state");
        let mut granted = std::mem::take(&mut self.scratch_tokens);
        db.pool(pod).add_units(1, &mut granted);
        for &t in &granted {
            self.granted(now, t);
        }
        granted.clear();
        self.scratch_tokens = granted;
    }

    /// PgBouncer replica `k` hands a server connection to token `t`: a waiting transaction
    /// runs; a waiting session makes its pool connection usable (or, if its pod is gone, the
    /// server connection passes on).
    fn server_granted(&mut self, now: SimTime, k: usize, t: u64) {
        if t & SESSION == 0 {
            self.execute(now, (t >> 32) as u32);
            return;
        }
        let pod = ((t & !SESSION) >> 32) as u32;
        let db = self.db.as_mut().expect("database state");
        db.bouncers[k].session_line.retain(|&x| x != t);
        if self.pods[pod as usize].phase < PodPhase::Deleted {
            db.session_pending[pod as usize] -= 1;
            self.pool_gains_connection(now, pod);
        } else if let Some(next) = db.bouncers[k].server.release() {
            self.server_granted(now, k, next);
        }
    }

    /// Session mode: a closed pool connection gives its server session back.
    fn end_session(&mut self, now: SimTime, pod: u32) {
        let Some(b) = self.bouncer().filter(|b| b.session) else {
            return;
        };
        let k = (pod % b.replicas) as usize;
        let db = self.db.as_mut().expect("database state");
        if let Some(next) = db.bouncers[k].server.release() {
            self.server_granted(now, k, next);
        }
    }

    /// A pod is gone: its connections close.
    pub(super) fn db_pod_deleted(&mut self, now: SimTime, pod: u32) {
        let bouncer = self.bouncer().map(|b| b.replicas);
        let Some(db) = self.db.as_mut() else { return };
        let units = db.pool(pod).units();
        let pending = std::mem::take(&mut db.session_pending[pod as usize]);
        match bouncer {
            Some(n) => {
                let bouncer = &mut db.bouncers[(pod % n) as usize];
                bouncer.clients -= units + pending;
                let mine = |t: &u64| t & SESSION != 0 && ((t & !SESSION) >> 32) as u32 == pod;
                let lost: Vec<u64> = bouncer.session_line.iter().copied().filter(mine).collect();
                for t in lost {
                    bouncer.server.cancel(t);
                }
                bouncer.session_line.retain(|t| !mine(t));
            }
            None => db.connections -= units,
        }
        db.pools[pod as usize] = Semaphore::default();
        for _ in 0..units {
            self.end_session(now, pod);
        }
    }

    /// The request finished its I/O: run its next query, or answer.
    pub(super) fn after_io(&mut self, now: SimTime, slot: u32) {
        if self.requests.get(slot).queries_left == 0 {
            self.complete(now, slot);
            return;
        }
        let cfg = self.sim.db.as_ref().expect("queries only with a database");
        let (timeout, pool_max) = (cfg.connection_timeout, cfg.pool_max);
        let r = self.requests.get_mut(slot);
        r.stage = Stage::PoolWait;
        r.wait_since = now;
        let (pod, id) = (r.pod, r.id);
        let db = self.db.as_mut().expect("database state");
        match db.pool(pod).acquire(token(slot, id)) {
            Acquire::Granted => {
                db.pool_wait.record(SimDuration::ZERO);
                db.pool_wait_interval.1 += 1;
                self.run_query(now, slot);
            }
            Acquire::Queued => {
                let pool = &db.pools[pod as usize];
                let pending = db.opening[pod as usize] + db.session_pending[pod as usize];
                if pool.units() + pending < pool_max {
                    self.open_connection(now, pod);
                }
                if self.requests.get(slot).stage != Stage::PoolWait {
                    return; // granted by an instant connection
                }
                if timeout.as_nanos() == 0 {
                    self.on_pool_timeout(now, slot, id);
                } else {
                    self.schedule(now + timeout, Event::PoolTimeout { slot, id });
                }
            }
        }
    }

    /// A waiter got a connection.
    fn granted(&mut self, now: SimTime, t: u64) {
        let slot = (t >> 32) as u32;
        let r = *self.requests.get(slot);
        debug_assert_eq!(r.stage, Stage::PoolWait);
        let db = self.db.as_mut().expect("database state");
        let wait = now - r.wait_since;
        db.pool_wait.record(wait);
        db.pool_wait_interval.0 += u128::from(wait.as_nanos());
        db.pool_wait_interval.1 += 1;
        self.run_query(now, slot);
    }

    /// The request holds a pool connection: through PgBouncer (a server connection per
    /// transaction) or straight to the server.
    fn run_query(&mut self, now: SimTime, slot: u32) {
        let cfg = self.sim.db.as_ref().expect("database configured");
        let Some(b) = cfg.bouncer.clone().filter(|b| !b.session) else {
            self.execute(now, slot);
            return;
        };
        let r = self.requests.get_mut(slot);
        r.stage = Stage::BouncerWait;
        let (pod, id) = (r.pod, r.id);
        let k = (pod % b.replicas) as usize;
        let db = self.db.as_mut().expect("database state");
        if db.bouncers[k].server.acquire(token(slot, id)) == Acquire::Granted {
            self.execute(now, slot);
            return;
        }
        if db.bouncers[k].server.units() < b.pool_size {
            self.open_server_connection(now, k);
        }
        if self.requests.get(slot).stage == Stage::BouncerWait {
            if b.reserve > 0 {
                self.schedule(now + b.reserve_timeout, Event::ReserveCheck { slot, id });
            }
            self.schedule(
                now + b.query_wait_timeout,
                Event::BouncerTimeout { slot, id },
            );
        }
    }

    /// PgBouncer replica `k` opens one server connection, if the server has room.
    fn open_server_connection(&mut self, now: SimTime, k: usize) -> bool {
        let max = self
            .sim
            .db
            .as_ref()
            .expect("database configured")
            .max_connections;
        let db = self.db.as_mut().expect("database state");
        if db.connections >= max {
            db.refusals.incr();
            return false;
        }
        db.connections += 1;
        db.connections_max = db.connections_max.max(db.connections);
        let mut granted = std::mem::take(&mut self.scratch_tokens);
        db.bouncers[k].server.add_units(1, &mut granted);
        for &t in &granted {
            self.server_granted(now, k, t);
        }
        granted.clear();
        self.scratch_tokens = granted;
        true
    }

    /// A transaction waited `reserve_pool_timeout`: the reserve pool may open a connection.
    pub(super) fn on_reserve_check(&mut self, now: SimTime, slot: u32, id: u64) {
        if !self.requests.is_live(slot, id) || self.requests.get(slot).stage != Stage::BouncerWait {
            return;
        }
        let b = self.bouncer().expect("PgBouncer configured");
        let k = (self.requests.get(slot).pod % b.replicas) as usize;
        let db = self.db.as_mut().expect("database state");
        if db.bouncers[k].reserve_used < b.reserve && self.open_server_connection(now, k) {
            self.db.as_mut().expect("database state").bouncers[k].reserve_used += 1;
        }
    }

    /// A transaction waited `query_wait_timeout` at PgBouncer: the request fails.
    pub(super) fn on_bouncer_timeout(&mut self, now: SimTime, slot: u32, id: u64) {
        if !self.requests.is_live(slot, id) || self.requests.get(slot).stage != Stage::BouncerWait {
            return;
        }
        self.abandon_db(now, slot);
        self.db
            .as_mut()
            .expect("database state")
            .pool_timeouts
            .incr();
        self.fail_pool_timeout(now, slot);
    }

    /// The query runs on the server, holding its connection(s).
    fn execute(&mut self, now: SimTime, slot: u32) {
        let cfg = self.sim.db.as_ref().expect("database configured");
        let r = self.requests.get_mut(slot);
        r.stage = Stage::Db;
        let mut rng =
            StreamRng::seed_from_u64(splitmix64(r.query_seed ^ u64::from(r.queries_left)));
        let work = cfg.classes[usize::from(r.class)].time.sample(&mut rng) * 1e9;
        let server = if cfg.read_replicas > 0 && rng.next_u64() < cfg.read_threshold {
            1 + (rng.next_u64() % u64::from(cfg.read_replicas)) as u8
        } else {
            0
        };
        r.server = server;
        let id = r.id;
        let db = self.db.as_mut().expect("database state");
        let cpu = &mut db.cpus[usize::from(server)];
        let used = cpu.advance(now);
        if server == 0 {
            db.cpu_interval_core_ns += used;
        }
        cpu.add(slot, id, work.max(0.0));
        self.reschedule_db(now, server);
    }

    fn reschedule_db(&mut self, now: SimTime, server: u8) {
        let requests = &self.requests;
        let db = self.db.as_mut().expect("database state");
        let cpu = &mut db.cpus[usize::from(server)];
        let next = cpu.next_completion(now, |s, id| {
            requests.is_live(s, id) && requests.get(s).stage == Stage::Db
        });
        if next != cpu.scheduled {
            cpu.gen = cpu.gen.wrapping_add(1);
            cpu.scheduled = next;
            let gen = cpu.gen;
            if let Some(t) = next {
                self.schedule(
                    t,
                    Event::CpuDone {
                        pod: SERVER - u32::from(server),
                        gen,
                    },
                );
            }
        }
    }

    /// The server finished its earliest queries.
    pub(super) fn on_db_done(&mut self, now: SimTime, server: u8, gen: u32) {
        let db = self.db.as_mut().expect("database state");
        let cpu = &mut db.cpus[usize::from(server)];
        if cpu.gen != gen {
            return;
        }
        cpu.scheduled = None;
        let used = cpu.advance(now);
        if server == 0 {
            db.cpu_interval_core_ns += used;
        }
        let mut done = std::mem::take(&mut self.scratch);
        {
            let requests = &self.requests;
            let db = self.db.as_mut().expect("database state");
            let cpu = &mut db.cpus[usize::from(server)];
            while let Some(f) = cpu
                .pop_finished(|s, id| requests.is_live(s, id) && requests.get(s).stage == Stage::Db)
            {
                cpu.remove();
                done.push(f);
            }
        }
        for &(slot, _) in &done {
            self.release_connection(now, slot);
            let r = self.requests.get_mut(slot);
            r.queries_left -= 1;
            r.stage = Stage::Io;
            self.after_io(now, slot);
        }
        done.clear();
        self.scratch = done;
        self.reschedule_db(now, server);
    }

    /// The connection a request holds goes back to its pool (or to the next waiter).
    fn release_connection(&mut self, now: SimTime, slot: u32) {
        let pod = self.requests.get(slot).pod;
        self.release_server_connection(now, pod);
        let db = self.db.as_mut().expect("database state");
        if let Some(next) = db.pool(pod).release() {
            self.granted(now, next);
        }
    }

    /// The server connection of a finished (or abandoned) transaction goes back to PgBouncer.
    fn release_server_connection(&mut self, now: SimTime, pod: u32) {
        let Some(n) = self.bouncer().map(|b| b.replicas) else {
            return;
        };
        if self.bouncer().is_some_and(|b| b.session) {
            return; // the session keeps its server connection
        }
        let k = (pod % n) as usize;
        let db = self.db.as_mut().expect("database state");
        if let Some(next) = db.bouncers[k].server.release() {
            self.server_granted(now, k, next);
        }
    }

    /// A request waited `connectionTimeout` for a connection: it fails.
    pub(super) fn on_pool_timeout(&mut self, now: SimTime, slot: u32, id: u64) {
        if !self.requests.is_live(slot, id) || self.requests.get(slot).stage != Stage::PoolWait {
            return;
        }
        let r = *self.requests.get(slot);
        let db = self.db.as_mut().expect("database state");
        db.pool(r.pod).cancel(token(slot, id));
        db.pool_timeouts.incr();
        self.fail_pool_timeout(now, slot);
    }

    /// Removes a request in a database stage (time-out or kill): its line place or its
    /// connection and server CPU go back.
    pub(super) fn abandon_db(&mut self, now: SimTime, slot: u32) {
        let r = *self.requests.get(slot);
        match r.stage {
            Stage::PoolWait => {
                let db = self.db.as_mut().expect("database state");
                db.pool(r.pod).cancel(token(slot, r.id));
            }
            Stage::BouncerWait => {
                let n = self.bouncer().map_or(1, |b| b.replicas);
                let db = self.db.as_mut().expect("database state");
                db.bouncers[(r.pod % n) as usize]
                    .server
                    .cancel(token(slot, r.id));
                self.requests.get_mut(slot).stage = Stage::Io;
                let db = self.db.as_mut().expect("database state");
                if let Some(next) = db.pool(r.pod).release() {
                    self.granted(now, next);
                }
            }
            Stage::Db => {
                let db = self.db.as_mut().expect("database state");
                let cpu = &mut db.cpus[usize::from(r.server)];
                let used = cpu.advance(now);
                cpu.remove();
                if r.server == 0 {
                    db.cpu_interval_core_ns += used;
                }
                // Mark the request gone before the connection passes on.
                self.requests.get_mut(slot).stage = Stage::Io;
                self.release_connection(now, slot);
                self.reschedule_db(now, r.server);
            }
            _ => {}
        }
    }

    /// Closes the database part of an interval: the extra time-series values, in
    /// [`DB_COLUMNS`] order.
    pub(super) fn db_columns(&mut self, now: SimTime, span_s: f64) -> Vec<f64> {
        let Some(cfg) = self.sim.db.as_ref() else {
            return Vec::new();
        };
        let db = self.db.as_mut().expect("database state");
        let used = db.cpus[0].advance(now);
        db.cpu_interval_core_ns += used;
        let util = if cfg.cores.is_finite() && span_s > 0.0 {
            100.0 * db.cpu_interval_core_ns * 1e-9 / (cfg.cores * span_s)
        } else {
            f64::NAN
        };
        if util.is_finite() {
            db.cpu_util_max_pct = db.cpu_util_max_pct.max(util);
        }
        db.cpu_interval_core_ns = 0.0;
        let in_use: u32 = db.pools.iter().map(Semaphore::in_use).sum();
        let waiting: usize = db.pools.iter().map(Semaphore::waiting).sum();
        let bouncer_waiting: usize = db.bouncers.iter().map(|b| b.server.waiting()).sum();
        let (wait_sum, waits) = std::mem::take(&mut db.pool_wait_interval);
        let wait_mean_ms = if waits > 0 {
            wait_sum as f64 / waits as f64 / 1e6
        } else {
            f64::NAN
        };
        vec![
            f64::from(db.connections),
            util,
            f64::from(in_use),
            waiting as f64,
            wait_mean_ms,
            bouncer_waiting as f64,
            db.pool_timeouts.close_interval() as f64,
        ]
    }

    /// A pod's pool utilization (in use / maximum), for the Pods metric.
    pub(super) fn pool_utilization(&self, pod: u32) -> f64 {
        match (self.sim.db.as_ref(), self.db.as_ref()) {
            (Some(cfg), Some(db)) => db
                .pools
                .get(pod as usize)
                .map_or(0.0, |p| f64::from(p.in_use()) / f64::from(cfg.pool_max)),
            _ => 0.0,
        }
    }
}

/// Names of the database time-series columns, in [`World::db_columns`] order.
pub const DB_COLUMNS: [&str; 7] = [
    "db_connections",
    "db_cpu_utilization_pct",
    "pool_connections_in_use",
    "pool_waiting",
    "pool_wait_mean_ms",
    "pgbouncer_waiting",
    "pool_timeouts",
];
