//! Nodes and the cluster autoscaler in the world (issue #8): placement, Unschedulable pods,
//! scale-up timing, scale-down timing, overprovisioning, node faults and node cost.
//!
//! Every start-up delay here is constant, so event times are exact: pod scheduling 1 s, full
//! image pull 10 s, cached pull 1 s, container start 1 s, app start 2 s, readiness probe every
//! 1 s from the container start (Ready 3 s after it).

use crate::support::{hpasim, run_text};
use hpasim_models::rows::{EventRow, MemorySink};

/// A scenario of `replicas` pods (500m / 512Mi) on pools written in `cluster`, under constant
/// arrivals of `rate` req/s with `io` seconds of I/O each; `extra` is appended at top level.
fn scenario(replicas: u32, rate: f64, io: &str, cluster: &str, extra: &str) -> String {
    format!(
        r#"name: cluster-test
duration: 10m
seed: 3
workload:
  arrivals: {{kind: constant, rate: {rate}}}
service:
  cpu: {{dist: constant, value: 0s}}
  io: {{dist: constant, value: {io}}}
pods:
  replicas: {replicas}
  concurrency: 1000
  cpu_request: 500m
  memory_request: 512Mi
  readiness_probe: {{initial_delay: 0s, period: 1s, success_threshold: 1}}
  termination_grace_period: 30s
  startup:
    schedule: {{dist: constant, value: 1s}}
    image_pull: {{dist: constant, value: 10s}}
    image_pull_cached: {{dist: constant, value: 1s}}
    container_start: {{dist: constant, value: 1s}}
    app_start: {{dist: constant, value: 2s}}
outputs:
  requests_sample: 1.0
cluster:
{cluster}
{extra}"#
    )
}

/// One pool `general` whose nodes hold exactly 3 pods of 500m (1600m − 100m DaemonSets).
fn pool(min: u32, max: u32, initial: u32) -> String {
    format!(
        "  node_pools:\n    - {{name: general, instance_type: m5.large, allocatable: {{cpu: 1600m, memory: 8Gi}}, daemonset_overhead: {{cpu: 100m}}, price_per_hour_usd: 0.096, min_nodes: {min}, max_nodes: {max}, initial_nodes: {initial}}}\n"
    )
}

fn events<'a>(rows: &'a MemorySink, kind: &str) -> Vec<&'a EventRow> {
    rows.events.iter().filter(|e| e.kind == kind).collect()
}

fn column(rows: &MemorySink, name: &str, columns: &[String]) -> Vec<f64> {
    let k = columns.iter().position(|c| c == name).expect("column");
    rows.timeseries.iter().map(|r| r.extra[k]).collect()
}

fn extra_columns(yaml: &str) -> Vec<String> {
    let loaded = hpasim_models::scenario::load_str(yaml, std::path::Path::new("t.yaml"), &[])
        .expect("loads");
    hpasim_models::Simulation::compile(&loaded.scenario, &loaded.base_dir)
        .expect("compiles")
        .timeseries_extra_columns()
}

fn placements(rows: &MemorySink) -> Vec<String> {
    events(rows, "pod_scheduled")
        .iter()
        .map(|e| e.detail.clone())
        .collect()
}

#[test]
fn bin_packing_8_pods_on_two_3_pod_nodes_bind_6_and_leave_2_pending_with_the_reason() {
    let yaml = scenario(8, 10.0, "10ms", &pool(2, 2, 2), "");
    let (summary, rows) = run_text(&yaml, &[]);
    assert_eq!(summary.pods_unschedulable_max, 2);
    let pending = events(&rows, "pod_unschedulable");
    assert_eq!(pending.len(), 2);
    for e in &pending {
        assert_eq!(e.detail, "0/2 nodes are available: 2 Insufficient cpu.");
        assert_eq!(
            e.time_s, 0.0,
            "initial pods meet the scheduler at time zero"
        );
    }
    let cols = extra_columns(&yaml);
    let unschedulable = column(&rows, "pods_unschedulable", &cols);
    assert!(unschedulable.iter().all(|&n| n == 2.0), "{unschedulable:?}");
    assert!(rows.timeseries.iter().all(|r| r.pods_ready == 6));
    assert!(column(&rows, "nodes_general", &cols)
        .iter()
        .all(|&n| n == 2.0));
    // LeastAllocated spreads: each pod goes to the emptier node, ties to the first.
    let spread = [0, 1, 0, 1, 0, 1].map(|k| format!("node/general-{k}"));
    assert_eq!(placements(&rows), spread);
}

