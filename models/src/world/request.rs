//! Requests in the system, in a slab with a free list (no allocation per request once warm).

use hpasim_sim::{SimDuration, SimTime};

/// Where a request is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Slot is free.
    Free,
    /// Waiting in a pod's local queue or the central queue.
    Queued,
    /// In its CPU phase (processor sharing).
    Cpu,
    /// In its non-CPU phase.
    Io,
    /// Waiting for a connection of its pod's pool.
    PoolWait,
    /// Holding a pool connection, waiting for a PgBouncer server connection.
    BouncerWait,
    /// Running a query on the database, holding a pool connection.
    Db,
}

/// One request, with the demand drawn at its arrival.
#[derive(Clone, Copy, Debug)]
pub struct Request {
    /// Unique id, in arrival order.
    pub id: u64,
    /// Arrival at the ingress.
    pub arrival: SimTime,
    /// Request class index.
    pub class: u16,
    /// Whether it goes to requests.csv.
    pub sampled: bool,
    /// Where it is.
    pub stage: Stage,
    /// Pod serving or holding it (`u32::MAX` for the central queue).
    pub pod: u32,
    /// CPU demand [CPU-ns], drawn at arrival.
    pub cpu_work: f64,
    /// Non-CPU time, drawn at arrival.
    pub io: SimDuration,
    /// Start of service (slot taken).
    pub started: SimTime,
    /// Database queries still to run.
    pub queries_left: u16,
    /// Seed of this request's query times (drawn at arrival: common random numbers).
    pub query_seed: u64,
    /// When it started waiting for a pool connection.
    pub wait_since: SimTime,
    /// Database server of its current query (0 = primary, k = read replica k).
    pub server: u8,
}

/// A slab of requests: slots are reused, ids are not.
#[derive(Debug, Default)]
pub struct RequestTable {
    slots: Vec<Request>,
    free: Vec<u32>,
}

impl RequestTable {
    /// Stores `r` and returns its slot.
    pub fn insert(&mut self, r: Request) -> u32 {
        if let Some(slot) = self.free.pop() {
            self.slots[slot as usize] = r;
            slot
        } else {
            self.slots.push(r);
            (self.slots.len() - 1) as u32
        }
    }

    /// Frees a slot.
    pub fn remove(&mut self, slot: u32) {
        self.slots[slot as usize].stage = Stage::Free;
        self.free.push(slot);
    }

    /// The request in `slot`.
    #[inline]
    pub fn get(&self, slot: u32) -> &Request {
        &self.slots[slot as usize]
    }

    /// The request in `slot`, mutably.
    #[inline]
    pub fn get_mut(&mut self, slot: u32) -> &mut Request {
        &mut self.slots[slot as usize]
    }

    /// Slots allocated (free or not).
    pub fn slot_count(&self) -> usize {
        self.slots.len()
    }

    /// True if `slot` still holds the live request `id`.
    #[inline]
    pub fn is_live(&self, slot: u32, id: u64) -> bool {
        let r = &self.slots[slot as usize];
        r.id == id && r.stage != Stage::Free
    }
}
