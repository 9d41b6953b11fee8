use super::*;

const DS: Resources = Resources::new(100, 256 * MIB);

/// Seven 1 CPU / 1 Gi pods pending since t = 0.
fn pods(n: usize) -> Vec<PendingPod> {
    (0..n)
        .map(|i| PendingPod {
            name: format!("p{i}"),
            requests: Resources::new(1000, GIB),
            pending_since: at(0),
        })
        .collect()
}

/// "a": small cheap nodes (2 CPU, 2 Gi; one 1 CPU/1 Gi pod each after the DaemonSet).
/// "b": one big dear node (8 CPU, 8 Gi; seven such pods).
fn pools() -> Vec<PoolState> {
    let pool = |name: &str, alloc: Resources, price: f64| PoolState {
        name: name.into(),
        allocatable: alloc,
        daemonset_overhead: DS,
        target_size: 1,
        provisioning_since: Vec::new(),
        max_nodes: 10,
        price_per_node_hour: price,
    };
    vec![
        pool("a", Resources::new(2000, 2 * GIB), 0.10),
        pool("b", Resources::new(8000, 8 * GIB), 1.00),
    ]
}

fn scale_up(d: &ScaleUpDecision) -> (&str, u32, usize) {
    match &d.outcome {
        ScaleUpOutcome::ScaleUp {
            pool,
            add_nodes,
            pods,
            ..
        } => (pool.as_str(), *add_nodes, pods.len()),
        other => panic!("expected a scale-up, got {other:?}"),
    }
}

#[test]
fn each_pool_gets_its_first_fit_decreasing_node_count() {
    let d = plan_scale_up(at(60), &pods(7), &pools(), &CaConfig::default());
    let counts: Vec<(&str, u32, usize)> = d
        .options
        .iter()
        .map(|o| (o.pool.as_str(), o.add_nodes, o.pods.len()))
        .collect();
    assert_eq!(counts, [("a", 7, 7), ("b", 1, 7)]);
    // a: cpu (14000-7000)/14000 + mem (14-7)/14 Gi; b: 1000/8000 + 1/8 Gi.
    assert!((d.options[0].waste - 1.0).abs() < 1e-12);
    assert!((d.options[1].waste - 0.25).abs() < 1e-12);
    assert!((d.options[0].cost_per_pod - 0.10).abs() < 1e-12);
    assert!((d.options[1].cost_per_pod - 1.0 / 7.0).abs() < 1e-12);
}

#[test]
fn least_waste_and_price_choose_differently() {
    let mut cfg = CaConfig::default();
    let d = plan_scale_up(at(60), &pods(7), &pools(), &cfg);
    assert_eq!(scale_up(&d), ("b", 1, 7));
    cfg.expander = Expander::Price;
    let d = plan_scale_up(at(60), &pods(7), &pools(), &cfg);
    assert_eq!(scale_up(&d), ("a", 7, 7));
    match d.outcome {
        ScaleUpOutcome::ScaleUp { reason, .. } => assert!(reason.starts_with("price: pool a")),
        _ => unreachable!(),
    }
}

#[test]
fn max_nodes_caps_the_option_and_the_pods_it_helps() {
    let mut p = pools();
    p[0].max_nodes = 5; // target 1: room for 4
    let cfg = CaConfig {
        expander: Expander::Price,
        ..CaConfig::default()
    };
    let d = plan_scale_up(at(60), &pods(7), &p, &cfg);
    assert_eq!((d.options[0].add_nodes, d.options[0].pods.len()), (4, 4));
}

#[test]
fn pools_at_max_size_give_no_scale_up_with_their_names() {
    let mut p = pools();
    for g in &mut p {
        g.max_nodes = 1;
    }
    let d = plan_scale_up(at(60), &pods(1), &p, &CaConfig::default());
    assert_eq!(
        d.outcome,
        ScaleUpOutcome::NoScaleUp(NoScaleUp::MaxSizeReached(vec!["a".into(), "b".into()]))
    );
}

