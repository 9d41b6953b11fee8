//! Manifest files: multi-document YAML whose documents are dispatched on `kind` and
//! `apiVersion` (read from the located YAML tree first, so a wrong kind or version is reported
//! as such, at its line, rather than as the concrete type's parse error), then parsed as the
//! concrete type and merged into the scenario, remembering which file each object came from.
//!
//! Each document is parsed from the whole file text with the other documents' lines blanked,
//! so every line and column serde-saphyr or the locator reports is the file's.

use super::{Deployment, Kind};
use crate::cluster::{PodDisruptionBudget, ResourceQuota};
use crate::hpa::spec::HorizontalPodAutoscaler;
use crate::scenario::locate::{Node, Pos, Value};
use crate::scenario::suggest::did_you_mean;
use crate::scenario::{yaml_error, Scenario, SpecError};
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};

/// Where a manifest object of the scenario came from, to locate later errors in it.
#[derive(Clone, Debug)]
pub struct Source {
    /// The scenario field it fills: `deployment`, `hpa` or `scaled_object`.
    pub field: String,
    /// The manifest file, as shown in messages.
    pub file: PathBuf,
    /// The file's text with every other document blanked (lines and columns are the file's).
    pub text: String,
}

/// One text per non-empty document of a multi-document YAML `text`: the whole text with the
/// other documents' lines (and the `---`/`...` markers) blanked.
pub fn split(text: &str) -> Vec<String> {
    let marker = |line: &str, m: &str| {
        line.strip_prefix(m)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace))
    };
    // (document index, the line as that document sees it)
    let mut doc = 0;
    let mut lines = Vec::new();
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        if marker(body, "---") {
            doc += 1;
            lines.push((doc, format!("   {}", &body[3..])));
        } else if marker(body, "...") {
            doc += 1;
            lines.push((doc, String::new()));
        } else if body.starts_with('%') {
            lines.push((doc, String::new()));
        } else {
            lines.push((doc, body.to_string()));
        }
    }
    (0..=doc)
        .filter(|d| {
            lines.iter().any(|(ld, l)| {
                let t = l.trim_start();
                ld == d && !t.is_empty() && !t.starts_with('#')
            })
        })
        .map(|d| {
            let mut out = String::with_capacity(text.len());
            for (ld, l) in &lines {
                if *ld == d {
                    out.push_str(l);
                }
                out.push('\n');
            }
            out
        })
        .collect()
}

/// `file:line:column`.
fn at(file: &Path, (line, col): Pos) -> String {
    format!("{}:{line}:{col}", file.display())
}

/// Reads `kind` and `apiVersion` of manifest `node` (in `file`) and checks them; `field` is the
/// scenario field it is written under (`deployment`), or `None` in a manifest file. Returns the
/// kind and where its `kind:` key is.
fn header(node: &Node, file: &Path, field: Option<Kind>) -> Result<(Kind, Pos), SpecError> {
    let fail = |pos: Pos, message: String, hint: String| SpecError {
        location: at(file, pos),
        message,
        hint: Some(hint),
    };
    let place = field.map_or(String::new(), |k| format!(" in `{}`", k.field()));
    if !matches!(node.value, Value::Map(_)) {
        return Err(fail(
            node.anchor_pos(),
            format!("expected a Kubernetes object{place}"),
            "a manifest is a mapping with `apiVersion`, `kind`, `metadata` and `spec`".into(),
        ));
    }
    let kinds = || Kind::ALL.map(Kind::name).join("` or `");
    let Some(kind_node) = node.child("kind") else {
        let example = field.map_or_else(kinds, |k| k.name().to_string());
        return Err(fail(
            node.anchor_pos(),
            format!("missing `kind`{place}"),
            format!("add `kind: {example}`"),
        ));
    };
    let written = kind_node.scalar().unwrap_or_default();
    let kind_at = kind_node.key_pos.unwrap_or(kind_node.pos);
    let kind = match (Kind::from_name(written), field) {
        (Some(k), None) => k,
        (Some(k), Some(want)) if k == want => k,
        (Some(k), Some(want)) => {
            return Err(fail(
                kind_node.pos,
                format!(
                    "`{}` holds a {}, not a {}",
                    want.field(),
                    k.name(),
                    want.name()
                ),
                format!("move it to `{}:`", k.field()),
            ))
        }
        (None, _) => {
            let mut message = format!("unsupported kind `{written}`{place}");
            if let Some(s) = did_you_mean(written, Kind::ALL.map(Kind::name)) {
                message = format!("{message}, {s}");
            }
            let hint = match field {
                Some(want) => format!("write `kind: {}`", want.name()),
                None => format!(
                    "hpasim reads these kinds: {}; keep other objects out of the files listed in `manifests`",
                    Kind::supported()
                ),
            };
            return Err(fail(kind_node.pos, message, hint));
        }
    };
    let api = kind.api_version();
    let Some(version) = node.child("apiVersion") else {
        return Err(fail(
            kind_at,
            format!("missing `apiVersion` for the {}", kind.name()),
            format!("add `apiVersion: {api}`"),
        ));
    };
    let written = version.scalar().unwrap_or_default();
    if written != api {
        let why = match kind {
            Kind::Deployment => "the beta versions were removed in Kubernetes 1.16",
            Kind::HorizontalPodAutoscaler => "v1's `targetCPUUtilizationPercentage: N` becomes `metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: N}}}]`",
            Kind::ScaledObject => "KEDA 2.x serves ScaledObject only as keda.sh/v1alpha1; `keda.k8s.io/v1alpha1` was KEDA 1.x",
            Kind::ResourceQuota => "ResourceQuota is a core object, served only as v1",
            Kind::PodDisruptionBudget if written == "policy/v1beta1" => "policy/v1beta1 PodDisruptionBudget was removed in Kubernetes 1.25; in policy/v1 an empty `selector: {}` selects every pod of the namespace",
            Kind::PodDisruptionBudget => "policy/v1 is the only version served since Kubernetes 1.25",
            Kind::VerticalPodAutoscaler if written == "autoscaling.k8s.io/v1beta2" => "v1beta2 is deprecated and no longer served by VPA 1.0 and later; v1 has the same spec fields (targetRef, updatePolicy, resourcePolicy)",
            Kind::VerticalPodAutoscaler => "the VPA's CRD serves autoscaling.k8s.io/v1",
        };
        return Err(fail(
            version.pos,
            format!("unsupported apiVersion `{written}` for {}", kind.name()),
            format!(
                "hpasim reads {} as {api}: write `apiVersion: {api}` ({why})",
                kind.name()
            ),
        ));
    }
    Ok((kind, kind_at))
}

