//! report.html: one self-contained page (inline CSS and SVG, no script, nothing fetched) with
//! what was run, the summary table, the plots, the scale decision log and the scenario files.
//! Every embedded text is HTML-escaped.

use std::fmt::Write as _;

use super::decisions::{parse_decision, Decision};
use super::{Figure, ReportData};
use crate::plots::style::short_number;

/// At most this many rows of the decision log (and of the sweep table) are shown.
pub const MAX_ROWS: usize = 500;

/// `s` with `&`, `<`, `>`, `"` and `'` escaped, safe in element text and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em auto;max-width:1250px;\
padding:0 1em;color:#212121;line-height:1.4}h1{margin-bottom:.2em}h2{margin-top:1.6em;border-bottom:1px solid #ddd}\
table{border-collapse:collapse;font-size:.9em;margin:.5em 0}th,td{border:1px solid #ddd;padding:.25em .5em;\
text-align:right;vertical-align:top}th{background:#f5f5f5}td.t,th.t{text-align:left}th code{font-weight:normal;\
color:#666;font-size:.85em}figure{margin:1em 0}figure svg{max-width:100%;height:auto}figcaption{color:#555}\
pre{background:#f7f7f7;padding:.8em;overflow:auto;font-size:.85em}.note{color:#666}dl.meta dt{font-weight:bold;\
float:left;clear:left;width:9em}dl.meta dd{margin-left:10em}";

/// The key metrics of the summary table: label, summary.csv column, scale.
const KEY_METRICS: [(&str, &str, f64); 14] = [
    ("requests", "requests", 1.0),
    ("error rate [%]", "error_rate", 100.0),
    ("p50 latency [ms]", "latency_p50_ms", 1.0),
    ("p95 latency [ms]", "latency_p95_ms", 1.0),
    ("p99 latency [ms]", "latency_p99_ms", 1.0),
    ("p99.9 latency [ms]", "latency_p999_ms", 1.0),
    ("max latency [ms]", "latency_max_ms", 1.0),
    ("throughput [req/s]", "throughput_rps", 1.0),
    ("replicas mean [pods]", "replicas_mean", 1.0),
    ("replicas max [pods]", "replicas_max", 1.0),
    ("ready pods mean [pods]", "pods_ready_mean", 1.0),
    ("CPU utilization [%]", "cpu_utilization_mean_pct", 1.0),
    ("cost [USD]", "cost_usd", 1.0),
    ("out of SLO [s]", "slo_violation_s", 1.0),
];

/// The metrics of the sweep table (from aggregate.csv).
const SWEEP_METRICS: [(&str, &str, f64); 7] = [
    ("p50 latency [ms]", "latency_p50_ms", 1.0),
    ("p99 latency [ms]", "latency_p99_ms", 1.0),
    ("error rate [%]", "error_rate", 100.0),
    ("throughput [req/s]", "throughput_rps", 1.0),
    ("replicas mean [pods]", "replicas_mean", 1.0),
    ("cost [USD]", "cost_usd", 1.0),
    ("out of SLO [s]", "slo_violation_s", 1.0),
];

fn header(out: &mut String, label: &str, column: &str) {
    let _ = write!(
        out,
        "<th>{}<br><code>{}</code></th>",
        escape(label),
        escape(column)
    );
}

fn num(x: Option<f64>, scale: f64) -> String {
    x.map_or_else(|| "–".to_owned(), |v| short_number(v * scale))
}

/// The whole page.
pub fn render(data: &ReportData, figures: &[Figure]) -> String {
    let scenario = data.scenario();
    let mut h =
        String::with_capacity(64 * 1024 + figures.iter().map(|f| f.svg.len()).sum::<usize>());
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>hpasim report: {}</title>\n\
         <style>{CSS}</style>\n</head>\n<body>\n<h1>hpasim report: {}</h1>\n",
        escape(&scenario),
        escape(&scenario)
    );
    if let Some(d) = data.meta.as_ref().and_then(|m| m.description.as_deref()) {
        let _ = writeln!(h, "<p>{}</p>", escape(d));
    }
    what_ran(&mut h, data);
    h.push_str("<h2>Summary</h2>\n");
    if data.is_sweep() {
        sweep_table(&mut h, data);
    } else {
        run_table(&mut h, data);
    }
    if !figures.is_empty() {
        h.push_str("<h2>Plots</h2>\n");
    }
    for f in figures {
        let _ = write!(
            h,
            "<figure id=\"{}\">\n{}\n<figcaption>{}</figcaption>\n</figure>\n",
            escape(&f.name),
            inline_svg(&f.svg),
            escape(&f.caption)
        );
    }
    if !data.decisions.is_empty() {
        decision_log(&mut h, data);
    }
    if let Some(meta) = &data.meta {
        if !meta.files.is_empty() {
            h.push_str("<h2>Scenario files</h2>\n");
        }
        for f in &meta.files {
            let _ = write!(
                h,
                "<h3><code>{}</code></h3>\n<pre>{}</pre>\n",
                escape(&f.path),
                escape(&f.text)
            );
        }
    }
    h.push_str("</body>\n</html>\n");
    h
}

