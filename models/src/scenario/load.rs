//! Loading a scenario: read the file, parse it, apply `--set` overrides, validate, and turn
//! every problem into one [`SpecError`] that says what, where (`file:line:column`, or the
//! `--set` that caused it) and how to fix it.
//!
//! serde-saphyr reports a line and column with each error, but errors inside the internally
//! tagged enums (`kind:`, `dist:`) point at the enclosing block. Those locations are refined by
//! searching the located YAML tree ([`super::locate`]) for the offending key or value.
//!
//! Manifests (`deployment:`, `hpa:`, `manifests:` files, see [`crate::manifest`]) are merged
//! into the scenario before `--set` overrides apply, so overrides reach them wherever they were
//! written; later errors at paths under a manifest read from a file are located in that file.

use super::locate::{Node, ParamPath, Pos, Seg};
use super::overrides::{self, Override};
use super::suggest::did_you_mean;
use super::{validate, Scenario, SpecError};
use crate::manifest::documents::{self, Source};
use serde::de::DeserializeOwned;
use serde_saphyr::{DefaultMessageFormatter, Error as YamlError, MessageFormatter};
use std::path::{Path, PathBuf};

/// A parsed, overridden and validated scenario, with what is needed to locate later errors.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// The scenario, `--set` overrides applied.
    pub scenario: Scenario,
    /// The scenario file as given (for messages).
    pub file: PathBuf,
    /// Its directory (to resolve relative CSV paths).
    pub base_dir: PathBuf,
    /// The file's text, to locate errors found later (compiling distributions, reading CSVs).
    pub text: String,
    /// The `--set` overrides that were applied, in order.
    pub sets: Vec<Override>,
    /// The manifests read from `manifests` files: errors under their field are located there.
    pub sources: Vec<Source>,
}

/// Reads, parses, applies `--set` overrides (each `a.b[0].c=value`) and validates a scenario.
pub fn load(path: &Path, sets: &[String]) -> Result<Loaded, SpecError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        let reason = e.to_string();
        let reason = reason.split(" (os error").next().unwrap_or_default();
        let err = SpecError {
            location: path.display().to_string(),
            message: format!("cannot read scenario `{}`: {reason}", path.display()),
            hint: None,
        };
        match e.kind() {
            std::io::ErrorKind::NotFound => err.with_hint(
                "check the path: it is relative to the current directory (see scenarios/ for examples)",
            ),
            std::io::ErrorKind::InvalidData => err.with_hint("a scenario must be a UTF-8 YAML text file"),
            _ => err,
        }
    })?;
    load_str(&text, path, sets)
}

/// Like [`load`], from text; `file_label` names the file in messages and gives the base directory.
pub fn load_str(text: &str, file_label: &Path, sets: &[String]) -> Result<Loaded, SpecError> {
    if let Some(root) = Node::parse(text) {
        documents::check_inline(&root, file_label)?;
    }
    let mut parsed: Scenario = serde_saphyr::from_str(text)
        .map_err(|e| yaml_error::<Scenario>(&e, text, file_label, "scenario"))?;
    let sets = sets
        .iter()
        .map(|s| Override::parse(s))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(set) = sets
        .iter()
        .find(|s| s.path.0.first() == Some(&Seg::Key("manifests".into())))
    {
        return Err(SpecError {
            location: set.label(),
            message: "`manifests` cannot be set with --set: the files are read before overrides apply".into(),
            hint: Some("edit the scenario's `manifests`, or override the manifests' fields, e.g. `--set deployment.spec.replicas=5`".into()),
        });
    }
    let base_dir = match file_label.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let sources = documents::merge_files(&mut parsed, file_label, text, &base_dir)?;
    let scenario = overrides::apply(parsed, &sets)?;
    let loaded = Loaded {
        scenario,
        file: file_label.to_path_buf(),
        base_dir,
        text: text.to_string(),
        sets,
        sources,
    };
    match validate::validate(&loaded.scenario).into_iter().next() {
        Some(err) => Err(loaded.locate(err)),
        None => Ok(loaded),
    }
}

impl Loaded {
    /// Turns an error located by parameter path ([`SpecError::at_path`]) into one located at
    /// `file:line:column` (or at the `--set` that gave the value); the path stays in the message.
    /// Errors already located elsewhere are returned unchanged.
    /// An error under a manifest read from a file (`deployment.spec.replicas`) is located in
    /// that file, unless a `--set` gave the value.
    pub fn locate(&self, err: SpecError) -> SpecError {
        let path = ParamPath::parse(&err.location).unwrap_or_default();
        let set = self.sets.iter().any(|s| path.0.starts_with(&s.path.0));
        let source = self
            .sources
            .iter()
            .find(|src| !set && path.0.first() == Some(&Seg::Key(src.field.clone())));
        match source {
            Some(src) => locate_error(&src.file, &src.text, &[], err, 1),
            None => locate_error(&self.file, &self.text, &self.sets, err, 0),
        }
    }
}

