//! "Did you mean": the nearest of a set of known names to one a person wrote.

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let next = (diag + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diag = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// The known name nearest to `written` (case-insensitive), if one is close enough to be a
/// typo of it: at most 3 edits, or half the length of a longer name.
pub fn nearest<'a>(written: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let text = written.trim().to_lowercase();
    let most = 3.max(text.chars().count() / 2);
    known
        .into_iter()
        .map(|k| (edit_distance(&text, &k.to_lowercase()), k))
        .filter(|(d, _)| *d <= most)
        .min()
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_name_and_nonsense_finds_none() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("上海", "上海市"), 1);
        let known = ["spend_tier", "churn_risk", "clv_12m"];
        assert_eq!(nearest("spend_teir", known), Some("spend_tier"));
        assert_eq!(nearest("CHURN_RISK", known), Some("churn_risk"));
        assert_eq!(nearest("zzzzzzzzzzzzzz", known), None);
    }
}
