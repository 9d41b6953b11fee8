//! Arrival processes: exact (non-homogeneous) Poisson processes and trace replay.
//!
//! **Thinning** (Lewis and Shedler 1979). To generate a Poisson process of rate λ(t) ≤ λ̄ on
//! an interval, generate candidates of a homogeneous Poisson process of rate λ̄ (exponential
//! gaps) and keep a candidate at `t` with probability λ(t)/λ̄. The kept points form exactly a
//! Poisson process of rate λ(t): thinning a Poisson process independently at each point gives
//! a Poisson process whose intensity is the thinned intensity. No time discretisation.
//!
//! Rates are piecewise: per segment the bound is the segment's maximum (for a linear ramp, the
//! larger endpoint). When a candidate falls past the segment's end, the clock restarts at the
//! end with the next segment's bound: the Poisson process is memoryless, so discarding the
//! overshooting gap changes nothing. On constant segments every candidate is kept (plain
//! inversion: exponential gaps), with no uniform draw.
//!
//! - constant: one segment forever; stages (k6): linear ramps, then the last target forever;
//!   rate traces: constant segments.
//! - diurnal: `k(t) · (base + amplitude · sin(2π (t + phase) / period)) + Σ spikes(t)`, with
//!   `k(t)` the per-day multiplier (`day_scale[floor(t / 24h) mod 7]`, blended linearly from
//!   the previous day's over `day_transition`) and trapezoidal spikes. Segments are cut at
//!   every breakpoint (256 pieces per period, day boundaries, blend ends, spike corners); on
//!   each, the multiplier and the spikes are linear and the bound is the sinusoid's piece
//!   maximum times the larger end multiplier plus the larger end spike sum. A squeeze (the
//!   segment's minimum) skips most evaluations. Without multipliers or spikes the draws are
//!   exactly those of the plain sinusoid.
//! - bursts: a Markov-modulated Poisson process; the state sojourns (exponential) are drawn
//!   from the same stream, lazily, as the clock passes each switch; states cycle in order.
//! - timestamp traces: replayed exactly.
//!
//! **Clock.** The thinning clock is whole nanoseconds plus a sub-nanosecond fraction in
//! seconds, so adding millions of gaps loses no precision however long the run; instants are
//! rounded to the nearest nanosecond only when returned.

use super::trace;
use crate::dist::{non_negative, positive};
use crate::scenario::{Arrivals, SpecError, TraceFormat};
use hpasim_sim::StreamRng;
use hpasim_sim::{SimDuration, SimTime};
use rand::RngExt;
use rand_distr::{Distribution, Exp1};
use std::f64::consts::{FRAC_PI_2, TAU};
use std::path::Path;

const FOREVER: u64 = u64::MAX;

/// A compiled arrival process; yields arrival instants one at a time.
#[derive(Clone, Debug)]
pub struct ArrivalProcess {
    kind: Kind,
    clock: Clock,
    last: SimTime,
}

#[derive(Clone, Debug)]
enum Kind {
    /// Constant, stages and rate traces: consecutive segments, the last one ending never.
    Segments {
        segs: Vec<Segment>,
        at: usize,
    },
    Diurnal(Box<Diurnal>),
    Bursts(Bursts),
    Timestamps {
        times: Vec<u64>,
        next: usize,
        mean_rate: f64,
    },
}

/// A diurnal sinusoid `d(t)`, times a per-day multiplier `k(t)`, plus spikes `s(t)`.
#[derive(Clone, Debug)]
struct Diurnal {
    base: f64,
    amplitude: f64,
    period_ns: u64,
    omega: f64,
    phase: f64,
    /// The sinusoid's maximum over each of [`DIURNAL_PIECES`] equal pieces of the period: the
    /// thinning bound there (acceptance near 1 instead of base / (base + amplitude)).
    bounds: Vec<f64>,
    /// The sinusoid's minimum over each piece: a candidate below it is accepted without
    /// evaluating the sinusoid (a squeeze; the decisions are the same).
    lows: Vec<f64>,
    /// Seven per-day multipliers; `None`: 1 every day.
    day_scale: Option<[f64; 7]>,
    /// Blend from the previous day's multiplier over the start of each day [ns]; 0: a step.
    transition_ns: u64,
    /// Spikes, as given.
    spikes: Vec<SpikeNs>,
    /// When the sinusoid times the multipliers is zero everywhere: the end of the last spike
    /// [ns], after which the process ends.
    quiet_after: Option<u64>,
    /// The thinning segment the clock is in.
    seg: DiurnalSeg,
}