#[test]
fn bin_packing_most_allocated_and_first_fit_fill_one_node_before_the_next() {
    for policy in ["most_allocated", "first_fit"] {
        let cluster = format!("  scheduler: {policy}\n{}", pool(3, 3, 3));
        let (summary, rows) = run_text(&scenario(5, 10.0, "10ms", &cluster, ""), &[]);
        let packed = [0, 0, 0, 1, 1].map(|k| format!("node/general-{k}"));
        assert_eq!(placements(&rows), packed, "{policy}");
        assert_eq!(summary.pods_unschedulable_max, 0);
    }
}

#[test]
fn cluster_autoscaler_scales_up_at_the_first_scan_after_pods_turn_unschedulable_plus_the_provisioning_delay(
) {
    let cluster = format!(
        "{}  autoscaler: {{scan_interval: 10s, node_provisioning: {{dist: constant, value: 90s}}}}\n",
        pool(1, 3, 1)
    );
    let mut yaml = scenario(3, 10.0, "10ms", &cluster, "");
    yaml = yaml.replace(
        "  termination_grace_period: 30s\n",
        "  termination_grace_period: 30s\n  scale_schedule: [{at: 15s, replicas: 5}]\n",
    );
    let (summary, rows) = run_text(&yaml, &[]);
    let unschedulable = events(&rows, "pod_unschedulable");
    assert_eq!(unschedulable.len(), 2);
    assert!(unschedulable.iter().all(|e| e.time_s == 16.0));
    let ups = events(&rows, "ca_scale_up");
    assert_eq!(
        ups.len(),
        1,
        "one scale-up: the next scans see the node coming"
    );
    assert_eq!(ups[0].time_s, 20.0, "the first scan after 16 s");
    assert!(
        ups[0].detail.starts_with("+1 nodes for 2 pending pods"),
        "{}",
        ups[0].detail
    );
    let ready = events(&rows, "node_ready");
    assert_eq!(ready.len(), 1);
    assert_eq!(ready[0].time_s, 110.0, "20 s + 90 s provisioning");
    let scheduled: Vec<f64> = events(&rows, "pod_scheduled")
        .iter()
        .filter(|e| e.time_s > 0.0)
        .map(|e| e.time_s)
        .collect();
    assert_eq!(scheduled, vec![110.0, 110.0]);
    // A new node has no image: full pull (10 s), container (1 s), app (2 s) → Ready at 123 s.
    let ready_pods: Vec<f64> = events(&rows, "pod_ready")
        .iter()
        .filter(|e| e.time_s > 0.0)
        .map(|e| e.time_s)
        .collect();
    assert_eq!(ready_pods, vec![123.0, 123.0]);
    assert_eq!(summary.ca_scale_ups, 1);
    assert_eq!(
        summary.capacity_wait_max_s, 95.0,
        "created 15 s, bound 110 s"
    );
    assert_eq!(summary.nodes_max, 2);
}

#[test]
fn scale_down_no_node_is_removed_before_the_unneeded_time_and_the_pool_minimum_holds() {
    let cluster = format!(
        "{}  autoscaler: {{scan_interval: 10s, scale_down_unneeded_time: 5m}}\n",
        pool(1, 3, 2)
    );
    let mut yaml = scenario(4, 10.0, "10ms", &cluster, "");
    yaml = yaml.replace(
        "  termination_grace_period: 30s\n",
        "  termination_grace_period: 30s\n  scale_schedule: [{at: 30s, replicas: 1}]\n",
    );
    let (summary, rows) = run_text(&yaml, &[]);
    let unneeded = events(&rows, "ca_node_unneeded");
    // 2 pods a node (0.69 of 1600m) are needed. The scale-down to 1 pod at 30 s runs before
    // the 30 s scan (scheduled earlier, same instant); then node 1 is empty (0.06) and unneeded;
    // node 0 (0.375) is below the threshold too, but its pod has nowhere to go once node 1
    // is counted as removed.
    assert_eq!(unneeded.len(), 1, "{unneeded:?}");
    assert_eq!(unneeded[0].object, "node/general-1");
    assert_eq!(unneeded[0].time_s, 30.0);
    let downs = events(&rows, "ca_scale_down");
    assert_eq!(
        downs.len(),
        1,
        "only the empty node is removable: {downs:?}"
    );
    assert_eq!(
        downs[0].time_s, 330.0,
        "unneeded since 30 s + 5 min, not a scan earlier"
    );
    assert_eq!(
        downs[0].object, "node/general-1",
        "the empty node goes first"
    );
    let removed = events(&rows, "node_removed");
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0].time_s, 330.0);
    assert_eq!(summary.ca_nodes_removed, 1);
    // Node cost: 2 nodes for 330 s, then 1 until 600 s, at 0.096 USD/h.
    let node_hours = (2.0 * 330.0 + 270.0) / 3600.0;
    assert!((summary.node_hours - node_hours).abs() < 1e-9);
    assert!((summary.node_cost_usd - node_hours * 0.096).abs() < 1e-9);
    assert_eq!(summary.node_cost_spot_usd, 0.0);
}

