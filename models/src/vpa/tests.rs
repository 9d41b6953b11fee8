use super::recommender::MAX_RESOURCE_AMOUNT;
use super::*;
use hpasim_sim::{SimDuration, SimTime, StreamRng, NANOS_PER_SEC};
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Exp1};
use std::path::Path;

/// Guide 000 ("Create VPA for Metadata Catalog"), verbatim.
const GUIDE_000: &str = include_str!("fixtures/guide-000-vpa.yaml");
/// Guide 002 ("2. Vertical Pod Autoscaling"), verbatim.
const GUIDE_002: &str = include_str!("fixtures/guide-002-vpa.yaml");

const MI: u64 = 1 << 20;
const GI: u64 = 1 << 30;
const HOUR: u64 = 3600 * NANOS_PER_SEC;
const DAY_NS: u64 = 24 * HOUR;

fn at_secs(s: u64) -> SimTime {
    SimTime(s * NANOS_PER_SEC)
}

fn parse(text: &str) -> Result<VerticalPodAutoscaler, crate::scenario::SpecError> {
    parse_vertical_pod_autoscaler(text, Path::new("vpa.yaml"))
}

/// Feeds CPU samples every `step_s` seconds for `days` days from one container requesting
/// 1 core, drawn by `draw`.
fn feed_cpu(days: u64, step_s: u64, mut draw: impl FnMut() -> f64) -> AggregateContainerState {
    let mut agg = AggregateContainerState::default();
    let mut c = ContainerState::default();
    for k in 0..days * 86_400 / step_s {
        assert!(c.add_cpu_sample(&mut agg, at_secs(k * step_s), draw(), 1.0));
    }
    agg
}

// ---- histogram ----------------------------------------------------------------------------

#[test]
fn bucket_counts_follow_the_upstream_options() {
    // ceil(log_1.05(1000 × 0.05 / 0.001 + 1)) + 1 and ceil(log_1.05(1e12 × 0.05 / 1e7 + 1)) + 1.
    assert_eq!(HistogramOptions::cpu().num_buckets(), 223);
    assert_eq!(HistogramOptions::memory().num_buckets(), 176);
    let o = HistogramOptions::cpu();
    assert_eq!(o.bucket_start(0), 0.0);
    assert!((o.bucket_start(1) - 0.001).abs() < 1e-15);
    assert!((o.bucket_start(2) - 0.00205).abs() < 1e-15);
    assert!(o.bucket_start(o.num_buckets() - 1) >= 1000.0);
    assert!(o.bucket_start(o.num_buckets() - 2) < 1000.0);
}

#[test]
fn every_value_falls_in_the_bucket_whose_range_holds_it() {
    let o = HistogramOptions::cpu();
    assert_eq!(o.find_bucket(-1.0), 0);
    assert_eq!(o.find_bucket(0.0009), 0);
    assert_eq!(o.find_bucket(1e9), o.num_buckets() - 1);
    for b in 1..o.num_buckets() - 1 {
        let (start, end) = (o.bucket_start(b), o.bucket_start(b + 1));
        assert_eq!(o.find_bucket(start), b, "start of {b}");
        assert_eq!(o.find_bucket((start + end) / 2.0), b, "middle of {b}");
        assert_eq!(o.find_bucket(end), b + 1, "end of {b}");
    }
}

#[test]
fn percentile_is_the_end_of_the_bucket_where_the_cumulative_weight_reaches_it() {
    let o = HistogramOptions::cpu();
    let mut h = Histogram::new(o.clone());
    assert!(h.is_empty());
    assert_eq!(h.percentile(0.9), 0.0);
    h.add_sample(0.5, 1.0);
    h.add_sample(1.0, 3.0);
    let end = |v: f64| o.bucket_start(o.find_bucket(v) + 1);
    assert_eq!(h.percentile(0.0), end(0.5));
    assert_eq!(h.percentile(0.25), end(0.5));
    assert_eq!(h.percentile(0.26), end(1.0));
    assert_eq!(h.percentile(1.0), end(1.0));
    // A value in the last bucket: its start, as that bucket has no end.
    h.add_sample(5000.0, 100.0);
    assert_eq!(h.percentile(0.99), o.bucket_start(o.num_buckets() - 1));
    // Subtracting the whole weight empties a bucket.
    h.subtract_sample(5000.0, 100.0);
    assert_eq!(h.percentile(1.0), end(1.0));
}

