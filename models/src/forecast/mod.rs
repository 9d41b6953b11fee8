//! Forecasters for a predictive scaling policy (#9): pure, step-driven, not yet wired into
//! the world.
//!
//! A predictive autoscaler samples its scaling metric (the one the HPA reads, e.g. CPU
//! utilization or requests per second) every fixed `step` (e.g. 60 s), forecasts it one pod
//! start-up time ahead, and keeps `ceil(forecast ÷ target per pod)` replicas, combined with the
//! reactive HPA by max. This module is the forecasting half: feed one sample per step with
//! `observe`, ask `forecast(h)` for the value `h` steps after the last sample, and read the
//! running one-step-ahead error. There is no clock here: a "step" is whatever interval the
//! caller samples at, and seasons and horizons are counted in steps ([`horizon_steps`] turns a
//! lead time into steps; [`replicas_for`] turns a forecast into replicas).
//!
//! # Notation
//!
//! Observations `y_0, y_1, …` arrive one per step; after `n` of them the last is `y_t` with
//! `t = n − 1`. `m` is the season length in steps (1440 for a day at 60 s). `ŷ_{t+h|t}` is the
//! forecast for step `t + h` made after seeing `y_t`; `h ≥ 1` (`forecast(0)` is `None`).
//!
//! # Seasonal naive ([`SeasonalNaive`])
//!
//! Assumes that the series repeats itself every season: no trend, no level change, the
//! next Monday 09:00 looks like the last Monday 09:00.
//!
//! ```text
//!   ŷ_{t+h|t} = y_{t+h−m(k+1)},  k = ⌊(h−1)/m⌋
//!
//!   last observed season (ring buffer)       forecasts
//!   y_{t−m+1} … y_{t−m+h} … y_t        →     ŷ_{t+1} … ŷ_{t+h} … ŷ_{t+m} │ ŷ_{t+m+1} …
//!               └──────────── copied one season on ──┘                 │ (season repeats)
//! ```
//!
//! Warm after one season (`m` observations). It is the benchmark every seasonal model must
//! beat, and it is hard to beat when the season really repeats; it cannot follow growth and
//! it repeats a one-off spike a season later.
//!
//! # Additive Holt–Winters ([`HoltWinters`])
//!
//! Assumes `y_t = level + trend·t + seasonal(t mod m) + noise`, where level, trend and the
//! seasonal shape drift slowly. Three exponentially weighted averages track them
//! (Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed., §8.3,
//! "Holt-Winters' additive method"; the damped trend is §8.2/§8.3's φ):
//!
//! ```text
//!   level     ℓ_t = α·(y_t − s_{t−m})          + (1−α)·(ℓ_{t−1} + φ·b_{t−1})
//!   trend     b_t = β·(ℓ_t − ℓ_{t−1})          + (1−β)·φ·b_{t−1}
//!   seasonal  s_t = γ·(y_t − ℓ_{t−1} − φ·b_{t−1}) + (1−γ)·s_{t−m}
//!   forecast  ŷ_{t+h|t} = ℓ_t + (φ + φ² + … + φ^h)·b_t + s_{t+h−m(k+1)},  k = ⌊(h−1)/m⌋
//!
//!   one step, in the order the code runs it (ring slot p = t mod m holds s_{t−m}):
//!     prior      = ℓ_{t−1} + φ·b_{t−1}                 level carried one step on
//!     ℓ_t        = α·(y_t − s_{t−m}) + (1−α)·prior      deseasonalised sample vs prior
//!     b_t        = β·(ℓ_t − ℓ_{t−1}) + (1−β)·φ·b_{t−1}   level change vs old trend
//!     ring[p]    = γ·(y_t − prior)   + (1−γ)·ring[p]    de-levelled sample vs old index
//! ```
//!
//! α, β, γ ∈ [0, 1]: near 1 follows the latest samples (fast, noisy), near 0 averages a long
//! history (smooth, slow). φ ∈ (0, 1] damps the trend for long horizons; φ = 1 (the default)
//! is Holt–Winters proper, whose forecast is `ℓ_t + h·b_t + s_…`.
//!
//! **Stability.** Every weight in [0, 1] is accepted, but not every combination forecasts
//! well: FPP3 restricts `0 ≤ γ ≤ 1 − α` ([`HoltWintersParams::warning`] reports a
//! breach), and even inside that the recursions can oscillate for some `m` (α = γ = 0.5,
//! β = 0.1 diverges on a 24-sample season). Small α with moderate γ (e.g. α = 0.1,
//! β = 0.05, γ = 0.3) is a safe start for a daily season: the level moves slowly, each
//! seasonal index learns from its own phase.
//!
//! **Indexing.** Seasonal indices live in a ring of `m` slots indexed by phase `t mod m`; slot
//! `p` always holds the latest `s_t` with `t ≡ p (mod m)`. After `n` observations
//! (`t = n − 1`), `forecast(h)` reads slot `(n − 1 + h) mod m` — i.e. `(t + h) mod m`, or
//! `seasonal[(t + h − 1) mod m]` when `t` counts observations from 1 — which is
//! `s_{t+h−m}` for `h ≤ m` and the last season's estimate repeated for `h > m`.
//!
//! **Initialisation** (the classical one, from the first two seasons, FPP2 §7.3 / Hyndman et
//! al. 2008 §2.6.1 in its simplest form): after `2m` observations,
//!
//! ```text
//!   ℓ = mean(y_0 … y_{m−1})                       (mean of season 1)
//!   b = (mean(y_m … y_{2m−1}) − mean(y_0 … y_{m−1})) / m
//!   s_i = y_i − ℓ   for i = 0 … m−1               (season-1 deviations, slot i)
//! ```
//!
//! is taken as the state at the end of season 1 (`t = m − 1`), and the recursions above are
//! then run over `y_m … y_{2m−1}`, so the state after warm-up has seen both seasons. The mean of
//! season 1 sits mid-season, so under a trend the initial level lags by `b·(m−1)/2` and the
//! season-1 indices carry a ramp of slope `b`; the recursions absorb both (at the rates α and
//! γ), which is why a noise-free trended series converges to, rather than starts at, zero
//! error. No forecasts (and no errors) before `2m` observations.
//!
//! # Forecast error
//!
//! Each forecaster scores itself: when a sample arrives after warm-up, the forecast it made
//! one step earlier, `ŷ_{t|t−1}`, is compared with it, and [`ErrorStats`] keeps the last error
//! `e_t = y_t − ŷ_{t|t−1}` (positive = under-forecast), the running MAE `mean |e|` and RMSE
//! `sqrt(mean e²)`, over every scored step since warm-up. These are what the world will report
//! as "forecast error".
//!
//! # Allocation
//!
//! Construction allocates the ring buffers (and, for Holt–Winters, the two-season warm-up
//! buffer, released at initialisation); `observe` and `forecast` never allocate.

