//! Everything that can happen in the world, in one enum.

use super::pod::PodPhase;

/// A scheduled happening. Ids are small integers into the world's tables; events that may have
/// become stale carry a generation or request id and are ignored when they no longer match.
#[derive(Clone, Copy, Debug)]
pub enum Event {
    /// The next request arrives.
    Arrival,
    /// The earliest pending client timeout is due (the world keeps them in a FIFO; entries
    /// whose request has left are skipped).
    TimeoutsDue,
    /// The earliest CPU-phase completion on a pod (stale unless `gen` matches the pod's).
    CpuDone {
        /// Pod index.
        pod: u32,
        /// CPU schedule generation.
        gen: u32,
    },
    /// A request's non-CPU phase ends.
    IoDone {
        /// Request slot.
        slot: u32,
        /// Request id.
        id: u64,
    },
    /// A request waited `connectionTimeout` for a pool connection.
    PoolTimeout {
        /// Request slot.
        slot: u32,
        /// Request id.
        id: u64,
    },
    /// A transaction has waited `reserve_pool_timeout` at PgBouncer.
    ReserveCheck {
        /// Request slot.
        slot: u32,
        /// Request id.
        id: u64,
    },
    /// A transaction has waited `query_wait_timeout` at PgBouncer.
    BouncerTimeout {
        /// Request slot.
        slot: u32,
        /// Request id.
        id: u64,
    },
    /// `pod`'s pool retires its oldest connection (`maxLifetime`).
    RetireConnection {
        /// Pod index.
        pod: u32,
    },
    /// A pool connection of `pod` finished opening.
    ConnOpened {
        /// Pod index.
        pod: u32,
    },
    /// A starting pod moves to its next lifecycle phase.
    PodPhase {
        /// Pod index.
        pod: u32,
        /// The phase it enters.
        to: PodPhase,
    },
    /// A terminating pod's grace period ends: what is still running is killed.
    GraceExpired {
        /// Pod index.
        pod: u32,
    },
    /// The Deployment's desired replicas change (manual scale schedule; later, autoscalers).
    SetReplicas {
        /// New desired replica count.
        replicas: u32,
    },
    /// metrics-server scrapes the kubelets.
    MetricsScrape,
    /// Prometheus scrapes the pods.
    PromScrape,
    /// The HPA controller reconciles.
    HpaSync,
    /// KEDA polls the ScaledObject's triggers.
    KedaPoll,
    /// The consumer group rebalances (membership changed at this instant).
    Rebalance,
    /// An idle Kafka consumer wakes to commit or to resume after a pause.
    ConsumerWake {
        /// Pod index.
        pod: u32,
    },
    /// A crashed consumer's session times out: the group notices it left.
    SessionExpired {
        /// Pod index.
        pod: u32,
    },
    /// A consumer pod crashes (`u32::MAX`: the oldest Ready one).
    ConsumerCrash {
        /// Pod index.
        pod: u32,
    },
    /// A requested node registers Ready.
    NodeReady {
        /// Node id.
        node: u32,
    },
    /// The cluster autoscaler's loop.
    CaScan,
    /// A scale-down drain retries the evictions its PodDisruptionBudget refused.
    DrainRetry {
        /// Node id.
        node: u32,
    },
    /// The provider's spot interruption notice for a node.
    SpotNotice {
        /// Node id.
        node: u32,
    },
    /// A reclaimed spot node terminates.
    NodeTerminated {
        /// Node id.
        node: u32,
    },
    /// The `index`-th scheduled node failure.
    NodeFailAt {
        /// Index into `cluster.node_failures.at`.
        index: u32,
    },
    /// A random node failure.
    NodeFail {
        /// Node id.
        node: u32,
    },
    /// The node controller marks a failed node NotReady.
    NodeNotReady {
        /// Node id.
        node: u32,
    },
    /// A failed node's pods are evicted (their unreachable toleration expired).
    NodeEvictPods {
        /// Node id.
        node: u32,
    },
    /// Chaos step `faults.pod_kills[index]`: kill that many Ready pods.
    PodKill {
        /// Index into the compiled kill list.
        index: u32,
    },
    /// A running container crashes (stale unless `gen` matches the pod's fault generation).
    PodCrash {
        /// Pod index.
        pod: u32,
        /// Fault generation of the pod when the crash was drawn.
        gen: u32,
    },
    /// The CrashLoopBackOff delay of a crashed container is over: the kubelet restarts it.
    PodRestart {
        /// Pod index.
        pod: u32,
        /// Fault generation of the pod when it crashed.
        gen: u32,
    },
    /// A scheduled-scaling window opens or closes.
    ScheduleBoundary,
    /// A predictive-scaling history step ends: observe, forecast, set the floor.
    PredictiveStep,
    /// The VPA recommender's loop: sample the pods' usage, recompute the recommendation.
    VpaRecommend,
    /// The VPA updater's loop: evict pods whose requests are outside the bounds.
    VpaUpdate,
    /// A time-series interval closes.
    Sample,
    /// The run ends.
    End,
}