#[test]
fn a_sample_one_half_life_older_weighs_half() {
    let o = HistogramOptions::cpu();
    let mut h = DecayingHistogram::new(o.clone(), DEFAULT_HALF_LIFE);
    h.add_sample(0.5, 1.0, SimTime(3 * HOUR));
    h.add_sample(2.0, 1.0, SimTime(3 * HOUR + DAY_NS));
    let old = h.histogram().bucket_weight(o.find_bucket(0.5));
    let new = h.histogram().bucket_weight(o.find_bucket(2.0));
    assert!((new / old - 2.0).abs() < 1e-12, "{new} / {old}");
    // So the median is the newer sample: it holds 2/3 of the weight.
    assert_eq!(h.percentile(0.34), o.bucket_start(o.find_bucket(2.0) + 1));
    assert_eq!(h.percentile(0.33), o.bucket_start(o.find_bucket(0.5) + 1));
    // A 12 h half-life makes the same gap two half-lives.
    let mut h = DecayingHistogram::new(o.clone(), SimDuration(12 * HOUR));
    h.add_sample(0.5, 1.0, SimTime(0));
    h.add_sample(2.0, 1.0, SimTime(DAY_NS));
    let ratio = h.histogram().bucket_weight(o.find_bucket(2.0))
        / h.histogram().bucket_weight(o.find_bucket(0.5));
    assert!((ratio - 4.0).abs() < 1e-12);
}

#[test]
fn the_reference_moves_past_100_half_lives_and_weights_renormalise() {
    let o = HistogramOptions::cpu();
    let mut h = DecayingHistogram::new(o.clone(), DEFAULT_HALF_LIFE);
    h.add_sample(0.5, 1.0, SimTime(99 * DAY_NS));
    assert_eq!(h.reference(), SimTime::ZERO);
    assert!((h.total_weight() - 2f64.powi(99)).abs() / 2f64.powi(99) < 1e-12);
    // 101 days (+ 13 h, rounded up to 102 half-lives) is past 100 half-lives.
    let t = SimTime(101 * DAY_NS + 13 * HOUR);
    h.add_sample(2.0, 1.0, t);
    assert_eq!(h.reference(), SimTime(102 * DAY_NS));
    let old = h.histogram().bucket_weight(o.find_bucket(0.5));
    let new = h.histogram().bucket_weight(o.find_bucket(2.0));
    assert!((old - 2f64.powi(-3)).abs() < 1e-12, "{old}");
    assert!((new - 2f64.powf(-11.0 / 24.0)).abs() < 1e-12, "{new}");
    let expected = 2f64.powf((13.0 + 24.0 * 2.0) / 24.0); // t − 99 days = 2 days 13 h
    assert!((new / old - expected).abs() / expected < 1e-12);
}

// ---- convergence ---------------------------------------------------------------------------

/// The CPU target of a stationary distribution with true 90th percentile `q` [cores] lies
/// within one bucket ratio (5 %) of `q × 1.15`.
fn assert_target_near(agg: &AggregateContainerState, q: f64) {
    let rec = Recommender::default().recommend(agg, 1);
    let want = q * 1.15 * 1000.0;
    let got = rec.target.cpu_millis as f64;
    assert!(
        (got / want - 1.0).abs() <= 0.05,
        "target {got}m, want {want:.1}m ± 5 %"
    );
}

#[test]
fn cpu_target_converges_to_p90_of_a_stationary_uniform_usage_plus_margin() {
    let mut rng = StreamRng::seed_from_u64(9);
    // Usage uniform on [0.2, 1.2] cores: p90 = 1.1.
    let agg = feed_cpu(7, 10, || 0.2 + rng.random::<f64>());
    assert_target_near(&agg, 1.1);
    // The raw percentile is the end of the bucket holding 1.1: at most 5 % above it.
    let p = agg.cpu.percentile(0.9);
    assert!((1.1 * 0.99..=1.1 * 1.06).contains(&p), "p90 {p}");
}

#[test]
fn cpu_target_converges_to_p90_of_a_stationary_exponential_usage_plus_margin() {
    let mut rng = StreamRng::seed_from_u64(90);
    // Usage exponential with mean 0.4 cores: p90 = 0.4 ln 10.
    let agg = feed_cpu(7, 5, || {
        0.4 * <Exp1 as Distribution<f64>>::sample(&Exp1, &mut rng)
    });
    assert_target_near(&agg, 0.4 * 10f64.ln());
}

