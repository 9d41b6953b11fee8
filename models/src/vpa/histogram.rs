//! The recommender's histograms (upstream `pkg/recommender/util/histogram_options.go`,
//! `histogram.go` and `decaying_histogram.go`), reimplemented from their semantics.
//!
//! Buckets grow exponentially: bucket 0 is `[0, first)`, bucket `n ≥ 1` starts at
//! `first · (ratio^n − 1) / (ratio − 1)`, and there are just enough buckets for the last one
//! to start at or above `max` (the last bucket has no upper end; larger values fall in it).
//! A bucket whose weight is below `epsilon` counts as empty.
//!
//! [`Histogram::percentile`] returns the *end* of the bucket in which the cumulative weight
//! first reaches `p × total` (that is, the start of the following bucket), or the start of the
//! last bucket when that bucket is the last one: an over-estimate by at most one bucket
//! width, never an interpolation. An empty histogram's percentile is 0.
//!
//! [`DecayingHistogram`] multiplies each sample's weight by `2^((t − reference) / halfLife)`;
//! when a sample arrives more than 100 half-lives after the reference, the reference moves to
//! that instant rounded to a whole number of half-lives and every stored weight is scaled by
//! `2^−k` (k half-lives moved), which leaves the percentiles unchanged.

use hpasim_sim::{SimDuration, SimTime};

/// Upstream `maxDecayExponent`: the reference moves once a decay factor would exceed 2^100.
pub const MAX_DECAY_EXPONENT: u64 = 100;

/// The bucketing scheme of an exponential histogram.
#[derive(Clone, Debug, PartialEq)]
pub struct HistogramOptions {
    num_buckets: usize,
    first_bucket_size: f64,
    ratio: f64,
    epsilon: f64,
    /// Every bucket's start, computed once by repeated multiplication so that a bucket's
    /// start is the same number wherever it is used (whatever the optimiser does to `powi`).
    starts: Vec<f64>,
}

impl HistogramOptions {
    /// Exponential buckets: the first `[0, first_bucket_size)`, each `ratio` times wider than
    /// the one before, the last starting at or above `max_value`; weights below `epsilon`
    /// count as empty. `None` unless `max_value`, `first_bucket_size`, `epsilon` > 0 and
    /// `ratio` > 1.
    pub fn exponential(
        max_value: f64,
        first_bucket_size: f64,
        ratio: f64,
        epsilon: f64,
    ) -> Option<HistogramOptions> {
        let valid = max_value > 0.0 && first_bucket_size > 0.0 && ratio > 1.0 && epsilon > 0.0;
        if !valid {
            return None;
        }
        let n = ((max_value * (ratio - 1.0) / first_bucket_size + 1.0).ln() / ratio.ln()).ceil();
        let num_buckets = n as usize + 1;
        let mut starts = Vec::with_capacity(num_buckets);
        let mut power = 1.0;
        for _ in 0..num_buckets {
            starts.push(first_bucket_size * (power - 1.0) / (ratio - 1.0));
            power *= ratio;
        }
        Some(HistogramOptions {
            num_buckets,
            first_bucket_size,
            ratio,
            epsilon,
            starts,
        })
    }

    /// The CPU histogram [cores]: max 1000 cores, first bucket 0.001 cores, ratio 1.05,
    /// epsilon 0.0001 (upstream `aggregations_config.go` `cpuHistogramOptions`).
    pub fn cpu() -> HistogramOptions {
        Self::exponential(
            super::CPU_HISTOGRAM_MAX_CORES,
            super::CPU_HISTOGRAM_FIRST_BUCKET_CORES,
            1.0 + super::HISTOGRAM_BUCKET_SIZE_GROWTH,
            super::HISTOGRAM_EPSILON,
        )
        .expect("valid constants")
    }

    /// The memory histogram [bytes]: max 1e12 bytes, first bucket 1e7 bytes, ratio 1.05,
    /// epsilon 0.0001 (upstream `aggregations_config.go` `memoryHistogramOptions`).
    pub fn memory() -> HistogramOptions {
        Self::exponential(
            super::MEMORY_HISTOGRAM_MAX_BYTES,
            super::MEMORY_HISTOGRAM_FIRST_BUCKET_BYTES,
            1.0 + super::HISTOGRAM_BUCKET_SIZE_GROWTH,
            super::HISTOGRAM_EPSILON,
        )
        .expect("valid constants")
    }

