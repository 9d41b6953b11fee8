//! [`CsvSink`]: streams the rows of one or many runs into the CSV files of an
//! [`OutputDir`].
//!
//! Rows go straight through buffered csv writers into the output directory's temp
//! files, so memory stays flat however long the run; nothing becomes visible before
//! [`CsvSink::commit`]. Rows of several runs (variants × replications) may be
//! interleaved in any order: each row carries its run key, and the files hold rows
//! in the order they were handed over (so identical calls give identical bytes).
//!
//! [`RowSink`] methods cannot return errors, so the first write error is kept,
//! later rows are dropped, and the error comes back from [`CsvSink::commit`] (or
//! earlier from [`CsvSink::error`]); the output directory is then left as it was.
//!
//! Cells: text as is (quoted by the CSV rules when it holds `,`, `"` or a line
//! break), integers in decimal, floats as described in [`crate::format`] with the
//! precision of their [`Column`](crate::Column), a missing `Option` as an empty
//! cell. Lines end with `\n`.

use std::fs::File;
use std::path::{Path, PathBuf};

use hpasim_models::rows::{
    EventRow, RequestRow, RowSink, RunKey, SummaryRow, TimeseriesRow, CDF_QUANTILES,
};

use crate::format::push_f64;
use crate::{Column, Kind, OutputDir, ReportError, Table};

/// Buffer of each csv writer.
const BUFFER_BYTES: usize = 64 * 1024;

/// Which optional files and columns to write.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CsvOptions {
    /// Write `requests.csv` (rows handed to [`RowSink::request`] are dropped otherwise).
    pub requests: bool,
    /// Scenario-specific columns appended to timeseries.csv, in the order of
    /// [`TimeseriesRow::extra`] (for example `hpa_cpu_utilization_pct`); floats, an empty
    /// cell where the value is NaN (not observed).
    pub timeseries_extra: Vec<String>,
    /// Text columns appended to summary.csv (a sweep's parameters), filled by
    /// [`CsvSink::summary_with`].
    pub summary_extra: Vec<String>,
}

/// One open CSV file.
#[derive(Debug)]
struct TableWriter {
    /// Final path, for error messages.
    path: PathBuf,
    wtr: csv::Writer<File>,
}

impl TableWriter {
    fn open(
        out: &mut OutputDir,
        table: Table,
        extra: &[String],
    ) -> Result<TableWriter, ReportError> {
        let path = out.final_path(table.file_name());
        let file = out.create_file(table.file_name())?;
        let mut wtr = csv::WriterBuilder::new()
            .buffer_capacity(BUFFER_BYTES)
            .terminator(csv::Terminator::Any(b'\n'))
            .quote_style(csv::QuoteStyle::Necessary)
            .from_writer(file);
        let mut header: Vec<&str> = table.header().collect();
        header.extend(extra.iter().map(String::as_str));
        wtr.write_record(header)
            .map_err(|e| ReportError::from_csv(path.clone(), e))?;
        Ok(TableWriter { path, wtr })
    }

    /// Flushes and closes the file.
    fn finish(self) -> Result<(), ReportError> {
        let path = self.path;
        let file = self.wtr.into_inner().map_err(|e| ReportError::Write {
            path,
            source: e.into_error(),
        })?;
        drop(file);
        Ok(())
    }
}

/// Writes the run's rows as CSV files into an [`OutputDir`] it owns.
///
/// ```no_run
/// # use hpasim_reports::{CsvOptions, CsvSink};
/// # fn main() -> Result<(), hpasim_reports::ReportError> {
/// let mut sink = CsvSink::create("out/web".as_ref(), CsvOptions { requests: false, ..Default::default() })?;
/// // sim.run(&key, &mut sink); sink.summary(&key, &row);
/// let files = sink.commit()?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct CsvSink {
    // The writers are declared (and so dropped) before `out`, which then removes
    // closed temp files.
    summary: TableWriter,
    timeseries: TableWriter,
    events: TableWriter,
    requests: Option<TableWriter>,
    latency_cdf: TableWriter,
    /// Reused record and cell buffer: no allocation per row once warm.
    record: csv::ByteRecord,
    scratch: String,
    /// First write error; later rows are dropped.
    error: Option<ReportError>,
    out: OutputDir,
}