/// A trapezoidal spike [ns, ns, ns, 1/s].
#[derive(Clone, Copy, Debug)]
struct SpikeNs {
    at: u64,
    end: u64,
    ramp: u64,
    rate: f64,
}

/// A stretch `[start, end)` with no breakpoint inside: inside one piece of the sinusoid's
/// period, one phase of the day multiplier and one phase of every spike. There the multiplier
/// and the spikes' sum are linear (`k0` → `k1`, `s0` → `s1`) and the rate lies in `[low, bound]`.
#[derive(Clone, Copy, Debug, Default)]
struct DiurnalSeg {
    start: u64,
    end: u64,
    bound: f64,
    low: f64,
    k0: f64,
    k1: f64,
    s0: f64,
    s1: f64,
    /// The rate is constant over the segment: every candidate is kept, no uniform draw.
    constant: bool,
}

/// Rate moving linearly from `r0` at `start` to `r1` at `end` [ns, ns, 1/s, 1/s].
#[derive(Clone, Copy, Debug)]
struct Segment {
    start: u64,
    end: u64,
    r0: f64,
    r1: f64,
}

#[derive(Clone, Debug)]
struct Bursts {
    rates: Vec<f64>,
    means: Vec<f64>,
    /// Some state has a positive rate (else the process never yields).
    any_traffic: bool,
    state: usize,
    /// End of the current state's sojourn, in ns; `None` before the first draw.
    end: Option<u64>,
}

/// Whole nanoseconds plus a fraction of a nanosecond, in seconds.
#[derive(Clone, Copy, Debug, Default)]
struct Clock {
    ns: u64,
    frac: f64,
}

impl Clock {
    fn at(ns: u64) -> Clock {
        Clock { ns, frac: 0.0 }
    }
    fn advance(&mut self, secs: f64) {
        let total = self.frac + secs;
        let whole = (total * 1e9).floor();
        if whole >= (FOREVER - self.ns) as f64 {
            *self = Clock::at(FOREVER);
            return;
        }
        self.ns += whole as u64;
        self.frac = (total - whole * 1e-9).max(0.0);
    }
    fn rounded(&self) -> u64 {
        self.ns.saturating_add(u64::from(self.frac >= 0.5e-9))
    }
    /// Nanoseconds since `start` (≤ the clock), with the fraction.
    fn nanos_since(&self, start: u64) -> f64 {
        (self.ns - start) as f64 + self.frac * 1e9
    }
}

/// Pieces of a diurnal period with their own thinning bound.
const DIURNAL_PIECES: usize = 256;

/// The maximum (`side` 1) or minimum (`side` −1) of `base + amplitude · sin(ω (t + phase))`
/// over each piece of the period (endpoints, or ±1 where a crest or trough lies inside), with
/// a hair of margin for rounding.
fn diurnal_bounds(
    base: f64,
    amplitude: f64,
    period_ns: u64,
    omega: f64,
    phase: f64,
    side: f64,
) -> Vec<f64> {
    let piece_ns = (period_ns / DIURNAL_PIECES as u64).max(1);
    let pieces = (period_ns / piece_ns).clamp(1, DIURNAL_PIECES as u64) as usize;
    (0..pieces)
        .map(|k| {
            let a = (k as u64 * piece_ns) as f64 * 1e-9;
            let b = if k + 1 == pieces {
                period_ns as f64 * 1e-9
            } else {
                ((k as u64 + 1) * piece_ns) as f64 * 1e-9
            };
            let (x0, x1) = (omega * (a + phase), omega * (b + phase));
            // The extreme of side · sin: a crest (side 1) or trough (side −1) inside the piece.
            let at = side * FRAC_PI_2;
            let extreme = ((x0 - at) / TAU).ceil() * TAU + at;
            let top = if extreme <= x1 {
                1.0
            } else {
                (side * x0.sin()).max(side * x1.sin())
            };
            let value = base + amplitude * side * top;
            value * (1.0 + side * 1e-9) + side * 1e-12
        })
        .collect()
}