    /// How many buckets there are.
    pub fn num_buckets(&self) -> usize {
        self.num_buckets
    }

    /// The ratio of each bucket's width to the previous one's.
    pub fn ratio(&self) -> f64 {
        self.ratio
    }

    /// The smallest weight of a non-empty bucket.
    pub fn epsilon(&self) -> f64 {
        self.epsilon
    }

    /// The bucket holding `value`: the one whose `[start, next start)` contains it, the
    /// first for values below the first bucket's end (including negatives), the last for
    /// values beyond the range.
    pub fn find_bucket(&self, value: f64) -> usize {
        if value.is_nan() || value < self.first_bucket_size {
            return 0;
        }
        let x = (value * (self.ratio - 1.0) / self.first_bucket_size + 1.0).ln() / self.ratio.ln();
        let mut bucket = (x.floor() as usize).min(self.num_buckets - 1);
        // The logarithm can land a hair off a boundary; settle on the bucket whose
        // [start, next start) holds the value (upstream truncates the logarithm only).
        while bucket > 0 && self.bucket_start(bucket) > value {
            bucket -= 1;
        }
        while bucket + 1 < self.num_buckets && self.bucket_start(bucket + 1) <= value {
            bucket += 1;
        }
        bucket
    }

    /// Where bucket `bucket` starts. Panics outside `0..num_buckets()`.
    pub fn bucket_start(&self, bucket: usize) -> f64 {
        assert!(bucket < self.num_buckets, "bucket {bucket} out of range");
        self.starts[bucket]
    }
}

/// A histogram of weighted samples (no decay).
#[derive(Clone, Debug, PartialEq)]
pub struct Histogram {
    options: HistogramOptions,
    weights: Vec<f64>,
    total: f64,
    /// The first non-empty bucket, or the last bucket when empty.
    min_bucket: usize,
    /// The last non-empty bucket, or 0 when empty.
    max_bucket: usize,
}

impl Histogram {
    /// An empty histogram.
    pub fn new(options: HistogramOptions) -> Histogram {
        let n = options.num_buckets;
        Histogram {
            options,
            weights: vec![0.0; n],
            total: 0.0,
            min_bucket: n - 1,
            max_bucket: 0,
        }
    }

    /// The bucketing scheme.
    pub fn options(&self) -> &HistogramOptions {
        &self.options
    }

    /// The sum of all weights.
    pub fn total_weight(&self) -> f64 {
        self.total
    }

    /// The weight held by bucket `bucket`.
    pub fn bucket_weight(&self, bucket: usize) -> f64 {
        self.weights[bucket]
    }

    /// Adds `weight` (≥ 0) to the bucket of `value`.
    pub fn add_sample(&mut self, value: f64, weight: f64) {
        assert!(weight >= 0.0, "sample weight must be non-negative");
        let b = self.options.find_bucket(value);
        self.weights[b] += weight;
        self.total += weight;
        if self.weights[b] >= self.options.epsilon {
            self.min_bucket = self.min_bucket.min(b);
            self.max_bucket = self.max_bucket.max(b);
        }
    }

    /// Removes `weight` (≥ 0) from the bucket of `value`; a bucket never goes below 0 (a
    /// removal within epsilon of the whole bucket empties it).
    pub fn subtract_sample(&mut self, value: f64, weight: f64) {
        assert!(weight >= 0.0, "sample weight must be non-negative");
        let b = self.options.find_bucket(value);
        let w = if weight > self.weights[b] - self.options.epsilon {
            self.weights[b]
        } else {
            weight
        };
        self.weights[b] -= w;
        self.total -= w;
        self.update_min_max();
    }

    /// Whether no bucket holds at least epsilon.
    pub fn is_empty(&self) -> bool {
        self.weights[self.min_bucket] < self.options.epsilon
    }

    /// The `p`-th percentile (`p` in [0, 1]): the end of the bucket where the cumulative
    /// weight reaches `p × total` (the start of the last bucket if it is that one); 0 when
    /// empty.
    pub fn percentile(&self, p: f64) -> f64 {
        if self.is_empty() {
            return 0.0;
        }
        let threshold = p * self.total;
        let mut sum = 0.0;
        let mut b = self.min_bucket;
        while b < self.max_bucket {
            sum += self.weights[b];
            if sum >= threshold {
                break;
            }
            b += 1;
        }
        if b + 1 < self.options.num_buckets {
            self.options.bucket_start(b + 1)
        } else {
            self.options.bucket_start(b)
        }
    }