impl CsvSink {
    /// Opens `dir` (creating it if needed) and starts the files with their headers.
    pub fn create(dir: &Path, options: CsvOptions) -> Result<CsvSink, ReportError> {
        CsvSink::with_output(OutputDir::create(dir)?, options)
    }

    /// Starts the files in an already opened output directory.
    pub fn with_output(mut out: OutputDir, options: CsvOptions) -> Result<CsvSink, ReportError> {
        let summary = TableWriter::open(&mut out, Table::Summary, &options.summary_extra)?;
        let timeseries = TableWriter::open(&mut out, Table::Timeseries, &options.timeseries_extra)?;
        let events = TableWriter::open(&mut out, Table::Events, &[])?;
        let requests = if options.requests {
            Some(TableWriter::open(&mut out, Table::Requests, &[])?)
        } else {
            None
        };
        let latency_cdf = TableWriter::open(&mut out, Table::LatencyCdf, &[])?;
        Ok(CsvSink {
            summary,
            timeseries,
            events,
            requests,
            latency_cdf,
            record: csv::ByteRecord::new(),
            scratch: String::new(),
            error: None,
            out,
        })
    }

    /// The output directory.
    pub fn dir(&self) -> &Path {
        self.out.dir()
    }

    /// The output directory, to add more files (plots, a copy of the scenario) to
    /// the same all-or-nothing commit.
    pub fn output_mut(&mut self) -> &mut OutputDir {
        &mut self.out
    }

    /// The first write error so far, if any (rows are dropped after it).
    pub fn error(&self) -> Option<&ReportError> {
        self.error.as_ref()
    }

    /// Appends one row to summary.csv.
    pub fn summary(&mut self, key: &RunKey, row: &SummaryRow) {
        self.summary_with(key, row, &[]);
    }

    /// Appends one row to summary.csv with the values of the `summary_extra` columns (an
    /// empty cell for `None`).
    pub fn summary_with(&mut self, key: &RunKey, row: &SummaryRow, extra: &[Option<String>]) {
        self.write_row(Table::Summary, key, |c| {
            // `metrics()` names every field (exhaustively) in column order; the column's kind
            // says how the value is written. Integer counts are exact in an f64 (< 2^53).
            for (_, v) in row.metrics() {
                match c.next_kind() {
                    Kind::Integer => c.int(v as u64),
                    _ => c.float(v),
                }
            }
            for v in extra {
                c.extra_text(v.as_deref().unwrap_or(""));
            }
        });
    }

    /// Flushes and syncs every file and renames them all into place.
    ///
    /// Returns the final paths (summary, timeseries, events, then requests if
    /// enabled, then latency_cdf, then files added through [`output_mut`](Self::output_mut)). On
    /// error, including an earlier write error, no file is changed.
    pub fn commit(self) -> Result<Vec<PathBuf>, ReportError> {
        let CsvSink {
            summary,
            timeseries,
            events,
            requests,
            latency_cdf,
            error,
            out,
            ..
        } = self;
        if let Some(e) = error {
            return Err(e);
        }
        for w in [
            Some(summary),
            Some(timeseries),
            Some(events),
            requests,
            Some(latency_cdf),
        ]
        .into_iter()
        .flatten()
        {
            w.finish()?;
        }
        out.commit()
    }

