//! Nearest-name suggestions for misspelt field names, enum values and `--set` keys.
//!
//! Distances are optimal-string-alignment edit distances (a swap of two adjacent letters counts
//! as one edit), so `replicsa` → `replicas` and `round_robn` → `round_robin` are both one or two
//! edits away. A candidate is only suggested when it is close enough to be a plausible typo.

/// Edit distance between `a` and `b`: insertions, deletions, substitutions and adjacent swaps.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // d[i][j] = distance between a[..i] and b[..j].
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// The candidate nearest to `word`, if it is a plausible typo of it (at most a third of the
/// letters wrong, at least one edit allowed; case is ignored). Ties go to the first candidate.
pub fn nearest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let lower = word.to_lowercase();
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter(|c| *c != word)
        .map(|c| (edit_distance(&lower, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// The names serde lists in an error message after `expected`: "unknown field `x`, expected one
/// of `a`, `b`" → `["a", "b"]`; also "expected `a` or `b`" and "expected `a`".
pub fn expected_names(message: &str) -> Vec<String> {
    let Some(at) = message.find("expected") else {
        return Vec::new();
    };
    message[at..]
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// "did you mean `x`?" for the nearest candidate, or `None`.
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    nearest(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swapped_letters_count_as_one_edit() {
        assert_eq!(edit_distance("replicsa", "replicas"), 1);
        assert_eq!(edit_distance("round_robn", "round_robin"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn nearest_name_is_suggested_only_for_plausible_typos() {
        let fields = ["replicas", "concurrency", "cpu_request", "cpu_limit"];
        assert_eq!(nearest("replicsa", fields), Some("replicas"));
        assert_eq!(nearest("cpu_limt", fields), Some("cpu_limit"));
        assert_eq!(nearest("banana", fields), None);
    }

    #[test]
    fn expected_names_are_read_from_serde_messages() {
        let m = "unknown field `replicsa`, expected one of `replicas`, `concurrency`";
        assert_eq!(expected_names(m), ["replicas", "concurrency"]);
        assert_eq!(
            expected_names("unknown variant `x`, expected `a` or `b`"),
            ["a", "b"]
        );
        assert!(expected_names("unknown field `x`, there are no fields").is_empty());
    }
}
