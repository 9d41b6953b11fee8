//! The interval sampler: one time-series row per `sample_interval`.

use crate::time::{SimDuration, SimTime};

/// Tells when the current sampling interval closes. The model schedules a sampling event at
/// [`IntervalSampler::next_close`], builds its row there, then calls [`IntervalSampler::advance`].
#[derive(Clone, Debug)]
pub struct IntervalSampler {
    interval: SimDuration,
    next_close: SimTime,
    closed: u64,
}

impl IntervalSampler {
    /// Rows every `interval` (which must be positive), the first closing at `start + interval`.
    pub fn new(start: SimTime, interval: SimDuration) -> Self {
        assert!(interval.as_nanos() > 0, "sample interval must be positive");
        IntervalSampler {
            interval,
            next_close: start + interval,
            closed: 0,
        }
    }

    /// The sampling interval.
    pub fn interval(&self) -> SimDuration {
        self.interval
    }

    /// When the current interval closes.
    pub fn next_close(&self) -> SimTime {
        self.next_close
    }

    /// Rows closed so far.
    pub fn rows_closed(&self) -> u64 {
        self.closed
    }

    /// Closes the current interval; returns its (start, end).
    pub fn advance(&mut self) -> (SimTime, SimTime) {
        let end = self.next_close;
        let start = SimTime(end.0 - self.interval.0);
        self.next_close = end + self.interval;
        self.closed += 1;
        (start, end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_tile_the_run_without_gaps() {
        let mut s = IntervalSampler::new(SimTime::ZERO, SimDuration::from_secs(5));
        assert_eq!(s.advance(), (SimTime::ZERO, SimTime(5_000_000_000)));
        assert_eq!(
            s.advance(),
            (SimTime(5_000_000_000), SimTime(10_000_000_000))
        );
        assert_eq!(s.rows_closed(), 2);
    }
}
