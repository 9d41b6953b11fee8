//! Reading an output directory's files into plain structs: summary.csv, aggregate.csv and
//! hpasim.json here; the per-run files (timeseries.csv, events.csv, latency_cdf.csv) in
//! [`runs`](super::runs).
//!
//! Columns are looked up by name, never by position, so files with more columns (a newer
//! hpasim) still load. Every error names the file, the line when known, and a hint.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use super::meta::RunMeta;
use crate::ReportError;

/// A CSV file being read: its path and header, for messages and column look-ups.
pub(crate) struct CsvFile {
    pub(crate) path: PathBuf,
    reader: csv::Reader<File>,
    pub(crate) header: csv::StringRecord,
}

impl CsvFile {
    /// Opens `path`; a missing file is a [`ReportError::Read`] with `hint`.
    pub(crate) fn open(path: &Path, hint: &str) -> Result<CsvFile, ReportError> {
        let file = File::open(path).map_err(|source| ReportError::Read {
            path: path.to_path_buf(),
            source,
            hint: hint.to_owned(),
        })?;
        let mut reader = csv::Reader::from_reader(file);
        let header = reader.headers().map_err(|e| csv_error(path, e))?.clone();
        Ok(CsvFile {
            path: path.to_path_buf(),
            reader,
            header,
        })
    }

    /// The index of column `name`, or an error naming it.
    pub(crate) fn column(&self, name: &str) -> Result<usize, ReportError> {
        self.find(name).ok_or_else(|| ReportError::Input {
            path: self.path.clone(),
            line: Some(1),
            message: format!("no column `{name}` in the header"),
            hint: "was the file written by hpasim? rerun `hpasim run` or `hpasim sweep` to \
                   write it again"
                .to_owned(),
        })
    }

    /// The index of column `name`, if present.
    pub(crate) fn find(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// The next record with its line number, `None` at the end.
    pub(crate) fn next_record(&mut self) -> Option<Result<(u64, csv::StringRecord), ReportError>> {
        let mut rec = csv::StringRecord::new();
        match self.reader.read_record(&mut rec) {
            Ok(false) => None,
            Ok(true) => {
                let line = rec.position().map_or(0, |p| p.line());
                Some(Ok((line, rec)))
            }
            Err(e) => Some(Err(csv_error(&self.path, e))),
        }
    }
}

/// A csv error as [`ReportError::Input`] (or [`ReportError::Read`] for I/O).
fn csv_error(path: &Path, e: csv::Error) -> ReportError {
    let line = e.position().map(|p| p.line());
    if e.is_io_error() {
        if let csv::ErrorKind::Io(source) = e.into_kind() {
            return ReportError::Read {
                path: path.to_path_buf(),
                source,
                hint: "check the file's permissions".to_owned(),
            };
        }
        return ReportError::Input {
            path: path.to_path_buf(),
            line,
            message: "read error".to_owned(),
            hint: String::new(),
        };
    }
    ReportError::Input {
        path: path.to_path_buf(),
        line,
        message: format!("malformed CSV: {e}"),
        hint: "the file may be truncated or edited by hand; rerun hpasim to write it again"
            .to_owned(),
    }
}

/// A numeric cell: empty (or absent) is `None`, anything else must parse.
pub(crate) fn number(
    file: &CsvFile,
    line: u64,
    rec: &csv::StringRecord,
    col: usize,
) -> Result<Option<f64>, ReportError> {
    let cell = rec.get(col).unwrap_or("").trim();
    if cell.is_empty() {
        return Ok(None);
    }
    cell.parse::<f64>()
        .map(Some)
        .map_err(|_| ReportError::Input {
            path: file.path.clone(),
            line: Some(line),
            message: format!(
                "column `{}`: expected a number, got {cell:?}",
                file.header.get(col).unwrap_or("?")
            ),
            hint: "rerun hpasim to write the file again".to_owned(),
        })
}

/// A whole-number cell (replication, seed).
pub(crate) fn integer(
    file: &CsvFile,
    line: u64,
    rec: &csv::StringRecord,
    col: usize,
) -> Result<u64, ReportError> {
    let cell = rec.get(col).unwrap_or("").trim();
    cell.parse::<u64>().map_err(|_| ReportError::Input {
        path: file.path.clone(),
        line: Some(line),
        message: format!(
            "column `{}`: expected a whole number, got {cell:?}",
            file.header.get(col).unwrap_or("?")
        ),
        hint: "rerun hpasim to write the file again".to_owned(),
    })
}

/// The identity columns every file starts with.
const IDENTITY: [&str; 4] = ["scenario", "variant", "replication", "seed"];

/// summary.csv: one row per run.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// The numeric columns, in file order (everything but the identity and the parameters).
    pub metrics: Vec<String>,
    /// The swept parameters (the last columns of a sweep), empty for a run.
    pub parameters: Vec<String>,
    /// The runs, in file order.
    pub rows: Vec<SummaryRow>,
}

/// One run of summary.csv.
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryRow {
    /// The scenario's name.
    pub scenario: String,
    /// The variant (`base` for a plain run).
    pub variant: String,
    /// The replication, from 0.
    pub replication: u32,
    /// The run's seed.
    pub seed: u64,
    /// The value of each of [`Summary::metrics`] (`None`: empty cell).
    pub values: Vec<Option<f64>>,
    /// The value (text, possibly empty) of each of [`Summary::parameters`].
    pub params: Vec<String>,
}