    /// Builds one row of `table` (run key, then what `fill` pushes) and writes it.
    fn write_row(&mut self, table: Table, key: &RunKey, fill: impl FnOnce(&mut Cells<'_>)) {
        if self.error.is_some() {
            return;
        }
        let writer = match table {
            Table::Summary => &mut self.summary,
            Table::Timeseries => &mut self.timeseries,
            Table::Events => &mut self.events,
            Table::Requests => match self.requests.as_mut() {
                Some(w) => w,
                None => return,
            },
            Table::LatencyCdf => &mut self.latency_cdf,
        };
        self.record.clear();
        let mut cells = Cells {
            columns: table.columns(),
            record: &mut self.record,
            scratch: &mut self.scratch,
        };
        cells.text(&key.scenario);
        cells.text(&key.variant);
        cells.int(u64::from(key.replication));
        cells.int(key.seed);
        fill(&mut cells);
        debug_assert!(self.record.len() >= table.columns().len(), "{table:?}");
        // A length mismatch is also caught by the csv writer (not flexible).
        if let Err(e) = writer.wtr.write_byte_record(&self.record) {
            self.error = Some(ReportError::from_csv(writer.path.clone(), e));
        }
    }
}

impl RowSink for CsvSink {
    fn latency_cdf(&mut self, key: &RunKey, latency_ms: &[f64]) {
        for (&q, &ms) in CDF_QUANTILES.iter().zip(latency_ms) {
            self.write_row(Table::LatencyCdf, key, |c| {
                c.float(q);
                c.float(ms);
            });
        }
    }
    fn timeseries(&mut self, key: &RunKey, row: &TimeseriesRow) {
        self.write_row(Table::Timeseries, key, |c| {
            let TimeseriesRow {
                time_s,
                arrival_rate_rps,
                throughput_rps,
                replicas_desired,
                pods_ready,
                pods_starting,
                pods_terminating,
                in_flight,
                queued,
                in_system_mean,
                cpu_utilization_pct,
                completed,
                latency_mean_ms,
                wait_mean_ms,
                wait_probability,
                latency_p50_ms,
                latency_p95_ms,
                latency_p99_ms,
                rejected,
                timed_out,
                cost_usd,
                extra,
            } = row;
            let (time_s, arrival_rate_rps, throughput_rps) =
                (*time_s, *arrival_rate_rps, *throughput_rps);
            let (replicas_desired, pods_ready, pods_starting) =
                (*replicas_desired, *pods_ready, *pods_starting);
            let (pods_terminating, in_flight, queued) = (*pods_terminating, *in_flight, *queued);
            let (in_system_mean, cpu_utilization_pct, completed) =
                (*in_system_mean, *cpu_utilization_pct, *completed);
            let (latency_mean_ms, wait_mean_ms, wait_probability) =
                (*latency_mean_ms, *wait_mean_ms, *wait_probability);
            let (latency_p50_ms, latency_p95_ms, latency_p99_ms) =
                (*latency_p50_ms, *latency_p95_ms, *latency_p99_ms);
            let (rejected, timed_out, cost_usd) = (*rejected, *timed_out, *cost_usd);
            c.float(time_s);
            c.float(arrival_rate_rps);
            c.float(throughput_rps);
            c.int(replicas_desired.into());
            c.int(pods_ready.into());
            c.int(pods_starting.into());
            c.int(pods_terminating.into());
            c.int(in_flight.into());
            c.int(queued.into());
            c.float(in_system_mean);
            c.float(cpu_utilization_pct);
            c.int(completed);
            c.float(latency_mean_ms);
            c.float(wait_mean_ms);
            c.float(wait_probability);
            c.float(latency_p50_ms);
            c.float(latency_p95_ms);
            c.float(latency_p99_ms);
            c.int(rejected);
            c.int(timed_out);
            c.float(cost_usd);
            for &x in extra {
                c.float(x);
            }
        });
    }

    fn event(&mut self, key: &RunKey, row: &EventRow) {
        self.write_row(Table::Events, key, |c| {
            let EventRow {
                time_s,
                kind,
                object,
                detail,
            } = row;
            c.float(*time_s);
            c.text(kind);
            c.text(object);
            c.text(detail);
        });
    }

    fn request(&mut self, key: &RunKey, row: &RequestRow) {
        self.write_row(Table::Requests, key, |c| {
            let RequestRow {
                id,
                class,
                arrival_s,
                pod,
                outcome,
                wait_ms,
                latency_ms,
            } = row;
            c.int(*id);
            c.text(class);
            c.float(*arrival_s);
            c.text(pod);
            c.text(outcome);
            c.opt_float(*wait_ms);
            c.opt_float(*latency_ms);
        });
    }
}

/// Appends cells to a record, taking each float's precision from its column.
struct Cells<'a> {
    columns: &'static [Column],
    record: &'a mut csv::ByteRecord,
    scratch: &'a mut String,
}