/// An SVG document as an inline element (without an XML declaration, if any).
fn inline_svg(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => svg[i..].trim_end(),
        None => svg,
    }
}

fn what_ran(h: &mut String, data: &ReportData) {
    let mut rows: Vec<(&str, String)> = Vec::new();
    if let Some(m) = &data.meta {
        let mut cmd = format!("hpasim {} {}", m.command, m.scenario_file);
        for o in &m.overrides {
            let _ = write!(cmd, " --set {o}");
        }
        rows.push(("command", cmd));
        rows.push(("seed", m.seed.to_string()));
        rows.push(("duration", format!("{} s", short_number(m.duration_s))));
        if let Some(slo) = &m.slo {
            let mut s = format!(
                "p{} latency ≤ {} ms",
                slo.percentile,
                short_number(slo.latency_ms)
            );
            if let Some(e) = slo.error_rate {
                let _ = write!(s, ", error rate ≤ {} %", short_number(e * 100.0));
            }
            rows.push(("SLO", s));
        }
        if !m.parameters.is_empty() {
            rows.push(("swept", m.parameters.join(", ")));
        }
        rows.push(("hpasim", m.hpasim_version.clone()));
    } else if let Some(r) = data.summary.rows.first() {
        rows.push(("seed", r.seed.to_string()));
        if let Some(d) = data.summary.value(r, "duration_s") {
            rows.push(("duration", format!("{} s", short_number(d))));
        }
    }
    let variants = data.summary.variants().len();
    let runs = data.summary.rows.len();
    rows.push((
        "runs",
        format!(
            "{runs} ({variants} variant{})",
            if variants == 1 { "" } else { "s" }
        ),
    ));
    h.push_str("<dl class=\"meta\">\n");
    for (k, v) in rows {
        let _ = writeln!(
            h,
            "<dt>{}</dt><dd><code>{}</code></dd>",
            escape(k),
            escape(&v)
        );
    }
    h.push_str("</dl>\n");
}

