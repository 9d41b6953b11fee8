//! Command-line arguments, parsed by clap.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// hpasim: predict what Kubernetes autoscaling does to a service, before touching a cluster.
#[derive(Debug, Parser)]
#[command(name = "hpasim", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a scenario and write summary.csv, timeseries.csv and events.csv.
    Run(RunArgs),
    /// Check a scenario (and its files) without running it.
    Validate(ScenarioArgs),
    /// Run the scenario's `sweep:` (variants × replications) on every core; writes
    /// summary.csv, aggregate.csv (mean, sd, 95 % CI per variant) and, with --timeseries,
    /// timeseries.csv.
    Sweep(SweepArgs),
    /// Combine the directories of a sharded sweep (`--shard I/N`) into its final files.
    Merge(MergeArgs),
    /// Paired comparison of two variants (or two scenario files) under common random
    /// numbers: each metric's difference with its 95 % confidence interval.
    Compare(CompareArgs),
    /// Run the scenario's `expect:` assertions (SLOs, budgets) as a CI gate: exit 0 pass,
    /// 1 fail, 2 bad input.
    Check(crate::check::CheckArgs),
    /// Horizontal Pod Autoscaler tools.
    #[command(subcommand)]
    Hpa(HpaCommand),
    /// KEDA (ScaledObject) tools.
    #[command(subcommand)]
    Keda(KedaCommand),
    /// Draw plots and report.html from an output directory's CSV files.
    Report(ReportArgs),
}

/// `hpasim hpa ...`
#[derive(Debug, Subcommand)]
pub enum HpaCommand {
    /// One HPA reconcile from a snapshot (CASE.yaml): prints the decision and why, as JSON.
    Eval {
        /// The case: kubernetesVersion, controller flags, the HPA manifest, replicas, pods,
        /// metrics and history (times relative to now, e.g. `-10m`).
        case: PathBuf,
    },
}

/// `hpasim keda ...`
#[derive(Debug, Subcommand)]
pub enum KedaCommand {
    /// One KEDA polling cycle and the HPA reconcile it feeds (CASE.yaml), as JSON.
    Eval {
        /// The case: the ScaledObject, currentReplicas, what each trigger sees (Kafka offsets,
        /// a list length, a query value, an error), lastActiveTime and createdAt (relative to
        /// now, e.g. `-400s`), the wall clock `now` for cron triggers.
        case: PathBuf,
    },
}

/// The scenario and its overrides.
#[derive(Debug, Args)]
pub struct ScenarioArgs {
    /// Scenario YAML file.
    pub scenario: PathBuf,
    /// Override any scenario field, Helm style: `--set pods.replicas=8`,
    /// `--set workload.arrivals.stages[1].target=300`. Repeatable.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
}

/// Arguments of `hpasim run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Output directory [default: the scenario's outputs.dir, else out/<scenario name>].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Master random seed (overrides the scenario's `seed`).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Simulated duration, e.g. `30m` (overrides the scenario's `duration`).
    #[arg(long, value_name = "D")]
    pub duration: Option<String>,
    /// Also draw the plots (DIR/plots/*.svg, *.png) and DIR/report.html, as `hpasim report`.
    #[arg(long)]
    pub plots: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Arguments of `hpasim sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Output directory [default: the scenario's outputs.dir, else out/<scenario name>-sweep].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Worker threads [default: one per core].
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Replications per variant (overrides `sweep.replications`).
    #[arg(long, value_name = "R")]
    pub replications: Option<u32>,
    /// Master random seed (overrides the scenario's `seed`).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Run only the I-th of N deterministic slices (0 ≤ I < N); combine with `hpasim merge`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Continue an interrupted sweep in DIR: finished chunks are kept, the rest run.
    #[arg(long)]
    pub resume: bool,
    /// Also write timeseries.csv (one row per interval of every run).
    #[arg(long)]
    pub timeseries: bool,
    /// Also draw the plots (DIR/plots: Pareto front, heatmaps, latency CDFs) and
    /// DIR/report.html, as `hpasim report` (ignored with --shard: plot the merged directory).
    #[arg(long)]
    pub plots: bool,
    /// Print nothing but errors (no progress).
    #[arg(long, short)]
    pub quiet: bool,
}

/// Arguments of `hpasim merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Where the merged files go.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The shard directories (`hpasim sweep --shard I/N --out DIR`).
    #[arg(required = true, value_name = "SHARD_DIR")]
    pub shards: Vec<PathBuf>,
}

/// Arguments of `hpasim compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Scenario YAML file (variant A's and B's, or A's when a second file is given).
    pub scenario: PathBuf,
    /// A second scenario file: compare the two files' base scenarios (A = SCENARIO, B = this).
    pub other: Option<PathBuf>,
    /// A variant: `base`, the name of a variant of the scenario's `sweep:`, or overrides
    /// `PATH=VALUE[ PATH=VALUE...]`. Give it exactly twice: A, then B.
    #[arg(long = "variant", value_name = "VARIANT")]
    pub variants: Vec<String>,
    /// Replications of each variant [default: `sweep.replications` if set, else 10]; at
    /// least 2.
    #[arg(long, value_name = "R")]
    pub replications: Option<u32>,
    /// Worker threads [default: one per core].
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Master random seed (overrides the scenario's `seed`, in both files).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Override any scenario field (of both variants, or of both files). Repeatable.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
    /// Also write compare.csv and summary.csv (every run of both variants) into DIR.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Arguments of `hpasim report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The output directory of `hpasim run` or `hpasim sweep`; plots go to OUT_DIR/plots/,
    /// the report to OUT_DIR/report.html.
    #[arg(value_name = "OUT_DIR")]
    pub dir: PathBuf,
    /// Do not write the PNG images (SVG only).
    #[arg(long)]
    pub no_png: bool,
    /// Do not write report.html.
    #[arg(long)]
    pub no_html: bool,
    /// The variant whose timeline is drawn [default: the first].
    #[arg(long, value_name = "NAME")]
    pub variant: Option<String>,
    /// The replication whose timeline and latency CDFs are drawn [default: the first; 0 for
    /// the CDFs].
    #[arg(long, value_name = "R")]
    pub replication: Option<u32>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}