impl Cells<'_> {
    /// Kind of the next cell's column.
    fn next_kind(&self) -> Kind {
        self.columns
            .get(self.record.len())
            .map_or(Kind::Real, |c| c.kind)
    }

    /// A text cell past the table's own columns (summary parameters).
    fn extra_text(&mut self, s: &str) {
        self.record.push_field(s.as_bytes());
    }

    fn text(&mut self, s: &str) {
        debug_assert_eq!(self.next_kind(), Kind::Text);
        self.record.push_field(s.as_bytes());
    }

    fn int(&mut self, v: u64) {
        use std::fmt::Write as _;
        debug_assert_eq!(self.next_kind(), Kind::Integer);
        self.scratch.clear();
        let _ = write!(self.scratch, "{v}");
        self.record.push_field(self.scratch.as_bytes());
    }

    fn float(&mut self, x: f64) {
        let kind = self.next_kind();
        debug_assert!(matches!(kind, Kind::Seconds | Kind::Fraction | Kind::Real));
        self.scratch.clear();
        push_f64(self.scratch, x, kind.decimals());
        self.record.push_field(self.scratch.as_bytes());
    }

    fn opt_float(&mut self, x: Option<f64>) {
        match x {
            Some(x) => self.float(x),
            None => self.record.push_field(b""),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;
    use crate::test_util::{entries, Scratch};

    fn key(variant: &str, replication: u32) -> RunKey {
        RunKey {
            scenario: "web".into(),
            variant: variant.into(),
            replication,
            seed: 42,
        }
    }

    fn summary_row() -> SummaryRow {
        SummaryRow {
            duration_s: 3600.0,
            requests: 1000,
            completed: 990,
            rejected: 6,
            timed_out: 3,
            killed: 1,
            error_rate: 0.01,
            latency_mean_ms: 12.345_678_9,
            latency_p50_ms: 10.0,
            latency_p90_ms: 20.0,
            latency_p95_ms: 25.0,
            latency_p99_ms: 40.0,
            latency_p999_ms: f64::NAN,
            latency_max_ms: 123.4,
            wait_mean_ms: 1.5,
            wait_probability: 1.0 / 3.0,
            throughput_rps: 0.275,
            replicas_mean: 3.42,
            replicas_max: 6.0,
            pods_ready_mean: 3.1,
            pod_seconds: 12_312.0,
            cpu_utilization_mean_pct: 62.5,
            in_system_mean: 0.4,
            cost_usd: 0.1234,
            ..SummaryRow::default()
        }
    }

    fn ts_row(t: f64) -> TimeseriesRow {
        TimeseriesRow {
            time_s: t,
            arrival_rate_rps: 10.0,
            throughput_rps: 9.5,
            replicas_desired: 3,
            pods_ready: 2,
            pods_starting: 1,
            pods_terminating: 0,
            in_flight: 4,
            queued: 1,
            in_system_mean: 4.25,
            cpu_utilization_pct: 71.0,
            completed: 19,
            latency_mean_ms: 11.5,
            wait_mean_ms: 0.25,
            wait_probability: 0.125,
            latency_p50_ms: 10.0,
            latency_p95_ms: 30.0,
            latency_p99_ms: 50.0,
            rejected: 0,
            timed_out: 2,
            cost_usd: 0.001,
            extra: Vec::new(),
        }
    }

    fn event_row(t: f64) -> EventRow {
        EventRow {
            time_s: t,
            kind: "scale",
            object: "deployment/web".into(),
            detail: "2 → 3, cpu 91% > 80%, \"burst\"".into(),
        }
    }

    fn request_row(id: u64) -> RequestRow {
        RequestRow {
            id,
            class: "default".into(),
            arrival_s: 0.1 * id as f64,
            pod: if id % 2 == 0 {
                "pod/web-1".into()
            } else {
                String::new()
            },
            outcome: if id % 2 == 0 { "completed" } else { "rejected" },
            wait_ms: (id % 2 == 0).then_some(0.5),
            latency_ms: (id % 2 == 0).then_some(12.0),
        }
    }

    /// Writes the same small multi-run output into `dir`.
    fn write_sample(dir: &Path, requests: bool) -> Vec<PathBuf> {
        let mut sink = CsvSink::create(
            dir,
            CsvOptions {
                requests,
                ..Default::default()
            },
        )
        .unwrap();
        for (variant, rep) in [("base", 0), ("fast", 0), ("base", 1)] {
            let k = key(variant, rep);
            for i in 1u32..=3 {
                sink.timeseries(&k, &ts_row(15.0 * f64::from(i)));
                sink.event(&k, &event_row(1.0 / 3.0 * f64::from(i)));
                sink.request(&k, &request_row(u64::from(i)));
            }
            let cdf: Vec<f64> = (0..CDF_QUANTILES.len()).map(|i| i as f64).collect();
            sink.latency_cdf(&k, &cdf);
            sink.summary(&k, &summary_row());
        }
        assert!(sink.error().is_none());
        sink.commit().unwrap()
    }

    fn read_table(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
        let mut r = csv::ReaderBuilder::new()
            .flexible(true)
            .from_path(path)
            .unwrap();
        let header = r.headers().unwrap().iter().map(str::to_owned).collect();
        let rows = r
            .records()
            .map(|rec| rec.unwrap().iter().map(str::to_owned).collect())
            .collect();
        (header, rows)
    }

    #[test]
    fn summary_header_lists_the_contract_columns_in_field_order() {
        let header: Vec<_> = Table::Summary.header().collect();
        assert_eq!(
            header,
            [
                "scenario",
                "variant",
                "replication",
                "seed",
                "duration_s",
                "requests",
                "completed",
                "rejected",
                "timed_out",
                "killed",
                "error_rate",
                "latency_mean_ms",
                "latency_p50_ms",
                "latency_p90_ms",
                "latency_p95_ms",
                "latency_p99_ms",
                "latency_p999_ms",
                "latency_max_ms",
                "wait_mean_ms",
                "wait_probability",
                "throughput_rps",
                "replicas_mean",
                "replicas_max",
                "pods_ready_mean",
                "pod_seconds",
                "cpu_utilization_mean_pct",
                "in_system_mean",
                "cost_usd",
                "pool_timeouts",
                "pool_wait_mean_ms",
                "pool_wait_p99_ms",
                "db_connection_refusals",
                "db_connections_max",
                "db_cpu_utilization_max_pct",
                "messages_reprocessed",
                "queue_lag_mean",
                "queue_lag_max",
                "rebalances",
                "partition_paused_s",
                "consumer_crashes",
                "keda_activations",
                "keda_deactivations",
                "keda_fallback_polls",
                "slo_violation_s",
                "nodes_mean",
                "nodes_max",
                "node_hours",
                "node_cost_usd",
                "node_cost_spot_usd",
                "pods_unschedulable_max",
                "capacity_wait_mean_s",
                "capacity_wait_max_s",
                "ca_scale_ups",
                "ca_nodes_removed",
                "node_failures",
                "spot_interruptions",
                "pods_quota_denied",
                "pod_crashes",
                "pod_kills",
                "fault_errors",
                "forecast_mae",
                "forecast_rmse",
                "forecast_bias",
                "predictive_added_pod_seconds",
                "predictive_raised_syncs",
                "vpa_evictions",
                "vpa_final_target_cpu_m",
                "vpa_final_target_memory_mib",
            ]
        );
    }

    #[test]
    fn timeseries_header_lists_the_contract_columns_in_field_order() {
        let header: Vec<_> = Table::Timeseries.header().collect();
        assert_eq!(
            header,
            [
                "scenario",
                "variant",
                "replication",
                "seed",
                "time_s",
                "arrival_rate_rps",
                "throughput_rps",
                "replicas_desired",
                "pods_ready",
                "pods_starting",
                "pods_terminating",
                "in_flight",
                "queued",
                "in_system_mean",
                "cpu_utilization_pct",
                "completed",
                "latency_mean_ms",
                "wait_mean_ms",
                "wait_probability",
                "latency_p50_ms",
                "latency_p95_ms",
                "latency_p99_ms",
                "rejected",
                "timed_out",
                "cost_usd",
            ]
        );
    }

    #[test]
    fn events_and_requests_headers_list_the_contract_columns() {
        let events: Vec<_> = Table::Events.header().collect();
        assert_eq!(
            events,
            [
                "scenario",
                "variant",
                "replication",
                "seed",
                "time_s",
                "kind",
                "object",
                "detail"
            ]
        );
        let requests: Vec<_> = Table::Requests.header().collect();
        assert_eq!(
            requests,
            [
                "scenario",
                "variant",
                "replication",
                "seed",
                "id",
                "class",
                "arrival_s",
                "pod",
                "outcome",
                "wait_ms",
                "latency_ms",
            ]
        );
    }

    #[test]
    fn every_row_has_as_many_cells_as_its_header() {
        let s = Scratch::new("counts");
        write_sample(s.path(), true);
        for t in Table::ALL {
            let (header, rows) = read_table(&s.path().join(t.file_name()));
            assert_eq!(header.len(), t.columns().len(), "{t:?}");
            assert!(!rows.is_empty(), "{t:?}");
            for r in rows {
                assert_eq!(r.len(), header.len(), "{t:?}: {r:?}");
            }
        }
    }

    #[test]
    fn identical_rows_give_byte_identical_files() {
        let (a, b) = (Scratch::new("same-a"), Scratch::new("same-b"));
        write_sample(a.path(), true);
        write_sample(b.path(), true);
        assert_eq!(entries(a.path()), entries(b.path()));
        for name in entries(a.path()) {
            assert_eq!(
                fs::read(a.path().join(&name)).unwrap(),
                fs::read(b.path().join(&name)).unwrap(),
                "{name}"
            );
        }
    }

    #[test]
    fn cells_follow_the_number_format_and_csv_quoting() {
        let s = Scratch::new("cells");
        write_sample(s.path(), true);
        let summary = fs::read_to_string(s.path().join("summary.csv")).unwrap();
        let first = summary.lines().nth(1).unwrap();
        assert_eq!(
            first,
            "web,base,0,42,3600,1000,990,6,3,1,0.01,12.345679,10,20,25,40,,123.4,1.5,\
             0.333333333,0.275,3.42,6,3.1,12312,62.5,0.4,0.1234,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,\
             0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0"
        );
        let timeseries = fs::read_to_string(s.path().join("timeseries.csv")).unwrap();
        assert_eq!(
            timeseries.lines().nth(1).unwrap(),
            "web,base,0,42,15,10,9.5,3,2,1,0,4,1,4.25,71,19,11.5,0.25,0.125,10,30,50,0,2,0.001"
        );
        let events = fs::read_to_string(s.path().join("events.csv")).unwrap();
        assert_eq!(
            events.lines().nth(1).unwrap(),
            "web,base,0,42,0.333333333,scale,deployment/web,\"2 → 3, cpu 91% > 80%, \"\"burst\"\"\""
        );
        let requests = fs::read_to_string(s.path().join("requests.csv")).unwrap();
        let mut lines = requests.lines().skip(1);
        assert_eq!(
            lines.next().unwrap(),
            "web,base,0,42,1,default,0.1,,rejected,,"
        );
        assert_eq!(
            lines.next().unwrap(),
            "web,base,0,42,2,default,0.2,pod/web-1,completed,0.5,12"
        );
        assert!(!requests.contains('\r'));
    }

    #[test]
    fn rows_of_several_runs_interleave_in_one_file() {
        let s = Scratch::new("interleave");
        write_sample(s.path(), false);
        let (_, rows) = read_table(&s.path().join("timeseries.csv"));
        let keys: Vec<_> = rows
            .iter()
            .map(|r| (r[1].as_str(), r[2].as_str()))
            .collect();
        assert_eq!(keys.len(), 9);
        assert_eq!(
            &keys[..4],
            [("base", "0"), ("base", "0"), ("base", "0"), ("fast", "0")]
        );
        assert_eq!(keys[8], ("base", "1"));
        let (_, summary) = read_table(&s.path().join("summary.csv"));
        assert_eq!(summary.len(), 3);
    }

    #[test]
    fn headers_are_written_even_without_rows() {
        let s = Scratch::new("empty");
        let files = CsvSink::create(
            s.path(),
            CsvOptions {
                requests: true,
                ..Default::default()
            },
        )
        .unwrap()
        .commit()
        .unwrap();
        assert_eq!(files.len(), 5);
        for t in Table::ALL {
            let text = fs::read_to_string(s.path().join(t.file_name())).unwrap();
            let expected: Vec<_> = t.header().collect();
            assert_eq!(text, format!("{}\n", expected.join(",")), "{t:?}");
        }
    }

    #[test]
    fn requests_csv_is_written_only_when_enabled() {
        let s = Scratch::new("no-requests");
        let files = write_sample(s.path(), false);
        assert_eq!(
            entries(s.path()),
            [
                "events.csv",
                "latency_cdf.csv",
                "summary.csv",
                "timeseries.csv"
            ]
        );
        assert_eq!(
            files,
            [
                s.path().join("summary.csv"),
                s.path().join("timeseries.csv"),
                s.path().join("events.csv"),
                s.path().join("latency_cdf.csv")
            ]
        );
    }

    #[test]
    fn dropping_the_sink_without_commit_leaves_nothing_behind() {
        let s = Scratch::new("sink-drop");
        let mut sink = CsvSink::create(
            s.path(),
            CsvOptions {
                requests: true,
                ..Default::default()
            },
        )
        .unwrap();
        for i in 0..10_000 {
            sink.timeseries(&key("base", 0), &ts_row(f64::from(i)));
        }
        drop(sink);
        assert!(!s.path().exists());
    }

    #[test]
    fn extra_files_join_the_same_commit() {
        use std::io::Write as _;
        let s = Scratch::new("extra");
        let mut sink = CsvSink::create(s.path(), CsvOptions::default()).unwrap();
        let mut f = sink.output_mut().create_file("scenario.yaml").unwrap();
        f.write_all(b"name: web\n").unwrap();
        drop(f);
        let files = sink.commit().unwrap();
        assert_eq!(files.last().unwrap(), &s.path().join("scenario.yaml"));
        assert_eq!(
            entries(s.path()),
            [
                "events.csv",
                "latency_cdf.csv",
                "scenario.yaml",
                "summary.csv",
                "timeseries.csv"
            ]
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_write_error_comes_back_from_commit_with_the_path() {
        // /dev/full fails every write with ENOSPC: wrap it in a writer the way
        // TableWriter does and check the error names the file.
        let file = std::fs::OpenOptions::new().write(true).open("/dev/full");
        let Ok(file) = file else { return };
        let w = TableWriter {
            path: PathBuf::from("out/summary.csv"),
            wtr: csv::WriterBuilder::new().from_writer(file),
        };
        let mut w = w;
        w.wtr.write_record(["a", "b"]).unwrap();
        let e = w.finish().unwrap_err();
        assert!(matches!(e, ReportError::Write { .. }), "{e:?}");
        assert!(
            e.to_string().starts_with("cannot write out/summary.csv: "),
            "{e}"
        );
    }

    #[test]
    fn scenario_specific_columns_follow_the_contract_columns_with_empty_cells_for_nan() {
        let s = Scratch::new("extra");
        let options = CsvOptions {
            requests: false,
            timeseries_extra: vec!["hpa_cpu_utilization_pct".into(), "hpa_qps".into()],
            ..Default::default()
        };
        let mut sink = CsvSink::create(s.path(), options).unwrap();
        let mut row = ts_row(10.0);
        row.extra = vec![71.0, f64::NAN];
        sink.timeseries(&key("base", 0), &row);
        sink.commit().unwrap();
        let (header, rows) = read_table(&s.path().join("timeseries.csv"));
        assert_eq!(
            &header[header.len() - 2..],
            ["hpa_cpu_utilization_pct", "hpa_qps"]
        );
        assert_eq!(&rows[0][rows[0].len() - 2..], ["71", ""]);
    }
}
