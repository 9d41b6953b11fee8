//! Loading synthetic output directories, and the report drawn from them.

use std::fs;
use std::path::Path;

use super::*;
use crate::test_util::{entries, Scratch};

const SUMMARY: &str = "scenario,variant,replication,seed,duration_s,requests,error_rate,\
latency_p50_ms,latency_p99_ms,cost_usd,replicas_mean,future_metric\n\
gw,base,0,42,60,1000,0.01,10,250.5,0.125,3.5,\n";

const TIMESERIES: &str = "scenario,variant,replication,seed,time_s,arrival_rate_rps,\
throughput_rps,replicas_desired,pods_ready,pods_starting,pods_terminating,in_flight,queued,\
in_system_mean,cpu_utilization_pct,completed,latency_mean_ms,wait_mean_ms,wait_probability,\
latency_p50_ms,latency_p95_ms,latency_p99_ms,rejected,timed_out,cost_usd,hpa_cpu_utilization_pct\n\
gw,base,0,42,20,10,10,2,2,0,0,1,0,1,50,200,10,0,0,9,20,30,0,0,0.01,\n\
gw,base,0,42,40,20,19,3,2,1,0,2,1,2,80,380,12,1,0.1,,,,1,2,0.02,80\n\
gw,base,0,42,60,30,30,3,3,0,0,2,0,2,60,600,11,0,0,10,25,40,0,0,0.03,60\n\
gw,base,0,42,80,0,0,3,3,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0.04,60\n";

const EVENTS: &str = "scenario,variant,replication,seed,time_s,kind,object,detail\n\
gw,base,0,42,0,replicas_set,deployment/gw,0 -> 2 (initial)\n\
gw,base,0,42,0,pod_created,pod/gw-0,\n\
gw,base,0,42,30,hpa_sync,hpa/gw,\"cpu=80% -> 3; current=2 proposal=3 prenormalized=3 stabilized=3 desired=3 reason=DesiredWithinRange\"\n\
gw,base,0,42,30,replicas_set,deployment/gw,2 -> 3 (hpa DesiredWithinRange)\n";

const META: &str = r#"{"hpasim_version": "0.1.0", "command": "run", "scenario": "gw",
"description": "A <gateway> & friends", "scenario_file": "gw.yaml", "overrides": ["pods.replicas=2"],
"seed": 42, "duration_s": 60.0, "slo": {"latency_ms": 500.0, "percentile": 99, "error_rate": 0.01},
"files": [{"path": "gw.yaml", "text": "name: gw\n# <script>alert('x')</script>\n"}], "parameters": []}"#;

fn cdf(variants: &[&str]) -> String {
    let mut s = "scenario,variant,replication,seed,quantile,latency_ms\n".to_owned();
    for v in variants {
        for (q, l) in [(0.0, 0.0), (0.5, 10.0), (0.99, 250.0), (1.0, 900.0)] {
            s.push_str(&format!("gw,{v},0,42,{q},{l}\n"));
        }
    }
    s
}

fn write(dir: &Path, files: &[(&str, &str)]) {
    fs::create_dir_all(dir).unwrap();
    for (name, text) in files {
        fs::write(dir.join(name), text).unwrap();
    }
}

#[test]
fn load_reads_columns_by_name_and_empty_cells_as_missing() {
    let s = Scratch::new("load");
    write(
        s.path(),
        &[
            ("summary.csv", SUMMARY),
            ("timeseries.csv", TIMESERIES),
            ("events.csv", EVENTS),
        ],
    );
    let data = ReportData::load(s.path(), &ReportOptions::default()).unwrap();
    let r = &data.summary.rows[0];
    assert_eq!((r.variant.as_str(), r.replication, r.seed), ("base", 0, 42));
    assert_eq!(data.summary.value(r, "latency_p99_ms"), Some(250.5));
    assert_eq!(data.summary.value(r, "future_metric"), None);
    let ts = data.timeseries.as_ref().unwrap();
    assert_eq!(ts.points.len(), 4);
    assert_eq!(
        ts.points[3].latency_p50_ms, None,
        "nothing completed: no percentile"
    );
    assert_eq!(ts.points[2].latency_p99_ms, Some(40.0));
    assert_eq!(ts.points[1].latency_p99_ms, None, "empty cell");
    assert_eq!(ts.points[1].errors, Some(3.0), "rejected + timed out");
    let kinds: Vec<&str> = data.decisions.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["replicas_set", "hpa_sync", "replicas_set"],
        "pod events left out"
    );
    assert!(!data.is_sweep() && data.meta.is_none() && data.cdfs.is_empty());
}

