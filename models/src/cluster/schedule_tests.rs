use super::*;
use crate::cluster::pool::NodePool;

const GI: u64 = 1 << 30;

/// A schedulable node of pool 0 with `alloc` and `used` as (milli-cores, GiB, pods).
fn node(alloc: (u64, u64, u32), used: (u64, u64, u32)) -> NodeView {
    NodeView {
        pool: 0,
        allocatable: Resources::new(alloc.0, alloc.1 * GI, alloc.2),
        requested: Resources::new(used.0, used.1 * GI, used.2),
        schedulable: true,
    }
}

fn reason(p: Placement) -> String {
    match p {
        Placement::Unschedulable(u) => u.to_string(),
        other => panic!("expected Unschedulable, got {other:?}"),
    }
}

#[test]
fn first_fit_least_and_most_allocated_choose_different_nodes() {
    let nodes = [
        node((4000, 8, 110), (2000, 4, 4)),
        node((4000, 8, 110), (0, 0, 0)),
        node((4000, 8, 110), (3000, 6, 6)),
    ];
    let pod = Resources::pod(500, GI);
    assert_eq!(place(&nodes, &pod, Policy::FirstFit), Placement::Node(0));
    assert_eq!(
        place(&nodes, &pod, Policy::LeastAllocated),
        Placement::Node(1)
    );
    assert_eq!(
        place(&nodes, &pod, Policy::MostAllocated),
        Placement::Node(2)
    );
}

#[test]
fn least_allocated_scores_are_integer_percentages_of_free_room_after_the_pod() {
    // cpu (4000−2500)·100/4000 = 37.5 → 37; memory (8−5)·100/8 = 37.5 → 37; mean 37.
    let half = node((4000, 8, 110), (2000, 4, 4));
    let pod = Resources::pod(500, GI);
    assert_eq!(score(&half, &pod, Policy::LeastAllocated), 37);
    assert_eq!(score(&half, &pod, Policy::MostAllocated), 62);
    assert_eq!(score(&half, &pod, Policy::FirstFit), 0);
    // unequal resources: cpu 87, memory 50 → (87 + 50) / 2 = 68 (integer division).
    let n = node((4000, 8, 110), (0, 3, 0));
    assert_eq!(score(&n, &pod, Policy::LeastAllocated), 68);
}

#[test]
fn score_edge_cases_follow_upstream() {
    assert_eq!(least_requested_score(2500, 4000), 37);
    assert_eq!(least_requested_score(5000, 4000), 0);
    assert_eq!(least_requested_score(0, 0), 0);
    assert_eq!(least_requested_score(0, 4000), 100);
    assert_eq!(most_requested_score(2500, 4000), 62);
    assert_eq!(most_requested_score(5000, 4000), 100);
    assert_eq!(most_requested_score(1, 0), 0);
    assert_eq!(least_requested_score(u64::MAX - 1, u64::MAX), 0);
}

#[test]
fn equal_scores_go_to_the_lowest_index() {
    let nodes = [node((4000, 8, 110), (1000, 2, 1)); 3];
    let pod = Resources::pod(100, GI);
    for policy in [
        Policy::FirstFit,
        Policy::LeastAllocated,
        Policy::MostAllocated,
    ] {
        assert_eq!(
            place(&nodes, &pod, policy),
            Placement::Node(0),
            "{policy:?}"
        );
    }
}

#[test]
fn a_pod_larger_than_every_node_counts_each_nodes_shortfall() {
    let nodes = [
        node((2000, 64, 110), (0, 0, 0)),
        node((2000, 64, 110), (0, 0, 0)),
        node((4000, 64, 110), (1000, 0, 1)),
        node((16000, 4, 110), (0, 0, 0)),
        node((16000, 8, 110), (0, 4, 1)),
    ];
    let pod = Resources::pod(8000, 16 * GI);
    assert_eq!(
        reason(place(&nodes, &pod, Policy::LeastAllocated)),
        "0/5 nodes are available: 2 Insufficient memory, 3 Insufficient cpu."
    );
}

#[test]
fn a_node_short_of_cpu_and_memory_counts_in_both() {
    let nodes = [node((1000, 1, 110), (0, 0, 0))];
    let why = place(&nodes, &Resources::pod(2000, 2 * GI), Policy::FirstFit);
    assert_eq!(
        reason(why),
        "0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory."
    );
}

#[test]
fn reasons_sort_as_strings_like_upstream() {
    let mut nodes = vec![node((1000, 8, 110), (0, 0, 0)); 10];
    let mut cordoned = node((8000, 8, 110), (0, 0, 0));
    cordoned.schedulable = false;
    nodes.extend([cordoned; 2]);
    assert_eq!(
        reason(place(&nodes, &Resources::pod(2000, GI), Policy::FirstFit)),
        "0/12 nodes are available: 10 Insufficient cpu, 2 node(s) were unschedulable."
    );
}

