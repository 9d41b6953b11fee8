//! `hpasim sweep` and `hpasim merge`: variants × replications on every core, in fixed chunks
//! that make the output independent of the thread count, resumable and shardable.
//!
//! ```text
//!  runs: index = variant × R + replication          (replication r: the same streams in
//!  chunks of CHUNK_RUNS consecutive runs             every variant: common random numbers)
//!  shard I/N runs the chunks c with c mod N = I
//!  chunk c ─▶ rayon over its runs ─▶ rows in run order ─▶ DIR/.sweep/chunk-c/ (atomic)
//!  all chunks present ─▶ concatenate in chunk order ─▶ summary.csv (+ timeseries.csv), latency_cdf.csv
//!                      ─▶ aggregate.csv from summary.csv's text ─▶ renamed into DIR
//! ```
//! A finished chunk is never run again (`--resume`), an interrupted chunk leaves nothing, and
//! the final files appear only at the end, so an interrupted sweep never leaves a partial
//! file under a final name.

use crate::cli::{MergeArgs, SweepArgs};
use hpasim_models::rows::{EventRow, RequestRow, RowSink, RunKey, TimeseriesRow};
use hpasim_models::scenario::{load, SpecError};
use hpasim_models::sweep::{plan, variant_scenario, SweepPlan};
use hpasim_models::Simulation;
use hpasim_reports::{CsvOptions, CsvSink};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Runs per chunk: the unit of parallel work, of resumption and of sharding.
pub const CHUNK_RUNS: u64 = 32;

/// Where chunks live until the sweep is complete.
const WORK_DIR: &str = ".sweep";

/// What a sweep directory holds, written by every shard; `merge` checks they agree.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Scenario name.
    pub scenario: String,
    /// Variant names, in run order.
    pub variants: Vec<String>,
    /// Replications per variant.
    pub replications: u32,
    /// Swept parameter columns.
    pub parameters: Vec<String>,
    /// Timeseries kept.
    pub timeseries: bool,
    /// Extra timeseries columns.
    pub timeseries_extra: Vec<String>,
}

impl Manifest {
    fn runs(&self) -> u64 {
        self.variants.len() as u64 * u64::from(self.replications)
    }
    fn chunks(&self) -> u64 {
        self.runs().div_ceil(CHUNK_RUNS)
    }
}

/// A sink that keeps the time series (if wanted) and the latency distribution, and drops
/// events and requests.
struct RunRows {
    timeseries: Option<Vec<TimeseriesRow>>,
    latency_cdf: Vec<f64>,
    /// For each extra column of the sweep's timeseries.csv, its index in this variant's row
    /// (`None`: the variant has no such column, an empty cell); `None` when they coincide.
    layout: Option<Vec<Option<usize>>>,
}

impl RowSink for RunRows {
    fn timeseries(&mut self, _key: &RunKey, row: &TimeseriesRow) {
        if let Some(rows) = self.timeseries.as_mut() {
            let mut row = row.clone();
            if let Some(layout) = &self.layout {
                row.extra = layout
                    .iter()
                    .map(|i| i.map_or(f64::NAN, |i| row.extra[i]))
                    .collect();
            }
            rows.push(row);
        }
    }
    fn event(&mut self, _key: &RunKey, _row: &EventRow) {}
    fn request(&mut self, _key: &RunKey, _row: &RequestRow) {}
    fn latency_cdf(&mut self, _key: &RunKey, latency_ms: &[f64]) {
        self.latency_cdf = latency_ms.to_vec();
    }
}

/// Parses `I/N`.
fn parse_shard(text: &str) -> Result<(u64, u64), SpecError> {
    let bad = |m: &str| {
        SpecError::at_path(format!("--shard {text}"), m.to_string())
            .with_hint("write `--shard I/N` with 0 ≤ I < N, e.g. `--shard 0/4` … `--shard 3/4`")
    };
    let (i, n) = text.split_once('/').ok_or_else(|| bad("missing `/`"))?;
    let i: u64 = i
        .trim()
        .parse()
        .map_err(|_| bad("the index is not a number"))?;
    let n: u64 = n
        .trim()
        .parse()
        .map_err(|_| bad("the count is not a number"))?;
    if n == 0 {
        return Err(bad("the shard count must be at least 1"));
    }
    if i >= n {
        return Err(bad(&format!(
            "the shard index must be below the count ({n}), got {i}"
        )));
    }
    Ok((i, n))
}

