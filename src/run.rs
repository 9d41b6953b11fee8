//! `hpasim run`: one replication of the scenario into an output directory, atomically.

use crate::cli::RunArgs;
use crate::{bad_input, failure, meta, plan};
use hpasim_reports::{human_summary, CsvOptions, CsvSink};
use std::io::Write;
use std::process::ExitCode;

/// Runs the scenario and writes summary.csv, timeseries.csv, events.csv, latency_cdf.csv,
/// hpasim.json (and requests.csv on request) in one commit; with `--plots`, then the plots
/// and report.html.
pub fn run(args: &RunArgs) -> ExitCode {
    let run = match plan::build_run(args) {
        Ok(run) => run,
        Err(e) => return bad_input(&e),
    };
    let loaded = &run.plan.loaded;
    for w in hpasim_models::scenario::capacity::capacity_warnings(&loaded.scenario) {
        eprintln!("warning: {w}");
    }
    let options = CsvOptions {
        requests: loaded.scenario.outputs.requests_sample > 0.0,
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
    let json = meta::to_json(&meta::run_meta("run", loaded, &[]));
    let written = sink.output_mut().create_file(meta::FILE).and_then(|mut f| {
        f.write_all(json.as_bytes())
            .map_err(|source| hpasim_reports::ReportError::Write {
                path: run.out.join(meta::FILE),
                source,
            })
    });
    if let Err(e) = written {
        return failure(&e);
    }
    match sink.commit() {
        Ok(files) => {
            if !args.quiet {
                print!("{}", human_summary(&run.key, &summary));
                let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
                println!("wrote {}", names.join(", "));
            }
            if args.plots {
                return crate::draw_report(&run.out, &Default::default(), args.quiet);
            }
            ExitCode::SUCCESS
        }
        Err(e) => failure(&e),
    }
}
