//! JUnit XML, the test-report format CI systems display (GitHub Actions reporters, GitLab,
//! Jenkins): what `hpasim check --junit FILE` writes.
//!
//! Pure: [`junit_xml`] takes plain structs and returns the document as a `String`; the caller
//! writes it. Text and attribute values are escaped (`&`, `<`, `>`, `"`, `'`; line breaks and
//! tabs in attributes as character references), and characters XML 1.0 forbids (control
//! characters other than tab, line feed and carriage return) are replaced by U+FFFD.
//!
//! ```text
//! <testsuites name tests failures errors time>
//!   <testsuite name tests failures errors="0" time>
//!     <properties><property name value/>…</properties>
//!     <testcase classname name time>[<failure message type>text</failure>][<system-out>…]
//! ```

use std::fmt::Write as _;

/// A whole report: one or more suites.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    /// Name of the `<testsuites>` element (`hpasim check`).
    pub name: String,
    /// Wall time of everything reported [s].
    pub time_s: f64,
    /// The suites.
    pub suites: Vec<Suite>,
}

/// One `<testsuite>`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Suite {
    /// Suite name (the scenario).
    pub name: String,
    /// Wall time of the suite [s].
    pub time_s: f64,
    /// `<property name= value=/>` pairs, in order.
    pub properties: Vec<(String, String)>,
    /// The test cases.
    pub cases: Vec<Case>,
}

/// One `<testcase>`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Case {
    /// `classname` attribute (`hpasim.<scenario>`).
    pub classname: String,
    /// `name` attribute (`latency_p99_ms < 500`).
    pub name: String,
    /// Wall time of the case [s].
    pub time_s: f64,
    /// Present when the case failed.
    pub failure: Option<Failure>,
    /// Text of `<system-out>`, if any (what was measured).
    pub system_out: Option<String>,
}

/// A `<failure>` element.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Failure {
    /// One-line `message` attribute.
    pub message: String,
    /// `type` attribute (`AssertionFailed`).
    pub kind: String,
    /// Element text: the details.
    pub text: String,
}

impl Suite {
    /// Test cases.
    pub fn tests(&self) -> usize {
        self.cases.len()
    }

    /// Failed test cases.
    pub fn failures(&self) -> usize {
        self.cases.iter().filter(|c| c.failure.is_some()).count()
    }
}

/// The JUnit XML document of `report`, UTF-8, ending with a newline.
pub fn junit_xml(report: &Report) -> String {
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let tests: usize = report.suites.iter().map(Suite::tests).sum();
    let failures: usize = report.suites.iter().map(Suite::failures).sum();
    let _ = writeln!(
        x,
        "<testsuites name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" time=\"{}\">",
        attr(&report.name),
        seconds(report.time_s)
    );
    for s in &report.suites {
        let _ = writeln!(
            x,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\" time=\"{}\">",
            attr(&s.name),
            s.tests(),
            s.failures(),
            seconds(s.time_s)
        );
        if !s.properties.is_empty() {
            x.push_str("    <properties>\n");
            for (name, value) in &s.properties {
                let _ = writeln!(
                    x,
                    "      <property name=\"{}\" value=\"{}\"/>",
                    attr(name),
                    attr(value)
                );
            }
            x.push_str("    </properties>\n");
        }
        for c in &s.cases {
            let _ = write!(
                x,
                "    <testcase classname=\"{}\" name=\"{}\" time=\"{}\"",
                attr(&c.classname),
                attr(&c.name),
                seconds(c.time_s)
            );
            if c.failure.is_none() && c.system_out.is_none() {
                x.push_str("/>\n");
                continue;
            }
            x.push_str(">\n");
            if let Some(f) = &c.failure {
                let _ = writeln!(
                    x,
                    "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                    attr(&f.message),
                    attr(&f.kind),
                    text(&f.text)
                );
            }
            if let Some(out) = &c.system_out {
                let _ = writeln!(x, "      <system-out>{}</system-out>", text(out));
            }
            x.push_str("    </testcase>\n");
        }
        x.push_str("  </testsuite>\n");
    }
    x.push_str("</testsuites>\n");
    x
}

/// Seconds with millisecond precision (`0` for negative or non-finite values).
fn seconds(s: f64) -> String {
    match s.is_finite() && s > 0.0 {
        true => format!("{s:.3}"),
        false => "0".to_string(),
    }
}

/// Whether XML 1.0 allows `c` at all.
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
}

/// Escapes element text.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c if allowed(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out
}

/// Escapes an attribute value (double-quoted); line breaks and tabs survive as references.
pub fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if allowed(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        Report {
            name: "hpasim check".into(),
            time_s: 1.25,
            suites: vec![Suite {
                name: "web & <api>".into(),
                time_s: 1.25,
                properties: vec![("seed".into(), "42".into()), ("on".into(), "mean".into())],
                cases: vec![
                    Case {
                        classname: "hpasim.web".into(),
                        name: "latency_p99_ms < 500".into(),
                        time_s: 0.0,
                        failure: None,
                        system_out: Some("mean 312 \"ok\"".into()),
                    },
                    Case {
                        classname: "hpasim.web".into(),
                        name: "cost_usd <= 1.1 * baseline".into(),
                        time_s: 0.0,
                        failure: Some(Failure {
                            message: "measured 0.015 > 0.0135\nline two".into(),
                            kind: "AssertionFailed".into(),
                            text: "mean 0.015 & more <x> \u{1}".into(),
                        }),
                        system_out: None,
                    },
                    Case {
                        classname: "hpasim.web".into(),
                        name: "bare".into(),
                        ..Default::default()
                    },
                ],
            }],
        }
    }

    #[test]
    fn text_and_attributes_are_escaped() {
        assert_eq!(text("a < b & c > d"), "a &lt; b &amp; c &gt; d");
        assert_eq!(text("\"quotes\" stay\n"), "\"quotes\" stay\n");
        assert_eq!(
            attr("say \"hi\" & 'bye'"),
            "say &quot;hi&quot; &amp; &apos;bye&apos;"
        );
        assert_eq!(attr("a\nb\tc"), "a&#10;b&#9;c");
        assert_eq!(text("bell\u{7}"), "bell\u{FFFD}");
        assert_eq!(attr("<500"), "&lt;500");
    }

    #[test]
    fn the_document_counts_tests_and_failures_and_escapes_everything() {
        let xml = junit_xml(&report());
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"hpasim check\" tests=\"3\" failures=\"1\" errors=\"0\" time=\"1.250\">"), "{xml}");
        assert!(xml.contains(
            "<testsuite name=\"web &amp; &lt;api&gt;\" tests=\"3\" failures=\"1\" errors=\"0\""
        ));
        assert!(xml.contains("<property name=\"seed\" value=\"42\"/>"));
        assert!(xml.contains("name=\"latency_p99_ms &lt; 500\" time=\"0\">"));
        assert!(xml.contains("<system-out>mean 312 \"ok\"</system-out>"));
        assert!(xml.contains(
            "<failure message=\"measured 0.015 &gt; 0.0135&#10;line two\" type=\"AssertionFailed\">mean 0.015 &amp; more &lt;x&gt; \u{FFFD}</failure>"
        ));
        assert!(xml.contains("<testcase classname=\"hpasim.web\" name=\"bare\" time=\"0\"/>"));
        assert_eq!(xml.matches("<testcase ").count(), 3);
        assert_eq!(xml.matches("<failure ").count(), 1);
        assert!(xml.ends_with("</testsuites>\n"));
    }
}