fn chunk_dir(dir: &Path, chunk: u64) -> PathBuf {
    dir.join(WORK_DIR).join(format!("chunk-{chunk:08}"))
}

/// `hpasim sweep`.
pub fn sweep(args: &SweepArgs) -> ExitCode {
    let started = Instant::now();
    let mut sets = args.scenario.sets.clone();
    if let Some(seed) = args.seed {
        sets.push(format!("seed={seed}"));
    }
    let prepared = (|| -> Result<_, SpecError> {
        let loaded = load(&args.scenario.scenario, &sets)?;
        let mut sweep_plan = plan(&loaded)?;
        if let Some(r) = args.replications {
            if r == 0 {
                return Err(SpecError::at_path("--replications 0", "must be at least 1"));
            }
            sweep_plan.replications = r;
        }
        let shard = args.shard.as_deref().map(parse_shard).transpose()?;
        Ok((loaded, sweep_plan, shard))
    })();
    let (loaded, sweep_plan, shard) = match prepared {
        Ok(p) => p,
        Err(e) => return crate::bad_input(&e),
    };
    // `plan` validated every variant; compiling the first one checks the files they read
    // before anything runs. Runs compile their variant themselves, so memory does not grow
    // with the number of variants.
    let first = match sweep_plan.variants.first().map(|v| compile(&loaded, v)) {
        Some(Ok((_, sim))) => sim,
        Some(Err(e)) => return crate::bad_input(&e),
        None => return crate::bad_input(&"the sweep has no variants"),
    };
    let scenario = &loaded.scenario;
    let out = match (&args.out, &scenario.outputs.dir) {
        (Some(dir), _) => dir.clone(),
        (None, Some(dir)) => PathBuf::from(dir),
        (None, None) => PathBuf::from("out").join(format!("{}-sweep", scenario.name)),
    };
    let manifest = Manifest {
        scenario: scenario.name.clone(),
        variants: sweep_plan.variants.iter().map(|v| v.name.clone()).collect(),
        replications: sweep_plan.replications,
        parameters: sweep_plan.parameters.clone(),
        timeseries: args.timeseries,
        timeseries_extra: match extra_columns_of_every_variant(
            &loaded,
            &sweep_plan,
            &first,
            args.timeseries,
        ) {
            Ok(columns) => columns,
            Err(e) => return crate::bad_input(&e),
        },
    };
    let meta = crate::meta::to_json(&crate::meta::run_meta(
        "sweep",
        &loaded,
        &sweep_plan.parameters,
    ));
    if let Err(e) = prepare_dir(&out, &manifest, args.resume, &meta) {
        return crate::failure(&e);
    }
    let pool = match crate::replicate::pool(args.threads) {
        Ok(p) => p,
        Err(e) => return crate::bad_input(&e),
    };
    let (index, count) = shard.unwrap_or((0, 1));
    let mine: Vec<u64> = (0..manifest.chunks())
        .filter(|c| c % count == index)
        .collect();
    let todo: Vec<u64> = mine
        .iter()
        .copied()
        .filter(|&c| !chunk_dir(&out, c).exists())
        .collect();
    let total: u64 = todo
        .iter()
        .map(|&c| (c * CHUNK_RUNS + CHUNK_RUNS).min(manifest.runs()) - c * CHUNK_RUNS)
        .sum();
    let progress = Progress::new(total, args.quiet);
    for &chunk in &todo {
        let first = chunk * CHUNK_RUNS;
        let last = (first + CHUNK_RUNS).min(manifest.runs());
        let results = pool.install(|| {
            (first..last)
                .into_par_iter()
                .map(|run| {
                    let v = (run / u64::from(manifest.replications)) as usize;
                    let r = (run % u64::from(manifest.replications)) as u32;
                    let (seed, sim) = compile(&loaded, &sweep_plan.variants[v])?;
                    let key = RunKey {
                        scenario: manifest.scenario.clone(),
                        variant: manifest.variants[v].clone(),
                        replication: r,
                        seed,
                    };
                    let mut rows = RunRows {
                        timeseries: manifest.timeseries.then(Vec::new),
                        latency_cdf: Vec::new(),
                        layout: layout(&manifest.timeseries_extra, &sim.timeseries_extra_columns()),
                    };
                    let summary = sim.run_checked(&key, &mut rows).map_err(|stop| {
                        format!("variant `{}`, replication {r}: {stop}", key.variant)
                    })?;
                    Ok((key, v, summary, rows))
                })
                .collect::<Result<Vec<_>, String>>()
        });
        let results = match results {
            Ok(r) => r,
            Err(e) => return crate::failure(&e),
        };
        if let Err(e) = write_chunk(&out, chunk, &manifest, &sweep_plan, &results) {
            return crate::failure(&e);
        }
        progress.advance(results.len() as u64);
    }
    progress.finish();
    if count > 1 {
        if !args.quiet {
            eprintln!(
                "shard {index}/{count}: {} of {} chunks done in {}; combine the shard directories with `hpasim merge`",
                mine.len(),
                manifest.chunks(),
                out.display()
            );
        }
        return ExitCode::SUCCESS;
    }
    match finalize(std::slice::from_ref(&out), &out, &manifest) {
        Ok(files) => {
            if !args.quiet {
                println!(
                    "sweep `{}`: {} variants × {} replications = {} runs in {:.1} s",
                    manifest.scenario,
                    manifest.variants.len(),
                    manifest.replications,
                    manifest.runs(),
                    started.elapsed().as_secs_f64()
                );
                let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
                println!("wrote {}", names.join(", "));
            }
            if args.plots {
                return crate::draw_report(&out, &Default::default(), args.quiet);
            }
            ExitCode::SUCCESS
        }
        Err(e) => crate::failure(&e),
    }
}

