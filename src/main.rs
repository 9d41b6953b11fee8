//! The `hpasim` command line: parse, plan, run, report. Exit 0 ok, 1 failure while writing
//! outputs, 2 bad input (clap's own usage errors also exit 2).

mod check;
mod cli;
mod compare;
mod files;
mod meta;
mod plan;
mod replicate;
mod run;
mod sweep;

use clap::Parser;
use cli::{Cli, Command, HpaCommand, KedaCommand};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Validate(args) => match plan::build(&args, &[]).and_then(|p| {
            let sweep = match p.loaded.scenario.sweep {
                Some(_) => Some(hpasim_models::sweep::plan(&p.loaded)?),
                None => None,
            };
            Ok((p, sweep))
        }) {
            Ok((p, sweep)) => {
                if let Some(s) = sweep {
                    println!(
                        "sweep: {} variants × {} replications, parameters: {}",
                        s.variants.len(),
                        s.replications,
                        match s.parameters.is_empty() {
                            true => "none".to_string(),
                            false => s.parameters.join(", "),
                        }
                    );
                }
                for w in hpasim_models::scenario::capacity::capacity_warnings(&p.loaded.scenario) {
                    println!("warning: {w}");
                }
                println!(
                    "{}: ok (scenario `{}`)",
                    args.scenario.display(),
                    p.loaded.scenario.name
                );
                ExitCode::SUCCESS
            }
            Err(e) => bad_input(&e),
        },
        Command::Sweep(args) => sweep::sweep(&args),
        Command::Report(args) => report(&args),
        Command::Merge(args) => sweep::merge(&args),
        Command::Compare(args) => compare::compare(&args),
        Command::Check(args) => check::check(&args),
        Command::Hpa(HpaCommand::Eval { case }) => match hpasim_models::hpa::eval_file(&case) {
            Ok(answer) => {
                println!("{answer:#}");
                ExitCode::SUCCESS
            }
            Err(e) => bad_input(&e),
        },
        Command::Keda(KedaCommand::Eval { case }) => match hpasim_models::keda::eval_file(&case) {
            Ok(answer) => {
                println!("{answer:#}");
                ExitCode::SUCCESS
            }
            Err(e) => bad_input(&e),
        },
        Command::Run(args) => run::run(&args),
    }
}

/// `hpasim report`: exit 2 when the directory or its files are bad input, 1 when writing fails.
fn report(args: &cli::ReportArgs) -> ExitCode {
    let opts = hpasim_reports::report::ReportOptions {
        png: !args.no_png,
        html: !args.no_html,
        variant: args.variant.clone(),
        replication: args.replication,
        ..Default::default()
    };
    draw_report(&args.dir, &opts, args.quiet)
}

/// Draws the plots and report.html of `dir` (for `report`, and `run`/`sweep --plots`).
fn draw_report(
    dir: &std::path::Path,
    opts: &hpasim_reports::report::ReportOptions,
    quiet: bool,
) -> ExitCode {
    match hpasim_reports::report::write_report(dir, opts) {
        Ok(files) => {
            if !quiet {
                for f in files {
                    println!("wrote {}", f.display());
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) if e.is_input() => bad_input(&e),
        Err(e) => failure(&e),
    }
}

fn bad_input(e: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::from(2)
}

fn failure(e: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::from(1)
}
