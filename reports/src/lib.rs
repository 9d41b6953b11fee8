//! # hpasim-reports: what a run leaves behind
//!
//! * [`OutputDir`]: an output directory written atomically. Every file goes to a
//!   hidden temp name first and is renamed into place only by
//!   [`OutputDir::commit`]; dropping it uncommitted (an error, a panic) removes the
//!   temp files, so no partial output is ever left behind.
//! * [`CsvSink`]: a [`RowSink`](hpasim_models::rows::RowSink) streaming the rows
//!   of one or many runs into `summary.csv`, `timeseries.csv`, `events.csv` and,
//!   on request, `requests.csv`.
//! * [`Table`] and [`Column`]: the one definition of every file's columns (name,
//!   unit, number format, meaning); the header and the row writer both use it.
//! * [`format`]: the deterministic number format of the CSV files.
//! * [`human_summary`]: the short block `hpasim run` prints.

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
