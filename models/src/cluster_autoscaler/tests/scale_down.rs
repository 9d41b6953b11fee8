use super::*;

/// 1 CPU / 1000 MiB nodes in pool "p": utilization reads straight off the requests.
fn node(name: &str, pods: &[(u64, bool)]) -> NodeState {
    NodeState {
        name: name.into(),
        pool: "p".into(),
        allocatable: Resources::new(1000, 1000 * MIB),
        pods: pods
            .iter()
            .enumerate()
            .map(|(i, &(cpu, daemonset))| NodePod {
                name: format!("{name}-{i}"),
                requests: Resources::new(cpu, cpu * MIB),
                daemonset,
            })
            .collect(),
    }
}

fn pool(target_size: u32, min_nodes: u32) -> Vec<PoolSize> {
    vec![PoolSize {
        name: "p".into(),
        target_size,
        min_nodes,
    }]
}

/// "low" at 0.3 whose pod fits on "big" (0.6 used, 0.4 free).
fn cluster() -> Vec<NodeState> {
    vec![node("big", &[(600, false)]), node("low", &[(300, false)])]
}

fn reason_of<'a>(plan: &'a ScaleDownPlan, node: &str) -> &'a Unremovable {
    let r = plan.rejected.iter().find(|r| r.node == node);
    &r.unwrap_or_else(|| panic!("{node} not rejected: {plan:?}"))
        .reason
}

fn since(node: &str, t: SimTime) -> UnneededSince {
    UnneededSince::from([(node.to_string(), t)])
}

#[test]
fn utilization_exactly_at_the_threshold_is_not_below_it() {
    let r = unneeded(
        at(0),
        &[node("half", &[(500, false)])],
        &CaConfig::default(),
        &UnneededSince::new(),
    );
    assert!(r.unneeded.is_empty());
    assert_eq!(
        r.rejected[0].reason,
        Unremovable::NotUnderutilized { utilization: 0.5 }
    );
}

#[test]
fn daemonset_requests_count_unless_ignored() {
    // 200 m DaemonSet + 300 m app on 1000 m: 0.5 by default, 300/800 when ignored.
    let n = node("n", &[(200, true), (300, false)]);
    assert_eq!(n.utilization(false), 0.5);
    assert_eq!(n.utilization(true), 0.375);
}

#[test]
fn unneeded_since_is_kept_from_the_first_sighting_and_dropped_when_needed_again() {
    let cfg = CaConfig::default();
    let r = unneeded(at(100), &cluster(), &cfg, &UnneededSince::new());
    assert_eq!(r.since, since("low", at(100)));
    let r = unneeded(at(110), &cluster(), &cfg, &r.since);
    assert_eq!(r.since, since("low", at(100)));
    let mut busy = cluster();
    busy[1].pods[0].requests = Resources::new(700, 700 * MIB);
    let r = unneeded(at(120), &busy, &cfg, &r.since);
    assert!(r.since.is_empty());
}

#[test]
fn not_removed_before_unneeded_time_with_the_time_remaining() {
    let cfg = CaConfig::default();
    let h = ScaleDownHistory::default();
    let plan = plan_scale_down(
        at(240),
        &cluster(),
        &pool(2, 0),
        &h,
        &cfg,
        &since("low", at(0)),
    );
    assert!(plan.remove.is_empty());
    assert_eq!(
        reason_of(&plan, "low"),
        &Unremovable::NotUnneededLongEnough { remaining: mins(6) }
    );
    let plan = plan_scale_down(
        at(600),
        &cluster(),
        &pool(2, 0),
        &h,
        &cfg,
        &since("low", at(0)),
    );
    assert_eq!(plan.remove.len(), 1);
    assert_eq!(
        (plan.remove[0].node.as_str(), plan.remove[0].empty),
        ("low", false)
    );
}

#[test]
fn not_removed_within_delay_after_add_yet_still_tracked() {
    let cfg = CaConfig::default();
    let h = ScaleDownHistory {
        last_scale_up: Some(at(1200 - 300)),
        ..ScaleDownHistory::default()
    };
    let plan = plan_scale_down(
        at(1200),
        &cluster(),
        &pool(2, 0),
        &h,
        &cfg,
        &since("low", at(0)),
    );
    assert!(plan.remove.is_empty());
    assert_eq!(
        reason_of(&plan, "low"),
        &Unremovable::DelayAfterAdd { remaining: mins(5) }
    );
    assert_eq!(plan.since, since("low", at(0)));
    // At exactly last scale-up + delay the cooldown is over (upstream `After(now)`).
    let plan = plan_scale_down(
        at(1500),
        &cluster(),
        &pool(2, 0),
        &h,
        &cfg,
        &since("low", at(0)),
    );
    assert_eq!(plan.remove.len(), 1);
}

