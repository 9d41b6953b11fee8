//! `hpasim check`: the scenario's `expect:` assertions (SLOs, budgets, comparisons with a
//! baseline) as a CI gate. Exit 0 when every assertion passes, 1 when any fails (or a run is
//! stopped by the `max_in_system` guard), 2 on bad input (scenario, assertion, baseline file,
//! arguments) or when a requested output cannot be written.
//!
//! ```text
//!  load + --set + --seed ─▶ expect: compiled ─▶ baseline read (if any assertion uses it)
//!    ─▶ replications 0..R in parallel (same streams as replication r of a sweep)
//!    ─▶ per assertion: mean, sd, 95 % CI over the runs ─▶ compare (mean or unfavourable bound)
//!    ─▶ report on stdout, [--out DIR/summary.csv], [--junit FILE] ─▶ exit 0 / 1
//! ```
//! The scenario's `sweep:` is ignored: check measures the base scenario.
//!
//! The statistics and the report text are pure functions ([`evaluate`], [`report_lines`],
//! [`junit_report`], [`baseline_from_csv`]); IO stays in [`check`].

use crate::cli::ScenarioArgs;
use crate::replicate::{pool, replicate, Replication};
use clap::Args;
use hpasim_models::rows::SummaryRow;
use hpasim_models::scenario::expect::{Assertion, Expectations, On, Rhs, EXAMPLE};
use hpasim_models::scenario::SpecError;
use hpasim_reports::aggregate::Moments;
use hpasim_reports::format::format_f64;
use hpasim_reports::junit;
use hpasim_reports::{CsvOptions, CsvSink, Kind, Table};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Arguments of `hpasim check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// summary.csv of an earlier `hpasim check --out DIR`, `run` or `sweep`: the value of
    /// `baseline` in an assertion is the mean of the metric's column over the rows of this
    /// scenario.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Also write the results as JUnit XML to FILE (one test case per assertion).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Also write DIR/summary.csv (one row per replication), usable as a later --baseline.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Replications to average (overrides `expect.replications`, default 5).
    #[arg(long, value_name = "R")]
    pub replications: Option<u32>,
    /// Worker threads [default: one per core].
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Master random seed (overrides the scenario's `seed`, like `--set seed=N`).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Print only the failing assertions (and errors).
    #[arg(long, short)]
    pub quiet: bool,
}

/// The statistic of one metric over the replications.
#[derive(Clone, Debug, PartialEq)]
pub struct Stat {
    /// Every replication's value, in replication order (NaN: the run had none).
    pub values: Vec<f64>,
    /// Replications with a value.
    pub runs: u64,
    /// Mean over those runs, in the metric's unit (NaN without any).
    pub mean: f64,
    /// Sample standard deviation (NaN below two runs).
    pub sd: f64,
    /// Half-width of the Student-t 95 % confidence interval of the mean (NaN below two runs).
    pub half_width: f64,
}

impl Stat {
    /// Mean, sd and 95 % half-width of `values` (NaN values skipped).
    pub fn of(values: Vec<f64>) -> Stat {
        let mut m = Moments::default();
        for &v in &values {
            m.push(v);
        }
        Stat {
            runs: m.count(),
            mean: m.mean(),
            sd: m.sd(),
            half_width: m.ci95_half_width(),
            values,
        }
    }

    /// Lower end of the 95 % confidence interval.
    pub fn low(&self) -> f64 {
        self.mean - self.half_width
    }

    /// Upper end of the 95 % confidence interval.
    pub fn high(&self) -> f64 {
        self.mean + self.half_width
    }
}

/// The verdict on one assertion.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// What was asserted.
    pub assertion: Assertion,
    /// What was measured.
    pub stat: Stat,
    /// The baseline value, for assertions relative to it.
    pub baseline: Option<f64>,
    /// The threshold, in the metric's unit (NaN when the baseline has no value).
    pub threshold: f64,
    /// The value compared with the threshold: the mean, or the unfavourable 95 % bound.
    pub compared: f64,
    /// Whether `compared OP threshold` holds (never with a NaN on either side).
    pub passed: bool,
}

/// `value` of summary.csv column `metric` as the file writes it (rounded to the column's
/// decimals, then read back), so that a measured mean and a baseline read from summary.csv
/// are computed from the very same numbers: the same seed gives exactly the same mean.
pub fn as_written(metric: &str, value: f64) -> f64 {
    let Some(column) = Table::Summary.column(metric) else {
        return value;
    };
    if column.kind == Kind::Integer || !value.is_finite() {
        return value;
    }
    format_f64(value, column.kind.decimals())
        .parse()
        .unwrap_or(value)
}

/// Evaluates every assertion over the replications' summaries; `baseline` maps metric names
/// to their baseline value (only the metrics of relative assertions are looked up). Values
/// are taken as summary.csv writes them ([`as_written`]).
pub fn evaluate(
    expectations: &Expectations,
    runs: &[SummaryRow],
    baseline: &BTreeMap<String, f64>,
) -> Vec<Outcome> {
    let columns: Vec<_> = runs.iter().map(SummaryRow::metrics).collect();
    expectations
        .assertions
        .iter()
        .map(|a| {
            let values: Vec<f64> = columns
                .iter()
                .map(|m| {
                    m.iter()
                        .find(|(name, _)| *name == a.metric)
                        .map_or(f64::NAN, |(_, v)| as_written(&a.metric, *v))
                })
                .collect();
            let stat = Stat::of(values);
            let base = match a.rhs {
                Rhs::Number(_) => None,
                Rhs::Baseline { .. } => Some(baseline.get(&a.metric).copied().unwrap_or(f64::NAN)),
            };
            let threshold = a.rhs.threshold(base).unwrap_or(f64::NAN);
            let compared = match (a.on, a.op.upper_is_unfavourable()) {
                (On::Mean, _) => stat.mean,
                (On::Ci95, true) => stat.high(),
                (On::Ci95, false) => stat.low(),
            };
            Outcome {
                assertion: a.clone(),
                passed: a.op.holds(compared, threshold),
                stat,
                baseline: base,
                threshold,
                compared,
            }
        })
        .collect()
}

/// A number for people: four significant digits, the CSV files' trimmed decimal notation
/// (`312.4`, `0.01353`, `20`), `n/a` for NaN.
pub fn num(x: f64) -> String {
    if x.is_nan() {
        return "n/a".to_string();
    }
    hpasim_reports::format::significant(x)
}

/// `<= 1.1 × baseline (0.0123) → 0.01353`, or `< 500`.
pub fn condition_text(o: &Outcome) -> String {
    let a = &o.assertion;
    match o.baseline {
        None => a.condition().replace(" * ", " × "),
        Some(b) => format!(
            "{} ({}) → {}",
            a.condition().replace(" * ", " × "),
            num(b),
            num(o.threshold)
        ),
    }
}

/// `mean 312.4 (95 % CI 298.1 … 326.7, 5 runs)`, or under ci95
/// `upper 95 % bound 326.7 (mean 312.4, 5 runs)`.
pub fn measured_text(o: &Outcome) -> String {
    let s = &o.stat;
    let runs = match s.runs {
        1 => "1 run".to_string(),
        n => format!("{n} runs"),
    };
    match o.assertion.on {
        On::Mean if s.runs >= 2 => format!(
            "mean {} (95 % CI {} … {}, {runs})",
            num(s.mean),
            num(s.low()),
            num(s.high())
        ),
        On::Mean => format!("mean {} ({runs})", num(s.mean)),
        On::Ci95 => format!(
            "{} 95 % bound {} (mean {}, 95 % CI {} … {}, {runs})",
            match o.assertion.op.upper_is_unfavourable() {
                true => "upper",
                false => "lower",
            },
            num(o.compared),
            num(s.mean),
            num(s.low()),
            num(s.high())
        ),
    }
}

/// One aligned line per outcome: `PASS  metric  condition  measured`.
pub fn report_lines(outcomes: &[Outcome]) -> Vec<String> {
    let metric_w = outcomes
        .iter()
        .map(|o| o.assertion.metric.chars().count())
        .max()
        .unwrap_or(0);
    let conditions: Vec<String> = outcomes.iter().map(condition_text).collect();
    let cond_w = conditions
        .iter()
        .map(|c| c.chars().count())
        .max()
        .unwrap_or(0);
    outcomes
        .iter()
        .zip(&conditions)
        .map(|(o, c)| {
            let status = if o.passed { "PASS" } else { "FAIL" };
            let metric = &o.assertion.metric;
            let pad_m = metric_w - metric.chars().count();
            let pad_c = cond_w - c.chars().count();
            format!(
                "{status}  {metric}{}  {c}{}  {}",
                " ".repeat(pad_m),
                " ".repeat(pad_c),
                measured_text(o)
            )
        })
        .collect()
}

/// `check `quickstart`: 3 passed, 1 failed`.
pub fn verdict_line(scenario: &str, outcomes: &[Outcome]) -> String {
    let failed = outcomes.iter().filter(|o| !o.passed).count();
    format!(
        "check `{scenario}`: {} passed, {failed} failed",
        outcomes.len() - failed
    )
}

/// Why an outcome failed, in one line: `mean 0.015 is not <= 0.01353 (1.1 × baseline 0.0123)`.
fn failure_message(o: &Outcome) -> String {
    let what = match o.assertion.on {
        On::Mean => "mean",
        On::Ci95 if o.assertion.op.upper_is_unfavourable() => "upper 95 % bound",
        On::Ci95 => "lower 95 % bound",
    };
    let mut m = format!(
        "{}: {what} {} is not {} {}",
        o.assertion.metric,
        num(o.compared),
        o.assertion.op.symbol(),
        num(o.threshold)
    );
    if let Some(b) = o.baseline {
        m += &format!(" ({} with baseline {})", o.assertion.rhs, num(b));
    }
    if o.compared.is_nan() {
        m += " (no value measured: the metric is empty in every run, or ci95 had fewer than 2)";
    }
    m
}

/// The JUnit report of a check: one suite (the scenario), one case per assertion.
pub fn junit_report(
    scenario: &str,
    seed: u64,
    expectations: &Expectations,
    outcomes: &[Outcome],
    wall_s: f64,
) -> junit::Report {
    let cases = outcomes
        .iter()
        .map(|o| {
            let values: Vec<String> = o.stat.values.iter().map(|v| num(*v)).collect();
            let detail = format!(
                "{} {}: {}\nper replication: {}\nsd {}",
                o.assertion.metric,
                condition_text(o),
                measured_text(o),
                values.join(", "),
                num(o.stat.sd)
            );
            junit::Case {
                classname: format!("hpasim.{scenario}"),
                name: o.assertion.to_string(),
                time_s: 0.0,
                failure: (!o.passed).then(|| junit::Failure {
                    message: failure_message(o),
                    kind: "AssertionFailed".to_string(),
                    text: detail.clone(),
                }),
                system_out: Some(detail),
            }
        })
        .collect();
    junit::Report {
        name: "hpasim check".to_string(),
        time_s: wall_s,
        suites: vec![junit::Suite {
            name: scenario.to_string(),
            time_s: wall_s,
            properties: vec![
                ("seed".to_string(), seed.to_string()),
                (
                    "replications".to_string(),
                    expectations.replications.to_string(),
                ),
                ("on".to_string(), expectations.on.name().to_string()),
            ],
            cases,
        }],
    }
}

/// Baseline values from the text of a summary.csv (`label` names it in messages): per
/// metric of `metrics`, the mean of its column over the rows whose `scenario` is `scenario`
/// (empty cells skipped; NaN when none has a value).
pub fn baseline_from_csv(
    text: &str,
    label: &str,
    scenario: &str,
    metrics: &[&str],
) -> Result<BTreeMap<String, f64>, SpecError> {
    let hint = "pass the summary.csv written by `hpasim check --out DIR` (or `hpasim run` / `sweep`) for this scenario";
    let bad = |m: String| SpecError::at_path(label, m).with_hint(hint);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| bad(format!("not a readable CSV file: {e}")))?
        .clone();
    let column = |name: &str| header.iter().position(|h| h == name);
    let scenario_col = column("scenario").ok_or_else(|| {
        bad("not a summary.csv: there is no `scenario` column in its header".to_string())
    })?;
    let mut cols = Vec::new();
    for m in metrics {
        let c = column(m).ok_or_else(|| bad(format!("there is no `{m}` column in its header")))?;
        cols.push((*m, c, Moments::default()));
    }
    let mut found: Vec<String> = Vec::new();
    let mut matched = 0usize;
    for record in reader.records() {
        let record = record.map_err(|e| bad(format!("malformed CSV: {e}")))?;
        let line = record.position().map_or(0, |p| p.line());
        let name = record.get(scenario_col).unwrap_or_default();
        if name != scenario {
            if !found.iter().any(|f| f == name) {
                found.push(name.to_string());
            }
            continue;
        }
        matched += 1;
        for (m, c, moments) in &mut cols {
            let cell = record.get(*c).unwrap_or_default().trim();
            if cell.is_empty() {
                continue;
            }
            let v: f64 = cell.parse().map_err(|_| {
                SpecError::at_path(
                    format!("{label}:{line}"),
                    format!("`{cell}` in column `{m}` is not a number"),
                )
                .with_hint(hint)
            })?;
            moments.push(v);
        }
    }
    if matched == 0 {
        let message = match found.is_empty() {
            true => "it has no rows".to_string(),
            false => format!(
                "it has no row for scenario `{scenario}` (it has {})",
                found
                    .iter()
                    .map(|f| format!("`{f}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        return Err(bad(message));
    }
    Ok(cols
        .into_iter()
        .map(|(m, _, moments)| (m.to_string(), moments.mean()))
        .collect())
}

