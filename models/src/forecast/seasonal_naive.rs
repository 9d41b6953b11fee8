//! Seasonal-naive forecasting: "the same as one season ago".
//!
//! See the [module docs](super) for the model and its assumptions.

use super::{validate_season, ErrorStats};

/// The seasonal-naive forecaster (Hyndman & Athanasopoulos, FPP3 §5.2): the forecast for a
/// step is the last value observed at the same phase of the season.
///
/// With `n` observations `y_0 … y_{n−1}` (one per fixed step) and season `m`:
///
/// ```text
/// ŷ_{n−1+h | n−1} = y_{n−1+h − m·(k+1)},   k = ⌊(h − 1) / m⌋
/// ```
///
/// so for `h ≤ m` it is the value exactly one season before the target step, and for
/// `h > m` the last observed season repeats. The state is a ring buffer of one season,
/// indexed by phase `t mod m`; nothing is allocated after [`SeasonalNaive::new`].
#[derive(Clone, Debug, PartialEq)]
pub struct SeasonalNaive {
    /// Season length [samples], ≥ 2.
    season: usize,
    /// The last value seen at each phase, indexed by `t mod season` [metric units].
    ring: Vec<f64>,
    /// Observations seen so far [samples].
    observed: u64,
    /// One-step-ahead errors, recorded from observation index `season` on.
    errors: ErrorStats,
}

impl SeasonalNaive {
    /// A forecaster for a season of `season` samples (≥ 2).
    pub fn new(season: usize) -> Result<Self, String> {
        validate_season(season)?;
        Ok(SeasonalNaive {
            season,
            ring: vec![0.0; season],
            observed: 0,
            errors: ErrorStats::default(),
        })
    }

    /// Season length [samples].
    pub fn season(&self) -> usize {
        self.season
    }

    /// Observations seen so far [samples].
    pub fn observed(&self) -> u64 {
        self.observed
    }

    /// True once a full season has been observed, i.e. [`forecast`](Self::forecast) answers.
    pub fn is_warm(&self) -> bool {
        self.observed >= self.season as u64
    }

    /// Feeds the next sample. Once warm, the one-step-ahead forecast made before this
    /// sample is scored against it first (see [`errors`](Self::errors)).
    ///
    /// `value` should be finite: a NaN is stored and forecast back one season later.
    pub fn observe(&mut self, value: f64) {
        let phase = (self.observed % self.season as u64) as usize;
        if self.is_warm() {
            // forecast(1) targets phase `observed mod season`: the slot about to be overwritten.
            self.errors.record(value - self.ring[phase]);
        }
        self.ring[phase] = value;
        self.observed += 1;
    }

    /// The forecast `horizon_steps` steps after the last observation [metric units]:
    /// `None` before one full season, or for `horizon_steps == 0`.
    pub fn forecast(&self, horizon_steps: usize) -> Option<f64> {
        if !self.is_warm() || horizon_steps == 0 {
            return None;
        }
        Some(self.ring[phase_of(self.observed, horizon_steps, self.season)])
    }

    /// One-step-ahead forecast errors so far.
    pub fn errors(&self) -> &ErrorStats {
        &self.errors
    }
}

/// The phase `(n − 1 + h) mod m` of the step `h` after the last of `n` observations, computed
/// without overflow for any `h`.
pub(super) fn phase_of(observed: u64, horizon_steps: usize, season: usize) -> usize {
    let m = season as u64;
    let last = (observed + m - 1) % m; // (n − 1) mod m, also for n = 0
    ((last + horizon_steps as u64 % m) % m) as usize
}