/// [`Loaded::locate`] from its parts: `text` is the text the path is written in, less its first
/// `skip` segments (1 for a manifest file: `deployment.spec` is `spec` there). A message that
/// already names its path (`` `pods` ``) is not prefixed with it.
pub fn locate_error(
    file: &Path,
    text: &str,
    sets: &[Override],
    mut err: SpecError,
    skip: usize,
) -> SpecError {
    let is_path = err
        .location
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_.[]".contains(c));
    let Some(path) = ParamPath::parse(&err.location).ok().filter(|_| is_path) else {
        return err;
    };
    let shown = path.to_string();
    if !err.message.starts_with(&shown) && !err.message.contains(&format!("`{shown}`")) {
        err.message = format!("{shown}: {}", err.message);
    }
    if let Some(set) = sets.iter().rev().find(|s| path.0.starts_with(&s.path.0)) {
        err.location = set.label();
        return err;
    }
    let written = path.0.get(skip..).unwrap_or_default();
    let pos = Node::parse(text).and_then(|root| match root.deepest(written) {
        (0, _) => None,
        (_, node) => Some(node.anchor_pos()),
    });
    err.location = at(file, pos);
    err
}

/// `file:line:column`, or just `file`.
fn at(file: &Path, pos: Option<Pos>) -> String {
    match pos {
        Some((line, col)) => format!("{}:{line}:{col}", file.display()),
        None => file.display().to_string(),
    }
}

/// "in `pods`" for a non-empty path.
fn within(path: &[Seg]) -> String {
    match path {
        [] => String::new(),
        p => format!(" in `{}`", ParamPath(p.to_vec())),
    }
}

/// Turns a serde-saphyr error from parsing `text` as `T` (named `what` in hints: "scenario",
/// "Deployment") into a located [`SpecError`].
pub(crate) fn yaml_error<T: DeserializeOwned>(
    err: &YamlError,
    text: &str,
    file: &Path,
    what: &str,
) -> SpecError {
    let inner = err.without_snippet();
    let reported = err
        .location()
        .map(|l| (l.line() as usize, l.column() as usize));
    let Some(root) = Node::parse(text) else {
        let message = DefaultMessageFormatter.format_message(inner).to_string();
        return SpecError {
            location: at(file, reported),
            message: format!("invalid YAML: {message}"),
            hint: Some("check the indentation (spaces, not tabs), the `key: value` colons and the quotes around this line".into()),
        };
    };
    let from = reported.unwrap_or((1, 1));
    let (message, pos, hint) = match inner {
        YamlError::SerdeUnknownField {
            field, expected, ..
        } => {
            let found = root.find_after(from, &|n, is_key| is_key && n.scalar() == Some(field));
            let parent = found
                .as_ref()
                .map(|(p, _)| &p[..p.len() - 1])
                .unwrap_or_default();
            let mut message = format!("unknown field `{field}`{}", within(parent));
            if let Some(s) = did_you_mean(field, expected.iter().copied()) {
                message = format!("{message}, {s}");
            }
            let hint = match expected.is_empty() {
                true => "this block takes no fields".to_string(),
                false => format!("valid fields here: {}", expected.join(", ")),
            };
            (message, found.map(|(_, p)| p), Some(hint))
        }
        YamlError::SerdeUnknownVariant {
            variant, expected, ..
        } => {
            let found = root.find_after(from, &|n, is_key| !is_key && n.scalar() == Some(variant));
            let mut message = format!("unknown value `{variant}`");
            if let Some((path, _)) = &found {
                message += &format!(" for `{}`", ParamPath(path.clone()));
            }
            if let Some(s) = did_you_mean(variant, expected.iter().copied()) {
                message = format!("{message}, {s}");
            }
            let hint = format!("use one of: {}", expected.join(", "));
            (message, found.map(|(_, p)| p), Some(hint))
        }
        YamlError::SerdeMissingField { field, .. } => {
            let owner = missing_field_owner::<T>(text, &root, from, field);
            let (place, pos, hint) = match owner.as_deref() {
                Some([]) => (
                    String::new(),
                    Some((1, 1)),
                    format!("add `{field}: ...` at the top level of the {what}"),
                ),
                Some(p) => (
                    within(p),
                    root.get(p).map(Node::anchor_pos),
                    format!("add `{field}: ...` to `{}`", ParamPath(p.to_vec())),
                ),
                None => (String::new(), None, format!("add `{field}: ...`")),
            };
            (
                format!("missing required field `{field}`{place}"),
                pos,
                Some(hint),
            )
        }
        YamlError::InvalidScalar { ty, .. } => {
            let written = root.find_after(from, &|n, is_key| !is_key && n.scalar().is_some());
            let scalar = written
                .as_ref()
                .and_then(|(p, _)| root.get(p))
                .and_then(Node::scalar);
            let message = match scalar {
                Some(s) if s.parse::<f64>().is_ok() => {
                    format!("invalid value `{s}`, expected {ty}")
                }
                Some(s) => format!("invalid type: string \"{s}\", expected {ty}"),
                None => format!("invalid value, expected {ty}"),
            };
            (message, reported, type_hint(ty))
        }
        other => {
            let message = DefaultMessageFormatter.format_message(other).to_string();
            let pos = quoted_literal(&message).and_then(|lit| {
                root.find_after(from, &|n, is_key| {
                    !is_key && n.scalar() == Some(lit.as_str())
                })
            });
            let hint = message
                .rsplit("expected ")
                .next()
                .and_then(|t| type_hint(t.trim()));
            (message, pos.map(|(_, p)| p), hint)
        }
    };
    SpecError {
        location: at(file, pos.or(reported)),
        message,
        hint,
    }
}

