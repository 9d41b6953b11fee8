//! The kernel through its public API: ordering, the past, cancellation, named streams.

use hpasim_sim::stats::{IntervalSampler, LatencyHistogram};
use hpasim_sim::{EventQueue, ScheduleError, SimDuration, SimTime, Streams};
use rand::Rng;

#[test]
fn events_at_equal_times_pop_in_the_order_they_were_scheduled() {
    let mut q = EventQueue::with_capacity(8);
    let t = SimTime(1_000);
    for label in ["first", "second", "third"] {
        q.schedule(t, label).unwrap();
    }
    q.schedule(SimTime(999), "earlier").unwrap();
    let order: Vec<&str> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
    assert_eq!(order, ["earlier", "first", "second", "third"]);
}

#[test]
fn scheduling_into_the_past_is_an_error_not_a_clamp() {
    let mut q = EventQueue::with_capacity(4);
    q.schedule(SimTime(50), ()).unwrap();
    q.pop();
    assert_eq!(
        q.schedule(SimTime(49), ()),
        Err(ScheduleError::InThePast {
            at: SimTime(49),
            now: SimTime(50)
        })
    );
    assert_eq!(q.len(), 0, "nothing was queued");
}

#[test]
fn a_cancelled_event_is_skipped_and_the_rest_keep_their_order() {
    let mut q = EventQueue::with_capacity(4);
    let a = q.schedule(SimTime(1), 'a').unwrap();
    q.schedule(SimTime(1), 'b').unwrap();
    let c = q.schedule(SimTime(2), 'c').unwrap();
    q.schedule(SimTime(3), 'd').unwrap();
    q.cancel(a);
    q.cancel(c);
    let order: Vec<char> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
    assert_eq!(order, ['b', 'd']);
}

#[test]
fn named_streams_depend_on_seed_replication_and_name_only() {
    let draw = |seed, rep, name: &str| Streams::new(seed, rep).get(name).next_u64();
    assert_eq!(draw(1, 0, "arrivals"), draw(1, 0, "arrivals"));
    assert_ne!(draw(1, 0, "arrivals"), draw(1, 0, "service"));
    assert_ne!(draw(1, 0, "arrivals"), draw(2, 0, "arrivals"));
    assert_ne!(draw(1, 0, "arrivals"), draw(1, 1, "arrivals"));
}

#[test]
fn histograms_merge_and_the_sampler_tiles_time() {
    let mut a = LatencyHistogram::new();
    let mut b = LatencyHistogram::new();
    a.record(SimDuration::from_millis(10));
    b.record(SimDuration::from_millis(30));
    a.merge(&b);
    assert_eq!(a.count(), 2);
    assert_eq!(a.mean_ms(), 20.0);
    let mut s = IntervalSampler::new(SimTime::ZERO, SimDuration::from_secs(10));
    let (_, end1) = s.advance();
    let (start2, _) = s.advance();
    assert_eq!(end1, start2);
}