mod holt_winters;
mod seasonal_naive;
#[cfg(test)]
mod tests;

pub use holt_winters::{HoltWinters, HoltWintersParams};
pub use seasonal_naive::SeasonalNaive;

use hpasim_sim::SimDuration;

/// Running statistics of one-step-ahead forecast errors `e = actual − forecast`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ErrorStats {
    /// Errors recorded [samples].
    count: u64,
    /// The latest error [metric units].
    last: Option<f64>,
    /// Σ e [metric units].
    sum: f64,
    /// Σ |e| [metric units].
    sum_abs: f64,
    /// Σ e² [metric units²].
    sum_sq: f64,
}

impl ErrorStats {
    /// Records one error `actual − forecast` [metric units].
    pub fn record(&mut self, error: f64) {
        self.count += 1;
        self.last = Some(error);
        self.sum += error;
        self.sum_abs += error.abs();
        self.sum_sq += error * error;
    }

    /// Errors recorded so far [samples].
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The latest error `y_t − ŷ_{t|t−1}` [metric units]; `None` before the first.
    pub fn last(&self) -> Option<f64> {
        self.last
    }

    /// Mean absolute error [metric units]; `None` before the first error.
    pub fn mae(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum_abs / self.count as f64)
    }

    /// Root mean squared error [metric units]; `None` before the first error.
    pub fn rmse(&self) -> Option<f64> {
        (self.count > 0).then(|| (self.sum_sq / self.count as f64).sqrt())
    }

    /// Mean error (bias) [metric units]: positive means the forecasts were too low on
    /// average; `None` before the first error.
    pub fn bias(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum / self.count as f64)
    }
}

/// Either forecaster behind one interface, for a policy that picks its model from the
/// scenario.
#[derive(Clone, Debug, PartialEq)]
pub enum Forecaster {
    /// Seasonal naive: one season ago.
    SeasonalNaive(SeasonalNaive),
    /// Additive Holt–Winters.
    HoltWinters(HoltWinters),
}

impl Forecaster {
    /// A seasonal-naive forecaster over `season` samples (≥ 2).
    pub fn seasonal_naive(season: usize) -> Result<Self, String> {
        SeasonalNaive::new(season).map(Forecaster::SeasonalNaive)
    }

    /// An additive Holt–Winters forecaster with validated `params`.
    pub fn holt_winters(params: HoltWintersParams) -> Result<Self, String> {
        HoltWinters::new(params).map(Forecaster::HoltWinters)
    }