fn gap(rate: f64, rng: &mut StreamRng) -> f64 {
    let e: f64 = Exp1.sample(rng);
    e / rate
}

impl ArrivalProcess {
    /// Validates `spec` and builds the process. `path` is its parameter path
    /// (`workload.arrivals`); `base_dir` resolves relative trace paths.
    pub fn compile(
        spec: &Arrivals,
        base_dir: &Path,
        path: &str,
    ) -> Result<ArrivalProcess, SpecError> {
        let field = |name: &str| format!("{path}.{name}");
        let kind = match spec {
            Arrivals::Constant { rate } => {
                let r = check_rate(*rate, &field("rate"))?;
                constant_segments(r)
            }
            Arrivals::Stages { start_rate, stages } => {
                if stages.is_empty() {
                    return Err(
                        SpecError::at_path(field("stages"), "needs at least one stage")
                            .with_hint("e.g. `stages: [{ duration: 5m, target: 100 }]`"),
                    );
                }
                let mut previous = check_rate(*start_rate, &field("start_rate"))?;
                let mut start = 0u64;
                let mut segs = Vec::with_capacity(stages.len() + 1);
                for (i, stage) in stages.iter().enumerate() {
                    let target = check_rate(stage.target, &format!("{path}.stages[{i}].target"))?;
                    let d = non_negative(
                        stage.duration.secs(),
                        &format!("{path}.stages[{i}].duration"),
                    )?;
                    let end = start.saturating_add(SimDuration::from_secs_f64(d).0);
                    segs.push(Segment {
                        start,
                        end,
                        r0: previous,
                        r1: target,
                    });
                    (start, previous) = (end, target);
                }
                segs.push(Segment {
                    start,
                    end: FOREVER,
                    r0: previous,
                    r1: previous,
                });
                Kind::Segments { segs, at: 0 }
            }
            Arrivals::Diurnal {
                base,
                amplitude,
                period,
                phase,
                day_scale,
                day_transition,
                spikes,
            } => {
                let base = check_rate(*base, &field("base"))?;
                let amplitude = check_rate(*amplitude, &field("amplitude"))?;
                if amplitude > base {
                    return Err(SpecError::at_path(
                        field("amplitude"),
                        format!(
                            "amplitude {amplitude} exceeds base {base}: the rate would go negative"
                        ),
                    )
                    .with_hint("keep amplitude ≤ base (rate = base + amplitude · sin(...))"));
                }
                positive(period.secs(), &field("period"))?;
                let period_ns = period.sim().0.max(1);
                let omega = TAU / (period_ns as f64 * 1e-9);
                let phase = non_negative(phase.secs(), &field("phase"))?;
                let day_scale = check_day_scale(day_scale.as_deref(), &field("day_scale"))?;
                let transition_ns = check_day_transition(
                    *day_transition,
                    day_scale.is_some(),
                    &field("day_transition"),
                )?;
                let spikes = spikes
                    .iter()
                    .enumerate()
                    .map(|(i, sp)| check_spike(sp, &format!("{path}.spikes[{i}]")))
                    .collect::<Result<Vec<_>, _>>()?;
                let silent = base + amplitude <= 0.0
                    || day_scale.is_some_and(|k| k.iter().all(|&k| k == 0.0));
                let quiet_after = silent.then(|| spikes.iter().map(|sp| sp.end).max().unwrap_or(0));
                Kind::Diurnal(Box::new(Diurnal {
                    base,
                    amplitude,
                    period_ns,
                    omega,
                    phase,
                    bounds: diurnal_bounds(base, amplitude, period_ns, omega, phase, 1.0),
                    lows: diurnal_bounds(base, amplitude, period_ns, omega, phase, -1.0),
                    day_scale,
                    transition_ns,
                    spikes,
                    quiet_after,
                    seg: DiurnalSeg::default(),
                }))
            }
            Arrivals::Bursts { states } => {
                if states.is_empty() {
                    return Err(SpecError::at_path(field("states"), "needs at least one state")
                        .with_hint("e.g. `states: [{ rate: 10, mean_duration: 5m }, { rate: 200, mean_duration: 30s }]`"));
                }
                let mut rates = Vec::with_capacity(states.len());
                let mut means = Vec::with_capacity(states.len());
                for (i, s) in states.iter().enumerate() {
                    rates.push(check_rate(s.rate, &format!("{path}.states[{i}].rate"))?);
                    means.push(positive(
                        s.mean_duration.secs(),
                        &format!("{path}.states[{i}].mean_duration"),
                    )?);
                }
                let any_traffic = rates.iter().any(|&r| r > 0.0);
                Kind::Bursts(Bursts {
                    rates,
                    means,
                    any_traffic,
                    state: 0,
                    end: None,
                })
            }
            Arrivals::Trace {
                file,
                format,
                scale,
            } => {
                let scale = positive(*scale, &field("scale"))?;
                match format {
                    TraceFormat::Timestamps => {
                        let times = trace::read_timestamps(base_dir, file, scale, path)?;
                        let span = (times[times.len() - 1] - times[0]) as f64 * 1e-9;
                        let mean_rate = if span > 0.0 {
                            (times.len() - 1) as f64 / span
                        } else {
                            0.0
                        };
                        Kind::Timestamps {
                            times,
                            next: 0,
                            mean_rate,
                        }
                    }
                    TraceFormat::Rates => {
                        let rows = trace::read_rates(base_dir, file, scale, path)?;
                        Kind::Segments {
                            segs: rate_segments(&rows),
                            at: 0,
                        }
                    }
                }
            }
        };
        Ok(ArrivalProcess {
            kind,
            clock: Clock::default(),
            last: SimTime::ZERO,
        })
    }