/// A hint for a type-mismatch on a Rust primitive.
fn type_hint(ty: &str) -> Option<String> {
    match ty {
        "u8" | "u16" | "u32" | "u64" | "usize" => Some("write a whole number, zero or more".into()),
        "i32" | "i64" => Some("write a whole number".into()),
        "f32" | "f64" => Some("write a number, such as `5` or `2.5`".into()),
        "a boolean" | "bool" => Some("write `true` or `false`".into()),
        _ => None,
    }
}

/// The first `` `x` `` or `"x"` literal of a message.
fn quoted_literal(message: &str) -> Option<String> {
    let start = message.find(['`', '"'])?;
    let quote = message[start..].chars().next()?;
    let rest = &message[start + 1..];
    rest.find(quote).map(|end| rest[..end].to_string())
}

/// The mapping that lacks required `field`. serde-saphyr reports a missing field at the last key
/// of the mapping (or, inside a `kind:`/`dist:` block, at the block's key), so the candidates are
/// that mapping and the mappings below it, in document order; the first whose schema has `field`
/// (found by probing: adding an unknown key and reading serde's list of expected fields) wins.
fn missing_field_owner<T: DeserializeOwned>(
    text: &str,
    root: &Node,
    from: Pos,
    field: &str,
) -> Option<Vec<Seg>> {
    let doc: serde_json::Value = serde_saphyr::from_str(text).ok()?;
    let mut start = root.path_at(from)?;
    start.pop();
    let mut candidates = Vec::new();
    root.get(&start)?
        .walk(&mut start.clone(), &mut |path, n, is_key| {
            if !is_key
                && matches!(n.value, super::locate::Value::Map(_))
                && n.child(field).is_none()
            {
                candidates.push(path.to_vec());
            }
        });
    candidates.into_iter().find(|path| {
        overrides::schema_fields::<T>(&doc, path)
            .is_some_and(|names| names.iter().any(|n| n == field))
    })
}

/// A small valid scenario for tests.
#[cfg(test)]
pub(crate) const VALID: &str = "\
name: demo
duration: 10m
workload:
  arrivals:
    kind: stages
    stages:
      - duration: 1m
        target: 50
      - duration: 2m
        target: 200
service:
  cpu:
    dist: exponential
    mean: 20ms
pods:
  replicas: 2
  concurrency: 4
  cpu_request: 500m
