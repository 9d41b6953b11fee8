//! When a starting pod becomes Ready: pure arithmetic on the probe schedule.

use hpasim_sim::{SimDuration, SimTime};

/// The readiness probe as configured.
#[derive(Clone, Copy, Debug)]
pub struct Probe {
    /// initialDelaySeconds.
    pub initial_delay: SimDuration,
    /// periodSeconds (> 0).
    pub period: SimDuration,
    /// successThreshold (≥ 1).
    pub success_threshold: u32,
}

/// The instant the pod turns Ready, given when its container started and when its app became
/// able to answer. Probes run at `container_started + initial_delay + k · period`
/// (k = 0, 1, …); a probe succeeds if the app is up; Ready after `success_threshold`
/// consecutive successes.
pub fn ready_at(container_started: SimTime, app_up: SimTime, probe: Probe) -> SimTime {
    let first = container_started + probe.initial_delay;
    let period = probe.period.as_nanos().max(1);
    let k = if app_up <= first {
        0
    } else {
        (app_up.as_nanos() - first.as_nanos()).div_ceil(period)
    };
    let successes = u64::from(probe.success_threshold.max(1)) - 1;
    SimTime(first.as_nanos() + (k + successes) * period)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: u64) -> SimTime {
        SimTime(x * 1_000_000_000)
    }

    #[test]
    fn ready_at_the_first_probe_after_the_app_is_up() {
        let p = Probe {
            initial_delay: SimDuration::from_secs(5),
            period: SimDuration::from_secs(10),
            success_threshold: 1,
        };
        // Probes at 5, 15, 25 s; app up at 12 s → Ready at 15 s.
        assert_eq!(ready_at(s(0), s(12), p), s(15));
        // App up before the first probe → Ready at the first probe.
        assert_eq!(ready_at(s(0), s(2), p), s(5));
        // App up exactly at a probe → that probe succeeds.
        assert_eq!(ready_at(s(0), s(15), p), s(15));
    }

    #[test]
    fn success_threshold_adds_whole_periods() {
        let p = Probe {
            initial_delay: SimDuration::ZERO,
            period: SimDuration::from_secs(5),
            success_threshold: 3,
        };
        assert_eq!(ready_at(s(10), s(11), p), s(25));
    }
}