    /// The next arrival instant: not before the previous one returned nor before `now`
    /// (equal instants are possible). `None` once the process has ended (trace exhausted, or
    /// a rate of zero forever). Never allocates.
    pub fn next_arrival(&mut self, now: SimTime, rng: &mut StreamRng) -> Option<SimTime> {
        if now > self.last && now.0 > self.clock.ns {
            // The caller moved on: a Poisson process may restart anywhere (memoryless).
            self.clock = Clock::at(now.0);
        }
        let t = match &mut self.kind {
            Kind::Segments { segs, at } => next_in_segments(segs, at, &mut self.clock, rng)?,
            Kind::Diurnal(d) => d.next(&mut self.clock, rng)?,
            Kind::Bursts(b) => b.next(&mut self.clock, rng)?,
            Kind::Timestamps { times, next, .. } => {
                while *next < times.len() && times[*next] < now.0 {
                    *next += 1;
                }
                let t = *times.get(*next)?;
                *next += 1;
                t
            }
        };
        let t = SimTime(t).max(self.last);
        debug_assert!(t >= now);
        self.last = t;
        Some(t)
    }

    /// The instantaneous rate λ(t) [1/s]. For bursts, the rate of the current state
    /// (whatever `t`); for timestamp traces, the trace's average rate.
    pub fn rate_at(&self, t: SimTime) -> f64 {
        match &self.kind {
            Kind::Segments { segs, .. } => {
                let i = segs.partition_point(|s| s.end <= t.0).min(segs.len() - 1);
                let s = segs[i];
                if s.r0 == s.r1 || t.0 <= s.start {
                    return s.r0;
                }
                let x = (t.0 - s.start) as f64 / (s.end - s.start) as f64;
                s.r0 + (s.r1 - s.r0) * x
            }
            Kind::Diurnal(d) => d.rate(t.0, 0.0),
            Kind::Bursts(b) => b.rates[b.state],
            Kind::Timestamps { mean_rate, .. } => *mean_rate,
        }
    }
}