/// A variant's scenario compiled, with its seed; errors name the variant.
fn compile(
    loaded: &hpasim_models::scenario::Loaded,
    v: &hpasim_models::sweep::Variant,
) -> Result<(u64, Simulation), String> {
    variant_scenario(loaded, v)
        .and_then(|s| {
            Simulation::compile(&s, &loaded.base_dir)
                .map_err(|e| loaded.locate(e))
                .map(|sim| (s.seed, sim))
        })
        .map_err(|e| format!("variant `{}`: {e}", v.name))
}

/// Creates the sweep directory's work area, or checks that a resumed one is the same sweep.
fn prepare_dir(out: &Path, manifest: &Manifest, resume: bool, meta: &str) -> Result<(), String> {
    let work = out.join(WORK_DIR);
    let meta_path = work.join(crate::meta::FILE);
    let path = work.join("sweep.json");
    if path.exists() {
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let old: Manifest =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        if !resume {
            return Err(format!(
                "{} holds an unfinished sweep: pass --resume to continue it, or remove {}",
                out.display(),
                work.display()
            ));
        }
        if old != *manifest {
            return Err(format!(
                "--resume: {} holds a different sweep (variants, replications or columns changed); remove {} to start again",
                out.display(),
                work.display()
            ));
        }
        return crate::files::write_atomically(&meta_path, meta.as_bytes());
    }
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    crate::files::write_atomically(&meta_path, meta.as_bytes())?;
    let text = serde_json::to_string_pretty(manifest).expect("a manifest serializes");
    let tmp = work.join("sweep.json.tmp");
    std::fs::write(&tmp, text).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, &path).map_err(|e| format!("{}: {e}", path.display()))
}

type RunResult = (RunKey, usize, hpasim_models::rows::SummaryRow, RunRows);

/// Writes one chunk's rows, in run order, as a complete chunk directory (atomic).
fn write_chunk(
    out: &Path,
    chunk: u64,
    manifest: &Manifest,
    sweep_plan: &SweepPlan,
    results: &[RunResult],
) -> Result<(), String> {
    let options = CsvOptions {
        requests: false,
        timeseries_extra: manifest.timeseries_extra.clone(),
        summary_extra: manifest.parameters.clone(),
    };
    let done = chunk_dir(out, chunk);
    let tmp = done.with_extension("tmp");
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
    }
    let mut sink = CsvSink::create(&tmp, options).map_err(|e| e.to_string())?;
    for (key, v, summary, rows) in results {
        sink.summary_with(key, summary, &sweep_plan.variants[*v].params);
        for row in rows.timeseries.iter().flatten() {
            sink.timeseries(key, row);
        }
        sink.latency_cdf(key, &rows.latency_cdf);
    }
    sink.commit().map_err(|e| e.to_string())?;
    // The chunk appears whole or not at all.
    std::fs::rename(&tmp, &done).map_err(|e| format!("{}: {e}", done.display()))
}

