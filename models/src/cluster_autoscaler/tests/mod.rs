//! Spec-style unit tests of the CA decision logic, on constructed clusters with exact numbers.

mod drain;
mod scale_down;
mod scale_up;

use super::*;
use hpasim_sim::{SimDuration, SimTime};

/// `s` seconds after time zero.
fn at(s: u64) -> SimTime {
    SimTime::ZERO + SimDuration::from_secs(s)
}

fn mins(m: u64) -> SimDuration {
    SimDuration::from_secs(60 * m)
}

#[test]
fn defaults_are_upstream_flag_defaults() {
    let c = CaConfig::default();
    assert_eq!(c.scan_interval, SimDuration::from_secs(10));
    assert_eq!(c.scale_down_utilization_threshold, 0.5);
    assert_eq!(c.scale_down_unneeded_time, mins(10));
    assert_eq!(c.scale_down_delay_after_add, mins(10));
    assert_eq!(c.scale_down_delay_after_delete, c.scan_interval);
    assert_eq!(c.scale_down_delay_after_failure, mins(3));
    assert_eq!(c.max_node_provision_time, mins(15));
    assert_eq!(c.expander, Expander::LeastWaste);
    assert_eq!(
        (c.max_empty_bulk_delete, c.max_graceful_termination_sec),
        (10, 600)
    );
    assert_eq!(c.new_pod_scale_up_delay, SimDuration::ZERO);
    assert!(!c.ignore_daemonsets_utilization);
}

#[test]
fn resources_fit_with_equality_and_saturate() {
    let free = Resources::new(1000, GIB);
    assert!(Resources::new(1000, GIB).fits_in(free));
    assert!(!Resources::new(1001, 0).fits_in(free));
    assert_eq!(
        Resources::new(5, 5).minus(Resources::new(7, 1)),
        Resources::new(0, 4)
    );
    assert_eq!(
        describe(Resources::new(250, 512 * MIB)),
        "cpu=250m mem=512Mi"
    );
}