#[test]
fn load_of_a_sweep_takes_the_parameters_from_aggregate_csv() {
    let s = Scratch::new("sweep");
    let summary = "scenario,variant,replication,seed,latency_p99_ms,cost_usd,a.b,c\n\
                   gw,v0000,0,1,100,2,1,x\ngw,v0000,1,2,200,4,1,x\ngw,v0001,0,1,50,8,2,x\n";
    let aggregate = "scenario,variant,a.b,c,metric,replications,mean,sd,ci95_half_width\n\
                     gw,v0000,1,x,latency_p99_ms,2,150,70.7,635.3\ngw,v0001,2,x,latency_p99_ms,1,50,,\n";
    write(
        s.path(),
        &[("summary.csv", summary), ("aggregate.csv", aggregate)],
    );
    let data = ReportData::load(s.path(), &ReportOptions::default()).unwrap();
    assert_eq!(data.summary.parameters, ["a.b", "c"]);
    assert_eq!(data.summary.metrics, ["latency_p99_ms", "cost_usd"]);
    assert_eq!(
        data.summary.variant_means("cost_usd"),
        [Some(3.0), Some(8.0)]
    );
    let agg = data.aggregate.as_ref().unwrap();
    let row = agg.get("v0001", "latency_p99_ms").unwrap();
    assert_eq!(
        (row.mean, row.sd, row.ci95_half_width),
        (Some(50.0), None, None)
    );
    assert_eq!(row.params, ["2", "x"]);
    let pareto = data.pareto();
    assert_eq!(
        pareto.front().len(),
        2,
        "cheaper vs faster: both on the front"
    );
}

#[test]
fn load_errors_name_the_file_the_line_and_the_column() {
    let s = Scratch::new("errors");
    let e = ReportData::load(&s.path().join("nope"), &ReportOptions::default()).unwrap_err();
    assert!(e.is_input() && e.to_string().contains("nope"), "{e}");
    write(
        s.path(),
        &[(
            "summary.csv",
            "scenario,variant,replication,seed,latency_p99_ms\n",
        )],
    );
    let e = ReportData::load(s.path(), &ReportOptions::default()).unwrap_err();
    assert!(
        e.to_string()
            .contains("summary.csv:1: no column `cost_usd`"),
        "{e}"
    );
    let bad = "scenario,variant,replication,seed,latency_p99_ms,cost_usd\ngw,base,0,1,12,abc\n";
    write(s.path(), &[("summary.csv", bad)]);
    let e = ReportData::load(s.path(), &ReportOptions::default()).unwrap_err();
    assert!(
        e.to_string()
            .contains("summary.csv:2: column `cost_usd`: expected a number"),
        "{e}"
    );
    let ragged = "scenario,variant,replication,seed,latency_p99_ms,cost_usd\ngw,base,0,1,12\n";
    write(s.path(), &[("summary.csv", ragged)]);
    let e = ReportData::load(s.path(), &ReportOptions::default()).unwrap_err();
    assert!(
        e.is_input() && e.to_string().contains("malformed CSV"),
        "{e}"
    );
    write(
        s.path(),
        &[("summary.csv", SUMMARY), ("hpasim.json", "{\"command\": ")],
    );
    let e = ReportData::load(s.path(), &ReportOptions::default()).unwrap_err();
    assert!(e.to_string().contains("hpasim.json"), "{e}");
}

#[test]
fn write_report_uses_hpasim_json_for_the_slo_line_and_escapes_the_scenario_text() {
    let s = Scratch::new("meta");
    let cdf = cdf(&["base"]);
    write(
        s.path(),
        &[
            ("summary.csv", SUMMARY),
            ("timeseries.csv", TIMESERIES),
            ("events.csv", EVENTS),
            ("hpasim.json", META),
            ("latency_cdf.csv", &cdf),
        ],
    );
    let files = write_report(s.path(), &ReportOptions::default()).unwrap();
    let names: Vec<String> = files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "timeline.svg",
            "timeline.png",
            "cdf.svg",
            "cdf.png",
            "report.html"
        ]
    );
    assert_eq!(
        entries(&s.path().join("plots")),
        ["cdf.png", "cdf.svg", "timeline.png", "timeline.svg"]
    );
    let timeline = fs::read_to_string(s.path().join("plots/timeline.svg")).unwrap();
    assert!(timeline.contains("SLO p99 500 ms"));
    let html = fs::read_to_string(s.path().join("report.html")).unwrap();
    assert!(html.contains("A &lt;gateway&gt; &amp; friends"));
    assert!(html.contains("# &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(!html.contains("<script"));
    assert!(html.contains("hpasim run gw.yaml --set pods.replicas=2"));
    assert!(html.contains("cpu 80% → 3") && html.contains("DesiredWithinRange"));
    assert_eq!(html.matches("<svg").count(), 2, "timeline and CDF inline");
}

#[test]
fn write_report_is_deterministic_and_skips_what_the_directory_lacks() {
    let s = Scratch::new("minimal");
    write(s.path(), &[("summary.csv", SUMMARY)]);
    let opts = ReportOptions {
        png: false,
        ..Default::default()
    };
    let files = write_report(s.path(), &opts).unwrap();
    assert_eq!(
        files,
        [s.path().join("report.html")],
        "no time series: no plot"
    );
    let first = fs::read(s.path().join("report.html")).unwrap();
    write_report(s.path(), &opts).unwrap();
    assert_eq!(fs::read(s.path().join("report.html")).unwrap(), first);
    assert_eq!(entries(s.path()), ["report.html", "summary.csv"]);
}

#[test]
fn an_unknown_variant_is_bad_input_and_writes_nothing() {
    let s = Scratch::new("variant");
    write(
        s.path(),
        &[("summary.csv", SUMMARY), ("timeseries.csv", TIMESERIES)],
    );
    let opts = ReportOptions {
        variant: Some("v9".into()),
        ..Default::default()
    };
    let e = write_report(s.path(), &opts).unwrap_err();
    assert!(e.is_input() && e.to_string().contains("base"), "{e}");
    assert_eq!(entries(s.path()), ["summary.csv", "timeseries.csv"]);
}