#[test]
fn memory_target_converges_to_p90_of_stationary_daily_peaks_plus_margin() {
    let mut rng = StreamRng::seed_from_u64(7);
    let mut agg = AggregateContainerState::default();
    // 200 containers for 8 days, one peak each per day, peaks uniform on [1, 2] GB: p90 1.9 GB.
    for _ in 0..200 {
        let mut c = ContainerState::default();
        for day in 0..8 {
            let peak = 1e9 + 1e9 * rng.random::<f64>();
            for (h, f) in [(1, 0.5), (7, 1.0), (13, 0.8)] {
                let t = SimTime(day * DAY_NS + h * HOUR);
                assert!(c.add_memory_sample(&mut agg, t, (peak * f) as u64));
            }
        }
    }
    let rec = Recommender::default().recommend(&agg, 1);
    let want = 1.9e9 * 1.15;
    let got = rec.target.memory_bytes as f64;
    assert!((got / want - 1.0).abs() <= 0.05, "{got} vs {want}");
}

// ---- memory peaks --------------------------------------------------------------------------

#[test]
fn memory_adds_one_peak_per_interval_and_replaces_it_when_a_larger_one_arrives() {
    let o = HistogramOptions::memory();
    let mut agg = AggregateContainerState::default();
    let mut c = ContainerState::default();
    let mb = 1_000_000;
    for (h, v) in [(0, 100), (1, 300), (2, 200), (23, 250)] {
        assert!(c.add_memory_sample(&mut agg, SimTime(h * HOUR), v * mb));
    }
    // Day 0's window ends at 24 h: one peak, 300 MB, dated 24 h (weight 2^1).
    assert_eq!(c.window_end, Some(SimTime(DAY_NS)));
    assert_eq!(c.memory_peak, 300 * mb);
    let w = |agg: &AggregateContainerState, v: u64| {
        agg.memory_peaks
            .histogram()
            .bucket_weight(o.find_bucket(v as f64))
    };
    assert_eq!(w(&agg, 100 * mb), 0.0);
    assert_eq!(w(&agg, 200 * mb), 0.0);
    assert_eq!(w(&agg, 250 * mb), 0.0);
    assert!((w(&agg, 300 * mb) - 2.0).abs() < 1e-12);
    assert!((agg.memory_peaks.total_weight() - 2.0).abs() < 1e-12);
    // A smaller sample the next day opens a new window: its own peak (weight 2^2).
    assert!(c.add_memory_sample(&mut agg, SimTime(25 * HOUR), 50 * mb));
    assert_eq!(c.window_end, Some(SimTime(2 * DAY_NS)));
    assert!((w(&agg, 50 * mb) - 4.0).abs() < 1e-12);
    assert!((w(&agg, 300 * mb) - 2.0).abs() < 1e-12);
    // A gap of several days moves the window by whole intervals.
    assert!(c.add_memory_sample(&mut agg, SimTime(4 * DAY_NS + HOUR), 70 * mb));
    assert_eq!(c.window_end, Some(SimTime(5 * DAY_NS)));
    // Out-of-order samples are dropped; CPU samples are not memory peaks.
    assert!(!c.add_memory_sample(&mut agg, SimTime(HOUR), 900 * mb));
    assert_eq!(w(&agg, 900 * mb), 0.0);
    assert_eq!(agg.total_samples_count, 0);
}

#[test]
fn cpu_samples_weigh_their_request_with_a_floor_of_a_tenth_of_a_core() {
    let o = HistogramOptions::cpu();
    let mut agg = AggregateContainerState::default();
    let mut c = ContainerState::default();
    assert!(c.add_cpu_sample(&mut agg, SimTime(0), 0.5, 2.0));
    assert!(c.add_cpu_sample(&mut agg, SimTime(1), 1.5, 0.05));
    assert!(
        !c.add_cpu_sample(&mut agg, SimTime(1), 1.5, 0.05),
        "duplicate"
    );
    assert!(
        !c.add_cpu_sample(&mut agg, SimTime(2), -1.0, 1.0),
        "negative"
    );
    let w = |v: f64| agg.cpu.histogram().bucket_weight(o.find_bucket(v));
    assert!((w(0.5) - 2.0).abs() < 1e-9);
    assert!((w(1.5) - 0.1).abs() < 1e-9);
    assert_eq!(agg.total_samples_count, 2);
}

// ---- bounds --------------------------------------------------------------------------------

