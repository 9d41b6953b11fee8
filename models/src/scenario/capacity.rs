//! The capacity check of `hpasim validate`: can the pods' pools exhaust the database?
//!
//! The scaling guides' arithmetic: pods × connections per pod against `max_connections`
//! with headroom (guide 000: "Total connections: 10 * 25 = 250; Database max_connections:
//! 250 * 1.5 = 375"). The worst case is `maxReplicas` pods (or the fixed replica count), each
//! with a full pool; with PgBouncer, the pools meet `max_client_conn` and PgBouncer's server
//! pools meet `max_connections`.

use super::{resolve_pods, Scenario};

/// Headroom the guides recommend over the computed connection need.
pub const HEADROOM: f64 = 1.5;

/// Warnings (empty when the worst case fits), each with its arithmetic.
pub fn capacity_warnings(s: &Scenario) -> Vec<String> {
    let mut out = consumer_warnings(s);
    out.extend(database_warnings(s));
    out.extend(quota_warnings(s));
    out.extend(super::predictive::warnings(s));
    out.extend(super::vpa::warnings(s));
    out
}

/// The ResourceQuota's ignored keys, the PodDisruptionBudget's unevaluated selector parts, and
/// a quota too small for the initial replicas or the autoscaler's minimum (not an error: the
/// refused creations are what the run shows).
fn quota_warnings(s: &Scenario) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(pdb) = &s.pod_disruption_budget {
        out.extend(pdb.warnings());
    }
    let Some(rq) = &s.resource_quota else {
        return out;
    };
    let Ok((quota, warnings)) = crate::cluster::Quota::from_manifest(rq) else {
        return out;
    };
    out.extend(warnings);
    let Ok(pod) = resolve_pods(s).and_then(|p| {
        let initial = p.replicas;
        p.quota_requests()
            .map(|r| (initial, r))
            .map_err(|e| super::SpecError::at_path("pods", e))
    }) else {
        return out;
    };
    let (initial, pod) = pod;
    let minimum = match (&s.hpa, &s.scaled_object) {
        (Some(h), _) => h.spec.min_replicas_or_default().max(0) as u32,
        (None, Some(so)) => so.spec.min_replica_count_or_default().max(0) as u32,
        (None, None) => 0,
    };
    let want = initial.max(minimum);
    let one = crate::cluster::quota::Usage::of_pod(&pod);
    let mut used = crate::cluster::quota::Usage::default();
    for admitted in 0..want {
        if let Err(denied) = quota.admit(&used, &pod) {
            let which = if initial >= minimum {
                format!("the {initial} initial replicas")
            } else {
                format!("the autoscaler's minimum of {minimum} replicas")
            };
            out.push(format!(
                "ResourceQuota `{}` admits only {admitted} of {which}: {denied}",
                quota.name
            ));
            break;
        }
        used = used.checked_add(&one).unwrap_or(used);
    }
    out
}

/// A Kafka group can use at most one consumer per partition: more consumers than partitions
/// (at the autoscaler's maximum, or the fixed count) sit idle.
fn consumer_warnings(s: &Scenario) -> Vec<String> {
    let Some(super::queue::Queue::Kafka(k)) = &s.queue else {
        return Vec::new();
    };
    let (which, most) = match (&s.hpa, &s.scaled_object) {
        (Some(h), _) => ("HPA maxReplicas", h.spec.max_replicas.max(0) as u64),
        (None, Some(so)) => (
            "ScaledObject maxReplicaCount",
            so.spec.max_replica_count_or_default().max(0) as u64,
        ),
        (None, None) => (
            "replicas",
            resolve_pods(s).map(|p| u64::from(p.replicas)).unwrap_or(0),
        ),
    };
    let partitions = u64::from(k.partitions);
    if most > partitions {
        vec![format!(
            "{which} {most} > {partitions} partitions of topic `{}`: one consumer per partition, so up to {} consumers would sit idle (cost without throughput)",
            k.topic,
            most - partitions
        )]
    } else {
        Vec::new()
    }
}

fn database_warnings(s: &Scenario) -> Vec<String> {
    let Some(db) = &s.database else {
        return Vec::new();
    };
    let pods = match &s.hpa {
        Some(h) => h.spec.max_replicas.max(0) as u64,
        None => resolve_pods(s).map(|p| u64::from(p.replicas)).unwrap_or(0),
    };
    let which = if s.hpa.is_some() {
        "maxReplicas"
    } else {
        "replicas"
    };
    let pool = u64::from(db.pool.maximum_pool_size);
    let clients = pods * pool;
    let max_conn = u64::from(db.postgres.max_connections);
    let mut out = Vec::new();
    match &db.pgbouncer {
        None => {
            if clients > max_conn {
                out.push(format!(
                    "{which} {pods} × maximum_pool_size {pool} = {clients} connections > postgres max_connections {max_conn}: \
                     pods beyond {} cannot fill their pools (refused connections, pool time-outs)",
                    max_conn / pool.max(1)
                ));
            } else if (clients as f64) * HEADROOM > max_conn as f64 {
                out.push(format!(
                    "{which} {pods} × maximum_pool_size {pool} = {clients} connections; with the guides' ×{HEADROOM} headroom \
                     that needs {} > postgres max_connections {max_conn}",
                    (clients as f64 * HEADROOM).ceil()
                ));
            }
        }
        Some(b) => {
            let replicas = u64::from(b.replicas.max(1));
            let client_cap = replicas * u64::from(b.max_client_conn);
            if clients > client_cap {
                out.push(format!(
                    "{which} {pods} × maximum_pool_size {pool} = {clients} client connections > PgBouncer \
                     {replicas} × max_client_conn {} = {client_cap}: the excess is refused",
                    b.max_client_conn
                ));
            }
            let server = replicas * u64::from(b.default_pool_size + b.reserve_pool_size);
            if b.pool_mode == "session" && clients > server {
                out.push(format!(
                    "session pooling: {which} {pods} × maximum_pool_size {pool} = {clients} client connections > \
                     {server} server connections: {} pool connections never get a session",
                    clients - server
                ));
            }
            if server > max_conn {
                out.push(format!(
                    "PgBouncer {replicas} × (default_pool_size {} + reserve_pool_size {}) = {server} server connections > \
                     postgres max_connections {max_conn}",
                    b.default_pool_size, b.reserve_pool_size
                ));
            }
        }
    }
    out
}
