//! Arrival traces from CSV files, read once at compile time.
//!
//! - `timestamps`: one row per request, column `time_s` (seconds, non-decreasing). Instants are
//!   divided by `scale` (time compression) and rounded once to whole nanoseconds; rounding is
//!   monotone, so the replayed order is the file's order.
//! - `rates`: rows of `time_s` (interval start, non-decreasing) and `rate_rps`; the rate holds
//!   from each `time_s` to the next and the last one forever; rates are multiplied by `scale`.
//!   Before the first `time_s` the rate is zero.

use crate::csv_input;
use crate::scenario::SpecError;
use hpasim_sim::SimTime;
use std::path::Path;

/// Reads the `time_s` column of a timestamp trace as instants in ns, compressed by `scale`.
pub(crate) fn read_timestamps(
    base_dir: &Path,
    file: &str,
    scale: f64,
    path: &str,
) -> Result<Vec<u64>, SpecError> {
    let mut times = Vec::new();
    let mut previous = 0.0;
    csv_input::for_each_row(
        base_dir,
        file,
        &format!("{path}.file"),
        [Some("time_s")],
        |_, [t]| {
            check_time(t, previous)?;
            previous = t;
            times.push(SimTime::from_secs_f64(t / scale).as_nanos());
            Ok(())
        },
    )?;
    non_empty(times.is_empty(), base_dir, file, path)?;
    Ok(times)
}

/// Reads a rate trace as `(interval start [ns], rate [1/s])` rows, rates multiplied by `scale`.
pub(crate) fn read_rates(
    base_dir: &Path,
    file: &str,
    scale: f64,
    path: &str,
) -> Result<Vec<(u64, f64)>, SpecError> {
    let mut rows = Vec::new();
    let mut previous = 0.0;
    let columns = [Some("time_s"), Some("rate_rps")];
    csv_input::for_each_row(
        base_dir,
        file,
        &format!("{path}.file"),
        columns,
        |_, [t, r]| {
            check_time(t, previous)?;
            previous = t;
            if r < 0.0 {
                return Err(format!(
                    "negative rate_rps {r}: rates must be ≥ 0 requests/s"
                ));
            }
            rows.push((SimTime::from_secs_f64(t).as_nanos(), r * scale));
            Ok(())
        },
    )?;
    non_empty(rows.is_empty(), base_dir, file, path)?;
    Ok(rows)
}

fn check_time(t: f64, previous: f64) -> Result<(), String> {
    if t < 0.0 {
        Err(format!(
            "negative time_s {t}: times are seconds from the start of the run"
        ))
    } else if t < previous {
        Err(format!(
            "time_s {t} is before the previous row's {previous}: rows must be sorted by time_s"
        ))
    } else {
        Ok(())
    }
}

fn non_empty(empty: bool, base_dir: &Path, file: &str, path: &str) -> Result<(), SpecError> {
    if empty {
        let shown = csv_input::resolve(base_dir, file).display().to_string();
        return Err(SpecError::at_path(
            format!("{path}.file"),
            format!("trace `{shown}` has no data rows"),
        )
        .with_hint("the first row is the header; add at least one data row below it"));
    }
    Ok(())
}