#[test]
fn bounds_are_wide_with_short_history_and_narrow_as_days_accumulate() {
    let r = Recommender::default();
    // No history: the pod minimum as target and lower bound, an unbounded upper bound.
    let empty = r.recommend(&AggregateContainerState::default(), 1);
    assert_eq!(empty.target.cpu_millis, 25);
    assert_eq!(empty.target.memory_bytes, 250 * MI);
    assert_eq!(empty.lower_bound.cpu_millis, 25);
    assert_eq!(empty.upper_bound.memory_bytes, 250 * MI);
    // Constant 1-core usage sampled once a minute: every percentile is the same bucket end,
    // so the bounds are the target times the confidence multipliers.
    let mut spreads = Vec::new();
    for minutes in [5, 60, 12 * 60, 24 * 60, 7 * 24 * 60] {
        let mut agg = AggregateContainerState::default();
        for k in 0..=minutes {
            agg.add_cpu_sample(at_secs(60 * k), 1.0, 1.0);
        }
        let conf = confidence(&agg);
        assert!((conf - minutes as f64 / 1440.0).abs() < 1e-9, "{conf}");
        let rec = r.recommend(&agg, 1);
        let target = rec.target.cpu_millis as f64;
        let upper = rec.upper_bound.cpu_millis as f64 / target;
        let lower = rec.lower_bound.cpu_millis as f64 / target;
        assert!(
            (upper - (1.0 + 1.0 / conf)).abs() < 0.002,
            "{minutes} min: ×{upper}"
        );
        let want_lower = (1.0 + 0.001 / conf).powi(-2);
        assert!(
            (lower - want_lower).abs() < 0.002,
            "{minutes} min: ×{lower}"
        );
        spreads.push((lower, upper));
    }
    // 12 h: ×3, 24 h: ×2, a week: ×1.14 (upstream's own examples); lower 5 min ≈ ×0.6, 60 min ≈ ×0.95.
    assert!((spreads[2].1 - 3.0).abs() < 0.01);
    assert!((spreads[3].1 - 2.0).abs() < 0.01);
    assert!((spreads[4].1 - 8.0 / 7.0).abs() < 0.01);
    assert!((spreads[0].0 - 0.6).abs() < 0.01, "{}", spreads[0].0);
    assert!((spreads[1].0 - 0.95).abs() < 0.01, "{}", spreads[1].0);
    for w in spreads.windows(2) {
        assert!(w[1].1 < w[0].1, "upper narrows: {spreads:?}");
        assert!(w[1].0 > w[0].0, "lower narrows: {spreads:?}");
    }
}

#[test]
fn an_empty_history_has_an_upper_bound_at_the_largest_amount_once_samples_exist() {
    // One sample: zero lifespan, so confidence 0 and an unbounded (capped) upper bound.
    let mut agg = AggregateContainerState::default();
    agg.add_cpu_sample(SimTime(0), 1.0, 1.0);
    let rec = Recommender::default().recommend(&agg, 1);
    assert_eq!(rec.upper_bound.cpu_millis, MAX_RESOURCE_AMOUNT);
    assert_eq!(rec.lower_bound.cpu_millis, 25);
}

#[test]
fn the_pod_minimum_is_split_across_the_containers() {
    let rec = Recommender::default().recommend(&AggregateContainerState::default(), 2);
    assert_eq!(rec.target.cpu_millis, 12);
    assert_eq!(rec.target.memory_bytes, 125 * MI);
}

// ---- policy --------------------------------------------------------------------------------

fn rec(target: (u64, u64), lower: (u64, u64), upper: (u64, u64)) -> RecommendedContainerResources {
    let r = |(c, m): (u64, u64)| Resources {
        cpu_millis: c,
        memory_bytes: m,
    };
    RecommendedContainerResources {
        target: r(target),
        lower_bound: r(lower),
        upper_bound: r(upper),
    }
}

