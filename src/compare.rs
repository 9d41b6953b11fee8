//! `hpasim compare`: a paired comparison of two variants under common random numbers.
//!
//! ```text
//!  SCENARIO --variant A --variant B      A, B: `base` | a sweep variant's name | PATH=VALUE...
//!  A.yaml B.yaml                         the two files' base scenarios (stems as names)
//!      ─▶ replications 0..R of A and of B (replication r: the same random streams in both)
//!      ─▶ per summary metric: d_r = B_r − A_r ─▶ mean, 95 % t interval, relative %, verdict
//!      ─▶ table on stdout; with --out: compare.csv and summary.csv, written atomically
//! ```
//! The statistics live in `hpasim_reports::compare`; this module resolves the variants, runs
//! them and writes the outputs. Nothing depends on the thread count: replications come back in
//! order and the statistics are computed sequentially.

use crate::cli::CompareArgs;
use crate::replicate::{replicate, Replication};
use hpasim_models::rows::{SummaryRow, SUMMARY_METRICS};
use hpasim_models::scenario::{load, Loaded, Scenario, SpecError};
use hpasim_models::sweep::{plan, variant_scenario, Variant};
use hpasim_models::Simulation;
use hpasim_reports::compare::{PairedDiff, Verdict};
use hpasim_reports::format::{push_f64, VALUE_DECIMALS};
use hpasim_reports::{CsvOptions, CsvSink, OutputDir, Table};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// Replications when neither `--replications` nor `sweep.replications` says.
pub const DEFAULT_REPLICATIONS: u32 = 10;

/// The columns of compare.csv, in order.
pub const COLUMNS: [&str; 12] = [
    "scenario",
    "variant_a",
    "variant_b",
    "replications",
    "metric",
    "a_mean",
    "b_mean",
    "diff_mean",
    "diff_ci95_low",
    "diff_ci95_high",
    "relative_diff_pct",
    "verdict",
];

/// One side of the comparison, ready to run.
struct Side {
    /// The loaded file (base directory and error locations); shared by both sides of a
    /// comparison of two variants of one file.
    loaded: Arc<Loaded>,
    /// The scenario to run (sweep removed, overrides applied, validated).
    scenario: Scenario,
    /// Its name in the table and in the CSV files.
    name: String,
    /// What it is, for the header line when that says more than the name (the file, or the
    /// variant given when two equal names became `a` and `b`).
    label: String,
}

/// One metric of the comparison.
struct MetricRow {
    metric: &'static str,
    diff: PairedDiff,
    verdict: Verdict,
}

/// `hpasim compare`.
pub fn compare(args: &CompareArgs) -> ExitCode {
    let (a, b, replications) = match prepare(args) {
        Ok(p) => p,
        Err(e) => return crate::bad_input(&e),
    };
    let pool = match crate::replicate::pool(args.threads) {
        Ok(p) => p,
        Err(e) => return crate::bad_input(&e),
    };
    let (runs_a, runs_b) = pool.install(|| {
        rayon::join(
            || replicate(&a.loaded, &a.scenario, &a.name, replications),
            || replicate(&b.loaded, &b.scenario, &b.name, replications),
        )
    });
    let (runs_a, runs_b) = match (runs_a, runs_b) {
        (Ok(x), Ok(y)) => (x, y),
        (Err(e), _) | (_, Err(e)) => return crate::failure(&e),
    };
    let rows = statistics(&runs_a, &runs_b);
    let scenario = if a.scenario.name == b.scenario.name {
        a.scenario.name.clone()
    } else {
        format!("{} vs {}", a.scenario.name, b.scenario.name)
    };
    if !args.quiet {
        let paired = if a.scenario.seed == b.scenario.seed {
            "paired by replication under common random numbers (replication r of both draws the same random streams)".to_string()
        } else {
            format!(
                "paired by replication, but NOT under common random numbers: the seeds differ ({} vs {}; pass --seed N)",
                a.scenario.seed, b.scenario.seed
            )
        };
        let show = |s: &Side| match s.label == s.name {
            true => s.name.clone(),
            false => format!("{} ({})", s.name, s.label),
        };
        print!(
            "{}",
            table(
                &scenario,
                [&show(&a), &show(&b)],
                [&a.name, &b.name],
                replications,
                &paired,
                &rows
            )
        );
    }
    if let Some(out) = &args.out {
        let text = compare_csv(&scenario, &a.name, &b.name, replications, &rows);
        match write_outputs(out, &text, &runs_a, &runs_b) {
            Ok(files) => {
                if !args.quiet {
                    let names: Vec<String> =
                        files.iter().map(|f| f.display().to_string()).collect();
                    println!("wrote {}", names.join(", "));
                }
            }
            Err(e) => return crate::failure(&e),
        }
    }
    ExitCode::SUCCESS
}