    /// Feeds the next sample [metric units] (one per step); scores the previous one-step
    /// forecast against it once warm.
    pub fn observe(&mut self, value: f64) {
        match self {
            Forecaster::SeasonalNaive(f) => f.observe(value),
            Forecaster::HoltWinters(f) => f.observe(value),
        }
    }

    /// The forecast `horizon_steps` (≥ 1) steps after the last sample [metric units];
    /// `None` until warm (one season for seasonal naive, two for Holt–Winters).
    pub fn forecast(&self, horizon_steps: usize) -> Option<f64> {
        match self {
            Forecaster::SeasonalNaive(f) => f.forecast(horizon_steps),
            Forecaster::HoltWinters(f) => f.forecast(horizon_steps),
        }
    }

    /// True once [`forecast`](Self::forecast) answers.
    pub fn is_warm(&self) -> bool {
        match self {
            Forecaster::SeasonalNaive(f) => f.is_warm(),
            Forecaster::HoltWinters(f) => f.is_warm(),
        }
    }

    /// Season length [samples].
    pub fn season(&self) -> usize {
        match self {
            Forecaster::SeasonalNaive(f) => f.season(),
            Forecaster::HoltWinters(f) => f.season(),
        }
    }

    /// Observations seen so far [samples].
    pub fn observed(&self) -> u64 {
        match self {
            Forecaster::SeasonalNaive(f) => f.observed(),
            Forecaster::HoltWinters(f) => f.observed(),
        }
    }

    /// The one-step-ahead error statistics.
    pub fn errors(&self) -> &ErrorStats {
        match self {
            Forecaster::SeasonalNaive(f) => f.errors(),
            Forecaster::HoltWinters(f) => f.errors(),
        }
    }

    /// The latest one-step-ahead error `y_t − ŷ_{t|t−1}` [metric units].
    pub fn last_error(&self) -> Option<f64> {
        self.errors().last()
    }

    /// Running mean absolute one-step-ahead error [metric units].
    pub fn mae(&self) -> Option<f64> {
        self.errors().mae()
    }

    /// Running root mean squared one-step-ahead error [metric units].
    pub fn rmse(&self) -> Option<f64> {
        self.errors().rmse()
    }
}

/// Replicas that hold `forecast` at `target_per_pod` each: `ceil(forecast ÷ target_per_pod)`,
/// 0 for a forecast ≤ 0, saturating at `u32::MAX`.
///
/// Both are in the metric's units (e.g. a forecast of 950 req/s at a target of 100 req/s per
/// pod is 10 replicas). The division is plain `f64`: an exact multiple (`200 ÷ 100`) gives
/// exactly that many replicas, with no tolerance band (the predictive controller has none;
/// the HPA's 10 % tolerance stays with the HPA). Errors name the argument: a non-finite
/// forecast, or a target that is not finite and > 0.
pub fn replicas_for(forecast: f64, target_per_pod: f64) -> Result<u32, String> {
    if !(target_per_pod.is_finite() && target_per_pod > 0.0) {
        return Err(format!(
            "target_per_pod must be a finite number > 0, got {target_per_pod}"
        ));
    }
    if !forecast.is_finite() {
        return Err(format!("forecast must be a finite number, got {forecast}"));
    }
    if forecast <= 0.0 {
        return Ok(0);
    }
    let r = (forecast / target_per_pod).ceil();
    Ok(if r >= u32::MAX as f64 {
        u32::MAX
    } else {
        r as u32
    })
}

/// The forecast horizon [steps] that looks at least `lead` ahead when sampling every `step`:
/// `max(1, ceil(lead ÷ step))`, in whole nanoseconds (so 90 s at 60 s is 2 steps, 120 s is 2,
/// 0 s is 1: the next sample). Err for a zero `step`.
pub fn horizon_steps(lead: SimDuration, step: SimDuration) -> Result<usize, String> {
    if step.0 == 0 {
        return Err("step must be > 0 s".to_string());
    }
    let h = lead.0.div_ceil(step.0).max(1);
    Ok(usize::try_from(h).unwrap_or(usize::MAX))
}

/// Season length: at least 2 samples.
pub(crate) fn validate_season(season: usize) -> Result<(), String> {
    if season < 2 {
        return Err(format!("season must be at least 2 samples, got {season}"));
    }
    Ok(())
}

/// A smoothing weight: finite, in [0, 1].
pub(crate) fn validate_unit(name: &str, value: f64) -> Result<(), String> {
    if !(value.is_finite() && (0.0..=1.0).contains(&value)) {
        return Err(format!(
            "{name} must be a finite number in [0, 1], got {value}"
        ));
    }
    Ok(())
}
