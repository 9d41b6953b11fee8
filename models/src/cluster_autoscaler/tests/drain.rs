use super::*;
use crate::cluster_autoscaler::drain::DEFAULT_TERMINATION_GRACE_PERIOD_S;

fn pod(name: &str, pdb: Option<&str>) -> DrainPod {
    DrainPod {
        name: name.into(),
        pdb: pdb.map(String::from),
        termination_grace_period_s: None,
        daemonset: false,
        ready: true,
    }
}

fn budget(pdb: Pdb, healthy: u32, expected: u32) -> PdbState {
    PdbState {
        name: "web".into(),
        pdb,
        healthy,
        expected,
    }
}

#[test]
fn min_available_2_of_3_allows_one_eviction_then_blocks() {
    let pdb = Pdb::MinAvailable(IntOrPercent::Int(2));
    assert_eq!(may_evict(&pdb, 3, 3), Ok(()));
    assert_eq!(
        may_evict(&pdb, 2, 3),
        Err(Blocked {
            healthy: 2,
            desired_healthy: 2,
            expected: 3
        })
    );
}

#[test]
fn drain_evicts_what_the_budget_allows_and_retries_the_rest() {
    let pods = [
        pod("w1", Some("web")),
        pod("w2", Some("web")),
        pod("solo", None),
    ];
    let b = [budget(Pdb::MinAvailable(IntOrPercent::Int(2)), 3, 3)];
    let plan = plan_drain(&pods, &b, &CaConfig::default());
    let evicted: Vec<&str> = plan.evict_now.iter().map(|e| e.pod.as_str()).collect();
    assert_eq!(evicted, ["w1", "solo"]);
    assert_eq!(plan.retry.len(), 1);
    assert_eq!(plan.retry[0].0, "w2");
    assert_eq!(
        plan.retry[0].1.to_string(),
        "disruption budget allows no eviction: 2 healthy, 2 desired healthy of 3 expected"
    );
}

#[test]
fn percentages_round_up_for_both_fields() {
    // disruption.go: GetScaledValueFromIntOrPercent(…, roundUp = true) for both.
    let min50 = Pdb::MinAvailable(IntOrPercent::Percent(50));
    assert_eq!(min50.desired_healthy(3), 2); // ceil(1.5)
    assert_eq!(min50.disruptions_allowed(3, 3), 1);
    let max50 = Pdb::MaxUnavailable(IntOrPercent::Percent(50));
    assert_eq!(max50.desired_healthy(3), 1); // 3 - ceil(1.5)
    assert_eq!(max50.disruptions_allowed(3, 3), 2);
    let max25 = Pdb::MaxUnavailable(IntOrPercent::Percent(25));
    assert_eq!(max25.desired_healthy(3), 2); // 3 - ceil(0.75)
    let min100 = Pdb::MinAvailable(IntOrPercent::Percent(100));
    assert!(may_evict(&min100, 10, 10).is_err());
    assert_eq!(IntOrPercent::Percent(10).scaled(10), 1);
    assert_eq!(IntOrPercent::Percent(10).scaled(11), 2);
}

#[test]
fn max_unavailable_zero_blocks_every_eviction() {
    let pdb = Pdb::MaxUnavailable(IntOrPercent::Int(0));
    assert!(may_evict(&pdb, 5, 5).is_err());
    let pods = [pod("a", Some("web")), pod("b", Some("web"))];
    let plan = plan_drain(&pods, &[budget(pdb, 5, 5)], &CaConfig::default());
    assert!(plan.evict_now.is_empty());
    assert_eq!(plan.retry.len(), 2);
}

#[test]
fn nothing_expected_allows_no_disruption() {
    let pdb = Pdb::MaxUnavailable(IntOrPercent::Int(1));
    assert_eq!(pdb.disruptions_allowed(1, 0), 0);
    assert!(may_evict(&pdb, 1, 0).is_err());
}

#[test]
fn grace_period_is_the_pods_own_capped_by_max_graceful_termination() {
    let cfg = CaConfig::default();
    let mut p = pod("p", None);
    assert_eq!(
        grace_period(&p, &cfg),
        SimDuration::from_secs(u64::from(DEFAULT_TERMINATION_GRACE_PERIOD_S))
    );
    p.termination_grace_period_s = Some(900);
    assert_eq!(grace_period(&p, &cfg), SimDuration::from_secs(600));
    p.termination_grace_period_s = Some(5);
    assert_eq!(grace_period(&p, &cfg), SimDuration::from_secs(5));
    let plan = plan_drain(&[p], &[], &cfg);
    assert_eq!(plan.evict_now[0].grace, SimDuration::from_secs(5));
}

#[test]
fn unready_pod_goes_free_when_the_budget_is_healthy() {
    // eviction.go IfHealthyBudget: unready pods pass when healthy >= desired > 0.
    let mut sick = pod("sick", Some("web"));
    sick.ready = false;
    let pods = [sick.clone(), pod("w1", Some("web")), pod("w2", Some("web"))];
    let b = [budget(Pdb::MinAvailable(IntOrPercent::Int(2)), 3, 4)];
    let plan = plan_drain(&pods, &b, &CaConfig::default());
    let evicted: Vec<&str> = plan.evict_now.iter().map(|e| e.pod.as_str()).collect();
    assert_eq!(evicted, ["sick", "w1"]);
    assert_eq!(plan.retry[0].0, "w2");
    // Below the budget, the unready pod needs an allowance like any other: there is none.
    let b = [budget(Pdb::MinAvailable(IntOrPercent::Int(2)), 1, 4)];
    let plan = plan_drain(&[sick], &b, &CaConfig::default());
    assert_eq!(plan.retry.len(), 1);
}

#[test]
fn daemonset_pods_are_left_to_end_with_the_node() {
    let mut ds = pod("fluentd", None);
    ds.daemonset = true;
    let plan = plan_drain(&[ds, pod("app", None)], &[], &CaConfig::default());
    assert_eq!(plan.daemonset, ["fluentd"]);
    assert_eq!(plan.evict_now.len(), 1);
}