impl Summary {
    /// Reads summary.csv; `parameters` names the swept parameter columns.
    pub fn load(path: &Path, parameters: &[String]) -> Result<Summary, ReportError> {
        let mut f = CsvFile::open(
            path,
            "is this an hpasim output directory? `hpasim run` and `hpasim sweep` write \
             summary.csv",
        )?;
        let ids = IDENTITY
            .iter()
            .map(|c| f.column(c))
            .collect::<Result<Vec<_>, _>>()?;
        for required in ["latency_p99_ms", "cost_usd"] {
            f.column(required)?;
        }
        let params = parameters
            .iter()
            .map(|p| f.column(p))
            .collect::<Result<Vec<_>, _>>()?;
        let metric_cols: Vec<usize> = (0..f.header.len())
            .filter(|c| !ids.contains(c) && !params.contains(c))
            .collect();
        let metrics = metric_cols
            .iter()
            .map(|&c| f.header[c].to_owned())
            .collect();
        let mut rows = Vec::new();
        while let Some(r) = f.next_record() {
            let (line, rec) = r?;
            let values = metric_cols
                .iter()
                .map(|&c| number(&f, line, &rec, c))
                .collect::<Result<Vec<_>, _>>()?;
            rows.push(SummaryRow {
                scenario: rec[ids[0]].to_owned(),
                variant: rec[ids[1]].to_owned(),
                replication: integer(&f, line, &rec, ids[2])? as u32,
                seed: integer(&f, line, &rec, ids[3])?,
                values,
                params: params.iter().map(|&c| rec[c].to_owned()).collect(),
            });
        }
        Ok(Summary {
            metrics,
            parameters: parameters.to_vec(),
            rows,
        })
    }

    /// `metric`'s value in `row`.
    pub fn value(&self, row: &SummaryRow, metric: &str) -> Option<f64> {
        let i = self.metrics.iter().position(|m| m == metric)?;
        row.values.get(i).copied().flatten()
    }

    /// The variants in order of first appearance, each with its parameter values.
    pub fn variants(&self) -> Vec<(&str, &[String])> {
        let mut out: Vec<(&str, &[String])> = Vec::new();
        for r in &self.rows {
            if !out.iter().any(|(v, _)| *v == r.variant) {
                out.push((&r.variant, &r.params));
            }
        }
        out
    }

    /// The mean of `metric` over each variant's replications (missing values skipped; `None`
    /// when a variant has none), in [`variants`](Self::variants) order.
    pub fn variant_means(&self, metric: &str) -> Vec<Option<f64>> {
        self.variants()
            .iter()
            .map(|(v, _)| {
                let xs: Vec<f64> = self
                    .rows
                    .iter()
                    .filter(|r| r.variant == *v)
                    .filter_map(|r| self.value(r, metric))
                    .filter(|x| x.is_finite())
                    .collect();
                (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
            })
            .collect()
    }
}

/// aggregate.csv of a sweep: per variant and metric, mean, sd and 95 % half-width.
#[derive(Clone, Debug, PartialEq)]
pub struct Aggregate {
    /// The swept parameters (the columns between `variant` and `metric`).
    pub parameters: Vec<String>,
    /// The rows, in file order.
    pub rows: Vec<AggregateRow>,
}

/// One row of aggregate.csv.
#[derive(Clone, Debug, PartialEq)]
pub struct AggregateRow {
    /// The variant.
    pub variant: String,
    /// The parameter values (text).
    pub params: Vec<String>,
    /// The metric (a summary.csv column).
    pub metric: String,
    /// The number of replications with a value.
    pub replications: u64,
    /// The mean over the replications.
    pub mean: Option<f64>,
    /// The sample standard deviation (`None` with one replication).
    pub sd: Option<f64>,
    /// The 95 % confidence half-width of the mean (`None` with one replication).
    pub ci95_half_width: Option<f64>,
}

impl Aggregate {
    /// Reads aggregate.csv.
    pub fn load(path: &Path) -> Result<Aggregate, ReportError> {
        let mut f = CsvFile::open(path, "a sweep directory holds aggregate.csv")?;
        let variant = f.column("variant")?;
        let metric = f.column("metric")?;
        let cols = [
            f.column("replications")?,
            f.column("mean")?,
            f.column("sd")?,
            f.column("ci95_half_width")?,
        ];
        let param_cols: Vec<usize> = (variant + 1..metric).collect();
        let parameters = param_cols.iter().map(|&c| f.header[c].to_owned()).collect();
        let mut rows = Vec::new();
        while let Some(r) = f.next_record() {
            let (line, rec) = r?;
            rows.push(AggregateRow {
                variant: rec[variant].to_owned(),
                params: param_cols.iter().map(|&c| rec[c].to_owned()).collect(),
                metric: rec[metric].to_owned(),
                replications: integer(&f, line, &rec, cols[0])?,
                mean: number(&f, line, &rec, cols[1])?,
                sd: number(&f, line, &rec, cols[2])?,
                ci95_half_width: number(&f, line, &rec, cols[3])?,
            });
        }
        Ok(Aggregate { parameters, rows })
    }

    /// The row of `variant` and `metric`.
    pub fn get(&self, variant: &str, metric: &str) -> Option<&AggregateRow> {
        self.rows
            .iter()
            .find(|r| r.variant == variant && r.metric == metric)
    }
}

/// Reads hpasim.json, if the directory has one (older directories do not).
pub fn load_meta(path: &Path) -> Result<Option<RunMeta>, ReportError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(ReportError::Read {
                path: path.to_path_buf(),
                source,
                hint: "check the file's permissions".to_owned(),
            })
        }
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| ReportError::Input {
            path: path.to_path_buf(),
            line: Some(e.line() as u64),
            message: format!("malformed hpasim.json: {e}"),
            hint: "rerun hpasim to write it again, or delete it (the report then omits the \
                   scenario text and the SLO)"
                .to_owned(),
        })
}
