//! aggregate.csv of a sweep: per variant and key metric, the mean over the replications, the
//! sample standard deviation and the half-width of the 95 % confidence interval of the mean
//! (Student t with n − 1 degrees of freedom).
//!
//! It is computed from summary.csv as written (the cells' decimal text, parsed back), so a
//! sweep run in one go and the merge of its shards give the same bytes: both aggregate the
//! same text. Rows of one variant are consecutive in summary.csv (variant-major order), so the
//! file is read once, holding one variant's sums at a time.
//!
//! Columns (tidy long format): `scenario, variant, <swept parameters...>, metric,
//! replications, mean, sd, ci95_half_width`. With one replication `sd` and
//! `ci95_half_width` are empty.

use std::io::Write;
use std::path::Path;

use crate::format::{push_f64, VALUE_DECIMALS};
use crate::ReportError;

/// The summary metrics aggregated, in output order.
pub const AGGREGATED: [&str; 20] = [
    "latency_mean_ms",
    "latency_p50_ms",
    "latency_p95_ms",
    "latency_p99_ms",
    "latency_max_ms",
    "wait_mean_ms",
    "error_rate",
    "throughput_rps",
    "replicas_mean",
    "replicas_max",
    "pods_ready_mean",
    "cpu_utilization_mean_pct",
    "cost_usd",
    "queue_lag_max",
    "messages_reprocessed",
    "pool_timeouts",
    "slo_violation_s",
    "nodes_mean",
    "node_cost_usd",
    "capacity_wait_mean_s",
];

/// Two-sided 95 % quantile of Student's t with `df` degrees of freedom (t₀.₉₇₅): exact
/// table values up to 30, the Cornish–Fisher expansion beyond (error below 1e-5).
pub fn t975(df: u64) -> f64 {
    const TABLE: [f64; 30] = [
        12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004, 2.262157,
        2.228139, 2.200985, 2.178813, 2.160369, 2.144787, 2.131450, 2.119905, 2.109816, 2.100922,
        2.093024, 2.085963, 2.079614, 2.073873, 2.068658, 2.063899, 2.059539, 2.055529, 2.051831,
        2.048407, 2.045230, 2.042272,
    ];
    match df {
        0 => f64::NAN,
        1..=30 => TABLE[df as usize - 1],
        _ => {
            let z = 1.959_963_984_540_054_f64;
            let n = df as f64;
            let (z3, z5, z7) = (z.powi(3), z.powi(5), z.powi(7));
            z + (z3 + z) / (4.0 * n)
                + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * n * n)
                + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * n * n * n)
        }
    }
}

/// Mean, sample standard deviation and 95 % half-width of `values` (Welford's update).
#[derive(Clone, Debug, Default)]
pub struct Moments {
    n: u64,
    mean: f64,
    m2: f64,
}

impl Moments {
    /// Adds one observation (NaN values are skipped: a percentile with no samples).
    pub fn push(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }

    /// Observations.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// The mean (NaN without observations).
    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            f64::NAN
        } else {
            self.mean
        }
    }

    /// Sample standard deviation (NaN below two observations).
    pub fn sd(&self) -> f64 {
        if self.n < 2 {
            f64::NAN
        } else {
            (self.m2 / (self.n - 1) as f64).sqrt()
        }
    }

    /// Half-width of the 95 % confidence interval of the mean.
    pub fn ci95_half_width(&self) -> f64 {
        t975(self.n.saturating_sub(1)) * self.sd() / (self.n as f64).sqrt()
    }
}

/// Reads a sweep's summary.csv (`params`: the swept parameter column names, at its end) and
/// writes aggregate.csv to `out`.
pub fn write_aggregate(
    summary_csv: &Path,
    params: &[String],
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    let fail = |e: csv::Error| ReportError::from_csv(summary_csv.to_path_buf(), e);
    let mut reader = csv::Reader::from_path(summary_csv).map_err(fail)?;
    let header = reader.headers().map_err(fail)?.clone();
    let index = |name: &str| header.iter().position(|h| h == name);
    let metric_cols: Vec<usize> = AGGREGATED
        .iter()
        .map(|m| index(m).expect("summary.csv has every aggregated metric"))
        .collect();
    let param_cols: Vec<usize> = params.iter().filter_map(|p| index(p)).collect();
    let mut wtr = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(out);
    let write_err = |e: csv::Error| ReportError::from_csv(summary_csv.to_path_buf(), e);
    let mut head: Vec<&str> = vec!["scenario", "variant"];
    head.extend(params.iter().map(String::as_str));
    head.extend(["metric", "replications", "mean", "sd", "ci95_half_width"]);
    wtr.write_record(&head).map_err(write_err)?;
    let mut current: Option<(Vec<String>, Vec<Moments>)> = None;
    let flush = |group: &(Vec<String>, Vec<Moments>),
                 wtr: &mut csv::Writer<&mut dyn Write>|
     -> Result<(), ReportError> {
        for (m, name) in group.1.iter().zip(AGGREGATED) {
            let mut record = group.0.clone();
            record.push(name.to_string());
            record.push(m.count().to_string());
            for x in [m.mean(), m.sd(), m.ci95_half_width()] {
                let mut cell = String::new();
                push_f64(&mut cell, x, VALUE_DECIMALS);
                record.push(cell);
            }
            wtr.write_record(&record).map_err(write_err)?;
        }
        Ok(())
    };
    for row in reader.records() {
        let row = row.map_err(fail)?;
        let mut key = vec![row[0].to_string(), row[1].to_string()];
        key.extend(param_cols.iter().map(|&c| row[c].to_string()));
        if current.as_ref().is_some_and(|(k, _)| *k != key) {
            flush(current.as_ref().expect("checked"), &mut wtr)?;
            current = None;
        }
        let group =
            current.get_or_insert_with(|| (key, vec![Moments::default(); AGGREGATED.len()]));
        for (m, &c) in group.1.iter_mut().zip(&metric_cols) {
            m.push(row[c].parse::<f64>().unwrap_or(f64::NAN));
        }
    }
    if let Some(group) = current.as_ref() {
        flush(group, &mut wtr)?;
    }
    wtr.flush().map_err(|e| ReportError::Write {
        path: summary_csv.to_path_buf(),
        source: e,
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_the_tables() {
        assert!((t975(1) - 12.706205).abs() < 1e-6);
        assert!((t975(9) - 2.262157).abs() < 1e-6);
        // Beyond the table the expansion is accurate to better than 1e-4.
        assert!((t975(40) - 2.021075).abs() < 1e-4, "{}", t975(40));
        assert!((t975(120) - 1.979930).abs() < 1e-5);
        assert!((t975(1_000_000) - 1.959966).abs() < 1e-5);
        assert!(t975(0).is_nan());
    }

    #[test]
    fn moments_give_the_sample_sd_and_the_t_interval() {
        let mut m = Moments::default();
        for x in [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0] {
            m.push(x);
        }
        assert_eq!(m.count(), 8);
        assert!((m.mean() - 5.0).abs() < 1e-12);
        assert!((m.sd() - (32.0f64 / 7.0).sqrt()).abs() < 1e-12);
        let hw = 2.364624 * (32.0f64 / 7.0).sqrt() / 8f64.sqrt();
        assert!((m.ci95_half_width() - hw).abs() < 1e-9);
        let mut one = Moments::default();
        one.push(3.0);
        assert!(one.sd().is_nan() && one.ci95_half_width().is_nan());
    }
}