#[test]
fn nothing_fits_names_the_pod_and_the_largest_allocatable() {
    let huge = PendingPod {
        name: "huge".into(),
        requests: Resources::new(16000, GIB),
        pending_since: at(0),
    };
    let d = plan_scale_up(at(60), &[huge], &pools(), &CaConfig::default());
    assert_eq!(d.outcome, ScaleUpOutcome::NoScaleUp(NoScaleUp::NothingFits));
    assert_eq!(
        d.unfit[0].reason,
        "pod huge does not fit any node group: requests cpu=16000m mem=1024Mi, \
         largest allocatable cpu=7900m mem=7936Mi (pool b)"
    );
}

#[test]
fn unfit_pods_are_reported_while_the_others_scale_up() {
    let mut pending = pods(1);
    pending.push(PendingPod {
        name: "huge".into(),
        requests: Resources::new(16000, GIB),
        pending_since: at(0),
    });
    let d = plan_scale_up(at(60), &pending, &pools(), &CaConfig::default());
    assert_eq!(scale_up(&d), ("a", 1, 1)); // a wastes 0.5 + 0.5, b 7/8 + 7/8
    assert_eq!(d.unfit.len(), 1);
}

#[test]
fn provisioning_nodes_reduce_the_scale_up() {
    let mut p = pools();
    p[1].target_size = 2;
    p[1].provisioning_since = vec![at(0)];
    // The upcoming b node holds 7 of 9 pods; 2 are left for new nodes.
    let d = plan_scale_up(at(60), &pods(9), &p, &CaConfig::default());
    assert_eq!(d.awaiting.len(), 7);
    assert!(d.awaiting.iter().all(|(_, pool)| pool == "b"));
    let counts: Vec<(u32, usize)> = d
        .options
        .iter()
        .map(|o| (o.add_nodes, o.pods.len()))
        .collect();
    assert_eq!(counts, [(2, 2), (1, 2)]);
    // Exactly covered: nothing to add.
    let d = plan_scale_up(at(60), &pods(7), &p, &CaConfig::default());
    assert_eq!(
        d.outcome,
        ScaleUpOutcome::NoScaleUp(NoScaleUp::CoveredByUpcomingNodes)
    );
}

#[test]
fn a_node_provisioning_longer_than_max_node_provision_time_no_longer_counts() {
    let mut p = pools();
    p[1].target_size = 2;
    p[1].provisioning_since = vec![at(0)];
    let d = plan_scale_up(at(15 * 60), &pods(7), &p, &CaConfig::default());
    assert!(d.awaiting.is_empty());
    assert_eq!(scale_up(&d), ("b", 1, 7));
    let d = plan_scale_up(at(15 * 60 - 1), &pods(7), &p, &CaConfig::default());
    assert_eq!(d.awaiting.len(), 7);
}

#[test]
fn pods_younger_than_new_pod_scale_up_delay_wait() {
    let cfg = CaConfig {
        new_pod_scale_up_delay: SimDuration::from_secs(30),
        ..CaConfig::default()
    };
    let d = plan_scale_up(at(29), &pods(2), &pools(), &cfg);
    assert_eq!(
        d.outcome,
        ScaleUpOutcome::NoScaleUp(NoScaleUp::PodsTooYoung)
    );
    assert_eq!(d.too_young, ["p0", "p1"]);
    let d = plan_scale_up(at(30), &pods(2), &pools(), &cfg);
    assert!(matches!(d.outcome, ScaleUpOutcome::ScaleUp { .. }));
}

#[test]
fn no_pending_pods_no_scale_up() {
    let d = plan_scale_up(at(0), &[], &pools(), &CaConfig::default());
    assert_eq!(
        d.outcome,
        ScaleUpOutcome::NoScaleUp(NoScaleUp::NoPendingPods)
    );
}

#[test]
fn equal_waste_goes_to_the_cheaper_pool_then_the_first_name() {
    let mut p = pools();
    p[1] = PoolState {
        name: "c".into(),
        ..p[0].clone()
    };
    p[1].price_per_node_hour = 0.05;
    let d = plan_scale_up(at(60), &pods(2), &p, &CaConfig::default());
    assert_eq!(scale_up(&d).0, "c");
    p[1].price_per_node_hour = 0.10;
    let d = plan_scale_up(at(60), &pods(2), &p, &CaConfig::default());
    assert_eq!(scale_up(&d).0, "a");
}
