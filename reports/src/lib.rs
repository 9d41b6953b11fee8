//! # hpasim-reports: what a run leaves behind
//!
//! * [`OutputDir`]: an output directory written atomically. Every file goes to a
//!   hidden temp name first and is renamed into place only by
//!   [`OutputDir::commit`]; dropping it uncommitted (an error, a panic) removes the
//!   temp files, so no partial output is ever left behind.
//! * [`CsvSink`]: a [`RowSink`](hpasim_models::rows::RowSink) streaming the rows
//!   of one or many runs into `summary.csv`, `timeseries.csv`, `events.csv`,
//!   `latency_cdf.csv` and, on request, `requests.csv`.
//! * [`Table`] and [`Column`]: the one definition of every file's columns (name,
//!   unit, number format, meaning); the header and the row writer both use it.
//! * [`format`](mod@format): the deterministic number format of the CSV files.
//! * [`human_summary`]: the short block `hpasim run` prints.
//! * [`aggregate`]: a sweep's aggregate.csv (mean, sd, Student-t half-width per variant and
//!   metric), computed from summary.csv's text.
//! * [`compare`]: paired differences of two variants under common random numbers, their 95 %
//!   interval and the verdict (`hpasim compare`).
//! * [`junit`]: the JUnit XML of `hpasim check`.
//! * [`plots`] and [`report`]: the timeline, Pareto front, heatmaps and latency CDFs (SVG and
//!   PNG) and the self-contained report.html, drawn from an output directory's files alone:
//!
//! ```text
//!  summary.csv ─┬─▶ Pareto front (mean cost × mean p99 per variant), heatmaps (2-D grids)
//!  aggregate.csv┘   summary table (mean ± 95 % half-width)
//!  timeseries.csv ─▶ timeline: arrivals │ desired vs ready (+ decisions from events.csv) │
//!                    p50/p95/p99 (+ SLO from hpasim.json) │ errors
//!  latency_cdf.csv ─▶ CDF per variant          events.csv ─▶ decision log (hpa_sync reasons)
//!  hpasim.json ─▶ what ran: command, overrides, seed, SLO, scenario and manifest texts
//! ```

#![warn(missing_docs)]

pub mod aggregate;
mod columns;
pub mod compare;
mod csv_sink;
mod error;
pub mod format;
mod human;
pub mod junit;
mod output;
pub mod plots;
pub mod report;

pub use columns::{Column, Kind, Table};
pub use csv_sink::{CsvOptions, CsvSink};
pub use error::ReportError;
pub use human::human_summary;
pub use output::OutputDir;

#[cfg(test)]
mod test_util;
