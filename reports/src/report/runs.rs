//! The per-run files: timeseries.csv (one run's intervals), events.csv (its scale decisions)
//! and latency_cdf.csv (latency quantiles per run).

use std::path::Path;

use super::load::{integer, number, CsvFile};
use crate::ReportError;

/// Which run of a directory to draw: a variant and a replication, each optional (the first
/// run in the file matching the given ones is taken).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunSelect {
    /// The variant's name.
    pub variant: Option<String>,
    /// The replication.
    pub replication: Option<u32>,
}

/// One run's identity: the run key every output row starts with.
pub use hpasim_models::rows::RunKey;

/// One interval of timeseries.csv (`time_s` is its end). The latency percentiles are missing
/// when the cell is empty or nothing completed in the interval.
#[derive(Clone, Debug, PartialEq)]
pub struct TimePoint {
    /// End of the interval (s).
    pub time_s: f64,
    /// Arrivals in the interval (req/s).
    pub arrival_rate_rps: Option<f64>,
    /// Desired replicas at the end (pods).
    pub replicas_desired: Option<f64>,
    /// Ready pods at the end (pods).
    pub pods_ready: Option<f64>,
    /// Median latency of the interval's completions (ms).
    pub latency_p50_ms: Option<f64>,
    /// 95th percentile (ms).
    pub latency_p95_ms: Option<f64>,
    /// 99th percentile (ms).
    pub latency_p99_ms: Option<f64>,
    /// Rejected plus timed-out requests in the interval.
    pub errors: Option<f64>,
}

/// One run's time series.
#[derive(Clone, Debug, PartialEq)]
pub struct Timeseries {
    /// The run.
    pub run: RunKey,
    /// Its intervals, in time order.
    pub points: Vec<TimePoint>,
}

fn identity(f: &CsvFile) -> Result<[usize; 4], ReportError> {
    Ok([
        f.column("scenario")?,
        f.column("variant")?,
        f.column("replication")?,
        f.column("seed")?,
    ])
}

fn key(
    f: &CsvFile,
    line: u64,
    rec: &csv::StringRecord,
    id: &[usize; 4],
) -> Result<RunKey, ReportError> {
    Ok(RunKey {
        scenario: rec[id[0]].to_owned(),
        variant: rec[id[1]].to_owned(),
        replication: integer(f, line, rec, id[2])? as u32,
        seed: integer(f, line, rec, id[3])?,
    })
}

fn matches(select: &RunSelect, k: &RunKey) -> bool {
    select.variant.as_ref().is_none_or(|v| *v == k.variant)
        && select.replication.is_none_or(|r| r == k.replication)
}

/// Reads the selected run's rows of timeseries.csv. A selection matching no run is an error
/// listing the runs the file holds.
pub fn load_timeseries(path: &Path, select: &RunSelect) -> Result<Timeseries, ReportError> {
    let mut f = CsvFile::open(path, "run `hpasim run` (or `hpasim sweep --timeseries`)")?;
    let id = identity(&f)?;
    let names = [
        "time_s",
        "arrival_rate_rps",
        "replicas_desired",
        "pods_ready",
        "latency_p50_ms",
        "latency_p95_ms",
        "latency_p99_ms",
        "rejected",
        "timed_out",
    ];
    let c = names
        .iter()
        .map(|n| f.column(n))
        .collect::<Result<Vec<_>, _>>()?;
    // Percentiles of an interval without completions are written as 0: treated as missing.
    let completed = f.find("completed");
    let mut chosen: Option<RunKey> = None;
    let mut seen: Vec<String> = Vec::new();
    let mut points = Vec::new();
    while let Some(r) = f.next_record() {
        let (line, rec) = r?;
        let k = key(&f, line, &rec, &id)?;
        if chosen.is_none() && matches(select, &k) {
            chosen = Some(k.clone());
        }
        if chosen.as_ref() != Some(&k) {
            let name = format!("{} replication {}", k.variant, k.replication);
            if chosen.is_none() && seen.len() < 10 && !seen.contains(&name) {
                seen.push(name);
            }
            continue;
        }
        let n = |i: usize| number(&f, line, &rec, c[i]);
        let Some(time_s) = n(0)? else {
            return Err(ReportError::Input {
                path: path.to_path_buf(),
                line: Some(line),
                message: "empty `time_s`".to_owned(),
                hint: "rerun hpasim to write the file again".to_owned(),
            });
        };
        let errors = match (n(7)?, n(8)?) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0.0) + b.unwrap_or(0.0)),
        };
        let none_completed = match completed {
            Some(col) => number(&f, line, &rec, col)? == Some(0.0),
            None => false,
        };
        let latency = |i: usize| match none_completed {
            true => Ok(None),
            false => n(i),
        };
        points.push(TimePoint {
            time_s,
            arrival_rate_rps: n(1)?,
            replicas_desired: n(2)?,
            pods_ready: n(3)?,
            latency_p50_ms: latency(4)?,
            latency_p95_ms: latency(5)?,
            latency_p99_ms: latency(6)?,
            errors,
        });
    }
    let Some(run) = chosen else {
        let wanted = match (&select.variant, select.replication) {
            (Some(v), Some(r)) => format!("variant `{v}` replication {r}"),
            (Some(v), None) => format!("variant `{v}`"),
            (None, Some(r)) => format!("replication {r}"),
            (None, None) => "any run".to_owned(),
        };
        return Err(ReportError::Input {
            path: path.to_path_buf(),
            line: None,
            message: format!("no rows for {wanted}"),
            hint: match seen.is_empty() {
                true => "the file has no rows".to_owned(),
                false => format!("the file holds: {}", seen.join(", ")),
            },
        });
    };
    points.sort_by(|a, b| a.time_s.total_cmp(&b.time_s));
    Ok(Timeseries { run, points })
}

