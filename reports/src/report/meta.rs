//! hpasim.json: what produced an output directory (command, scenario, overrides, seed, SLO,
//! the scenario files' text). `run` and `sweep` write it; `hpasim report` reads it.

use serde::{Deserialize, Serialize};

/// The contents of hpasim.json. Field names are the JSON keys.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunMeta {
    /// The hpasim version that wrote the directory, e.g. `0.1.0`.
    pub hpasim_version: String,
    /// `run` or `sweep`.
    pub command: String,
    /// The scenario's name.
    pub scenario: String,
    /// The scenario's description, if it has one.
    #[serde(default)]
    pub description: Option<String>,
    /// The scenario file's path, as given on the command line.
    pub scenario_file: String,
    /// The `--set PATH=VALUE` overrides, in order.
    #[serde(default)]
    pub overrides: Vec<String>,
    /// The master seed.
    pub seed: u64,
    /// Simulated duration of each run (s).
    pub duration_s: f64,
    /// The scenario's service-level objective, if it sets one.
    #[serde(default)]
    pub slo: Option<SloMeta>,
    /// The scenario file and the files it references, with their text.
    #[serde(default)]
    pub files: Vec<MetaFile>,
    /// The swept parameters (override paths); empty for a run.
    #[serde(default)]
    pub parameters: Vec<String>,
}

/// A service-level objective: the latency percentile bound and the error-rate bound.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SloMeta {
    /// The latency bound (ms).
    pub latency_ms: f64,
    /// Which percentile must stay under the bound, e.g. 99.
    pub percentile: u32,
    /// The error-rate bound (fraction), if any.
    #[serde(default)]
    pub error_rate: Option<f64>,
}

/// One input file's text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetaFile {
    /// The path, as referenced.
    pub path: String,
    /// The file's text.
    pub text: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &str = r#"{"hpasim_version": "0.1.0", "command": "run", "scenario": "gw",
        "description": null, "scenario_file": "scenarios/gw.yaml", "overrides": ["seed=7"],
        "seed": 42, "duration_s": 960.0,
        "slo": {"latency_ms": 500.0, "percentile": 99, "error_rate": null},
        "files": [{"path": "scenario.yaml", "text": "name: gw\n"}], "parameters": []}"#;

    #[test]
    fn run_meta_reads_the_documented_json_and_writes_it_back_the_same() {
        let m: RunMeta = serde_json::from_str(JSON).unwrap();
        assert_eq!(m.command, "run");
        assert_eq!(m.description, None);
        assert_eq!(m.seed, 42);
        let slo = m.slo.as_ref().unwrap();
        assert_eq!(
            (slo.latency_ms, slo.percentile, slo.error_rate),
            (500.0, 99, None)
        );
        assert_eq!(m.files[0].text, "name: gw\n");
        let back: RunMeta = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
        assert_eq!(back, m);
        let v: serde_json::Value = serde_json::to_value(&m).unwrap();
        assert!(v["description"].is_null() && v["slo"]["error_rate"].is_null());
    }
}