#[test]
fn daemonset_overhead_reduces_what_a_node_offers() {
    let pool: NodePool = serde_saphyr::from_str(
        "name: general\ninstance_type: m5.xlarge\nallocatable: {cpu: '4', memory: 16Gi}\n\
         price_per_hour_usd: 0.192\nmin_nodes: 1\nmax_nodes: 3\n\
         daemonset_overhead: {cpu: 500m, memory: 1Gi, pods: 2}\n",
    )
    .unwrap();
    let view = |allocatable| NodeView {
        pool: 0,
        allocatable,
        requested: Resources::ZERO,
        schedulable: true,
    };
    let pod = Resources::pod(3800, 4 * GI);
    let bare = [view(pool.allocatable().unwrap())];
    assert_eq!(
        place(&bare, &pod, Policy::LeastAllocated),
        Placement::Node(0)
    );
    let loaded = [view(pool.node_capacity().unwrap())];
    assert_eq!(loaded[0].allocatable, Resources::new(3500, 15 * GI, 108));
    assert_eq!(
        reason(place(&loaded, &pod, Policy::LeastAllocated)),
        "0/1 nodes are available: 1 Insufficient cpu."
    );
}

#[test]
fn cordoned_and_draining_nodes_are_skipped() {
    let mut nodes = [
        node((8000, 32, 110), (0, 0, 0)),
        node((4000, 8, 110), (3000, 6, 3)),
    ];
    nodes[0].schedulable = false;
    let pod = Resources::pod(500, GI);
    assert_eq!(
        place(&nodes, &pod, Policy::LeastAllocated),
        Placement::Node(1)
    );
    nodes[1].schedulable = false;
    assert_eq!(
        reason(place(&nodes, &pod, Policy::LeastAllocated)),
        "0/2 nodes are available: 2 node(s) were unschedulable."
    );
}

#[test]
fn a_full_node_has_too_many_pods_even_for_a_pod_without_requests() {
    let nodes = [
        node((4000, 8, 3), (300, 1, 3)),
        node((4000, 8, 3), (300, 1, 2)),
    ];
    let empty_pod = Resources::pod(0, 0);
    assert_eq!(
        place(&nodes, &empty_pod, Policy::FirstFit),
        Placement::Node(1)
    );
    assert_eq!(
        reason(place(&nodes[..1], &empty_pod, Policy::FirstFit)),
        "0/1 nodes are available: 1 Too many pods."
    );
}

#[test]
fn zero_requests_fit_an_overcommitted_node() {
    let over = [node((1000, 1, 110), (1500, 2, 5))];
    assert_eq!(
        place(&over, &Resources::pod(0, 0), Policy::LeastAllocated),
        Placement::Node(0)
    );
    assert_eq!(
        reason(place(&over, &Resources::pod(1, 0), Policy::LeastAllocated)),
        "0/1 nodes are available: 1 Insufficient cpu."
    );
}

#[test]
fn no_nodes_means_zero_of_zero_available() {
    assert_eq!(
        reason(place(&[], &Resources::pod(100, GI), Policy::LeastAllocated)),
        "0/0 nodes are available."
    );
}

#[test]
fn a_pod_that_fills_a_node_exactly_fits() {
    let nodes = [node((4000, 8, 110), (1000, 2, 1))];
    assert_eq!(
        place(&nodes, &Resources::pod(3000, 6 * GI), Policy::MostAllocated),
        Placement::Node(0)
    );
    assert_eq!(
        score(
            &nodes[0],
            &Resources::pod(3000, 6 * GI),
            Policy::MostAllocated
        ),
        100
    );
}

#[test]
fn placement_is_the_best_fitting_node_and_unschedulable_only_when_none_fits() {
    // every combination of three nodes drawn from a small grid, for a few pods
    let grid: Vec<NodeView> = [(0, 0, 0), (1000, 2, 1), (3000, 6, 3), (4000, 8, 4)]
        .into_iter()
        .flat_map(|used| {
            [true, false].map(|ok| NodeView {
                schedulable: ok,
                ..node((4000, 8, 4), used)
            })
        })
        .collect();
    let pods = [
        Resources::pod(0, 0),
        Resources::pod(500, GI),
        Resources::pod(1000, 4 * GI),
    ];
    let n = grid.len();
    for k in 0..n * n * n {
        let (a, b, c) = (k / (n * n), k / n % n, k % n);
        let nodes = [grid[a], grid[b], grid[c]];
        for pod in &pods {
            let fits: Vec<usize> = (0..3).filter(|&i| filter(&nodes[i], pod).fits()).collect();
            for policy in [
                Policy::FirstFit,
                Policy::LeastAllocated,
                Policy::MostAllocated,
            ] {
                match place(&nodes, pod, policy) {
                    Placement::Node(i) => {
                        assert!(fits.contains(&i));
                        for &j in &fits {
                            let (si, sj) =
                                (score(&nodes[i], pod, policy), score(&nodes[j], pod, policy));
                            assert!(
                                si > sj || (si == sj && i <= j),
                                "{policy:?} chose {i} over {j}"
                            );
                        }
                    }
                    Placement::Unschedulable(why) => {
                        assert!(fits.is_empty());
                        assert_eq!(why.nodes, 3);
                    }
                }
            }
        }
    }
}
