//! hpasim.json: what produced an output directory (command, scenario, overrides, seed, SLO and
//! the text of the scenario and its manifests), so `hpasim report` can show the inputs beside
//! the results and draw the SLO line.

use hpasim_models::scenario::Loaded;
use hpasim_reports::report::{MetaFile, RunMeta, SloMeta};

/// The file name inside an output directory.
pub const FILE: &str = "hpasim.json";

/// The metadata of `command` (`run` or `sweep`) on `loaded`, with the swept `parameters`.
pub fn run_meta(command: &str, loaded: &Loaded, parameters: &[String]) -> RunMeta {
    let s = &loaded.scenario;
    let mut files = vec![MetaFile {
        path: file_name(&loaded.file),
        text: loaded.text.clone(),
    }];
    for m in &s.manifests {
        // The manifests were read while loading; a file that vanished since is left out.
        if let Ok(text) = std::fs::read_to_string(loaded.base_dir.join(m)) {
            files.push(MetaFile {
                path: m.clone(),
                text,
            });
        }
    }
    RunMeta {
        hpasim_version: env!("CARGO_PKG_VERSION").to_string(),
        command: command.to_string(),
        scenario: s.name.clone(),
        description: s.description.clone(),
        scenario_file: loaded.file.display().to_string(),
        overrides: loaded.sets.iter().map(|o| o.text.clone()).collect(),
        seed: s.seed,
        duration_s: s.duration.secs(),
        slo: s.slo.as_ref().map(|slo| SloMeta {
            latency_ms: slo.latency_ms,
            percentile: slo.percentile,
            error_rate: slo.error_rate,
        }),
        files,
        parameters: parameters.to_vec(),
    }
}

/// The JSON text (pretty, with a final newline).
pub fn to_json(meta: &RunMeta) -> String {
    let mut text = serde_json::to_string_pretty(meta).expect("metadata serializes");
    text.push('\n');
    text
}

fn file_name(path: &std::path::Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}