#[test]
fn min_and_max_allowed_clamp_every_value_with_its_reason() {
    let vpa = parse(GUIDE_000).unwrap();
    let policy = vpa.container_policy("metadata-catalog");
    assert!(policy.is_some());
    let r = rec((300, 300 * MI), (100, 100 * MI), (10_000, 16 * GI));
    let capped = apply_container_policy(&r, policy).unwrap().unwrap();
    assert_eq!(capped.uncapped_target, r.target);
    let b = capped.bounds;
    assert_eq!(
        (b.target.cpu_millis, b.target.memory_bytes),
        (500, 512 * MI)
    );
    assert_eq!(
        (b.lower_bound.cpu_millis, b.lower_bound.memory_bytes),
        (500, 512 * MI)
    );
    assert_eq!(
        (b.upper_bound.cpu_millis, b.upper_bound.memory_bytes),
        (4000, 8 * GI)
    );
    let reasons: Vec<String> = capped.clamps.iter().map(|c| c.to_string()).collect();
    assert_eq!(
        reasons,
        [
            "target cpu raised from 300m to minAllowed 500m",
            "target memory raised from 314572800 to minAllowed 536870912",
            "lowerBound cpu raised from 100m to minAllowed 500m",
            "lowerBound memory raised from 104857600 to minAllowed 536870912",
            "upperBound cpu lowered from 10000m to maxAllowed 4000m",
            "upperBound memory lowered from 17179869184 to maxAllowed 8589934592",
        ]
    );
    assert_eq!(capped.clamps[0].reason, ClampReason::MinAllowed);
    assert_eq!(capped.clamps[5].reason, ClampReason::MaxAllowed);
    // Inside the range: nothing clamped.
    let inside = rec((1000, GI), (600, 600 * MI), (2000, 2 * GI));
    let capped = apply_container_policy(&inside, policy).unwrap().unwrap();
    assert!(capped.clamps.is_empty());
    assert_eq!(capped.bounds, inside);
}

#[test]
fn max_allowed_wins_over_min_allowed_and_only_controlled_resources_are_clamped() {
    let text = GUIDE_000
        .replace("cpu: 500m", "cpu: 5")
        .replace("[\"cpu\", \"memory\"]", "[\"cpu\"]");
    let vpa = parse(&text).unwrap();
    let r = rec((300, MI), (300, MI), (300, MI));
    let capped = apply_container_policy(&r, vpa.container_policy("metadata-catalog"))
        .unwrap()
        .unwrap();
    assert_eq!(capped.controlled, [Resource::Cpu]);
    assert_eq!(capped.bounds.target.cpu_millis, 4000);
    assert_eq!(
        capped.bounds.target.memory_bytes, MI,
        "memory not controlled"
    );
    let reasons: Vec<ClampReason> = capped.clamps[..2].iter().map(|c| c.reason).collect();
    assert_eq!(reasons, [ClampReason::MinAllowed, ClampReason::MaxAllowed]);
    assert_eq!(capped.clamps.len(), 6);
}

#[test]
fn container_mode_off_drops_the_recommendation_and_star_is_the_default_policy() {
    let off = parse(&GUIDE_000.replace("mode: Auto", "mode: \"Off\"")).unwrap();
    let r = rec((300, MI), (300, MI), (300, MI));
    assert!(
        apply_container_policy(&r, off.container_policy("metadata-catalog"))
            .unwrap()
            .is_none()
    );
    let star =
        parse(&GUIDE_000.replace("containerName: metadata-catalog", "containerName: '*'")).unwrap();
    assert!(star.container_policy("sidecar").is_some());
    assert!(off.container_policy("sidecar").is_none());
    let none = apply_container_policy(&r, None).unwrap().unwrap();
    assert!(none.clamps.is_empty());
}

// ---- eviction ------------------------------------------------------------------------------

#[test]
fn should_evict_only_outside_the_bounds() {
    let bounds = rec((500, GI), (200, 512 * MI), (800, 2 * GI));
    for (cpu, mem) in [(200, 512 * MI), (800, 2 * GI), (500, GI), (201, 2 * GI - 1)] {
        let req = CurrentRequests::new(cpu, mem);
        assert_eq!(should_evict(&req, &bounds), None, "{cpu}m {mem}");
    }
    let e = should_evict(&CurrentRequests::new(199, GI), &bounds).unwrap();
    assert_eq!(
        e,
        EvictionReason::BelowLowerBound {
            resource: Resource::Cpu,
            request: 199,
            lower_bound: 200
        }
    );
    assert_eq!(
        e.to_string(),
        "cpu request 199m is below the lower bound 200m"
    );
    let e = should_evict(&CurrentRequests::new(500, 2 * GI + 1), &bounds).unwrap();
    assert!(matches!(
        e,
        EvictionReason::AboveUpperBound {
            resource: Resource::Memory,
            ..
        }
    ));
    let missing = CurrentRequests {
        cpu_millis: Some(500),
        memory_bytes: None,
    };
    assert_eq!(
        should_evict(&missing, &bounds),
        Some(EvictionReason::NoRequest {
            resource: Resource::Memory
        })
    );
    // An uncontrolled resource is never a reason.
    let vpa = parse(&GUIDE_000.replace("[\"cpu\", \"memory\"]", "[\"cpu\"]")).unwrap();
    let capped = apply_container_policy(
        &rec((1000, GI), (600, 600 * MI), (2000, 2 * GI)),
        vpa.container_policy("metadata-catalog"),
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        should_evict(&CurrentRequests::new(1000, 10 * GI), &capped),
        None
    );
    assert!(should_evict(&CurrentRequests::new(3000, GI), &capped).is_some());
}