/// Checks the `kind` and `apiVersion` of manifests written inline in the scenario, before the
/// scenario is parsed.
pub(crate) fn check_inline(root: &Node, file: &Path) -> Result<(), SpecError> {
    for kind in Kind::ALL {
        let Some(node) = root.child(kind.field()) else {
            continue;
        };
        if !matches!(node.scalar(), Some("" | "~" | "null")) {
            header(node, file, Some(kind))?;
        }
    }
    Ok(())
}

/// Parses one document as `T`.
fn parse<T: DeserializeOwned>(doc: &str, file: &Path, what: &str) -> Result<T, SpecError> {
    serde_saphyr::from_str(doc).map_err(|e| yaml_error::<T>(&e, doc, file, what))
}

/// Reads the files of `scenario.manifests` (relative to `base_dir`) into `scenario.deployment`,
/// `scenario.hpa`, `scenario.scaled_object`, `scenario.resource_quota`,
/// `scenario.pod_disruption_budget` and `scenario.vpa`; `file` and `text` are the scenario's. Returns where each came from.
pub(crate) fn merge_files(
    scenario: &mut Scenario,
    file: &Path,
    text: &str,
    base_dir: &Path,
) -> Result<Vec<Source>, SpecError> {
    let root = Node::parse(text);
    let place = |path: &[&str], index: Option<usize>| {
        let node = path.iter().try_fold(root.as_ref()?, |n, k| n.child(k));
        let node = match (node, index) {
            (Some(n), Some(i)) => match &n.value {
                Value::Seq(items) => items.get(i),
                _ => None,
            },
            (n, _) => n,
        };
        Some(node?.anchor_pos())
    };
    let place = |path: &[&str], index| match place(path, index) {
        Some(pos) => at(file, pos),
        None => file.display().to_string(),
    };
    let mut origins: Vec<(Kind, String)> = Vec::new();
    if scenario.deployment.is_some() {
        origins.push((Kind::Deployment, place(&["deployment"], None)));
    }
    if scenario.hpa.is_some() {
        origins.push((Kind::HorizontalPodAutoscaler, place(&["hpa"], None)));
    }
    if scenario.scaled_object.is_some() {
        origins.push((Kind::ScaledObject, place(&["scaled_object"], None)));
    }
    if scenario.resource_quota.is_some() {
        origins.push((Kind::ResourceQuota, place(&["resource_quota"], None)));
    }
    if scenario.pod_disruption_budget.is_some() {
        origins.push((
            Kind::PodDisruptionBudget,
            place(&["pod_disruption_budget"], None),
        ));
    }
    if scenario.vpa.is_some() {
        origins.push((Kind::VerticalPodAutoscaler, place(&["vpa"], None)));
    }
    let mut sources = Vec::new();
    for (i, rel) in scenario.manifests.clone().iter().enumerate() {
        let listed = || place(&["manifests"], Some(i));
        let path = match base_dir == Path::new(".") {
            true => PathBuf::from(rel),
            false => base_dir.join(rel),
        };
        let content = std::fs::read_to_string(&path).map_err(|e| {
            let reason = e.to_string();
            let reason = reason
                .split(" (os error")
                .next()
                .unwrap_or_default()
                .to_string();
            SpecError {
                location: listed(),
                message: format!("cannot read manifest `{}`: {reason}", path.display()),
                hint: Some("paths in `manifests` are relative to the scenario file".into()),
            }
        })?;
        let docs = split(&content);
        if docs.is_empty() {
            return Err(SpecError {
                location: listed(),
                message: format!("manifest `{}` holds no YAML documents", path.display()),
                hint: Some(format!("write a {} in it", Kind::supported())),
            });
        }
        for doc in docs {
            let Some(node) = Node::parse(&doc) else {
                return Err(parse::<serde_json::Value>(&doc, &path, "manifest")
                    .err()
                    .unwrap_or_else(|| {
                        SpecError::at_path(path.display().to_string(), "invalid YAML")
                    }));
            };
            let (kind, pos) = header(&node, &path, None)?;
            let here = at(&path, pos);
            if let Some((_, first)) = origins.iter().find(|(k, _)| *k == kind) {
                return Err(SpecError {
                    location: here,
                    message: format!(
                        "a second {}: the scenario already has one at {first}",
                        kind.name()
                    ),
                    hint: Some("a scenario simulates one Deployment, at most one HorizontalPodAutoscaler or ScaledObject, one ResourceQuota, one PodDisruptionBudget and one VerticalPodAutoscaler: remove one of them".into()),
                });
            }
            match kind {
                Kind::Deployment => {
                    scenario.deployment = Some(parse::<Deployment>(&doc, &path, "Deployment")?)
                }
                Kind::HorizontalPodAutoscaler => {
                    scenario.hpa = Some(parse::<HorizontalPodAutoscaler>(
                        &doc,
                        &path,
                        "HorizontalPodAutoscaler",
                    )?)
                }
                Kind::ScaledObject => {
                    scenario.scaled_object = Some(parse::<crate::keda::spec::ScaledObject>(
                        &doc,
                        &path,
                        "ScaledObject",
                    )?)
                }
                Kind::ResourceQuota => {
                    scenario.resource_quota =
                        Some(parse::<ResourceQuota>(&doc, &path, "ResourceQuota")?)
                }
                Kind::PodDisruptionBudget => {
                    scenario.pod_disruption_budget = Some(parse::<PodDisruptionBudget>(
                        &doc,
                        &path,
                        "PodDisruptionBudget",
                    )?)
                }
                Kind::VerticalPodAutoscaler => {
                    scenario.vpa = Some(parse::<crate::vpa::VerticalPodAutoscaler>(
                        &doc,
                        &path,
                        "VerticalPodAutoscaler",
                    )?)
                }
            }
            origins.push((kind, here));
            sources.push(Source {
                field: kind.field().into(),
                file: path.clone(),
                text: doc,
            });
        }
    }
    Ok(sources)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_keep_their_file_lines_and_columns() {
        let text =
            "# leading comment\n---\nkind: A\n---\n# only a comment\n--- \nkind: B\nx: 1\n...\n";
        let docs = split(text);
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].lines().nth(2), Some("kind: A"));
        assert_eq!(docs[1].lines().nth(6), Some("kind: B"));
        assert_eq!(docs[1].lines().count(), text.lines().count());
        assert!(!docs[1].contains("kind: A"));
        assert_eq!(split("a: 1\n"), ["a: 1\n"]);
        assert!(split("---\n# nothing\n").is_empty());
    }

    #[test]
    fn header_names_the_unsupported_kind_and_version_where_they_are() {
        let f = Path::new("m.yaml");
        let check = |t: &str| header(&Node::parse(t).unwrap(), f, None).unwrap_err();
        let e = check("apiVersion: v1\nkind: Service\n");
        assert_eq!(e.location, "m.yaml:2:7");
        assert_eq!(e.message, "unsupported kind `Service`");
        assert!(e
            .hint
            .unwrap()
            .contains("Deployment (apps/v1), HorizontalPodAutoscaler (autoscaling/v2), ScaledObject (keda.sh/v1alpha1), ResourceQuota (v1), PodDisruptionBudget (policy/v1), VerticalPodAutoscaler (autoscaling.k8s.io/v1)"));
        let e = check("kind: Deploymnet\n");
        assert_eq!(
            e.message,
            "unsupported kind `Deploymnet`, did you mean `Deployment`?"
        );
        let e = check("apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\n");
        assert_eq!(e.location, "m.yaml:1:13");
        assert_eq!(
            e.message,
            "unsupported apiVersion `autoscaling/v1` for HorizontalPodAutoscaler"
        );
        assert!(e
            .hint
            .unwrap()
            .contains("write `apiVersion: autoscaling/v2`"));
        let e = check("metadata: {}\n");
        assert_eq!(e.message, "missing `kind`");
        let e = check("kind: Deployment\n");
        assert_eq!(e.message, "missing `apiVersion` for the Deployment");
        assert_eq!(e.hint.unwrap(), "add `apiVersion: apps/v1`");
    }

    #[test]
    fn an_inline_manifest_must_be_of_its_fields_kind() {
        let root = Node::parse(
            "deployment:\n  apiVersion: autoscaling/v2\n  kind: HorizontalPodAutoscaler\n",
        )
        .unwrap();
        let e = check_inline(&root, Path::new("s.yaml")).unwrap_err();
        assert_eq!(e.location, "s.yaml:3:9");
        assert_eq!(
            e.message,
            "`deployment` holds a HorizontalPodAutoscaler, not a Deployment"
        );
        assert_eq!(e.hint.unwrap(), "move it to `hpa:`");
    }
}