    /// Multiplies every weight by `factor` (≥ 0); percentiles are unchanged.
    pub fn scale(&mut self, factor: f64) {
        assert!(factor >= 0.0, "scale factor must be non-negative");
        for w in &mut self.weights[self.min_bucket.min(self.max_bucket)..=self.max_bucket] {
            *w *= factor;
        }
        self.total *= factor;
        self.update_min_max();
    }

    fn update_min_max(&mut self) {
        let eps = self.options.epsilon;
        let last = self.options.num_buckets - 1;
        while self.weights[self.min_bucket] < eps && self.min_bucket < last {
            self.min_bucket += 1;
        }
        while self.weights[self.max_bucket] < eps && self.max_bucket > 0 {
            self.max_bucket -= 1;
        }
    }
}

/// A histogram whose samples lose half their weight every `half_life`.
#[derive(Clone, Debug, PartialEq)]
pub struct DecayingHistogram {
    histogram: Histogram,
    half_life: SimDuration,
    reference: SimTime,
}

impl DecayingHistogram {
    /// An empty histogram with its reference at the start of the run. Panics on a zero
    /// half-life.
    pub fn new(options: HistogramOptions, half_life: SimDuration) -> DecayingHistogram {
        assert!(half_life.0 > 0, "half-life must be positive");
        DecayingHistogram {
            histogram: Histogram::new(options),
            half_life,
            reference: SimTime::ZERO,
        }
    }

    /// The undecayed view (weights relative to [`Self::reference`]).
    pub fn histogram(&self) -> &Histogram {
        &self.histogram
    }

    /// The half-life.
    pub fn half_life(&self) -> SimDuration {
        self.half_life
    }

    /// The instant at which a sample's weight is multiplied by exactly 1 (always a whole
    /// number of half-lives).
    pub fn reference(&self) -> SimTime {
        self.reference
    }

    /// The multiplier a sample taken at `t` gets: `2^((t − reference) / halfLife)`, after
    /// moving the reference forward if `t` is more than 100 half-lives past it.
    pub fn decay_factor(&mut self, t: SimTime) -> f64 {
        let max_allowed = self.reference.saturating_add(SimDuration(
            self.half_life.0.saturating_mul(MAX_DECAY_EXPONENT),
        ));
        if t > max_allowed {
            self.shift_reference(t);
        }
        let dt = t.as_nanos() as f64 - self.reference.as_nanos() as f64;
        (dt / self.half_life.0 as f64).exp2()
    }

    /// Moves the reference to `t` rounded to a whole number of half-lives (halves up) and
    /// rescales the stored weights so that nothing relative changes.
    pub fn shift_reference(&mut self, t: SimTime) {
        let hl = self.half_life.0;
        let new = (t.as_nanos() / hl + u64::from(t.as_nanos() % hl >= hl - hl / 2)) * hl;
        let k = (new as i128 - self.reference.as_nanos() as i128) / hl as i128;
        self.histogram.scale(2f64.powi(-(k as i32)));
        self.reference = SimTime(new);
    }

    /// Adds a sample of `value` taken at `t` with base weight `weight`.
    pub fn add_sample(&mut self, value: f64, weight: f64, t: SimTime) {
        let f = self.decay_factor(t);
        self.histogram.add_sample(value, weight * f);
    }

    /// Removes a sample added earlier with the same value, weight and time.
    pub fn subtract_sample(&mut self, value: f64, weight: f64, t: SimTime) {
        let f = self.decay_factor(t);
        self.histogram.subtract_sample(value, weight * f);
    }

    /// The `p`-th percentile (see [`Histogram::percentile`]).
    pub fn percentile(&self, p: f64) -> f64 {
        self.histogram.percentile(p)
    }

    /// Whether no bucket holds at least epsilon.
    pub fn is_empty(&self) -> bool {
        self.histogram.is_empty()
    }

    /// The total decayed weight, relative to [`Self::reference`].
    pub fn total_weight(&self) -> f64 {
        self.histogram.total_weight()
    }
}
