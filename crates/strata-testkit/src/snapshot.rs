//! Golden files: a test's output compared with a checked-in file, rewritten on purpose with
//! `STRATA_BLESS=1`.

use std::path::Path;

/// Compares `actual` with the golden file at `path`, or writes it there when `STRATA_BLESS` is
/// set. On a difference, the panic shows the first differing lines and `bless`, the command that
/// rewrites the file after a deliberate change.
pub fn check(path: &Path, actual: &str, bless: &str) {
    if std::env::var_os("STRATA_BLESS").is_some() {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_default();
    if expected == actual {
        return;
    }
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let diff: Vec<String> = (0..e.len().max(a.len()))
        .filter(|&i| e.get(i) != a.get(i))
        .take(5)
        .map(|i| {
            format!(
                "line {}:\n  golden: {}\n  now:    {}",
                i + 1,
                e.get(i).unwrap_or(&"(none)"),
                a.get(i).unwrap_or(&"(none)")
            )
        })
        .collect();
    panic!(
        "the output differs from {} ({} lines there, {} now):\n{}\n\
         if the change is meant, bless it with `{bless}`",
        path.display(),
        e.len(),
        a.len(),
        diff.join("\n")
    );
}
