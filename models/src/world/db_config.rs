//! The database tier compiled for running.

use crate::dist::Sampler;
use crate::scenario::database::{Database, QueriesSpec, QueryCount};
use crate::scenario::SpecError;
use hpasim_sim::SimDuration;
use std::path::Path;

/// Pools, queries and the server, ready to run.
#[derive(Clone, Debug)]
pub struct DbConfig {
    /// `maximumPoolSize` per pod.
    pub pool_max: u32,
    /// Connections opened when a pod's container starts.
    pub min_idle: u32,
    /// `connectionTimeout` (zero: never wait).
    pub connection_timeout: SimDuration,
    /// Time to open one connection [s].
    pub connection_setup: Sampler,
    /// Interval between two retirements in one pool (`maxLifetime / maximumPoolSize`).
    pub retire_every: Option<SimDuration>,
    /// Queries of each request class (in the order of the scenario's classes; one entry
    /// without classes).
    pub classes: Vec<ClassQueries>,
    /// `max_connections` of the server.
    pub max_connections: u32,
    /// Cores shared by active queries (infinite: no contention).
    pub cores: f64,
    /// PgBouncer (transaction pooling), if any.
    pub bouncer: Option<BouncerConfig>,
    /// Read replicas (each with `cores` cores).
    pub read_replicas: u32,
    /// A query is a read routed to a replica when a uniform u64 draw is below this
    /// (`read_fraction × 2^64`).
    pub read_threshold: u64,
}

/// The queries of one request class.
#[derive(Clone, Debug)]
pub struct ClassQueries {
    /// Queries per request: fixed, or drawn and rounded.
    pub count: Count,
    /// Database CPU time of one query [CPU-s].
    pub time: Sampler,
}

/// A query count.
#[derive(Clone, Debug)]
pub enum Count {
    /// Always this many.
    Fixed(u16),
    /// Drawn per request, rounded to the nearest whole number (at most 65 535).
    Drawn(Sampler),
}

impl Count {
    /// This request's count.
    pub fn draw(&self, rng: &mut hpasim_sim::StreamRng) -> u16 {
        match self {
            Count::Fixed(n) => *n,
            Count::Drawn(s) => s.sample(rng).round().clamp(0.0, f64::from(u16::MAX)) as u16,
        }
    }
}

fn compile_queries(
    q: &QueriesSpec,
    base_dir: &Path,
    path: &str,
) -> Result<ClassQueries, SpecError> {
    let count = match &q.count {
        QueryCount::Fixed(n) => Count::Fixed(u16::try_from(*n).map_err(|_| {
            SpecError::at_path(format!("{path}.count"), "at most 65535 queries per request")
        })?),
        QueryCount::Drawn(d) => {
            Count::Drawn(Sampler::compile(d, base_dir, &format!("{path}.count"))?)
        }
    };
    Ok(ClassQueries {
        count,
        time: Sampler::compile(&q.time, base_dir, &format!("{path}.time"))?,
    })
}

/// A PgBouncer tier.
#[derive(Clone, Debug)]
pub struct BouncerConfig {
    /// Replicas; pod `p` connects to replica `p mod replicas`.
    pub replicas: u32,
    /// `max_client_conn` per replica.
    pub max_client_conn: u32,
    /// `default_pool_size` per replica.
    pub pool_size: u32,
    /// `reserve_pool_size` per replica.
    pub reserve: u32,
    /// `reserve_pool_timeout`.
    pub reserve_timeout: SimDuration,
    /// `query_wait_timeout`.
    pub query_wait_timeout: SimDuration,
    /// `pool_mode: session`: a client connection holds a server connection for its life.
    pub session: bool,
}

/// Compiles the scenario's database tier.
pub fn compile_db(
    db: &Database,
    classes: &[crate::scenario::RequestClass],
    base_dir: &Path,
) -> Result<DbConfig, SpecError> {
    Ok(DbConfig {
        pool_max: db.pool.maximum_pool_size,
        min_idle: db.pool.minimum_idle.unwrap_or(db.pool.maximum_pool_size),
        connection_timeout: db.pool.connection_timeout.sim(),
        retire_every: db.pool.max_lifetime.filter(|l| l.secs() > 0.0).map(|l| {
            SimDuration::from_secs_f64(l.secs() / f64::from(db.pool.maximum_pool_size.max(1)))
        }),
        connection_setup: Sampler::compile(
            &db.pool.connection_setup,
            base_dir,
            "database.pool.connection_setup",
        )?,
        classes: if classes.is_empty() {
            vec![compile_queries(&db.queries, base_dir, "database.queries")?]
        } else {
            classes
                .iter()
                .enumerate()
                .map(|(k, c)| match &c.queries {
                    Some(q) => {
                        compile_queries(q, base_dir, &format!("workload.classes[{k}].queries"))
                    }
                    None => compile_queries(&db.queries, base_dir, "database.queries"),
                })
                .collect::<Result<_, _>>()?
        },
        max_connections: db.postgres.max_connections,
        cores: db.postgres.cores.unwrap_or(f64::INFINITY),
        read_replicas: db.postgres.read_replicas,
        read_threshold: (db.postgres.read_fraction.clamp(0.0, 1.0) * 2f64.powi(64))
            .min(u64::MAX as f64) as u64,
        bouncer: db.pgbouncer.as_ref().map(|b| BouncerConfig {
            replicas: b.replicas.max(1),
            max_client_conn: b.max_client_conn,
            pool_size: b.default_pool_size,
            reserve: b.reserve_pool_size,
            reserve_timeout: b.reserve_pool_timeout.sim(),
            query_wait_timeout: b.query_wait_timeout.sim(),
            session: b.pool_mode == "session",
        }),
    })
}