/// Concatenates every chunk (found in `dirs`) into the final files of `out`.
fn finalize(dirs: &[PathBuf], out: &Path, manifest: &Manifest) -> Result<Vec<PathBuf>, String> {
    let mut missing = Vec::new();
    let mut chunks = Vec::with_capacity(manifest.chunks() as usize);
    for c in 0..manifest.chunks() {
        match dirs.iter().map(|d| chunk_dir(d, c)).find(|d| d.exists()) {
            Some(d) => chunks.push(d),
            None => missing.push(c),
        }
    }
    if !missing.is_empty() {
        let shown: Vec<String> = missing.iter().take(10).map(u64::to_string).collect();
        return Err(format!(
            "{} of {} chunks are missing ({}{}): run the missing shards (or `--resume` the interrupted sweep) first",
            missing.len(),
            manifest.chunks(),
            shown.join(", "),
            if missing.len() > 10 { ", …" } else { "" }
        ));
    }
    let mut files = vec!["summary.csv"];
    if manifest.timeseries {
        files.push("timeseries.csv");
    }
    files.push("latency_cdf.csv");
    let mut written = Vec::new();
    for name in &files {
        let tmp = out.join(format!(".{name}.tmp"));
        concatenate(&chunks, name, &tmp)?;
        written.push((tmp, out.join(name)));
    }
    let tmp = out.join(".aggregate.csv.tmp");
    {
        let mut f = std::io::BufWriter::new(
            std::fs::File::create(&tmp).map_err(|e| format!("{}: {e}", tmp.display()))?,
        );
        hpasim_reports::aggregate::write_aggregate(&written[0].0, &manifest.parameters, &mut f)
            .map_err(|e| e.to_string())?;
        f.flush().map_err(|e| format!("{}: {e}", tmp.display()))?;
    }
    written.push((tmp, out.join("aggregate.csv")));
    // hpasim.json of the first directory that has one (every shard writes the same).
    let meta = dirs
        .iter()
        .map(|d| d.join(WORK_DIR).join(crate::meta::FILE))
        .find(|p| p.exists());
    if let Some(meta) = meta {
        let tmp = out.join(format!(".{}.tmp", crate::meta::FILE));
        std::fs::copy(&meta, &tmp).map_err(|e| format!("{}: {e}", meta.display()))?;
        written.push((tmp, out.join(crate::meta::FILE)));
    }
    let mut finals = Vec::new();
    for (tmp, path) in written {
        std::fs::rename(&tmp, &path).map_err(|e| format!("{}: {e}", path.display()))?;
        finals.push(path);
    }
    if dirs.len() == 1 && dirs[0] == out {
        std::fs::remove_dir_all(out.join(WORK_DIR))
            .map_err(|e| format!("{}: {e}", out.join(WORK_DIR).display()))?;
    }
    Ok(finals)
}

/// Writes the header of the first chunk's `name`, then every chunk's rows, to `dest`.
fn concatenate(chunks: &[PathBuf], name: &str, dest: &Path) -> Result<(), String> {
    let err = |p: &Path, e: std::io::Error| format!("{}: {e}", p.display());
    let mut w = std::io::BufWriter::new(std::fs::File::create(dest).map_err(|e| err(dest, e))?);
    for (k, dir) in chunks.iter().enumerate() {
        let path = dir.join(name);
        let mut r = BufReader::new(std::fs::File::open(&path).map_err(|e| err(&path, e))?);
        let mut header = String::new();
        r.read_line(&mut header).map_err(|e| err(&path, e))?;
        if k == 0 {
            w.write_all(header.as_bytes()).map_err(|e| err(dest, e))?;
        }
        std::io::copy(&mut r, &mut w).map_err(|e| err(dest, e))?;
    }
    w.flush().map_err(|e| err(dest, e))
}

