//! A counting semaphore with FIFO waiters: the kernel's one waiting-queue primitive.
//!
//! Models use it for anything a request must hold while it works and wait for when none is
//! free: connections of a pool, server connections of a PgBouncer pool, slots of a limit.
//! Waiters are identified by a `u64` token chosen by the model; they are served strictly in
//! arrival order. A waiter that gives up (its timeout fired, its request died) is removed with
//! [`Semaphore::cancel`], in O(1): it is dropped lazily when it reaches the front.
//!
//! ```text
//!   acquire(token) ──free unit?──▶ Granted
//!        │ no
//!        ▼
//!   FIFO of tokens ──release() / add_units()──▶ next live token is Granted (returned)
//!        ▲ cancel(token) marks it dead
//! ```
//!
//! Time-outs are the model's business (it schedules them on the event queue); the semaphore
//! only keeps the order and the counts, so it never reads a clock.

use std::collections::{HashSet, VecDeque};

/// The answer to [`Semaphore::acquire`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Acquire {
    /// A unit was free and is now held by the caller.
    Granted,
    /// No unit is free: the caller waits in line.
    Queued,
}

/// A counting semaphore with a FIFO line of waiters.
#[derive(Clone, Debug, Default)]
pub struct Semaphore {
    units: u32,
    in_use: u32,
    line: VecDeque<u64>,
    cancelled: HashSet<u64>,
}

impl Semaphore {
    /// A semaphore with `units` units, none in use.
    pub fn new(units: u32) -> Semaphore {
        Semaphore {
            units,
            ..Semaphore::default()
        }
    }

    /// Takes a unit for `token` if one is free and nobody waits; otherwise `token` waits.
    pub fn acquire(&mut self, token: u64) -> Acquire {
        if self.in_use < self.units && self.waiting() == 0 {
            self.in_use += 1;
            Acquire::Granted
        } else {
            self.line.push_back(token);
            Acquire::Queued
        }
    }

    /// Takes a unit only if one is free now (no waiting).
    pub fn try_acquire(&mut self) -> bool {
        if self.in_use < self.units && self.waiting() == 0 {
            self.in_use += 1;
            true
        } else {
            false
        }
    }

    /// Gives a unit back; if someone waits, the unit passes to the first live waiter, whose
    /// token is returned (the unit stays in use, now held by that waiter).
    pub fn release(&mut self) -> Option<u64> {
        debug_assert!(self.in_use > 0, "release without acquire");
        if let Some(next) = self.pop_live() {
            if self.in_use <= self.units {
                return Some(next);
            }
            self.line.push_front(next);
        }
        self.in_use -= 1;
        None
    }

    /// Adds `n` units (a pool opened connections); returns the waiters now granted, in order.
    pub fn add_units(&mut self, n: u32, granted: &mut Vec<u64>) {
        self.units += n;
        while self.in_use < self.units {
            match self.pop_live() {
                Some(t) => {
                    self.in_use += 1;
                    granted.push(t);
                }
                None => break,
            }
        }
    }

    /// Removes `n` units (connections closed); units in use are not taken away, the count
    /// simply goes down as they come back.
    pub fn remove_units(&mut self, n: u32) {
        self.units = self.units.saturating_sub(n);
    }

    /// A waiter leaves the line (timed out). No effect if it is not waiting.
    pub fn cancel(&mut self, token: u64) {
        if self.line.contains(&token) {
            self.cancelled.insert(token);
        }
    }

    fn pop_live(&mut self) -> Option<u64> {
        while let Some(t) = self.line.pop_front() {
            if !self.cancelled.remove(&t) {
                return Some(t);
            }
        }
        None
    }

    /// Units in total.
    pub fn units(&self) -> u32 {
        self.units
    }

    /// Units held.
    pub fn in_use(&self) -> u32 {
        self.in_use
    }

    /// Live waiters.
    pub fn waiting(&self) -> usize {
        self.line.len() - self.cancelled.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waiters_are_served_in_arrival_order() {
        let mut s = Semaphore::new(1);
        assert_eq!(s.acquire(1), Acquire::Granted);
        assert_eq!(s.acquire(2), Acquire::Queued);
        assert_eq!(s.acquire(3), Acquire::Queued);
        assert_eq!(s.release(), Some(2));
        assert_eq!(s.release(), Some(3));
        assert_eq!(s.release(), None);
        assert_eq!(s.in_use(), 0);
    }

    #[test]
    fn a_cancelled_waiter_is_skipped() {
        let mut s = Semaphore::new(1);
        s.acquire(1);
        s.acquire(2);
        s.acquire(3);
        s.cancel(2);
        assert_eq!(s.waiting(), 1);
        assert_eq!(s.release(), Some(3));
    }

    #[test]
    fn nobody_jumps_the_line() {
        let mut s = Semaphore::new(1);
        s.acquire(1);
        s.acquire(2);
        assert!(!s.try_acquire(), "a waiter is first in line");
    }

    #[test]
    fn added_units_go_to_waiters_first() {
        let mut s = Semaphore::new(0);
        s.acquire(7);
        s.acquire(8);
        let mut granted = Vec::new();
        s.add_units(1, &mut granted);
        assert_eq!(granted, vec![7]);
        assert_eq!((s.units(), s.in_use(), s.waiting()), (1, 1, 1));
    }

    #[test]
    fn removed_units_shrink_the_semaphore_as_units_come_back() {
        let mut s = Semaphore::new(2);
        s.acquire(1);
        s.acquire(2);
        s.remove_units(1);
        s.acquire(3);
        assert_eq!(
            s.release(),
            None,
            "over capacity: the unit is not passed on"
        );
        assert_eq!(s.in_use(), 1);
        assert_eq!(s.release(), Some(3));
    }
}