/// One day [ns]: the unit of `day_scale`.
const DAY_NS: u64 = 86_400_000_000_000;

/// The previous and the current day's indices into `day_scale` at `ns`.
fn days(ns: u64) -> (usize, usize) {
    let day = ns / DAY_NS;
    (((day + 6) % 7) as usize, (day % 7) as usize)
}

impl Diurnal {
    /// The sinusoid `base + amplitude · sin(ω (t + phase))` at `ns` plus `frac` seconds.
    fn sinusoid(&self, ns: u64, frac: f64) -> f64 {
        let in_period = (ns % self.period_ns) as f64 * 1e-9 + frac;
        self.base + self.amplitude * (self.omega * (in_period + self.phase)).sin()
    }

    /// The exact rate λ(t) at `ns` plus `frac` seconds.
    fn rate(&self, ns: u64, frac: f64) -> f64 {
        let d = self.sinusoid(ns, frac);
        if self.day_scale.is_none() && self.spikes.is_empty() {
            return d;
        }
        let t = ns as f64 + frac * 1e9;
        let k = match self.day_scale {
            Some(scale) => {
                let (prev, cur) = days(ns);
                let into = (ns % DAY_NS) as f64 + frac * 1e9;
                let blend = self.transition_ns as f64;
                if into < blend {
                    scale[prev] + (scale[cur] - scale[prev]) * (into / blend)
                } else {
                    scale[cur]
                }
            }
            None => 1.0,
        };
        k * d + self.spikes.iter().map(|sp| sp.rate_at(t)).sum::<f64>()
    }

    /// The segment starting at `start`: it ends at the first breakpoint after `start` (the
    /// sinusoid's piece end, the day boundary or blend end, a spike's corner), so that the
    /// multiplier and each spike are linear on it, and its bound is the sinusoid's piece bound
    /// times the larger end value of the multiplier plus the spikes' larger end value.
    fn segment(&self, start: u64) -> DiurnalSeg {
        let piece_ns = (self.period_ns / DIURNAL_PIECES as u64).max(1);
        let in_ns = start % self.period_ns;
        let piece = ((in_ns / piece_ns) as usize).min(self.bounds.len() - 1);
        let end_in = if piece + 1 == self.bounds.len() {
            self.period_ns
        } else {
            (piece as u64 + 1) * piece_ns
        };
        let mut end = (start - in_ns).saturating_add(end_in);
        let (bound, low) = (self.bounds[piece], self.lows[piece]);
        if self.day_scale.is_none() && self.spikes.is_empty() {
            return DiurnalSeg {
                start,
                end,
                bound,
                low,
                k0: 1.0,
                k1: 1.0,
                s0: 0.0,
                s1: 0.0,
                constant: self.amplitude == 0.0,
            };
        }
        let day_start = start - start % DAY_NS;
        let blending = start % DAY_NS < self.transition_ns;
        if self.day_scale.is_some() {
            let next = if blending {
                day_start.saturating_add(self.transition_ns)
            } else {
                day_start.saturating_add(DAY_NS)
            };
            end = end.min(next);
        }
        for sp in &self.spikes {
            if let Some(&b) = sp.corners().iter().find(|&&b| b > start) {
                end = end.min(b);
            }
        }
        let (k0, k1) = match self.day_scale {
            Some(scale) => {
                let (prev, cur) = days(start);
                if blending {
                    let at = |t: u64| {
                        let x = (t - day_start) as f64 / self.transition_ns as f64;
                        scale[prev] + (scale[cur] - scale[prev]) * x
                    };
                    (at(start), at(end))
                } else {
                    (scale[cur], scale[cur])
                }
            }
            None => (1.0, 1.0),
        };
        let (mut s0, mut s1) = (0.0, 0.0);
        for sp in &self.spikes {
            let (a, b) = sp.ends(start, end);
            s0 += a;
            s1 += b;
        }
        // A hair of margin over the rounding of the products and sums.
        let top = bound * k0.max(k1) + s0.max(s1);
        let bound = if top > 0.0 {
            top * (1.0 + 1e-12) + 1e-12
        } else {
            0.0
        };
        let low = (low * k0.min(k1) + s0.min(s1)) * (1.0 - 1e-12) - 1e-12;
        DiurnalSeg {
            start,
            end,
            bound,
            low,
            k0,
            k1,
            s0,
            s1,
            constant: self.amplitude == 0.0 && k0 == k1 && s0 == s1,
        }
    }

