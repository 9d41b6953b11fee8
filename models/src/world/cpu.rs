//! Processor sharing under a CPU limit, with a virtual clock.
//!
//! `n` requests in their CPU phase on a pod limited to `L` cores each progress at
//! `min(1, L / n)` CPU-seconds per second. Every active request progresses at the same rate, so
//! one virtual clock `V` (work served per active request so far) suffices: a request that
//! enters at `V0` with work `w` finishes when `V = V0 + w`. A min-heap of finish marks gives the
//! next completion; only the rate changes when requests come and go.
//!
//! ```text
//!   add(req, w) ──▶ heap of (V0 + w) ──▶ next_completion(now) ──▶ CpuDone event
//!   remove(req) ─▶ (entry dropped lazily)      ▲ rate = min(1, L/n)
//! ```
//!
//! CPU use is integrated exactly: busy cores = min(n, L) between changes.

use hpasim_sim::{SimDuration, SimTime};
use std::cmp::Ordering;
use std::collections::BinaryHeap;

#[derive(Clone, Copy, Debug)]
struct Mark {
    finish: f64,
    slot: u32,
    id: u64,
}

impl PartialEq for Mark {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Mark {}
impl PartialOrd for Mark {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Mark {
    /// Reversed for a min-heap; ties by request id (arrival order) for determinism.
    fn cmp(&self, o: &Self) -> Ordering {
        o.finish.total_cmp(&self.finish).then(o.id.cmp(&self.id))
    }
}

/// The CPU of one pod.
#[derive(Debug)]
pub struct CpuShare {
    limit: f64,
    active: u32,
    vclock: f64,
    last: SimTime,
    marks: BinaryHeap<Mark>,
    /// Generation of the scheduled completion event; bumped whenever it is replaced.
    pub gen: u32,
    /// When the current completion event is scheduled.
    pub scheduled: Option<SimTime>,
    busy_core_ns: f64,
}

impl CpuShare {
    /// A CPU with `limit` cores (`f64::INFINITY` for no limit), room for `slots` requests.
    pub fn new(limit: f64, slots: u32, now: SimTime) -> Self {
        CpuShare {
            limit,
            active: 0,
            vclock: 0.0,
            last: now,
            marks: BinaryHeap::with_capacity(slots as usize + 1),
            gen: 0,
            scheduled: None,
            busy_core_ns: 0.0,
        }
    }

    fn rate(&self) -> f64 {
        let n = f64::from(self.active);
        if n <= self.limit {
            1.0
        } else {
            self.limit / n
        }
    }

    /// Brings the virtual clock and the CPU-use integral up to `now`; returns core-ns used.
    pub fn advance(&mut self, now: SimTime) -> f64 {
        let dt = now.saturating_since(self.last).as_nanos() as f64;
        self.last = now;
        if self.active == 0 || dt == 0.0 {
            return 0.0;
        }
        self.vclock += dt * self.rate();
        let used = dt * f64::from(self.active).min(self.limit);
        self.busy_core_ns += used;
        used
    }

    /// A request starts its CPU phase with `work` CPU-ns. Call [`CpuShare::advance`] first.
    pub fn add(&mut self, slot: u32, id: u64, work: f64) {
        self.active += 1;
        self.marks.push(Mark {
            finish: self.vclock + work,
            slot,
            id,
        });
    }

    /// A request leaves its CPU phase early (timed out, killed). Its mark is dropped lazily
    /// by `is_live`. Call [`CpuShare::advance`] first.
    pub fn remove(&mut self) {
        self.active -= 1;
    }

    /// Requests in their CPU phase.
    pub fn active(&self) -> u32 {
        self.active
    }

    /// CPU used since the pod started [core-ns].
    pub fn busy_core_ns(&self) -> f64 {
        self.busy_core_ns
    }

    /// When the earliest live request finishes, given `now` (after `advance(now)`).
    pub fn next_completion(
        &mut self,
        now: SimTime,
        is_live: impl Fn(u32, u64) -> bool,
    ) -> Option<SimTime> {
        while let Some(m) = self.marks.peek() {
            if is_live(m.slot, m.id) {
                let remaining = (m.finish - self.vclock).max(0.0);
                let dt = (remaining / self.rate()).ceil();
                return Some(now + SimDuration(dt as u64));
            }
            self.marks.pop();
        }
        None
    }

    /// Pops the next live request whose work is done at the current virtual clock
    /// (within half a nanosecond of work), if any.
    pub fn pop_finished(&mut self, is_live: impl Fn(u32, u64) -> bool) -> Option<(u32, u64)> {
        while let Some(m) = self.marks.peek().copied() {
            if !is_live(m.slot, m.id) {
                self.marks.pop();
                continue;
            }
            if m.finish <= self.vclock + 0.5 {
                self.marks.pop();
                return Some((m.slot, m.id));
            }
            return None;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_beyond_the_limit_share_it_equally() {
        // 2 cores, 4 requests of 1 CPU-s each: each runs at 0.5, all finish at 2 s.
        let mut cpu = CpuShare::new(2.0, 4, SimTime::ZERO);
        for i in 0..4 {
            cpu.add(i, u64::from(i), 1e9);
        }
        let t = cpu.next_completion(SimTime::ZERO, |_, _| true).unwrap();
        assert_eq!(t, SimTime(2_000_000_000));
        cpu.advance(t);
        let mut done = 0;
        while cpu.pop_finished(|_, _| true).is_some() {
            done += 1;
        }
        assert_eq!(done, 4);
        assert!(
            (cpu.busy_core_ns() - 4e9).abs() < 1.0,
            "2 cores busy for 2 s"
        );
    }

    #[test]
    fn below_the_limit_each_request_runs_at_full_speed() {
        let mut cpu = CpuShare::new(4.0, 4, SimTime::ZERO);
        cpu.add(0, 0, 3e8);
        cpu.add(1, 1, 1e8);
        assert_eq!(
            cpu.next_completion(SimTime::ZERO, |_, _| true),
            Some(SimTime(100_000_000))
        );
    }

    #[test]
    fn a_removed_request_stops_using_cpu_and_speeds_up_the_others() {
        // 1 core, two requests of 1 CPU-s. At 1 s one leaves with 0.5 s done; the other has
        // 0.5 s left at full speed: finishes at 1.5 s.
        let mut cpu = CpuShare::new(1.0, 2, SimTime::ZERO);
        cpu.add(0, 0, 1e9);
        cpu.add(1, 1, 1e9);
        cpu.advance(SimTime(1_000_000_000));
        cpu.remove();
        let t = cpu.next_completion(SimTime(1_000_000_000), |slot, _| slot == 1);
        assert_eq!(t, Some(SimTime(1_500_000_000)));
    }
}
