//! Time-weighted averages of piecewise-constant signals (replicas, queue length, busy cores).

use crate::time::SimTime;

/// The time integral of a piecewise-constant value, over the whole run and over the current
/// sampling interval.
#[derive(Clone, Debug)]
pub struct TimeWeighted {
    value: f64,
    since: SimTime,
    total_integral: f64,
    interval_integral: f64,
    interval_start: SimTime,
    max: f64,
}

impl TimeWeighted {
    /// A signal with value `initial` from `start` on.
    pub fn new(start: SimTime, initial: f64) -> Self {
        TimeWeighted {
            value: initial,
            since: start,
            total_integral: 0.0,
            interval_integral: 0.0,
            interval_start: start,
            max: initial,
        }
    }

    fn accumulate(&mut self, now: SimTime) {
        let dt = now.saturating_since(self.since).as_secs_f64();
        self.total_integral += self.value * dt;
        self.interval_integral += self.value * dt;
        self.since = now;
    }

    /// The signal changes to `value` at `now`.
    pub fn set(&mut self, now: SimTime, value: f64) {
        self.accumulate(now);
        self.value = value;
        if value > self.max {
            self.max = value;
        }
    }

    /// The signal's current value.
    pub fn value(&self) -> f64 {
        self.value
    }

    /// The largest value the signal took.
    pub fn max(&self) -> f64 {
        self.max
    }

    /// ∫ value dt from the start to `now` [value · s].
    pub fn integral(&mut self, now: SimTime) -> f64 {
        self.accumulate(now);
        self.total_integral
    }

    /// Mean over [`start`, `now`].
    pub fn mean(&mut self, start: SimTime, now: SimTime) -> f64 {
        let span = now.saturating_since(start).as_secs_f64();
        let integral = self.integral(now);
        if span > 0.0 {
            integral / span
        } else {
            self.value
        }
    }

    /// Mean over the interval since the last call (or the start), then starts a new interval.
    pub fn close_interval(&mut self, now: SimTime) -> f64 {
        self.accumulate(now);
        let span = now.saturating_since(self.interval_start).as_secs_f64();
        let mean = if span > 0.0 {
            self.interval_integral / span
        } else {
            self.value
        };
        self.interval_integral = 0.0;
        self.interval_start = now;
        mean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mean_weights_each_value_by_how_long_it_held() {
        let mut tw = TimeWeighted::new(SimTime::ZERO, 2.0);
        tw.set(SimTime::from_secs_f64(1.0), 4.0);
        let first = tw.close_interval(SimTime::from_secs_f64(2.0));
        assert!((first - 3.0).abs() < 1e-12);
        tw.set(SimTime::from_secs_f64(3.0), 0.0);
        let second = tw.close_interval(SimTime::from_secs_f64(4.0));
        assert!((second - 2.0).abs() < 1e-12);
        assert!((tw.mean(SimTime::ZERO, SimTime::from_secs_f64(4.0)) - 2.5).abs() < 1e-12);
        assert_eq!(tw.max(), 4.0);
    }
}