    /// The rate at the clock, which lies in `seg`: the sinusoid times the multiplier, plus the
    /// spikes, both interpolated linearly across the segment.
    fn rate_in(&self, seg: &DiurnalSeg, clock: &Clock) -> f64 {
        let d = self.sinusoid(clock.ns, clock.frac);
        if seg.k0 == 1.0 && seg.k1 == 1.0 && seg.s0 == 0.0 && seg.s1 == 0.0 {
            return d;
        }
        let x = clock.nanos_since(seg.start) / (seg.end - seg.start) as f64;
        (seg.k0 + (seg.k1 - seg.k0) * x) * d + seg.s0 + (seg.s1 - seg.s0) * x
    }

    /// Thinning with a piecewise-constant bound: a candidate beyond its segment restarts at the
    /// segment's end (memoryless) under the next segment's bound.
    fn next(&mut self, clock: &mut Clock, rng: &mut StreamRng) -> Option<u64> {
        loop {
            if clock.ns == FOREVER || self.quiet_after.is_some_and(|q| clock.ns >= q) {
                return None;
            }
            if clock.ns < self.seg.start || clock.ns >= self.seg.end {
                self.seg = self.segment(clock.ns);
            }
            let seg = self.seg;
            let left = (seg.end - clock.ns) as f64 * 1e-9 - clock.frac;
            let g = if seg.bound > 0.0 {
                gap(seg.bound, rng)
            } else {
                f64::INFINITY
            };
            if g >= left {
                *clock = Clock::at(seg.end);
                continue;
            }
            clock.advance(g);
            if clock.ns == FOREVER {
                return None;
            }
            if !seg.constant {
                let u = rng.random::<f64>() * seg.bound;
                if u >= seg.low && u >= self.rate_in(&seg, clock) {
                    continue;
                }
            }
            return Some(clock.rounded());
        }
    }
}

impl SpikeNs {
    /// The instants where the spike's slope changes: start, top of the ramp up, start of the
    /// ramp down, end.
    fn corners(&self) -> [u64; 4] {
        [
            self.at,
            self.at.saturating_add(self.ramp),
            self.end - self.ramp,
            self.end,
        ]
    }

    /// The extra rate at `t` [ns].
    fn rate_at(&self, t: f64) -> f64 {
        let (at, end, ramp) = (self.at as f64, self.end as f64, self.ramp as f64);
        if t < at || t >= end {
            0.0
        } else if t < at + ramp {
            self.rate * (t - at) / ramp
        } else if t > end - ramp {
            self.rate * (end - t) / ramp
        } else {
            self.rate
        }
    }

    /// The extra rate's values at both ends of `[start, end]`, which holds no corner inside:
    /// the linear piece that holds `start` evaluated at both ends.
    fn ends(&self, start: u64, end: u64) -> (f64, f64) {
        let ramp = self.ramp as f64;
        if start < self.at || start >= self.end {
            (0.0, 0.0)
        } else if start < self.at + self.ramp {
            let up = |t: u64| self.rate * (t - self.at) as f64 / ramp;
            (up(start), up(end))
        } else if start >= self.end - self.ramp {
            let down = |t: u64| self.rate * (self.end - t) as f64 / ramp;
            (down(start), down(end))
        } else {
            (self.rate, self.rate)
        }
    }
}