/// `hpasim merge OUT DIR...`: the shard directories' chunks into the sweep's final files.
pub fn merge(args: &MergeArgs) -> ExitCode {
    let mut manifest: Option<Manifest> = None;
    for dir in &args.shards {
        let path = dir.join(WORK_DIR).join("sweep.json");
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                return crate::bad_input(&format!(
                    "{}: not a sweep shard directory ({e}); pass directories written by `hpasim sweep --shard I/N`",
                    dir.display()
                ))
            }
        };
        let m: Manifest = match serde_json::from_str(&text) {
            Ok(m) => m,
            Err(e) => return crate::bad_input(&format!("{}: {e}", path.display())),
        };
        if manifest.as_ref().is_some_and(|first| *first != m) {
            return crate::bad_input(&format!(
                "{}: a different sweep from the first directory (variants, replications or columns differ)",
                dir.display()
            ));
        }
        manifest = Some(m);
    }
    let Some(manifest) = manifest else {
        return crate::bad_input(&"merge needs at least one shard directory");
    };
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        return crate::failure(&format!("{}: {e}", args.out.display()));
    }
    match finalize(&args.shards, &args.out, &manifest) {
        Ok(files) => {
            let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
            println!(
                "merged {} runs: wrote {}",
                manifest.runs(),
                names.join(", ")
            );
            ExitCode::SUCCESS
        }
        Err(e) => crate::bad_input(&e),
    }
}

/// Progress on stderr: a bar on a terminal, a line every few seconds otherwise.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    total: u64,
    done: std::sync::atomic::AtomicU64,
    started: Instant,
    last_line: std::sync::Mutex<Instant>,
    quiet: bool,
}

impl Progress {
    fn new(total: u64, quiet: bool) -> Progress {
        use std::io::IsTerminal;
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::new(total);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} runs  {per_sec}  ETA {eta}",
                )
                .expect("a valid template"),
            );
            bar
        });
        Progress {
            bar,
            total,
            done: Default::default(),
            started: Instant::now(),
            last_line: std::sync::Mutex::new(Instant::now()),
            quiet,
        }
    }

    fn advance(&self, n: u64) {
        let done = self.done.fetch_add(n, std::sync::atomic::Ordering::Relaxed) + n;
        if let Some(bar) = &self.bar {
            bar.set_position(done.min(self.total));
            return;
        }
        if self.quiet {
            return;
        }
        let mut last = self.last_line.lock().expect("progress lock");
        if last.elapsed().as_secs_f64() >= 5.0 {
            *last = Instant::now();
            let rate = done as f64 / self.started.elapsed().as_secs_f64().max(1e-9);
            let eta = (self.total.saturating_sub(done)) as f64 / rate.max(1e-9);
            eprintln!(
                "progress: {done}/{} runs, {rate:.1} runs/s, ETA {eta:.0} s",
                self.total
            );
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// The extra time-series columns of the sweep: those of every variant, in order of first
/// appearance (variants differ when one adds a feature, e.g. `predictive_scaling`). Only
/// computed with `--timeseries`; each variant is compiled and dropped.
fn extra_columns_of_every_variant(
    loaded: &hpasim_models::scenario::Loaded,
    plan: &SweepPlan,
    first: &Simulation,
    timeseries: bool,
) -> Result<Vec<String>, String> {
    let mut columns = first.timeseries_extra_columns();
    if !timeseries {
        return Ok(columns);
    }
    for v in plan.variants.iter().skip(1) {
        let (_, sim) = compile(loaded, v)?;
        for c in sim.timeseries_extra_columns() {
            if !columns.contains(&c) {
                columns.push(c);
            }
        }
    }
    Ok(columns)
}

/// Where each of the sweep's extra columns sits in a variant's row; `None` if identical.
fn layout(sweep: &[String], variant: &[String]) -> Option<Vec<Option<usize>>> {
    (sweep != variant).then(|| {
        sweep
            .iter()
            .map(|c| variant.iter().position(|v| v == c))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_parsed_and_checked() {
        assert_eq!(parse_shard("1/4").unwrap(), (1, 4));
        assert!(parse_shard("0/0")
            .unwrap_err()
            .to_string()
            .contains("at least 1"));
        assert!(parse_shard("4/4")
            .unwrap_err()
            .to_string()
            .contains("below the count"));
        assert!(parse_shard("x").is_err());
    }
}
