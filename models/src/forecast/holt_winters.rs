//! Additive Holt–Winters (triple exponential smoothing), optionally with a damped trend.
//!
//! See the [module docs](super) for the model, the recursions and the initialisation.

use super::seasonal_naive::phase_of;
use super::{validate_season, validate_unit, ErrorStats};

/// The parameters of additive Holt–Winters: the smoothing weights and the season length.
///
/// Weights near 1 follow the latest observations closely; near 0 they average over a long
/// history. [`HoltWintersParams::new`] sets `phi = 1` (undamped trend).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HoltWintersParams {
    /// Season length [samples], ≥ 2 (e.g. 1440 for a 24 h season sampled every 60 s).
    pub season: usize,
    /// Level smoothing α [dimensionless], in [0, 1].
    pub alpha: f64,
    /// Trend smoothing β [dimensionless], in [0, 1] (FPP3's β*).
    pub beta: f64,
    /// Seasonal smoothing γ [dimensionless], in [0, 1].
    pub gamma: f64,
    /// Trend damping φ [dimensionless], in (0, 1]; 1 is the undamped (linear) trend.
    pub phi: f64,
}

impl HoltWintersParams {
    /// Undamped parameters (`phi = 1`); not validated until [`validate`](Self::validate) or
    /// [`HoltWinters::new`].
    pub fn new(season: usize, alpha: f64, beta: f64, gamma: f64) -> Self {
        HoltWintersParams {
            season,
            alpha,
            beta,
            gamma,
            phi: 1.0,
        }
    }

    /// The same parameters with trend damping `phi`.
    pub fn with_phi(self, phi: f64) -> Self {
        HoltWintersParams { phi, ..self }
    }

    /// Checks every parameter; the message names the first one out of range and its range.
    pub fn validate(&self) -> Result<(), String> {
        validate_season(self.season)?;
        validate_unit("alpha", self.alpha)?;
        validate_unit("beta", self.beta)?;
        validate_unit("gamma", self.gamma)?;
        if !(self.phi.is_finite() && self.phi > 0.0 && self.phi <= 1.0) {
            return Err(format!(
                "phi (trend damping) must be a finite number in (0, 1], got {}",
                self.phi
            ));
        }
        Ok(())
    }

    /// A warning when the weights break FPP3 §8.3's usual restriction `γ ≤ 1 − α`: valid
    /// (each in range) but prone to oscillating or diverging forecasts. `None` otherwise.
    /// Keeping inside it is not a guarantee for every season length (the admissible region,
    /// Hyndman et al. 2008 ch. 10, depends on `m`); the one-step RMSE shows a bad choice.
    pub fn warning(&self) -> Option<String> {
        (self.gamma > 1.0 - self.alpha).then(|| {
            format!(
                "gamma {} exceeds 1 - alpha = {} (the usual Holt-Winters restriction); \
                 forecasts may oscillate or diverge",
                self.gamma,
                1.0 - self.alpha
            )
        })
    }
}

/// Additive Holt–Winters, fed one observation per fixed step.
///
/// Warm-up: the first two seasons (`2·season` observations) are buffered; at the last of them
/// the state is initialised from them and the recursions are run over the second season (see
/// the [module docs](super)). From then on each [`observe`](Self::observe) is one O(1)
/// update and allocates nothing.
#[derive(Clone, Debug, PartialEq)]
pub struct HoltWinters {
    /// The validated parameters.
    params: HoltWintersParams,
    /// Level ℓ_t [metric units], valid once warm.
    level: f64,
    /// Trend b_t [metric units per step], valid once warm.
    trend: f64,
    /// Seasonal indices [metric units], indexed by phase `t mod season`: slot `p` holds the
    /// latest s_t with `t ≡ p (mod season)`. Valid once warm.
    seasonal: Vec<f64>,
    /// The first two seasons, kept only during warm-up (capacity `2·season`).
    warmup: Vec<f64>,
    /// Observations seen so far [samples].
    observed: u64,
    /// One-step-ahead errors, recorded from observation index `2·season` on.
    errors: ErrorStats,
}

impl HoltWinters {
    /// A forecaster with validated `params`.
    pub fn new(params: HoltWintersParams) -> Result<Self, String> {
        params.validate()?;
        Ok(HoltWinters {
            params,
            level: 0.0,
            trend: 0.0,
            seasonal: vec![0.0; params.season],
            warmup: Vec::with_capacity(2 * params.season),
            observed: 0,
            errors: ErrorStats::default(),
        })
    }

