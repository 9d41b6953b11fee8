//! The database tier of a scenario: each pod's connection pool (HikariCP semantics), the
//! queries a request makes, and the PostgreSQL server's limits.

use super::spec::Dist;
use super::units::Duration;
use serde::{Deserialize, Serialize};

/// Pool, queries and server.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Database {
    /// The application's connection pool, one per pod.
    pub pool: PoolSpec,
    /// What each request asks of the database.
    #[serde(default)]
    pub queries: QueriesSpec,
    /// An optional PgBouncer tier between the pools and the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pgbouncer: Option<PgBouncerSpec>,
    /// The PostgreSQL server.
    #[serde(default)]
    pub postgres: PostgresSpec,
}

/// PgBouncer (transaction pooling), possibly several replicas; each pod's pool connects to
/// replica `pod mod replicas`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PgBouncerSpec {
    /// PgBouncer replicas, config. Default 1.
    #[serde(default = "one_replica")]
    pub replicas: u32,
    /// `pool_mode`, config: `transaction` (a server connection per transaction) or `session`
    /// (a client connection keeps a server connection for its whole life). Default
    /// transaction.
    #[serde(default = "transaction")]
    pub pool_mode: String,
    /// `max_client_conn` per replica, config: client connections beyond it are refused.
    /// Default 100.
    #[serde(default = "hundred")]
    pub max_client_conn: u32,
    /// `default_pool_size` per replica [server connections], config. Default 20.
    #[serde(default = "twenty")]
    pub default_pool_size: u32,
    /// `reserve_pool_size` per replica [server connections], config: extra connections for
    /// clients that waited `reserve_pool_timeout`. Default 0.
    #[serde(default)]
    pub reserve_pool_size: u32,
    /// `reserve_pool_timeout` [s], config. Default 5 s.
    #[serde(default = "five_seconds")]
    pub reserve_pool_timeout: Duration,
    /// `query_wait_timeout` [s], config: a transaction waiting this long for a server
    /// connection fails. Default 120 s.
    #[serde(default = "two_minutes")]
    pub query_wait_timeout: Duration,
}

fn one_replica() -> u32 {
    1
}
fn transaction() -> String {
    "transaction".to_string()
}
fn twenty() -> u32 {
    20
}
fn five_seconds() -> Duration {
    Duration::from_secs(5.0)
}
fn two_minutes() -> Duration {
    Duration::from_secs(120.0)
}

/// A HikariCP pool.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolSpec {
    /// `maximumPoolSize` [connections], config.
    pub maximum_pool_size: u32,
    /// `minimumIdle` [connections], config: opened when the pod starts. Default: the
    /// maximum (HikariCP's default and recommendation: a fixed-size pool).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_idle: Option<u32>,
    /// `connectionTimeout` [s], config: how long a request waits for a connection before it
    /// fails. 0 = never wait. Default 30 s.
    #[serde(default = "thirty_seconds")]
    pub connection_timeout: Duration,
    /// Time to open one connection [s], config. Default constant 0.
    #[serde(default = "Dist::zero")]
    pub connection_setup: Dist,
    /// `maxLifetime` [s], config: connections are retired and replaced after this long
    /// (staggered across the pool; a busy connection is retired at a later turn). Default:
    /// none (HikariCP's default is 30 min; set it to see the reconnect cost).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_lifetime: Option<Duration>,
}

/// The queries of a request, run one after the other after its I/O phase, each holding a
/// pool connection for its duration.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueriesSpec {
    /// Queries per request, config: a whole number, or a distribution whose draws are rounded
    /// to the nearest whole number (e.g. `{dist: exponential, mean: 3}`). Default 1.
    #[serde(default = "one_query")]
    pub count: QueryCount,
    /// Database CPU time of one query [CPU-seconds], config: shared with the other active
    /// queries on the server's cores. Default constant 5 ms.
    #[serde(default = "five_ms")]
    pub time: Dist,
}

/// How many queries a request makes.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(untagged)]
pub enum QueryCount {
    /// Always this many.
    Fixed(u32),
    /// Drawn per request, rounded to the nearest whole number.
    Drawn(Dist),
}

impl Default for QueriesSpec {
    fn default() -> Self {
        QueriesSpec {
            count: QueryCount::Fixed(1),
            time: five_ms(),
        }
    }
}

/// The PostgreSQL server.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostgresSpec {
    /// `max_connections`, config: connections beyond it are refused. Default 100.
    #[serde(default = "hundred")]
    pub max_connections: u32,
    /// CPU cores shared by active queries, config. Default: unlimited (no contention).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cores: Option<f64>,
    /// Read replicas, each with the primary's cores, config. Default 0.
    #[serde(default)]
    pub read_replicas: u32,
    /// Fraction of queries that are reads routed to a replica [0..1], config. Default 0.
    #[serde(default)]
    pub read_fraction: f64,
}

impl Default for PostgresSpec {
    fn default() -> Self {
        PostgresSpec {
            max_connections: 100,
            cores: None,
            read_replicas: 0,
            read_fraction: 0.0,
        }
    }
}

fn thirty_seconds() -> Duration {
    Duration::from_secs(30.0)
}
fn one_query() -> QueryCount {
    QueryCount::Fixed(1)
}
fn five_ms() -> Dist {
    Dist::Constant {
        value: Duration::from_secs(0.005),
    }
}
fn hundred() -> u32 {
    100
}