#[test]
fn overprovisioning_real_pods_preempt_placeholders_and_the_autoscaler_replaces_the_buffer() {
    let cluster = format!(
        "{}  autoscaler: {{scan_interval: 10s, node_provisioning: {{dist: constant, value: 60s}}}}\n  overprovisioning: {{replicas: 2, cpu: 500m, memory: 512Mi}}\n",
        pool(1, 3, 1)
    );
    let mut yaml = scenario(1, 10.0, "10ms", &cluster, "");
    yaml = yaml.replace(
        "  termination_grace_period: 30s\n",
        "  termination_grace_period: 30s\n  scale_schedule: [{at: 15s, replicas: 3}]\n",
    );
    let (summary, rows) = run_text(&yaml, &[]);
    assert!(events(&rows, "pod_unschedulable").is_empty());
    let preempted = events(&rows, "placeholder_preempted");
    assert_eq!(preempted.len(), 2);
    assert!(preempted.iter().all(|e| e.time_s == 16.0));
    assert_eq!(
        summary.capacity_wait_max_s, 1.0,
        "real pods wait only for the scheduler"
    );
    let ups = events(&rows, "ca_scale_up");
    assert_eq!(ups.len(), 1);
    assert_eq!(ups[0].time_s, 20.0, "the evicted placeholders are pending");
    assert_eq!(summary.nodes_max, 2);
}

#[test]
fn node_failure_loses_work_in_flight_requests_fail_until_not_ready_and_pods_come_back_after_the_eviction_toleration(
) {
    let cluster = format!(
        "{}  node_failures: {{at: [{{at: 60s}}], detection: 40s, pod_eviction: 300s}}\n",
        pool(2, 2, 2)
    );
    let yaml = scenario(
        4,
        100.0,
        "1s",
        &cluster,
        "load_balancer: {policy: round_robin}\n",
    );
    let (summary, rows) = run_text(&yaml, &[]);
    let failed = events(&rows, "node_failed");
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].time_s, 60.0);
    let lost_pods: Vec<String> = events(&rows, "pod_scheduled")
        .iter()
        .filter(|e| e.detail == failed[0].object)
        .map(|e| e.object.clone())
        .collect();
    assert_eq!(lost_pods.len(), 2);
    let killed: Vec<_> = rows
        .requests
        .iter()
        .filter(|r| r.outcome == "killed")
        .collect();
    assert!(killed.iter().all(|r| lost_pods.contains(&r.pod)));
    // In flight at 60 s: arrived in the last second (1 s of I/O each).
    let in_flight = killed.iter().filter(|r| r.arrival_s < 60.0).count();
    assert!(killed
        .iter()
        .filter(|r| r.arrival_s < 60.0)
        .all(|r| r.arrival_s >= 59.0));
    assert_eq!(
        failed[0].detail,
        format!("2 pods on it, {in_flight} requests lost")
    );
    // Sent to the dead pods until the node controller notices at 100 s, none after.
    let blind = killed
        .iter()
        .filter(|r| (60.0..100.0).contains(&r.arrival_s))
        .count();
    assert!(blind > 1000, "about half of 40 s × 100 req/s: {blind}");
    assert!(killed.iter().all(|r| r.arrival_s < 100.0));
    assert_eq!(summary.fault_errors, killed.len() as u64);
    assert_eq!(summary.killed, killed.len() as u64);
    let per_interval = column(&rows, "fault_errors", &extra_columns(&yaml));
    assert_eq!(per_interval.iter().sum::<f64>(), killed.len() as f64);
    assert_eq!(per_interval[..5].iter().sum::<f64>(), 0.0);
    // The failure (scheduled at the start) runs before the 60 s sample closes its interval.
    assert_eq!(per_interval[5], in_flight as f64);
    assert_eq!(summary.node_failures, 1);
    assert_eq!(events(&rows, "node_not_ready")[0].time_s, 100.0);
    // Evicted and replaced at 400 s; the surviving node has room for one of them.
    let evicted: Vec<_> = events(&rows, "pod_deleted")
        .into_iter()
        .filter(|e| e.detail == "evicted: node unreachable")
        .collect();
    assert_eq!(evicted.len(), 2);
    assert!(evicted.iter().all(|e| e.time_s == 400.0));
    let created_at_400 = events(&rows, "pod_created")
        .iter()
        .filter(|e| e.time_s == 400.0)
        .count();
    assert_eq!(created_at_400, 2);
    assert_eq!(summary.pods_unschedulable_max, 1);
}

