//! The future event list.
//!
//! **Ordering rule** (stated once, relied on everywhere): events pop in order of their time;
//! among events at the same time, in the order they were scheduled (FIFO). The pair
//! (time, insertion sequence) is unique, so the order is total and a run is reproducible.
//!
//! Scheduling into the past is an error ([`ScheduleError::InThePast`]), never a silent clamp.
//! [`EventQueue::schedule`] returns an [`EventKey`]; [`EventQueue::cancel`] marks that event and
//! it is dropped lazily when it reaches the front (no search through the heap).

use crate::time::SimTime;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashSet};

/// Identifies one scheduled event, for cancellation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EventKey(u64);

/// Why an event could not be scheduled.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// The requested time lies before the current simulated time.
    #[error("cannot schedule an event at {at} before the current time {now}")]
    InThePast {
        /// Requested time.
        at: SimTime,
        /// Current simulated time.
        now: SimTime,
    },
}

struct Entry<E> {
    time: SimTime,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.time == other.time && self.seq == other.seq
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    /// Reversed, so that the max-heap `BinaryHeap` pops the earliest (time, seq) first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

/// A priority queue of events of type `E`, ordered by (time, insertion sequence).
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    now: SimTime,
    next_seq: u64,
    cancelled: HashSet<u64>,
    popped: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::with_capacity(0)
    }
}

impl<E> EventQueue<E> {
    /// An empty queue at time zero with room for `capacity` pending events.
    pub fn with_capacity(capacity: usize) -> Self {
        EventQueue {
            heap: BinaryHeap::with_capacity(capacity),
            now: SimTime::ZERO,
            next_seq: 0,
            cancelled: HashSet::new(),
            popped: 0,
        }
    }

    /// The current simulated time: the time of the last event popped.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Schedules `event` at `at`. Errors if `at` is before [`EventQueue::now`].
    pub fn schedule(&mut self, at: SimTime, event: E) -> Result<EventKey, ScheduleError> {
        if at < self.now {
            return Err(ScheduleError::InThePast { at, now: self.now });
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Entry {
            time: at,
            seq,
            event,
        });
        Ok(EventKey(seq))
    }

    /// Cancels a pending event. Cancelling an event that already ran or was already cancelled
    /// has no effect.
    pub fn cancel(&mut self, key: EventKey) {
        if key.0 < self.next_seq {
            self.cancelled.insert(key.0);
        }
    }

    /// Removes the earliest live event, advances the clock to its time and returns it.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        while let Some(entry) = self.heap.pop() {
            if !self.cancelled.is_empty() && self.cancelled.remove(&entry.seq) {
                continue;
            }
            self.now = entry.time;
            self.popped += 1;
            return Some((entry.time, entry.event));
        }
        None
    }

    /// The time of the earliest pending event (possibly a cancelled one).
    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|e| e.time)
    }

    /// Pending events, cancelled ones included until they are dropped.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True when nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Events handed out by [`EventQueue::pop`] so far.
    pub fn events_processed(&self) -> u64 {
        self.popped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::SimDuration;

    #[test]
    fn equal_times_pop_in_insertion_order() {
        let mut q = EventQueue::default();
        for i in 0..100 {
            q.schedule(SimTime(5), i).unwrap();
        }
        q.schedule(SimTime(1), -1).unwrap();
        assert_eq!(q.pop(), Some((SimTime(1), -1)));
        for i in 0..100 {
            assert_eq!(q.pop(), Some((SimTime(5), i)));
        }
        assert_eq!(q.pop(), None);
    }

    #[test]
    fn scheduling_into_the_past_is_an_error() {
        let mut q = EventQueue::default();
        q.schedule(SimTime(10), ()).unwrap();
        q.pop();
        let err = q.schedule(SimTime(9), ()).unwrap_err();
        assert_eq!(
            err,
            ScheduleError::InThePast {
                at: SimTime(9),
                now: SimTime(10)
            }
        );
        assert!(q.schedule(SimTime(10), ()).is_ok(), "now itself is allowed");
        assert!(q.schedule(SimTime(10) + SimDuration(1), ()).is_ok());
    }

    #[test]
    fn a_cancelled_event_never_pops() {
        let mut q = EventQueue::default();
        let a = q.schedule(SimTime(1), 'a').unwrap();
        q.schedule(SimTime(2), 'b').unwrap();
        q.cancel(a);
        q.cancel(a);
        assert_eq!(q.pop(), Some((SimTime(2), 'b')));
        assert_eq!(q.pop(), None);
        assert_eq!(q.events_processed(), 1);
    }
}