/// Checks the arguments, loads and resolves both sides and the replication count; every error
/// here is bad input (exit 2). Both scenarios are compiled once, so missing files they read
/// are reported here too.
fn prepare(args: &CompareArgs) -> Result<(Side, Side, u32), SpecError> {
    let mut sets = args.sets.clone();
    if let Some(seed) = args.seed {
        sets.push(format!("seed={seed}"));
    }
    let (a, b) = match &args.other {
        Some(other) => {
            if !args.variants.is_empty() {
                return Err(SpecError::at_path(
                    "--variant",
                    "cannot be combined with a second scenario file",
                )
                .with_hint(
                    "compare two files (`hpasim compare A.yaml B.yaml`) or two variants of one \
                     (`hpasim compare S.yaml --variant A --variant B`), not both",
                ));
            }
            let la = Arc::new(load(&args.scenario, &sets)?);
            let lb = Arc::new(load(other, &sets)?);
            let (na, nb) = (stem(&args.scenario), stem(other));
            let (na, nb) = if na == nb {
                ("a".to_string(), "b".to_string())
            } else {
                (na, nb)
            };
            let (mut a, mut b) = (base_side(la, na)?, base_side(lb, nb)?);
            a.label = args.scenario.display().to_string();
            b.label = other.display().to_string();
            (a, b)
        }
        None => {
            if args.variants.len() != 2 {
                return Err(SpecError::at_path(
                    "--variant",
                    format!(
                        "give exactly two variants (A, then B), got {}",
                        args.variants.len()
                    ),
                )
                .with_hint(
                    "e.g. `--variant base --variant 'hpa.spec.behavior.scaleDown.stabilizationWindowSeconds=60'`, \
                     or two scenario files: `hpasim compare A.yaml B.yaml`",
                ));
            }
            let loaded = Arc::new(load(&args.scenario, &sets)?);
            let a = resolve(&loaded, &args.scenario, &sets, &args.variants[0])?;
            let b = resolve(&loaded, &args.scenario, &sets, &args.variants[1])?;
            if a.name == b.name {
                (
                    Side {
                        name: "a".into(),
                        ..a
                    },
                    Side {
                        name: "b".into(),
                        ..b
                    },
                )
            } else {
                (a, b)
            }
        }
    };
    let replications = match args.replications {
        Some(r) => r,
        None => [&a.loaded, &b.loaded]
            .into_iter()
            .find_map(|l| explicit_replications(l))
            .unwrap_or(DEFAULT_REPLICATIONS),
    };
    if replications < 2 {
        let source = match args.replications {
            Some(r) => format!("--replications {r}"),
            None => "sweep.replications".to_string(),
        };
        return Err(SpecError::at_path(
            source,
            format!("a confidence interval needs at least 2 replications, got {replications}"),
        )
        .with_hint(format!(
            "pass `--replications {DEFAULT_REPLICATIONS}` (more replications, narrower intervals)"
        )));
    }
    for side in [&a, &b] {
        Simulation::compile(&side.scenario, &side.loaded.base_dir)
            .map_err(|e| side.loaded.locate(e))?;
    }
    Ok((a, b, replications))
}

