use super::*;

fn pool(yaml: &str) -> NodePool {
    serde_saphyr::from_str(yaml).unwrap()
}

const BASE: &str = "name: general\ninstance_type: m5.xlarge\nallocatable: {cpu: 3920m, memory: 14Gi}\nprice_per_hour_usd: 0.192\nmin_nodes: 1\nmax_nodes: 10\n";

fn messages(p: &NodePool) -> Vec<String> {
    p.validate("node_pools[0]")
        .into_iter()
        .map(|e| format!("{}: {}", e.location, e.message))
        .collect()
}

#[test]
fn a_pool_defaults_to_on_demand_110_pods_no_overhead_and_min_nodes_at_start() {
    let p = pool(BASE);
    assert_eq!(p.capacity_type, CapacityType::OnDemand);
    assert_eq!(p.allocatable.pods, 110);
    assert_eq!(p.initial_nodes(), 1);
    assert_eq!(p.node_capacity(), Ok(Resources::new(3920, 14 << 30, 110)));
    assert!(messages(&p).is_empty());
}

#[test]
fn daemonset_overhead_is_taken_from_every_node() {
    let p = pool(&format!(
        "{BASE}daemonset_overhead: {{cpu: 200m, memory: 512Mi, pods: 3}}\n"
    ));
    assert_eq!(
        p.node_capacity(),
        Ok(Resources::new(3720, (14 << 30) - (512 << 20), 107))
    );
}

#[test]
fn a_spot_pool_reads_its_interruption_rate_and_notice() {
    let p = pool(&format!(
        "{BASE}capacity_type: spot\nspot: {{interruption_rate_per_hour: 0.05, notice: 30s}}\n"
    ));
    assert_eq!(p.capacity_type, CapacityType::Spot);
    let s = p.spot.as_ref().unwrap();
    assert_eq!(
        (s.interruption_rate_per_hour, s.notice.secs()),
        (0.05, 30.0)
    );
    assert!(messages(&p).is_empty());
    let p = pool(&format!(
        "{BASE}capacity_type: spot\nspot: {{interruption_rate_per_hour: 0.05}}\n"
    ));
    assert_eq!(p.spot.unwrap().notice.secs(), 120.0);
}

#[test]
fn unknown_pool_fields_are_rejected() {
    let e = serde_saphyr::from_str::<NodePool>(&format!("{BASE}max_node: 3\n")).unwrap_err();
    assert!(e.to_string().contains("max_node"), "{e}");
}

#[test]
fn bounds_must_hold_min_le_initial_le_max() {
    let p = pool(&BASE.replace("min_nodes: 1", "min_nodes: 12"));
    assert_eq!(
        messages(&p),
        [
            "node_pools[0].min_nodes: min_nodes > max_nodes: min_nodes is 12, max_nodes is 10",
            "node_pools[0].initial_nodes: must be between min_nodes (12) and max_nodes (10), got 12",
        ]
    );
    let p = pool(&format!("{BASE}initial_nodes: 11\n"));
    assert_eq!(
        messages(&p),
        ["node_pools[0].initial_nodes: must be between min_nodes (1) and max_nodes (10), got 11"]
    );
    let p = pool(
        &BASE
            .replace("max_nodes: 10", "max_nodes: 0")
            .replace("min_nodes: 1", "min_nodes: 0"),
    );
    assert_eq!(
        messages(&p),
        ["node_pools[0].max_nodes: must be at least 1, got 0"]
    );
}

#[test]
fn price_must_be_zero_or_positive() {
    let p = pool(&BASE.replace("0.192", "-1"));
    let e = &p.validate("node_pools[0]")[0];
    assert_eq!(e.location, "node_pools[0].price_per_hour_usd");
    assert_eq!(e.message, "must be zero or positive, got -1");
    assert!(e.hint.as_ref().unwrap().contains("per hour"));
}

#[test]
fn overhead_must_be_less_than_allocatable() {
    let p = pool(&format!(
        "{BASE}daemonset_overhead: {{cpu: '4', memory: 14Gi, pods: 110}}\n"
    ));
    assert_eq!(
        messages(&p),
        [
            "node_pools[0].daemonset_overhead.cpu: must be less than allocatable cpu (3920m), got 4",
            "node_pools[0].daemonset_overhead.memory: must be less than allocatable memory (14Gi), got 14Gi",
            "node_pools[0].daemonset_overhead.pods: must be less than allocatable pods (110), got 110",
        ]
    );
    assert!(p.node_capacity().unwrap_err().contains("does not fit"));
}

#[test]
fn spot_settings_go_only_with_spot_capacity() {
    let p = pool(&format!(
        "{BASE}spot: {{interruption_rate_per_hour: 0.05}}\n"
    ));
    assert_eq!(
        messages(&p),
        ["node_pools[0].spot: only allowed with `capacity_type: spot`"]
    );
    let p = pool(&format!("{BASE}capacity_type: spot\n"));
    assert_eq!(
        messages(&p),
        ["node_pools[0].spot: required with `capacity_type: spot`"]
    );
    let p = pool(&format!(
        "{BASE}capacity_type: spot\nspot: {{interruption_rate_per_hour: -0.1}}\n"
    ));
    assert_eq!(
        messages(&p),
        ["node_pools[0].spot.interruption_rate_per_hour: must be zero or positive, got -0.1"]
    );
}

#[test]
fn zero_allocatable_is_rejected() {
    let p = pool(
        &BASE
            .replace("cpu: 3920m", "cpu: '0'")
            .replace("memory: 14Gi}", "memory: 14Gi, pods: 0}"),
    );
    assert_eq!(
        messages(&p),
        [
            "node_pools[0].allocatable.cpu: allocatable cpu must be positive",
            "node_pools[0].allocatable.pods: must be at least 1, got 0",
        ]
    );
}

#[test]
fn pool_names_must_be_unique_and_each_pool_is_checked_at_its_index() {
    let a = pool(BASE);
    let mut b = pool(&BASE.replace("0.192", "-1"));
    b.instance_type = "m5.2xlarge".into();
    let located: Vec<String> = validate_pools(&[a, b], "node_pools")
        .into_iter()
        .map(|e| format!("{}: {}", e.location, e.message))
        .collect();
    assert_eq!(
        located,
        [
            "node_pools[1].name: duplicate pool name `general` (also node_pools[0])",
            "node_pools[1].price_per_hour_usd: must be zero or positive, got -1",
        ]
    );
    assert!(validate_pools(&[], "node_pools").is_empty());
}