#[test]
fn only_recreate_auto_and_in_place_modes_evict() {
    assert!(!UpdateMode::Off.evicts());
    assert!(!UpdateMode::Initial.evicts());
    assert!(UpdateMode::Recreate.evicts());
    assert!(UpdateMode::Auto.evicts());
    assert!(UpdateMode::InPlaceOrRecreate.evicts());
    assert!(!UpdateMode::Off.applies_at_creation());
    assert!(UpdateMode::Initial.applies_at_creation());
}

// ---- manifest ------------------------------------------------------------------------------

#[test]
fn guide_manifests_parse_verbatim() {
    let vpa = parse(GUIDE_000).unwrap();
    assert_eq!(
        vpa.metadata.name.as_deref(),
        Some("dictamesh-metadata-catalog-vpa")
    );
    assert_eq!(vpa.spec.target_ref.kind, "StatefulSet");
    assert_eq!(vpa.spec.target_ref.name, "dictamesh-metadata-catalog");
    assert_eq!(vpa.update_mode(), UpdateMode::Auto);
    let p = vpa.container_policy("metadata-catalog").unwrap();
    assert_eq!(p.mode, Some(ContainerScalingMode::Auto));
    assert_eq!(
        p.controlled_resources.as_deref(),
        Some(&[Resource::Cpu, Resource::Memory][..])
    );
    assert_eq!(p.min_allowed["cpu"].to_string(), "500m");
    assert_eq!(p.max_allowed["memory"].to_string(), "8Gi");

    let vpa = parse(GUIDE_002).unwrap();
    assert_eq!(vpa.metadata.name.as_deref(), Some("service-vpa"));
    assert_eq!(vpa.spec.target_ref.kind, "Deployment");
    assert_eq!(vpa.update_mode(), UpdateMode::Auto);
    assert!(vpa.container_policy("my-service").is_none());
}

#[test]
fn every_update_mode_parses_and_a_missing_one_is_auto() {
    for (written, mode) in [
        ("Off", UpdateMode::Off),
        ("Initial", UpdateMode::Initial),
        ("Recreate", UpdateMode::Recreate),
        ("Auto", UpdateMode::Auto),
        ("InPlaceOrRecreate", UpdateMode::InPlaceOrRecreate),
    ] {
        let text = GUIDE_002.replace("updateMode: Auto", &format!("updateMode: \"{written}\""));
        assert_eq!(parse(&text).unwrap().update_mode(), mode, "{written}");
    }
    let text = GUIDE_002.replace("  updatePolicy:\n    updateMode: Auto\n", "");
    assert_eq!(parse(&text).unwrap().update_mode(), UpdateMode::Auto);
}

#[test]
fn an_unknown_field_is_an_error_at_its_file_line_and_column() {
    let text = GUIDE_000.replace("minAllowed:", "minAlowed:");
    let e = parse(&text).unwrap_err();
    assert_eq!(e.location, "vpa.yaml:16:9", "{e}");
    assert!(e.message.contains("minAlowed"), "{e}");
    let e = parse(&GUIDE_002.replace("updateMode: Auto", "updateMode: Sometimes")).unwrap_err();
    assert_eq!(e.location, "vpa.yaml:11:17", "{e}");
}

#[test]
fn wrong_kind_or_api_version_is_reported_at_its_line() {
    let e =
        parse(&GUIDE_002.replace("kind: VerticalPodAutoscaler", "kind: Deployment")).unwrap_err();
    assert_eq!(e.location, "vpa.yaml:2:7");
    assert_eq!(
        e.message,
        "expected a VerticalPodAutoscaler, got kind `Deployment`"
    );
    let e = parse(&GUIDE_002.replace("autoscaling.k8s.io/v1", "autoscaling.k8s.io/v1beta2"))
        .unwrap_err();
    assert_eq!(e.location, "vpa.yaml:1:13");
}