/// `sweep.replications` when the file or a `--set` gives it (the schema default of 1 is not a
/// choice the user made).
fn explicit_replications(loaded: &Loaded) -> Option<u32> {
    let sweep = loaded.scenario.sweep.as_ref()?;
    let in_file = hpasim_models::scenario::locate(&loaded.text, "sweep.replications").is_some();
    let in_sets = loaded.sets.iter().any(|s| {
        let path = s.text.split('=').next().unwrap_or_default().trim();
        path == "sweep" || path == "sweep.replications"
    });
    (in_file || in_sets).then_some(sweep.replications)
}

/// The file stem of `path` (`scenario` for `dir/scenario.yaml`).
fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// The base variant (no overrides): the scenario without its sweep.
fn base_variant() -> Variant {
    Variant {
        name: "base".into(),
        params: Vec::new(),
        sets: Vec::new(),
    }
}

/// A side running `loaded`'s base scenario.
fn base_side(loaded: Arc<Loaded>, name: String) -> Result<Side, SpecError> {
    let scenario = variant_scenario(&loaded, &base_variant())?;
    Ok(Side {
        loaded,
        scenario,
        label: name.clone(),
        name,
    })
}

/// Splits inline overrides at whitespace; a piece without `=` continues the previous value
/// (so `service.cpu={dist: exponential, rate: 12}` stays one override).
fn split_overrides(text: &str) -> Vec<String> {
    let mut sets: Vec<String> = Vec::new();
    for piece in text.split_whitespace() {
        match sets.last_mut() {
            Some(last) if !piece.contains('=') => {
                last.push(' ');
                last.push_str(piece);
            }
            _ => sets.push(piece.to_string()),
        }
    }
    sets
}

/// Resolves one `--variant`: `base`, a sweep variant's name, or inline overrides.
fn resolve(
    loaded: &Arc<Loaded>,
    file: &Path,
    sets: &[String],
    text: &str,
) -> Result<Side, SpecError> {
    let want = text.trim();
    if want == "base" {
        return base_side(loaded.clone(), "base".into());
    }
    let named = loaded
        .scenario
        .sweep
        .as_ref()
        .is_some_and(|s| s.variants.iter().any(|v| v.name == want));
    if want.contains('=') && !named {
        let inline = split_overrides(want);
        let mut all = sets.to_vec();
        all.extend(inline.iter().cloned());
        let own = load(file, &all).map_err(|e| SpecError {
            location: format!("--variant '{want}': {}", e.location),
            ..e
        })?;
        return base_side(Arc::new(own), inline.join(" "));
    }
    let sweep_plan = plan(loaded)?;
    if let Some(v) = sweep_plan.variants.iter().find(|v| v.name == want) {
        let scenario = variant_scenario(loaded, v)?;
        return Ok(Side {
            loaded: loaded.clone(),
            scenario,
            name: want.to_string(),
            label: want.to_string(),
        });
    }
    // `base`, the named variants, then the generated points as a range.
    let named = loaded
        .scenario
        .sweep
        .as_ref()
        .map_or(0, |s| s.variants.len());
    let (named, generated) = sweep_plan
        .variants
        .split_at(named.min(sweep_plan.variants.len()));
    let names: Vec<&str> = std::iter::once("base")
        .chain(
            sweep_plan
                .variants
                .iter()
                .map(|v| v.name.as_str())
                .filter(|n| *n != "base"),
        )
        .collect();
    let mut listed: Vec<String> = std::iter::once("base")
        .chain(
            named
                .iter()
                .map(|v| v.name.as_str())
                .filter(|n| *n != "base"),
        )
        .map(str::to_string)
        .collect();
    match generated {
        [first, .., last] => listed.push(format!(
            "{} … {} ({} generated points)",
            first.name,
            last.name,
            generated.len()
        )),
        [only] if only.name != "base" => listed.push(only.name.clone()),
        _ => {}
    }
    let listed = listed.join(", ");
    let mut message = format!("unknown variant `{want}`");
    if loaded.scenario.sweep.is_none() {
        message += " (the scenario has no `sweep:`)";
    }
    if let Some(near) = hpasim_models::scenario::suggest::did_you_mean(want, names.iter().copied())
    {
        message += &format!(", {near}");
    }
    Err(
        SpecError::at_path(format!("--variant {want}"), message).with_hint(format!(
            "valid variants: {listed}; or give overrides, e.g. `--variant 'pods.replicas=4'`"
        )),
    )
}

