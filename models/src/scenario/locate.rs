//! Where things are in the scenario text: parameter paths (`workload.arrivals.stages[2].target`)
//! resolved to `line:column`, and the reverse.
//!
//! The text is parsed a second time, with the YAML event parser, into a small tree of nodes that
//! remember their position. Positions are 1-based `(line, column)`.

use serde_saphyr::granit_parser::{Event, Parser};
use std::collections::HashMap;
use std::fmt;

/// One step of a parameter path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    /// A mapping key.
    Key(String),
    /// A sequence index.
    Index(usize),
}

/// A parameter path, `a.b[0].c`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParamPath(pub Vec<Seg>);

impl ParamPath {
    /// Parses `a.b[0].c` (an all-digit key such as `a.0` is also an index).
    pub fn parse(text: &str) -> Result<ParamPath, String> {
        let bad = || {
            format!("invalid parameter path `{text}`: write it like `pods.replicas` or `workload.arrivals.stages[0].target`")
        };
        let mut segs = Vec::new();
        for part in text.split('.') {
            let (name, mut rest) = part.split_at(part.find('[').unwrap_or(part.len()));
            if name.is_empty() && segs.is_empty() || name.is_empty() && rest.is_empty() {
                return Err(bad());
            }
            if !name.is_empty() {
                segs.push(match name.parse() {
                    Ok(i) => Seg::Index(i),
                    Err(_) => Seg::Key(name.to_string()),
                });
            }
            while !rest.is_empty() {
                let close = rest.find(']').ok_or_else(bad)?;
                let index = rest[1..close].trim().parse().map_err(|_| bad())?;
                segs.push(Seg::Index(index));
                rest = &rest[close + 1..];
                if !rest.is_empty() && !rest.starts_with('[') {
                    return Err(bad());
                }
            }
        }
        Ok(ParamPath(segs))
    }
}

impl fmt::Display for ParamPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(k) if i == 0 => write!(f, "{k}")?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// A 1-based `(line, column)`.
pub type Pos = (usize, usize);

/// A YAML node with its position.
#[derive(Clone, Debug)]
pub struct Node {
    /// Where the node itself starts.
    pub pos: Pos,
    /// Where its key starts, when it is the value of a mapping entry.
    pub key_pos: Option<Pos>,
    /// The content.
    pub value: Value,
}