    /// The parameters.
    pub fn params(&self) -> &HoltWintersParams {
        &self.params
    }

    /// Season length [samples].
    pub fn season(&self) -> usize {
        self.params.season
    }

    /// Observations seen so far [samples].
    pub fn observed(&self) -> u64 {
        self.observed
    }

    /// True once two full seasons have been observed, i.e. [`forecast`](Self::forecast)
    /// answers.
    pub fn is_warm(&self) -> bool {
        self.observed >= 2 * self.params.season as u64
    }

    /// Level ℓ_t, trend b_t [per step] and the seasonal indices by phase (`t mod season`),
    /// once warm.
    pub fn state(&self) -> Option<(f64, f64, &[f64])> {
        self.is_warm()
            .then_some((self.level, self.trend, &self.seasonal[..]))
    }

    /// Feeds the next sample. Once warm, the one-step-ahead forecast made before this
    /// sample is scored against it first (see [`errors`](Self::errors)).
    ///
    /// `value` should be finite: a NaN poisons the level, trend and one seasonal index.
    pub fn observe(&mut self, value: f64) {
        if self.is_warm() {
            if let Some(f) = self.forecast(1) {
                self.errors.record(value - f);
            }
            self.update(value, self.observed);
            self.observed += 1;
            return;
        }
        self.warmup.push(value);
        self.observed += 1;
        if self.is_warm() {
            self.initialise();
        }
    }

    /// The forecast `horizon_steps` steps after the last observation [metric units]:
    /// `None` before two full seasons, or for `horizon_steps == 0`.
    ///
    /// With `n` observations (the last at step `t = n − 1`) and `h = horizon_steps`:
    /// `ℓ + (φ + φ² + … + φ^h)·b + seasonal[(n − 1 + h) mod m]` (= `ℓ + h·b + …` when φ = 1).
    pub fn forecast(&self, horizon_steps: usize) -> Option<f64> {
        if !self.is_warm() || horizon_steps == 0 {
            return None;
        }
        let phase = phase_of(self.observed, horizon_steps, self.params.season);
        Some(
            self.level
                + damped_steps(self.params.phi, horizon_steps) * self.trend
                + self.seasonal[phase],
        )
    }

    /// One-step-ahead forecast errors so far (none during warm-up).
    pub fn errors(&self) -> &ErrorStats {
        &self.errors
    }

    /// Classical initialisation from the buffered two seasons, then the recursions over the
    /// second season. The buffer is released afterwards.
    fn initialise(&mut self) {
        let m = self.params.season;
        let y = std::mem::take(&mut self.warmup);
        let mean1 = y[..m].iter().sum::<f64>() / m as f64;
        let mean2 = y[m..2 * m].iter().sum::<f64>() / m as f64;
        self.level = mean1;
        self.trend = (mean2 - mean1) / m as f64;
        for (s, &v) in self.seasonal.iter_mut().zip(&y[..m]) {
            *s = v - mean1;
        }
        for (t, &v) in y.iter().enumerate().skip(m) {
            self.update(v, t as u64);
        }
    }

    /// One step of the recursions for observation `value` at step `t`.
    fn update(&mut self, value: f64, t: u64) {
        let HoltWintersParams {
            season,
            alpha,
            beta,
            gamma,
            phi,
        } = self.params;
        let phase = (t % season as u64) as usize;
        let s_prev = self.seasonal[phase]; // s_{t−m}
        let base = self.level + phi * self.trend; // ℓ_{t−1} + φ·b_{t−1}
        let level = alpha * (value - s_prev) + (1.0 - alpha) * base;
        self.trend = beta * (level - self.level) + (1.0 - beta) * phi * self.trend;
        self.seasonal[phase] = gamma * (value - base) + (1.0 - gamma) * s_prev;
        self.level = level;
    }
}

/// `φ + φ² + … + φ^h`: the trend multiplier of an `h`-step forecast (`h` when φ = 1).
fn damped_steps(phi: f64, h: usize) -> f64 {
    if phi == 1.0 {
        h as f64
    } else {
        phi * (1.0 - phi.powf(h as f64)) / (1.0 - phi)
    }
}
