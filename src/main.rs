//! The `hpasim` command line: parse, plan, run, report. Exit 0 ok, 1 failure while writing
//! outputs, 2 bad input (clap's own usage errors also exit 2).

mod check;
mod cli;
mod plan;
mod replicate;
mod sweep;

use clap::Parser;
use cli::{Cli, Command, HpaCommand, KedaCommand};
use hpasim_reports::{human_summary, CsvOptions, CsvSink};
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
        Command::Merge(args) => sweep::merge(&args),
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
        Command::Run(args) => {
            let run = match plan::build_run(&args) {
                Ok(run) => run,
                Err(e) => return bad_input(&e),
            };
            for w in hpasim_models::scenario::capacity::capacity_warnings(&run.plan.loaded.scenario)
            {
                eprintln!("warning: {w}");
            }
            let options = CsvOptions {
                requests: run.plan.loaded.scenario.outputs.requests_sample > 0.0,
                timeseries_extra: run.plan.simulation.timeseries_extra_columns(),
                ..Default::default()
            };
            let mut sink = match CsvSink::create(&run.out, options) {
                Ok(sink) => sink,
                Err(e) => return failure(&e),
            };
            let summary = match run.plan.simulation.run_checked(&run.key, &mut sink) {
                Ok(summary) => summary,
                Err(stopped) => return failure(&stopped),
            };
            sink.summary(&run.key, &summary);
            match sink.commit() {
                Ok(files) => {
                    if !args.quiet {
                        print!("{}", human_summary(&run.key, &summary));
                        let names: Vec<String> =
                            files.iter().map(|f| f.display().to_string()).collect();
                        println!("wrote {}", names.join(", "));
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => failure(&e),
            }
        }
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