/// The content of a [`Node`].
#[derive(Clone, Debug)]
pub enum Value {
    /// A scalar, as written (after YAML escapes).
    Scalar(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping: key node, value node.
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// Parses the (first) YAML document of `text`; `None` if the text is not valid YAML.
    pub fn parse(text: &str) -> Option<Node> {
        enum Frame {
            Seq(Pos, usize, Vec<Node>),
            Map(Pos, usize, Vec<(Node, Node)>, Option<Node>),
        }
        let mut stack: Vec<Frame> = Vec::new();
        let mut anchors: HashMap<usize, Node> = HashMap::new();
        for item in Parser::new_from_str(text) {
            let (event, span) = item.ok()?;
            let pos = (span.start.line(), span.start.col() + 1);
            let done = match event {
                Event::Scalar(v, _, anchor, _) => {
                    Some((node(pos, Value::Scalar(v.into())), anchor))
                }
                Event::Alias(id) => anchors.get(&id).map(|n| (node(pos, n.value.clone()), 0)),
                Event::SequenceStart(_, anchor, _) => {
                    stack.push(Frame::Seq(pos, anchor, Vec::new()));
                    None
                }
                Event::MappingStart(_, anchor, _) => {
                    stack.push(Frame::Map(pos, anchor, Vec::new(), None));
                    None
                }
                Event::SequenceEnd | Event::MappingEnd => match stack.pop()? {
                    Frame::Seq(p, a, items) => Some((node(p, Value::Seq(items)), a)),
                    Frame::Map(p, a, entries, _) => Some((node(p, Value::Map(entries)), a)),
                },
                Event::DocumentEnd if stack.is_empty() => break,
                _ => None,
            };
            let Some((mut n, anchor)) = done else {
                continue;
            };
            if anchor != 0 {
                anchors.insert(anchor, n.clone());
            }
            match stack.last_mut() {
                None => return Some(n),
                Some(Frame::Seq(_, _, items)) => items.push(n),
                Some(Frame::Map(_, _, entries, pending)) => match pending.take() {
                    None => *pending = Some(n),
                    Some(key) => {
                        n.key_pos = Some(key.pos);
                        entries.push((key, n));
                    }
                },
            }
        }
        None
    }

    /// Where to point at this node: a scalar's own position, a collection's key.
    pub fn anchor_pos(&self) -> Pos {
        match self.value {
            Value::Scalar(_) => self.pos,
            _ => self.key_pos.unwrap_or(self.pos),
        }
    }

    /// The value of mapping key `key`.
    pub fn child(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.scalar() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// The scalar text, if a scalar.
    pub fn scalar(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The keys of a mapping.
    pub fn keys(&self) -> Vec<&str> {
        match &self.value {
            Value::Map(entries) => entries.iter().filter_map(|(k, _)| k.scalar()).collect(),
            _ => Vec::new(),
        }
    }

    /// The node at `path`, if every step exists.
    pub fn get(&self, path: &[Seg]) -> Option<&Node> {
        path.iter().try_fold(self, |n, seg| match (seg, &n.value) {
            (Seg::Key(k), _) => n.child(k),
            (Seg::Index(i), Value::Seq(items)) => items.get(*i),
            _ => None,
        })
    }

    /// The longest prefix of `path` that exists, and its node.
    pub fn deepest(&self, path: &[Seg]) -> (usize, &Node) {
        let mut found = (0, self);
        for len in 1..=path.len() {
            match self.get(&path[..len]) {
                Some(n) => found = (len, n),
                None => break,
            }
        }
        found
    }

    /// Visits every node in document order with its path; keys are visited as the entry's
    /// path too (`visit(path, key_node, true)`).
    pub fn walk<'a>(&'a self, path: &mut Vec<Seg>, visit: &mut dyn FnMut(&[Seg], &'a Node, bool)) {
        visit(path, self, false);
        match &self.value {
            Value::Scalar(_) => {}
            Value::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    path.push(Seg::Index(i));
                    item.walk(path, visit);
                    path.pop();
                }
            }
            Value::Map(entries) => {
                for (k, v) in entries {
                    path.push(Seg::Key(k.scalar().unwrap_or_default().to_string()));
                    visit(path, k, true);
                    v.walk(path, visit);
                    path.pop();
                }
            }
        }
    }

    /// The first node (in document order) at or after `from` that satisfies `want`, with its
    /// path. `want(node, is_key)`.
    pub fn find_after(
        &self,
        from: Pos,
        want: &dyn Fn(&Node, bool) -> bool,
    ) -> Option<(Vec<Seg>, Pos)> {
        let mut found = None;
        self.walk(&mut Vec::new(), &mut |path, n, is_key| {
            if found.is_none() && n.pos >= from && want(n, is_key) {
                found = Some((path.to_vec(), n.pos));
            }
        });
        found
    }

    /// The path of the mapping entry whose key starts at `pos`, or of the node starting there.
    pub fn path_at(&self, pos: Pos) -> Option<Vec<Seg>> {
        let mut found = None;
        self.walk(&mut Vec::new(), &mut |path, n, is_key| {
            if found.is_none() && n.pos == pos && (is_key || n.scalar().is_some()) {
                found = Some(path.to_vec());
            }
        });
        found
    }
}

fn node(pos: Pos, value: Value) -> Node {
    Node {
        pos,
        key_pos: None,
        value,
    }
}

/// The `(line, column)` of the node at parameter `path` (`workload.arrivals.stages[2].target`)
/// in the YAML `text`: the value for a scalar, the key for a mapping or sequence.
pub fn locate(text: &str, path: &str) -> Option<Pos> {
    let path = ParamPath::parse(path).ok()?;
    Node::parse(text)?.get(&path.0).map(Node::anchor_pos)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "name: t\nworkload:\n  arrivals:\n    kind: stages\n    stages:\n      - duration: 10s\n        target: 5\n      - {duration: 20s, target: -3}\n";

    #[test]
    fn paths_parse_and_print_helm_style() {
        let p = ParamPath::parse("workload.arrivals.stages[1].target").unwrap();
        assert_eq!(p.0[2], Seg::Key("stages".into()));
        assert_eq!(p.0[3], Seg::Index(1));
        assert_eq!(p.to_string(), "workload.arrivals.stages[1].target");
        assert!(ParamPath::parse("a..b").is_err());
        assert!(ParamPath::parse("a[x]").is_err());
    }

    #[test]
    fn locate_finds_values_and_keys() {
        assert_eq!(locate(TEXT, "name"), Some((1, 7)));
        assert_eq!(
            locate(TEXT, "workload.arrivals.stages[0].target"),
            Some((7, 17))
        );
        assert_eq!(
            locate(TEXT, "workload.arrivals.stages[1].target"),
            Some((8, 33))
        );
        assert_eq!(locate(TEXT, "workload.arrivals"), Some((3, 3)));
        assert_eq!(locate(TEXT, "workload.arrivals.stages[2]"), None);
        assert_eq!(locate("a: [", "a"), None);
    }

    #[test]
    fn path_at_names_the_entry_of_a_key() {
        let root = Node::parse(TEXT).unwrap();
        let p = root.path_at((7, 9)).unwrap();
        assert_eq!(
            ParamPath(p).to_string(),
            "workload.arrivals.stages[0].target"
        );
    }
}
