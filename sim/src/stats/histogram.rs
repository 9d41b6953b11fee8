//! Latency histograms: HDR (≤ 0.1 % relative error), constant memory, mergeable.

use crate::time::SimDuration;
use hdrhistogram::Histogram;

/// Smallest latency tracked with full precision [ns] (1 µs); smaller values count as 1 µs.
const LOWEST_NS: u64 = 1_000;
/// Largest latency tracked [ns] (one week); larger values are clamped to it.
const HIGHEST_NS: u64 = 7 * 24 * 3_600 * 1_000_000_000;

/// A latency distribution with an exact mean, exact max and HDR percentiles.
#[derive(Clone, Debug)]
pub struct LatencyHistogram {
    hist: Histogram<u64>,
    sum_ns: u128,
    max_ns: u64,
}

impl Default for LatencyHistogram {
    fn default() -> Self {
        Self::new()
    }
}

impl LatencyHistogram {
    /// An empty histogram covering 1 µs to one week with 3 significant digits.
    pub fn new() -> Self {
        let hist = Histogram::new_with_bounds(LOWEST_NS, HIGHEST_NS, 3)
            .expect("constant histogram bounds are valid");
        LatencyHistogram {
            hist,
            sum_ns: 0,
            max_ns: 0,
        }
    }

    /// Records one observation. Allocates nothing.
    pub fn record(&mut self, d: SimDuration) {
        let ns = d.as_nanos();
        self.sum_ns += u128::from(ns);
        self.max_ns = self.max_ns.max(ns);
        self.hist.saturating_record(ns.clamp(LOWEST_NS, HIGHEST_NS));
    }

    /// Observations recorded.
    pub fn count(&self) -> u64 {
        self.hist.len()
    }

    /// Exact mean [ms]; zero when empty.
    pub fn mean_ms(&self) -> f64 {
        if self.count() == 0 {
            return 0.0;
        }
        self.sum_ns as f64 / self.count() as f64 / 1e6
    }

    /// The `q`-quantile (0 ≤ q ≤ 1) [ms], within 0.1 %; zero when empty.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        if self.count() == 0 {
            return 0.0;
        }
        if q >= 1.0 {
            return self.max_ms();
        }
        self.hist.value_at_quantile(q) as f64 / 1e6
    }

    /// The quantiles `qs` (ascending, each in [0, 1]) [ms] in one pass over the buckets, each
    /// equal to [`quantile_ms`](Self::quantile_ms) of it (1 gives the exact maximum); written
    /// into `out` (cleared first). Zeros when empty.
    pub fn quantiles_ms(&self, qs: &[f64], out: &mut Vec<f64>) {
        out.clear();
        if self.count() == 0 {
            out.resize(qs.len(), 0.0);
            return;
        }
        debug_assert!(qs.windows(2).all(|w| w[0] <= w[1]), "ascending quantiles");
        let mut values = self.hist.value_at_quantiles(qs.iter().copied());
        for &q in qs {
            let v = values.next().unwrap_or(0);
            out.push(if q >= 1.0 {
                self.max_ms()
            } else {
                v as f64 / 1e6
            });
        }
    }

    /// Exact maximum [ms]; zero when empty.
    pub fn max_ms(&self) -> f64 {
        self.max_ns as f64 / 1e6
    }

    /// Fraction of observations strictly above `d` (within the histogram's precision).
    pub fn fraction_above(&self, d: SimDuration) -> f64 {
        if self.count() == 0 {
            return 0.0;
        }
        let ns = d.as_nanos().clamp(LOWEST_NS, HIGHEST_NS);
        let at_or_below = self.hist.count_between(0, ns);
        1.0 - at_or_below as f64 / self.count() as f64
    }

    /// Adds every observation of `other` (for merging replications or shards).
    pub fn merge(&mut self, other: &LatencyHistogram) {
        self.hist
            .add(&other.hist)
            .expect("histograms with equal bounds always merge");
        self.sum_ns += other.sum_ns;
        self.max_ns = self.max_ns.max(other.max_ns);
    }

    /// Forgets every observation, keeping the allocation.
    pub fn reset(&mut self) {
        self.hist.reset();
        self.sum_ns = 0;
        self.max_ns = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_within_a_tenth_of_a_percent() {
        let mut h = LatencyHistogram::new();
        for ms in 1..=1000u64 {
            h.record(SimDuration::from_millis(ms));
        }
        assert_eq!(h.count(), 1000);
        assert!((h.mean_ms() - 500.5).abs() < 1e-9);
        for (q, want) in [(0.5, 500.0), (0.99, 990.0), (0.999, 999.0)] {
            let got = h.quantile_ms(q);
            assert!((got - want).abs() / want < 1e-3, "q{q}: {got} vs {want}");
        }
        assert_eq!(h.max_ms(), 1000.0);
    }

    #[test]
    fn quantiles_in_one_pass_equal_each_quantile() {
        let mut h = LatencyHistogram::new();
        let mut out = Vec::new();
        h.quantiles_ms(&[0.0, 0.5, 1.0], &mut out);
        assert_eq!(out, [0.0, 0.0, 0.0]);
        for i in 0..10_000u64 {
            h.record(SimDuration(50_000 + (i * 7919) % 90_000_000));
        }
        let qs = [0.0, 0.01, 0.25, 0.5, 0.9, 0.99, 0.999, 0.9999, 1.0];
        h.quantiles_ms(&qs, &mut out);
        let each: Vec<f64> = qs.iter().map(|&q| h.quantile_ms(q)).collect();
        assert_eq!(out, each);
        assert_eq!(out[8], h.max_ms());
    }

    #[test]
    fn merging_equals_recording_everything_in_one() {
        let (mut a, mut b, mut all) = (
            LatencyHistogram::new(),
            LatencyHistogram::new(),
            LatencyHistogram::new(),
        );
        for ms in 1..=50u64 {
            a.record(SimDuration::from_millis(ms));
            all.record(SimDuration::from_millis(ms));
        }
        for ms in 51..=100u64 {
            b.record(SimDuration::from_millis(ms * 3));
            all.record(SimDuration::from_millis(ms * 3));
        }
        a.merge(&b);
        assert_eq!(a.count(), all.count());
        assert_eq!(a.mean_ms(), all.mean_ms());
        assert_eq!(a.quantile_ms(0.9), all.quantile_ms(0.9));
        assert_eq!(a.max_ms(), all.max_ms());
    }
}