/// One row of events.csv.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// When (s).
    pub time_s: f64,
    /// What, e.g. `replicas_set`, `hpa_sync`, `keda_scale_from_zero`.
    pub kind: String,
    /// The object, e.g. `hpa/api`.
    pub object: String,
    /// The detail (reason, decision).
    pub detail: String,
}

/// Whether `kind` is a scaling decision: `replicas_set`, `hpa_sync` and every `keda_*`.
pub fn is_decision(kind: &str) -> bool {
    kind == "replicas_set"
        || kind == "hpa_sync"
        || kind.starts_with("keda_")
        || kind.starts_with("ca_")
        || kind.starts_with("node_")
        || kind == "spot_interruption"
}

/// Reads the scaling decisions (see [`is_decision`]) of `run` from events.csv, in file order.
pub fn load_decisions(path: &Path, run: &RunKey) -> Result<Vec<Event>, ReportError> {
    let mut f = CsvFile::open(path, "`hpasim run` writes events.csv")?;
    let id = identity(&f)?;
    let [time, kind, object, detail] = [
        f.column("time_s")?,
        f.column("kind")?,
        f.column("object")?,
        f.column("detail")?,
    ];
    let mut out = Vec::new();
    while let Some(r) = f.next_record() {
        let (line, rec) = r?;
        if !is_decision(&rec[kind]) || key(&f, line, &rec, &id)? != *run {
            continue;
        }
        out.push(Event {
            time_s: number(&f, line, &rec, time)?.unwrap_or(f64::NAN),
            kind: rec[kind].to_owned(),
            object: rec[object].to_owned(),
            detail: rec[detail].to_owned(),
        });
    }
    Ok(out)
}

/// One run's latency distribution from latency_cdf.csv.
#[derive(Clone, Debug, PartialEq)]
pub struct LatencyCdf {
    /// The variant.
    pub variant: String,
    /// The replication.
    pub replication: u32,
    /// `(quantile, latency_ms)`, quantile ascending.
    pub points: Vec<(f64, f64)>,
}

/// Reads latency_cdf.csv, keeping the runs of `replication`, one per variant, in file order.
pub fn load_cdfs(path: &Path, replication: u32) -> Result<Vec<LatencyCdf>, ReportError> {
    let mut f = CsvFile::open(path, "newer hpasim versions write latency_cdf.csv")?;
    let id = identity(&f)?;
    let (q, lat) = (f.column("quantile")?, f.column("latency_ms")?);
    let mut out: Vec<LatencyCdf> = Vec::new();
    while let Some(r) = f.next_record() {
        let (line, rec) = r?;
        let k = key(&f, line, &rec, &id)?;
        if k.replication != replication {
            continue;
        }
        let (Some(qv), Some(l)) = (number(&f, line, &rec, q)?, number(&f, line, &rec, lat)?) else {
            continue;
        };
        let i = match out.iter().position(|c| c.variant == k.variant) {
            Some(i) => i,
            None => {
                out.push(LatencyCdf {
                    variant: k.variant,
                    replication,
                    points: Vec::new(),
                });
                out.len() - 1
            }
        };
        out[i].points.push((qv, l));
    }
    for c in &mut out {
        c.points.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    Ok(out)
}