/// What stopped a check before a verdict.
enum Stop {
    /// Bad input or an output that cannot be written: exit 2.
    Input(String),
    /// A run stopped (the `max_in_system` guard): exit 1.
    Run(String),
}

impl From<SpecError> for Stop {
    fn from(e: SpecError) -> Stop {
        Stop::Input(e.to_string())
    }
}

/// `hpasim check`: runs, reports, exits 0 (pass), 1 (fail) or 2 (bad input).
pub fn check(args: &CheckArgs) -> ExitCode {
    match check_inner(args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(Stop::Input(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
        Err(Stop::Run(e)) => {
            eprintln!("error: {e}");
            eprintln!("  (no assertion was evaluated)");
            ExitCode::from(1)
        }
    }
}

fn check_inner(args: &CheckArgs) -> Result<bool, Stop> {
    let threads = pool(args.threads).map_err(|e| {
        Stop::Input(format!(
            "{e}\n  hint: leave --threads out for one thread per core"
        ))
    })?;
    let extra: Vec<String> = args.seed.iter().map(|s| format!("seed={s}")).collect();
    let plan = crate::plan::build(&args.scenario, &extra)?;
    let loaded = &plan.loaded;
    let scenario = &loaded.scenario;
    let Some(expect) = &scenario.expect else {
        return Err(SpecError::at_path(
            args.scenario.scenario.display().to_string(),
            "the scenario has no `expect:` block: there is nothing to check",
        )
        .with_hint(EXAMPLE)
        .into());
    };
    let mut expectations = expect.compile().map_err(|errors| {
        errors
            .into_iter()
            .next()
            .map(|e| loaded.locate(e))
            .unwrap_or_else(|| SpecError::at_path("expect", "invalid"))
    })?;
    if let Some(r) = args.replications {
        expectations = expectations.with_replications(r).map_err(|m| {
            SpecError::at_path(format!("--replications {r}"), m)
                .with_hint("`on: ci95` needs at least 2 replications; use more, or `on: mean`")
        })?;
    }
    let relative: Vec<&Assertion> = expectations
        .assertions
        .iter()
        .filter(|a| a.rhs.uses_baseline())
        .collect();
    let baseline = match (&args.baseline, relative.first()) {
        (None, Some(a)) => {
            let e = SpecError::at_path(
                format!("expect.{}", a.metric),
                format!("`{a}` compares with `baseline`, but no --baseline was given"),
            )
            .with_hint("pass --baseline summary.csv from a previous run (hpasim check --out DIR writes one)");
            return Err(loaded.locate(e).into());
        }
        (Some(path), _) => {
            let label = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|e| {
                let reason = e.to_string();
                let reason = reason.split(" (os error").next().unwrap_or_default().to_string();
                SpecError::at_path(&label, format!("cannot read the baseline file: {reason}"))
                    .with_hint("pass the summary.csv written by `hpasim check --out DIR` on the base branch (or by `hpasim run` / `sweep`)")
            })?;
            let mut metrics: Vec<&str> = relative.iter().map(|a| a.metric.as_str()).collect();
            metrics.dedup();
            baseline_from_csv(&text, &label, &scenario.name, &metrics)?
        }
        (None, None) => BTreeMap::new(),
    };
    if !args.quiet {
        for w in hpasim_models::scenario::capacity::capacity_warnings(scenario) {
            eprintln!("warning: {w}");
        }
    }
    let started = Instant::now();
    let runs: Vec<Replication> = threads
        .install(|| replicate(loaded, scenario, "base", expectations.replications))
        .map_err(Stop::Run)?;
    let wall_s = started.elapsed().as_secs_f64();
    let summaries: Vec<SummaryRow> = runs.iter().map(|r| r.summary.clone()).collect();
    let outcomes = evaluate(&expectations, &summaries, &baseline);
    for (line, o) in report_lines(&outcomes).iter().zip(&outcomes) {
        if !args.quiet || !o.passed {
            println!("{line}");
        }
    }
    if !args.quiet {
        println!("{}", verdict_line(&scenario.name, &outcomes));
    }
    if let Some(dir) = &args.out {
        let path = write_summary(dir, &runs).map_err(Stop::Input)?;
        if !args.quiet {
            println!("wrote {}", path.display());
        }
    }
    if let Some(file) = &args.junit {
        let report = junit_report(
            &scenario.name,
            scenario.seed,
            &expectations,
            &outcomes,
            wall_s,
        );
        crate::files::write_atomically(file, junit::junit_xml(&report).as_bytes())
            .map_err(Stop::Input)?;
        if !args.quiet {
            println!("wrote {}", file.display());
        }
    }
    Ok(outcomes.iter().all(|o| o.passed))
}

/// Writes `DIR/summary.csv` (one row per replication, run's header and number format)
/// atomically: the rows go through a [`CsvSink`] in a hidden directory inside DIR, whose
/// summary.csv is then renamed into place.
fn write_summary(dir: &Path, runs: &[Replication]) -> Result<PathBuf, String> {
    let tmp = dir.join(format!(".check-{}.tmp", std::process::id()));
    let result = (|| {
        let mut sink = CsvSink::create(&tmp, CsvOptions::default()).map_err(|e| e.to_string())?;
        for r in runs {
            sink.summary(&r.key, &r.summary);
        }
        sink.commit().map_err(|e| e.to_string())?;
        let to = dir.join("summary.csv");
        std::fs::rename(tmp.join("summary.csv"), &to)
            .map_err(|e| format!("{}: {e}", to.display()))?;
        Ok(to)
    })();
    if tmp.exists() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use hpasim_models::scenario::expect::Expect;

    fn expectations(yaml: &str) -> Expectations {
        serde_saphyr::from_str::<Expect>(yaml)
            .expect("YAML")
            .compile()
            .expect("valid")
    }

    fn rows(p99: &[f64]) -> Vec<SummaryRow> {
        p99.iter()
            .map(|&v| SummaryRow {
                latency_p99_ms: v,
                cost_usd: v / 1000.0,
                throughput_rps: 100.0 + v,
                ..Default::default()
            })
            .collect()
    }

    #[test]
    fn the_mean_is_compared_by_default_and_the_unfavourable_bound_under_ci95() {
        let runs = rows(&[90.0, 100.0, 110.0]);
        let mean = evaluate(
            &expectations("latency_p99_ms: < 105\n"),
            &runs,
            &BTreeMap::new(),
        );
        assert!(mean[0].passed);
        assert_eq!(mean[0].compared, 100.0);
        let ci = evaluate(
            &expectations("on: ci95\nlatency_p99_ms: < 105\n"),
            &runs,
            &BTreeMap::new(),
        );
        assert!(!ci[0].passed);
        // sd 10, t(2) = 4.302653: upper bound 100 + 4.302653 × 10 / √3.
        assert!((ci[0].compared - (100.0 + 4.302653 * 10.0 / 3f64.sqrt())).abs() < 1e-9);
        // throughput 190, 200, 210: the mean passes `> 180`, the lower bound (175.2) fails.
        let mean = evaluate(
            &expectations("throughput_rps: \"> 180\"\n"),
            &runs,
            &BTreeMap::new(),
        );
        assert!(mean[0].passed);
        let lower = evaluate(
            &expectations("throughput_rps: {that: \"> 180\", on: ci95}\n"),
            &runs,
            &BTreeMap::new(),
        );
        assert!(lower[0].compared < 180.0 && !lower[0].passed);
    }

    #[test]
    fn baseline_thresholds_use_the_baseline_value() {
        let runs = rows(&[100.0, 100.0]);
        let base: BTreeMap<String, f64> = [("cost_usd".to_string(), 0.1)].into();
        let o = evaluate(
            &expectations("cost_usd: \"<= 1.0 * baseline\"\n"),
            &runs,
            &base,
        );
        assert!(o[0].passed);
        assert_eq!(o[0].baseline, Some(0.1));
        let o = evaluate(&expectations("cost_usd: \"< baseline\"\n"), &runs, &base);
        assert!(!o[0].passed);
        let o = evaluate(
            &expectations("cost_usd: \"< baseline\"\n"),
            &runs,
            &BTreeMap::new(),
        );
        assert!(!o[0].passed, "a missing baseline value fails");
    }

    #[test]
    fn a_metric_without_values_fails() {
        let runs = rows(&[f64::NAN, f64::NAN]);
        let o = evaluate(
            &expectations("latency_p99_ms: < 1e9\n"),
            &runs,
            &BTreeMap::new(),
        );
        assert!(!o[0].passed);
        assert!(failure_message(&o[0]).contains("no value measured"));
    }

    #[test]
    fn report_lines_are_aligned_and_name_metric_threshold_and_mean() {
        let runs = rows(&[300.0, 310.0, 320.0]);
        let base: BTreeMap<String, f64> = [("cost_usd".to_string(), 0.0123)].into();
        let o = evaluate(
            &expectations("latency_p99_ms: < 500\ncost_usd: \"<= 1.10 * baseline\"\n"),
            &runs,
            &base,
        );
        let lines = report_lines(&o);
        assert_eq!(
            lines[0],
            "PASS  latency_p99_ms  < 500                                 mean 310 (95 % CI 285.2 … 334.8, 3 runs)"
        );
        assert!(lines[1].starts_with(
            "FAIL  cost_usd        <= 1.1 × baseline (0.0123) → 0.01353  mean 0.31 (95 % CI"
        ));
        assert_eq!(verdict_line("web", &o), "check `web`: 1 passed, 1 failed");
    }

    #[test]
    fn numbers_are_shown_with_four_significant_digits() {
        assert_eq!(num(312.41), "312.4");
        assert_eq!(num(0.013530), "0.01353");
        assert_eq!(num(20.0), "20");
        assert_eq!(num(123456.7), "123457");
        assert_eq!(num(0.0), "0");
        assert_eq!(num(f64::NAN), "n/a");
        assert_eq!(num(-2.5), "-2.5");
    }

    #[test]
    fn the_baseline_is_the_mean_over_the_scenarios_rows() {
        let csv = "scenario,variant,replication,seed,cost_usd,latency_p99_ms\nweb,base,0,1,1,5\nweb,base,1,1,3,\nother,base,0,1,100,100\n";
        let b = baseline_from_csv(csv, "b.csv", "web", &["cost_usd", "latency_p99_ms"]).unwrap();
        assert_eq!(b["cost_usd"], 2.0);
        assert_eq!(b["latency_p99_ms"], 5.0);
        let e = baseline_from_csv(csv, "b.csv", "api", &["cost_usd"]).unwrap_err();
        assert!(e
            .message
            .contains("no row for scenario `api` (it has `web`, `other`)"));
        let e = baseline_from_csv(csv, "b.csv", "web", &["error_rate"]).unwrap_err();
        assert!(e.message.contains("no `error_rate` column"));
        let e = baseline_from_csv("a,b\n1,2\n", "b.csv", "web", &[]).unwrap_err();
        assert!(e.message.contains("no `scenario` column"));
        let bad = "scenario,cost_usd\nweb,abc\n";
        let e = baseline_from_csv(bad, "b.csv", "web", &["cost_usd"]).unwrap_err();
        assert_eq!(e.location, "b.csv:2");
    }

    #[test]
    fn junit_report_has_one_case_per_assertion_and_failures_for_failing_ones() {
        let runs = rows(&[300.0, 310.0]);
        let exp = expectations("latency_p99_ms: < 500\nthroughput_rps: \"> 1000\"\n");
        let o = evaluate(&exp, &runs, &BTreeMap::new());
        let r = junit_report("web", 7, &exp, &o, 1.5);
        let s = &r.suites[0];
        assert_eq!((s.tests(), s.failures()), (2, 1));
        assert_eq!(s.cases[0].name, "latency_p99_ms < 500");
        assert!(s.cases[1]
            .failure
            .as_ref()
            .unwrap()
            .message
            .contains("throughput_rps: mean 405 is not > 1000"));
        assert_eq!(s.properties[0], ("seed".to_string(), "7".to_string()));
    }
}