#[test]
fn spot_interruption_evicts_at_the_notice_replaces_elsewhere_and_the_node_goes_after_it() {
    let cluster = "  node_pools:\n    - {name: spot, instance_type: m5.large, allocatable: {cpu: 1600m, memory: 8Gi}, price_per_hour_usd: 0.03, capacity_type: spot, spot: {interruption_rate_per_hour: 30, notice: 2m}, min_nodes: 1, max_nodes: 1}\n    - {name: stable, instance_type: m5.xlarge, allocatable: {cpu: 3900m, memory: 16Gi}, price_per_hour_usd: 0.192, min_nodes: 1, max_nodes: 1}\n  scheduler: first_fit\n";
    let (summary, rows) = run_text(&scenario(3, 20.0, "100ms", cluster, ""), &[]);
    let notices = events(&rows, "spot_interruption");
    assert_eq!(notices.len(), 1, "one spot node, reclaimed once");
    let t = notices[0].time_s;
    assert!(t > 0.0 && t + 120.0 < 600.0, "{t}");
    assert_eq!(summary.spot_interruptions, 1);
    let evicted = events(&rows, "pod_evicted");
    assert_eq!(
        evicted.len(),
        3,
        "first fit put all 3 pods on the spot node"
    );
    assert!(evicted.iter().all(|e| e.time_s == t));
    let moved: Vec<_> = events(&rows, "pod_scheduled")
        .into_iter()
        .filter(|e| e.time_s > t)
        .collect();
    assert_eq!(moved.len(), 3);
    assert!(moved.iter().all(|e| e.detail == "node/stable-0"));
    let gone = events(&rows, "node_removed");
    assert_eq!(gone.len(), 1);
    assert_eq!(gone[0].time_s, t + 120.0);
    assert_eq!(gone[0].detail, "spot capacity reclaimed");
    let spot_cost = 0.03 * (t + 120.0) / 3600.0;
    assert!((summary.node_cost_spot_usd - spot_cost).abs() < 1e-9);
    assert!((summary.node_cost_usd - spot_cost - 0.192 * 600.0 / 3600.0).abs() < 1e-9);
    assert_eq!(
        summary.fault_errors, 0,
        "graceful eviction loses no work in flight"
    );
    assert_eq!(summary.killed, 0);
    // …but all three pods went at once (no PodDisruptionBudget): no endpoint until the
    // replacements are Ready 5 s later (scheduler 1 s, cached pull 1 s, container 1 s, app 2 s).
    let outage = rows
        .requests
        .iter()
        .filter(|r| r.outcome == "rejected")
        .map(|r| r.arrival_s)
        .collect::<Vec<_>>();
    assert!(outage.iter().all(|&a| a >= t && a < t + 5.0), "{outage:?}");
    assert!(!outage.is_empty());
}