/// Every summary metric's paired statistics, in summary.csv column order.
fn statistics(a: &[Replication], b: &[Replication]) -> Vec<MetricRow> {
    let metrics = |runs: &[Replication]| -> Vec<[(&'static str, f64); SUMMARY_METRICS]> {
        runs.iter().map(|r| r.summary.metrics()).collect()
    };
    let (ma, mb) = (metrics(a), metrics(b));
    SummaryRow::default()
        .metrics()
        .iter()
        .enumerate()
        .map(|(k, &(metric, _))| {
            let xs: Vec<f64> = ma.iter().map(|m| m[k].1).collect();
            let ys: Vec<f64> = mb.iter().map(|m| m[k].1).collect();
            let diff = PairedDiff::new(&xs, &ys);
            let verdict = diff.verdict(metric);
            MetricRow {
                metric,
                diff,
                verdict,
            }
        })
        .collect()
}

/// Decimal places of `metric` in summary.csv (9 for seconds and fractions, else 6).
fn decimals(metric: &str) -> usize {
    Table::Summary
        .column(metric)
        .map_or(VALUE_DECIMALS, |c| c.kind.decimals())
}

/// Whether a row is not worth showing: identical and zero on both sides (an unused feature).
fn idle(row: &MetricRow) -> bool {
    row.diff.identical
        && [row.diff.a_mean, row.diff.b_mean]
            .iter()
            .all(|x| *x == 0.0 || x.is_nan())
}

/// compare.csv: one row per metric (all of them), the project's number format.
fn compare_csv(scenario: &str, a: &str, b: &str, replications: u32, rows: &[MetricRow]) -> Vec<u8> {
    let mut wtr = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    // Writing to memory cannot fail.
    let _ = wtr.write_record(COLUMNS);
    for row in rows {
        let d = &row.diff;
        let places = decimals(row.metric);
        let (low, high) = d.ci95();
        let num = |x: f64, places: usize| {
            let mut s = String::new();
            push_f64(&mut s, x, places);
            s
        };
        let _ = wtr.write_record([
            scenario.to_string(),
            a.to_string(),
            b.to_string(),
            replications.to_string(),
            row.metric.to_string(),
            num(d.a_mean, places),
            num(d.b_mean, places),
            num(d.diff_mean, places),
            num(low, places),
            num(high, places),
            num(d.relative_pct(), VALUE_DECIMALS),
            row.verdict.label().to_string(),
        ]);
    }
    wtr.into_inner().unwrap_or_default()
}

/// A number for people: about 4 significant digits, no exponent, trailing zeros trimmed.
fn human(x: f64) -> String {
    if x.is_nan() {
        return "–".to_string();
    }
    hpasim_reports::format::significant(x)
}

/// The table printed on stdout.
fn table(
    scenario: &str,
    shown_names: [&str; 2],
    [a, b]: [&str; 2],
    replications: u32,
    paired: &str,
    rows: &[MetricRow],
) -> String {
    let mut out = format!(
        "compare `{scenario}`: A = {}, B = {}; {replications} replications each, {paired}\n",
        shown_names[0], shown_names[1]
    );
    let shown: Vec<&MetricRow> = rows.iter().filter(|r| !idle(r)).collect();
    let mut cells: Vec<[String; 6]> = vec![[
        "metric".to_string(),
        "A mean".to_string(),
        "B mean".to_string(),
        "B − A (95 % CI)".to_string(),
        "relative".to_string(),
        "verdict".to_string(),
    ]];
    for r in &shown {
        let d = &r.diff;
        let diff = if d.identical {
            "0".to_string()
        } else if d.half_width.is_nan() {
            human(d.diff_mean)
        } else {
            format!("{} ± {}", human(d.diff_mean), human(d.half_width))
        };
        let rel = d.relative_pct();
        let rel = if rel.is_nan() {
            String::new()
        } else {
            format!("{:+.1} %", rel)
        };
        cells.push([
            r.metric.to_string(),
            human(d.a_mean),
            human(d.b_mean),
            diff,
            rel,
            r.verdict.named(a, b),
        ]);
    }
    let mut width = [0usize; 6];
    for row in &cells {
        for (w, c) in width.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    for row in &cells {
        let mut line = String::new();
        for (k, (c, w)) in row.iter().zip(width).enumerate() {
            let pad = " ".repeat(w - c.chars().count());
            match k {
                0 | 5 => line += &format!("{c}{pad}"),
                _ => line += &format!("{pad}{c}"),
            }
            if k < 5 {
                line += "  ";
            }
        }
        out += line.trim_end();
        out.push('\n');
    }
    let skipped = rows.len() - shown.len();
    if skipped > 0 {
        out += &format!(
            "({skipped} metrics not shown: identical and 0 in both variants, e.g. features the scenario does not use)\n"
        );
    }
    out
}

/// Writes compare.csv and summary.csv (every run, A's then B's, in replication order) into
/// `dir`, all or nothing.
fn write_outputs(
    dir: &Path,
    compare: &[u8],
    a: &[Replication],
    b: &[Replication],
) -> Result<Vec<PathBuf>, String> {
    let mut out = OutputDir::create(dir).map_err(|e| e.to_string())?;
    // summary.csv comes from the project's own writer, staged in a hidden directory (it also
    // writes timeseries.csv and events.csv, which a comparison has no rows for).
    let stage = dir.join(format!(".compare-summary-{}", std::process::id()));
    let summary = (|| -> Result<Vec<u8>, String> {
        let mut sink = CsvSink::create(&stage, CsvOptions::default()).map_err(|e| e.to_string())?;
        for run in a.iter().chain(b) {
            sink.summary(&run.key, &run.summary);
        }
        sink.commit().map_err(|e| e.to_string())?;
        let path = stage.join("summary.csv");
        std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))
    })();
    let _ = std::fs::remove_dir_all(&stage);
    let summary = summary?;
    for (name, bytes) in [("compare.csv", compare), ("summary.csv", &summary[..])] {
        let mut f = out.create_file(name).map_err(|e| e.to_string())?;
        f.write_all(bytes)
            .map_err(|e| format!("{}: {e}", out.final_path(name).display()))?;
    }
    out.commit().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_overrides_split_at_whitespace_but_keep_flow_values_whole() {
        assert_eq!(
            split_overrides("pods.replicas=4  seed=3"),
            ["pods.replicas=4", "seed=3"]
        );
        assert_eq!(
            split_overrides("service.cpu={dist: exponential, rate: 12} pods.replicas=2"),
            [
                "service.cpu={dist: exponential, rate: 12}",
                "pods.replicas=2"
            ]
        );
    }

    #[test]
    fn human_numbers_keep_about_four_significant_digits() {
        assert_eq!(human(20.4567), "20.46");
        assert_eq!(human(0.0040921), "0.004092");
        assert_eq!(human(123456.7), "123457");
        assert_eq!(human(-1.5), "-1.5");
        assert_eq!(human(0.0), "0");
        assert_eq!(human(f64::NAN), "–");
    }
}