/// Seven multipliers, finite and ≥ 0.
fn check_day_scale(scale: Option<&[f64]>, path: &str) -> Result<Option<[f64; 7]>, SpecError> {
    let Some(scale) = scale else {
        return Ok(None);
    };
    let hint = "one multiplier per day of the run, day 0 first, e.g. `day_scale: [1, 1, 1, 1, 1, 0.55, 0.45]`";
    let Ok(days) = <[f64; 7]>::try_from(scale) else {
        return Err(SpecError::at_path(
            path,
            format!("needs exactly 7 values (one per day), got {}", scale.len()),
        )
        .with_hint(hint));
    };
    for (i, &k) in days.iter().enumerate() {
        non_negative(k, &format!("{path}[{i}]")).map_err(|e| e.with_hint(hint))?;
    }
    Ok(Some(days))
}

/// The blend at day boundaries [ns]: ≤ 24 h, and only with `day_scale`.
fn check_day_transition(
    transition: Option<crate::scenario::Duration>,
    has_scale: bool,
    path: &str,
) -> Result<u64, SpecError> {
    let Some(transition) = transition else {
        return Ok(0);
    };
    let secs = non_negative(transition.secs(), path)?;
    if !has_scale {
        return Err(
            SpecError::at_path(path, "has no effect without `day_scale`")
                .with_hint("add `day_scale: [...]` (7 multipliers) or remove `day_transition`"),
        );
    }
    if secs > 86_400.0 {
        return Err(SpecError::at_path(
            path,
            format!("must not exceed one day (24h), got {transition}"),
        )
        .with_hint("the multiplier blends from the previous day's over the start of each day"));
    }
    Ok(transition.sim().0)
}

/// A spike in nanoseconds: rate ≥ 0, duration > 0, ramp ≤ duration / 2.
fn check_spike(spike: &crate::scenario::Spike, path: &str) -> Result<SpikeNs, SpecError> {
    let field = |name: &str| format!("{path}.{name}");
    let rate = check_rate(spike.rate, &field("rate"))?;
    non_negative(spike.at.secs(), &field("at"))?;
    positive(spike.duration.secs(), &field("duration")).map_err(|e| {
        e.with_hint("a spike lasts a positive time, ramps included, e.g. `duration: 20m`")
    })?;
    non_negative(spike.ramp.secs(), &field("ramp"))?;
    let (at, duration, ramp) = (spike.at.sim().0, spike.duration.sim().0, spike.ramp.sim().0);
    if ramp.saturating_mul(2) > duration {
        return Err(SpecError::at_path(
            field("ramp"),
            format!(
                "ramp {} is longer than half the spike's duration {}",
                spike.ramp, spike.duration
            ),
        )
        .with_hint("the rate ramps up over `ramp` and down over `ramp` within `duration`: keep ramp ≤ duration / 2"));
    }
    Ok(SpikeNs {
        at,
        end: at.saturating_add(duration),
        ramp,
        rate,
    })
}

/// A rate: finite and ≥ 0.
fn check_rate(rate: f64, path: &str) -> Result<f64, SpecError> {
    non_negative(rate, path).map_err(|e| {
        e.with_hint("rates are requests per second: finite and ≥ 0 (0 means no traffic)")
    })
}

fn constant_segments(rate: f64) -> Kind {
    let segs = vec![Segment {
        start: 0,
        end: FOREVER,
        r0: rate,
        r1: rate,
    }];
    Kind::Segments { segs, at: 0 }
}

/// Constant segments from `(start, rate)` rows; zero before the first row.
fn rate_segments(rows: &[(u64, f64)]) -> Vec<Segment> {
    let mut segs = Vec::with_capacity(rows.len() + 1);
    if rows[0].0 > 0 {
        segs.push(Segment {
            start: 0,
            end: rows[0].0,
            r0: 0.0,
            r1: 0.0,
        });
    }
    for (i, &(start, rate)) in rows.iter().enumerate() {
        let end = rows.get(i + 1).map_or(FOREVER, |r| r.0);
        segs.push(Segment {
            start,
            end,
            r0: rate,
            r1: rate,
        });
    }
    segs
}