#[test]
fn bad_input_pod_requests_larger_than_any_node_name_the_pod_and_the_node_type() {
    let dir = std::env::temp_dir().join(format!("hpasim-cluster-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("big-pods.yaml");
    let yaml = scenario(2, 10.0, "10ms", &pool(1, 3, 1), "")
        .replace("cpu_request: 500m", "cpu_request: 1800m");
    std::fs::write(&path, yaml).unwrap();
    let out = hpasim(&[
        "run",
        path.to_str().unwrap(),
        "--out",
        dir.join("out").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("big-pods.yaml:"), "{err}");
    assert!(
        err.contains("the pods of `cluster-test` (pods.cpu_request, pods.memory_request) request cpu=1800m memory=512Mi, more than any node type offers: the largest, m5.large (pool `general`), has cpu=1500m memory=8Gi left after DaemonSets"),
        "{err}"
    );
    assert!(
        err.contains("hint: add a pool with a larger instance type"),
        "{err}"
    );
    assert!(!dir.join("out").exists(), "no partial output");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_input_cluster_fields_are_located_with_hints() {
    for (from, to, wanted) in [
        (
            "scan_interval: 10s",
            "scan_intervall: 10s",
            "unknown field `scan_intervall`",
        ),
        (
            "price_per_hour_usd: 0.096",
            "price_per_hour_usd: -1",
            "must be zero or positive",
        ),
        (
            "min_nodes: 1, max_nodes: 3",
            "min_nodes: 4, max_nodes: 3",
            "min_nodes",
        ),
    ] {
        let cluster = format!("{}  autoscaler: {{scan_interval: 10s}}\n", pool(1, 3, 1));
        let yaml = scenario(2, 10.0, "10ms", &cluster, "").replace(from, to);
        let loaded =
            hpasim_models::scenario::load_str(&yaml, std::path::Path::new("bad.yaml"), &[]);
        let err = match loaded {
            Err(e) => e.to_string(),
            Ok(_) => panic!("`{to}` was accepted"),
        };
        assert!(err.contains(wanted), "{to}: {err}");
        assert!(err.contains("bad.yaml:"), "{to}: located: {err}");
        assert!(err.contains("hint:"), "{to}: {err}");
    }
}

/// Two nodes with two pods each; at 30 s the Deployment scales to 2 (pod 0 on node 0, pod 1 on
/// node 1); node 0 is unneeded from then, and after the 1-minute unneeded time (90 s) the CA
/// drains it, under `pdb` (a `spec` body of a policy/v1 PodDisruptionBudget).
fn drain_scenario(pdb: &str) -> String {
    let cluster = format!(
        "{}  autoscaler: {{scan_interval: 10s, scale_down_unneeded_time: 1m, max_pod_eviction_time: 30s}}\n",
        pool(1, 2, 2)
    );
    let extra = format!(
        "pod_disruption_budget:\n  apiVersion: policy/v1\n  kind: PodDisruptionBudget\n  metadata: {{name: api}}\n  spec: {{{pdb}, selector: {{}}}}\n"
    );
    scenario(4, 10.0, "10ms", &cluster, &extra).replace(
        "  termination_grace_period: 30s\n",
        "  termination_grace_period: 30s\n  scale_schedule: [{at: 30s, replicas: 2}]\n",
    )
}

#[test]
fn pdb_min_available_2_of_2_blocks_the_drain_until_max_pod_eviction_time_then_the_node_is_uncordoned(
) {
    let (summary, rows) = run_text(&drain_scenario("minAvailable: 2"), &[]);
    let downs = events(&rows, "ca_scale_down");
    assert_eq!(downs[0].time_s, 90.0, "{downs:?}");
    assert_eq!(downs[0].object, "node/general-0");
    assert!(
        events(&rows, "pod_evicted").is_empty(),
        "the budget allows no eviction"
    );
    let blocked = events(&rows, "eviction_blocked");
    let times: Vec<f64> = blocked.iter().take(3).map(|e| e.time_s).collect();
    assert_eq!(
        times,
        vec![90.0, 100.0, 110.0],
        "retried every 10 s until 120 s"
    );
    assert!(blocked[0].detail.starts_with(
        "disruption budget allows no eviction: 2 healthy, 2 desired healthy of 2 expected"
    ));
    let failed = events(&rows, "ca_scale_down_failed");
    assert_eq!(failed[0].time_s, 120.0, "90 s + max_pod_eviction_time 30 s");
    assert_eq!(failed[0].object, "node/general-0");
    // The failure backs the CA off for scale_down_delay_after_failure (3 min): next try 300 s.
    assert_eq!(downs.get(1).map(|e| e.time_s), Some(300.0));
    assert!(rows
        .timeseries
        .iter()
        .all(|r| r.pods_ready == 2 || r.time_s <= 30.0));
    assert_eq!(summary.ca_nodes_removed, 0);
    assert_eq!(summary.nodes_max, 2);
}

#[test]
fn pdb_max_unavailable_1_lets_the_drain_evict_the_pod_and_the_node_goes_once_it_is_deleted() {
    let (summary, rows) = run_text(&drain_scenario("maxUnavailable: 1"), &[]);
    let evicted = events(&rows, "pod_evicted");
    assert_eq!(evicted.len(), 1);
    assert_eq!(evicted[0].time_s, 90.0);
    assert_eq!(evicted[0].object, "pod/cluster-test-0");
    assert!(events(&rows, "eviction_blocked").is_empty());
    // The replacement lands on the other node (cached image: Ready 1 + 1 + 1 + 2 = 5 s later).
    let moved: Vec<_> = events(&rows, "pod_scheduled")
        .into_iter()
        .filter(|e| e.time_s > 30.0)
        .collect();
    assert_eq!(moved.len(), 1);
    assert_eq!(moved[0].time_s, 91.0);
    assert_eq!(moved[0].detail, "node/general-1");
    let removed = events(&rows, "node_removed");
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0].object, "node/general-0");
    assert!(
        removed[0].time_s >= 90.0 && removed[0].time_s < 91.0,
        "{removed:?}"
    );
    assert_eq!(summary.ca_nodes_removed, 1);
    assert_eq!(summary.error_rate, 0.0);
}