fn run_table(h: &mut String, data: &ReportData) {
    let s = &data.summary;
    let cols: Vec<_> = KEY_METRICS
        .iter()
        .filter(|m| s.metrics.iter().any(|c| c == m.1))
        .collect();
    h.push_str("<table class=\"summary\">\n<tr><th class=\"t\">run</th>");
    for (label, col, _) in &cols {
        header(h, label, col);
    }
    h.push_str("</tr>\n");
    for r in &s.rows {
        let _ = write!(
            h,
            "<tr><td class=\"t\">{} / {}</td>",
            escape(&r.variant),
            r.replication
        );
        for (_, col, scale) in &cols {
            let _ = write!(h, "<td>{}</td>", num(s.value(r, col), *scale));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
}

fn sweep_table(h: &mut String, data: &ReportData) {
    let Some(agg) = &data.aggregate else { return };
    let variants = data.summary.variants();
    let pareto = data.pareto();
    let front: Vec<&str> = pareto
        .front()
        .iter()
        .map(|&i| pareto.points[i].name.as_str())
        .collect();
    let mut order: Vec<(usize, Option<f64>)> = variants
        .iter()
        .enumerate()
        .map(|(i, v)| (i, agg.get(v.0, "latency_p99_ms").and_then(|r| r.mean)))
        .collect();
    order.sort_by(|a, b| match (a.1, b.1) {
        (Some(x), Some(y)) => x.total_cmp(&y).then(a.0.cmp(&b.0)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.0.cmp(&b.0),
    });
    let _ = writeln!(
        h,
        "<p class=\"note\">Per variant: the mean over the replications ± the 95 % confidence half-width \
         (aggregate.csv), sorted by p99 latency; ● marks the Pareto front of cost and p99 latency.</p>"
    );
    h.push_str("<table class=\"summary\">\n<tr><th class=\"t\">variant</th><th>Pareto</th>");
    for p in &agg.parameters {
        let _ = write!(h, "<th class=\"t\"><code>{}</code></th>", escape(p));
    }
    h.push_str("<th>runs</th>");
    for (label, col, _) in SWEEP_METRICS {
        header(h, label, col);
    }
    h.push_str("</tr>\n");
    for &(i, _) in order.iter().take(MAX_ROWS) {
        let (name, params) = variants[i];
        let mark = if front.contains(&name) { "●" } else { "" };
        let _ = write!(
            h,
            "<tr><td class=\"t\">{}</td><td>{mark}</td>",
            escape(name)
        );
        for p in params {
            let _ = write!(h, "<td class=\"t\">{}</td>", escape(p));
        }
        let runs = data
            .summary
            .rows
            .iter()
            .filter(|r| r.variant == name)
            .count();
        let _ = write!(h, "<td>{runs}</td>");
        for (_, col, scale) in SWEEP_METRICS {
            let cell = match agg.get(name, col) {
                Some(r) => match (r.mean, r.ci95_half_width) {
                    (Some(m), Some(w)) => {
                        format!("{} ± {}", short_number(m * scale), short_number(w * scale))
                    }
                    (m, _) => num(m, scale),
                },
                None => "–".to_owned(),
            };
            let _ = write!(h, "<td>{}</td>", escape(&cell));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
    if order.len() > MAX_ROWS {
        let _ = writeln!(
            h,
            "<p class=\"note\">Showing {MAX_ROWS} of {} variants; all are in aggregate.csv.</p>",
            order.len()
        );
    }
}

fn decision_log(h: &mut String, data: &ReportData) {
    let all: Vec<Decision> = data.decisions.iter().map(parse_decision).collect();
    h.push_str("<h2>Scaling decisions</h2>\n");
    let _ = writeln!(
        h,
        "<p class=\"note\">Every HPA sync (<code>hpa_sync</code>), replica change (<code>replicas_set</code>) \
         KEDA action (<code>keda_*</code>), cluster-autoscaler decision (<code>ca_*</code>) and node event \
         (<code>node_*</code>, <code>spot_interruption</code>) of the run, from events.csv. Metrics read as value → proposed replicas.</p>"
    );
    if all.len() > MAX_ROWS {
        let _ = writeln!(h, "<p class=\"note\">Showing the first {MAX_ROWS} of {} decisions; all are in events.csv.</p>", all.len());
    }
    h.push_str(
        "<table class=\"decisions\">\n<tr><th>time [s]</th><th class=\"t\">kind</th><th>from → to</th>\
         <th class=\"t\">reason</th><th class=\"t\">metrics (value → proposal)</th><th class=\"t\">other</th></tr>\n",
    );
    for d in all.iter().take(MAX_ROWS) {
        let metrics: Vec<String> = d
            .metrics
            .iter()
            .map(|m| match &m.error {
                Some(e) => format!("{}: error: {e}", m.name),
                None => format!("{} {} → {}", m.name, m.value, m.proposal),
            })
            .collect();
        let change = match (&d.from, &d.to) {
            (Some(a), Some(b)) => format!("{a} → {b}"),
            (Some(a), None) => format!("{a} → –"),
            (None, Some(b)) => format!("→ {b}"),
            (None, None) => String::new(),
        };
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"t\">{}</td><td>{}</td><td class=\"t\">{}</td><td class=\"t\">{}</td><td class=\"t\">{}</td></tr>",
            crate::format::format_f64(d.time_s, 3),
            escape(&d.kind),
            escape(&change),
            escape(&d.reason),
            escape(&metrics.join("; ")),
            escape(&d.rest)
        );
    }
    h.push_str("</table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_neutralises_markup_in_embedded_text() {
        assert_eq!(
            escape(r#"<script>alert("x&y")</script>'"#),
            "&lt;script&gt;alert(&quot;x&amp;y&quot;)&lt;/script&gt;&#39;"
        );
        assert_eq!(escape("plain 1 → 2"), "plain 1 → 2");
    }

    #[test]
    fn an_inline_svg_drops_any_xml_declaration() {
        assert_eq!(
            inline_svg("<?xml version=\"1.0\"?>\n<svg a=\"1\"></svg>\n"),
            "<svg a=\"1\"></svg>"
        );
    }
}