/// Thinning over consecutive segments (inversion on constant ones).
fn next_in_segments(
    segs: &[Segment],
    at: &mut usize,
    clock: &mut Clock,
    rng: &mut StreamRng,
) -> Option<u64> {
    loop {
        let s = segs[*at];
        if clock.ns >= s.end {
            // Past this segment (also: zero-length stages, and the saturated end of time).
            if *at + 1 == segs.len() {
                return None;
            }
            *at += 1;
            continue;
        }
        let bound = s.r0.max(s.r1);
        if bound <= 0.0 {
            if s.end == FOREVER {
                return None;
            }
            *clock = Clock::at(s.end);
            continue;
        }
        clock.advance(gap(bound, rng));
        if clock.ns >= s.end {
            if s.end == FOREVER {
                return None;
            }
            *clock = Clock::at(s.end); // memoryless restart with the next bound
            continue;
        }
        if s.r0 != s.r1 {
            let x = clock.nanos_since(s.start) / (s.end - s.start) as f64;
            let rate = s.r0 + (s.r1 - s.r0) * x;
            if rng.random::<f64>() * bound >= rate {
                continue;
            }
        }
        return Some(clock.rounded());
    }
}

impl Bursts {
    fn sojourn(&self, rng: &mut StreamRng) -> u64 {
        let e: f64 = Exp1.sample(rng);
        SimDuration::from_secs_f64(e * self.means[self.state]).0
    }

    fn next(&mut self, clock: &mut Clock, rng: &mut StreamRng) -> Option<u64> {
        if !self.any_traffic {
            return None;
        }
        let mut end = match self.end {
            Some(end) => end,
            None => self.sojourn(rng), // the process starts in the first state at time zero
        };
        let t = loop {
            if clock.ns >= end {
                if end == FOREVER {
                    break None;
                }
                self.state = (self.state + 1) % self.rates.len();
                end = end.saturating_add(self.sojourn(rng));
                continue;
            }
            let rate = self.rates[self.state];
            if rate <= 0.0 {
                *clock = Clock::at(end);
                continue;
            }
            clock.advance(gap(rate, rng));
            if clock.ns == FOREVER {
                break None;
            }
            if clock.ns >= end {
                *clock = Clock::at(end); // state switch: resample at the new rate
                continue;
            }
            break Some(clock.rounded());
        };
        self.end = Some(end);
        t
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod diurnal_bound_tests {
    use super::*;

    #[test]
    fn piecewise_bounds_dominate_the_diurnal_rate_everywhere() {
        for (base, amplitude, period_s, phase_s) in [
            (200.0, 120.0, 3600.0, 0.0),
            (10.0, 10.0, 86_400.0, 7_200.0),
            (5.0, 1.0, 7.0, 3.3),
        ] {
            let period_ns = (period_s * 1e9) as u64;
            let omega = TAU / period_s;
            let bounds = diurnal_bounds(base, amplitude, period_ns, omega, phase_s, 1.0);
            let lows = diurnal_bounds(base, amplitude, period_ns, omega, phase_s, -1.0);
            let piece_ns = (period_ns / DIURNAL_PIECES as u64).max(1);
            for i in 0..100_000u64 {
                let t = period_ns / 100_000 * i + i % 997;
                let piece = ((t / piece_ns) as usize).min(bounds.len() - 1);
                let rate = base + amplitude * (omega * (t as f64 * 1e-9 + phase_s)).sin();
                assert!(
                    rate <= bounds[piece],
                    "t {t}: rate {rate} > bound {}",
                    bounds[piece]
                );
                assert!(
                    rate >= lows[piece],
                    "t {t}: rate {rate} < low {}",
                    lows[piece]
                );
            }
            // And they are tight: no piece bound exceeds the true maximum by more than the
            // rate's change over one piece.
            let slack = amplitude * omega * (piece_ns as f64 * 1e-9) + 1e-6;
            assert!(bounds.iter().all(|b| *b <= base + amplitude + slack));
        }
    }
}