#[test]
fn delay_after_delete_and_after_failure_hold_scale_down() {
    let cfg = CaConfig::default();
    let s = since("low", at(0));
    let h = ScaleDownHistory {
        last_delete: Some(at(995)),
        ..ScaleDownHistory::default()
    };
    let plan = plan_scale_down(at(1000), &cluster(), &pool(2, 0), &h, &cfg, &s);
    assert_eq!(
        reason_of(&plan, "low"),
        &Unremovable::DelayAfterDelete {
            remaining: SimDuration::from_secs(5)
        }
    );
    let h = ScaleDownHistory {
        last_failure: Some(at(1000 - 60)),
        ..ScaleDownHistory::default()
    };
    let plan = plan_scale_down(at(1000), &cluster(), &pool(2, 0), &h, &cfg, &s);
    assert_eq!(
        reason_of(&plan, "low"),
        &Unremovable::DelayAfterFailure { remaining: mins(2) }
    );
}

#[test]
fn not_removed_below_the_pool_minimum() {
    let cfg = CaConfig::default();
    let h = ScaleDownHistory::default();
    let plan = plan_scale_down(
        at(600),
        &cluster(),
        &pool(2, 2),
        &h,
        &cfg,
        &since("low", at(0)),
    );
    assert_eq!(
        reason_of(&plan, "low"),
        &Unremovable::MinSize { min_nodes: 2 }
    );
    let plan = plan_scale_down(
        at(600),
        &cluster(),
        &pool(3, 2),
        &h,
        &cfg,
        &since("low", at(0)),
    );
    assert_eq!(plan.remove.len(), 1);
}

#[test]
fn pods_that_fit_nowhere_keep_their_node() {
    // Two 0.4 nodes: "x" moves onto "y"; then "y"'s pod finds "x" leaving and no room.
    let nodes = [node("x", &[(400, false)]), node("y", &[(400, false)])];
    let r = unneeded(at(0), &nodes, &CaConfig::default(), &UnneededSince::new());
    assert_eq!(r.unneeded.len(), 1);
    assert_eq!(r.unneeded[0].node, "x");
    assert_eq!(
        r.rejected[0],
        Rejected {
            node: "y".into(),
            reason: Unremovable::PodsCannotMove { pod: "y-0".into() }
        }
    );
}

#[test]
fn empty_nodes_go_in_bulk_up_to_max_empty_bulk_delete() {
    let mut nodes: Vec<NodeState> = (0..12)
        .map(|i| node(&format!("e{i:02}"), &[(50, true)]))
        .collect();
    nodes.push(node("busy", &[(900, false)]));
    let s: UnneededSince = nodes.iter().map(|n| (n.name.clone(), at(0))).collect();
    let cfg = CaConfig::default();
    let h = ScaleDownHistory::default();
    let plan = plan_scale_down(at(600), &nodes, &pool(13, 0), &h, &cfg, &s);
    assert_eq!(plan.remove.len(), 10);
    assert!(plan.remove.iter().all(|r| r.empty));
    let limited: Vec<&str> = plan
        .rejected
        .iter()
        .filter(|r| r.reason == Unremovable::EmptyBulkLimit)
        .map(|r| r.node.as_str())
        .collect();
    assert_eq!(limited, ["e10", "e11"]);
}

#[test]
fn non_empty_nodes_go_one_per_scan_and_not_with_empty_ones() {
    let nodes = [
        node("big", &[(100, false)]),
        node("n1", &[(200, false)]),
        node("n2", &[(300, false)]),
    ];
    let s: UnneededSince = nodes.iter().map(|n| (n.name.clone(), at(0))).collect();
    let (cfg, h) = (CaConfig::default(), ScaleDownHistory::default());
    let plan = plan_scale_down(at(600), &nodes, &pool(3, 0), &h, &cfg, &s);
    // big (0.1) goes first; n1 and n2 are unneeded but wait for the next scan.
    assert_eq!(plan.remove.len(), 1);
    assert_eq!(plan.remove[0].node, "big");
    assert_eq!(reason_of(&plan, "n1"), &Unremovable::OneNonEmptyPerScan);
    let mut with_empty = nodes.to_vec();
    with_empty.push(node("e", &[]));
    let s: UnneededSince = with_empty.iter().map(|n| (n.name.clone(), at(0))).collect();
    let plan = plan_scale_down(at(600), &with_empty, &pool(4, 0), &h, &cfg, &s);
    assert_eq!(plan.remove.len(), 1);
    assert_eq!(plan.remove[0].node, "e");
}

#[test]
fn a_node_of_an_unknown_pool_is_not_autoscaled() {
    let (cfg, h) = (CaConfig::default(), ScaleDownHistory::default());
    let plan = plan_scale_down(at(600), &cluster(), &[], &h, &cfg, &since("low", at(0)));
    assert_eq!(reason_of(&plan, "low"), &Unremovable::NotAutoscaled);
}