";

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> SpecError {
        load_str(text, Path::new("scenarios/demo.yaml"), &[]).unwrap_err()
    }

    #[test]
    fn a_valid_scenario_loads_with_its_directory() {
        let loaded = load_str(VALID, Path::new("scenarios/demo.yaml"), &[]).unwrap();
        assert_eq!(loaded.scenario.pods.replicas, Some(2));
        assert_eq!(loaded.base_dir, Path::new("scenarios"));
        let bare = load_str(VALID, Path::new("demo.yaml"), &[]).unwrap();
        assert_eq!(bare.base_dir, Path::new("."));
    }

    #[test]
    fn unknown_field_suggests_the_nearest_name_with_line_and_column() {
        let e = error(&VALID.replace("replicas: 2", "replicsa: 2"));
        assert_eq!(e.location, "scenarios/demo.yaml:16:3");
        assert_eq!(
            e.message,
            "unknown field `replicsa` in `pods`, did you mean `replicas`?"
        );
        assert!(e
            .hint
            .unwrap()
            .contains("valid fields here: replicas, concurrency"));
    }

    #[test]
    fn unknown_field_inside_a_kind_block_points_at_the_field() {
        let e = error(&VALID.replace("        target: 200", "        targt: 200"));
        assert_eq!(e.location, "scenarios/demo.yaml:10:9");
        assert!(
            e.message.contains(
                "unknown field `targt` in `workload.arrivals.stages[1]`, did you mean `target`?"
            ),
            "{e}"
        );
        let e = error(&VALID.replace("    mean: 20ms", "    maen: 20ms"));
        assert_eq!(e.location, "scenarios/demo.yaml:14:5");
        assert!(e.message.contains("did you mean `mean`?"), "{e}");
    }

    #[test]
    fn unknown_enum_values_and_tags_suggest_the_nearest() {
        let e = error(&format!("{VALID}load_balancer:\n  policy: round_robn\n"));
        assert_eq!(e.location, "scenarios/demo.yaml:20:11");
        assert_eq!(
            e.message,
            "unknown value `round_robn` for `load_balancer.policy`, did you mean `round_robin`?"
        );
        let e = error(&VALID.replace("kind: stages", "kind: stagez"));
        assert_eq!(e.location, "scenarios/demo.yaml:5:11");
        assert!(
            e.message
                .contains("for `workload.arrivals.kind`, did you mean `stages`?"),
            "{e}"
        );
        let e = error(&VALID.replace("dist: exponential", "dist: exponentail"));
        assert_eq!(e.location, "scenarios/demo.yaml:13:11");
        assert!(e.message.contains("did you mean `exponential`?"), "{e}");
        assert!(e.hint.unwrap().contains("lognormal"));
    }

    #[test]
    fn wrong_type_names_the_value_and_the_expected_type() {
        let e = error(&VALID.replace("replicas: 2", "replicas: abc"));
        assert_eq!(e.location, "scenarios/demo.yaml:16:13");
        assert_eq!(e.message, "invalid type: string \"abc\", expected u32");
        assert!(e.hint.unwrap().contains("whole number"));
        let e = error(&VALID.replace("target: 200", "target: lots"));
        assert_eq!(e.location, "scenarios/demo.yaml:10:17");
        assert!(
            e.message
                .contains("invalid type: string \"lots\", expected f64"),
            "{e}"
        );
    }

    #[test]
    fn bad_duration_is_located_and_explained() {
        let e = error(&VALID.replace("duration: 10m", "duration: 5x"));
        assert_eq!(e.location, "scenarios/demo.yaml:2:11");
        assert!(
            e.message
                .contains("invalid duration `5x`: unknown unit `x`"),
            "{e}"
        );
        let e = error(&VALID.replace("duration: 2m", "duration: 5x"));
        assert_eq!(e.location, "scenarios/demo.yaml:9:19");
        let e = error(&VALID.replace("mean: 20ms", "mean: 2x"));
        assert_eq!(e.location, "scenarios/demo.yaml:14:11");
    }

    #[test]
    fn bad_quantity_is_located_and_explained() {
        let e = error(&VALID.replace("cpu_request: 500m", "cpu_request: 12Q"));
        assert_eq!(e.location, "scenarios/demo.yaml:18:16");
        assert!(
            e.message
                .contains("invalid quantity `12Q`: unknown suffix `Q`"),
            "{e}"
        );
    }

    #[test]
    fn missing_required_field_points_at_the_block_that_lacks_it() {
        let e = error(&VALID.replace("  cpu_request: 500m\n", ""));
        assert_eq!(e.location, "scenarios/demo.yaml:15:1");
        assert_eq!(e.message, "missing required field `cpu_request` in `pods`");
        assert_eq!(
            e.hint.unwrap(),
            "add `cpu_request: ...` to `pods` (or give the scenario a Deployment: `manifests:` or `deployment:`)"
        );
        let e = error(&VALID.replace("name: demo\n", ""));
        assert_eq!(e.location, "scenarios/demo.yaml:1:1");
        assert_eq!(e.message, "missing required field `name`");
        let e = error(&VALID.replace("        target: 200\n", ""));
        assert_eq!(e.location, "scenarios/demo.yaml:9:9");
        assert_eq!(
            e.message,
            "missing required field `target` in `workload.arrivals.stages[1]`"
        );
    }

    #[test]
    fn invalid_yaml_is_reported_with_line_and_column() {
        let e = error("name: demo\n  duration: : 5\n");
        assert!(e.location.starts_with("scenarios/demo.yaml:2:"), "{e}");
        assert!(e.message.starts_with("invalid YAML: "), "{e}");
        assert!(e.hint.unwrap().contains("indentation"));
    }

    #[test]
    fn missing_file_says_it_cannot_be_read_and_hints_at_the_path() {
        let e = load(Path::new("no/such/x.yaml"), &[]).unwrap_err();
        assert_eq!(e.location, "no/such/x.yaml");
        assert_eq!(
            e.message,
            "cannot read scenario `no/such/x.yaml`: No such file or directory"
        );
        assert!(e.hint.unwrap().contains("check the path"));
    }

    #[test]
    fn semantic_errors_carry_the_line_and_column_of_the_value() {
        let e = error(&VALID.replace("target: 200", "target: -5"));
        assert_eq!(e.location, "scenarios/demo.yaml:10:17");
        assert_eq!(
            e.message,
            "workload.arrivals.stages[1].target: must be zero or positive, got -5"
        );
        let e = error(&VALID.replace("    mean: 20ms", "    mean: 20ms\n    rate: 5"));
        assert_eq!(e.location, "scenarios/demo.yaml:15:11");
        assert!(
            e.message.contains("either `mean` or `rate`, not both"),
            "{e}"
        );
    }

    #[test]
    fn later_errors_reported_by_path_are_located_in_the_file() {
        let loaded = load_str(VALID, Path::new("s.yaml"), &[]).unwrap();
        let e = loaded.locate(SpecError::at_path("service.cpu.mean", "too long"));
        assert_eq!(e.location, "s.yaml:14:11");
        assert_eq!(e.message, "service.cpu.mean: too long");
        // A defaulted field not written in the file: located at its nearest written parent.
        let e = loaded.locate(SpecError::at_path("pods.startup.app_start", "bad"));
        assert_eq!(e.location, "s.yaml:15:1");
        // Already located errors are left alone.
        let done = SpecError::at_path("s.yaml:3:4", "x");
        assert_eq!(loaded.locate(done.clone()), done);
    }

    const INLINE: &str = "deployment:\n  apiVersion: apps/v1\n  kind: Deployment\n  spec:\n    replicas: 2\n    template: {spec: {containers: [{name: a, resources: {requests: {cpu: 1}}}]}}\n";

    fn inline() -> String {
        let pods = VALID
            .replace("  replicas: 2\n", "")
            .replace("  cpu_request: 500m\n", "");
        format!("{pods}{INLINE}")
    }

    #[test]
    fn inline_manifest_errors_are_located_in_the_scenario() {
        let e = error(&inline().replace("    replicas: 2", "    replicsa: 2"));
        assert_eq!(e.location, "scenarios/demo.yaml:21:5");
        assert_eq!(
            e.message,
            "unknown field `replicsa` in `deployment.spec`, did you mean `replicas`?"
        );
        let e = error(&inline().replace("apps/v1", "apps/v1beta2"));
        assert_eq!(e.location, "scenarios/demo.yaml:18:15");
        assert_eq!(
            e.message,
            "unsupported apiVersion `apps/v1beta2` for Deployment"
        );
        let e = error(&inline().replace("cpu: 1}", "cpu: 1}, limits: {cpu: 500m}"));
        assert_eq!(e.location, "scenarios/demo.yaml:22:92");
        assert!(
            e.message
                .contains("limits.cpu: must be at least the request (1)"),
            "{e}"
        );
    }

    #[test]
    fn set_cannot_change_the_manifest_files_but_reaches_their_content() {
        let sets = ["manifests[0]=x.yaml".to_string()];
        let e = load_str(VALID, Path::new("s.yaml"), &sets).unwrap_err();
        assert_eq!(e.location, "--set manifests[0]=x.yaml");
        assert!(
            e.message.contains("`manifests` cannot be set with --set"),
            "{e}"
        );
        let sets = ["deployment.kind=StatefulSet".to_string()];
        let e = load_str(&inline(), Path::new("s.yaml"), &sets).unwrap_err();
        assert_eq!(e.location, "--set deployment.kind=StatefulSet");
        assert_eq!(
            e.message,
            "deployment.kind: `deployment` must be a Deployment, got kind `StatefulSet`"
        );
    }

    #[test]
    fn display_shows_location_message_and_hint() {
        let e = error(&VALID.replace("replicas: 2", "replicsa: 2"));
        let shown = e.to_string();
        assert!(
            shown.starts_with("scenarios/demo.yaml:16:3: unknown field `replicsa`"),
            "{shown}"
        );
        assert!(shown.contains("\n  hint: valid fields here:"), "{shown}");
    }
}
