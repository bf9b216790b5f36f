//! Helpers shared by the two TOML files of a project (build.toml and index.toml): syntax
//! errors with positions, and every unknown key reported at once with the keys allowed there.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diag::{Diagnostics, SourceFile};

/// Parses the document, reporting every syntax error. `None` when it cannot be read.
pub fn parse<'a>(file: &'a SourceFile, diags: &mut Diagnostics) -> Option<Spanned<DeTable<'a>>> {
    let (table, errors) = DeTable::parse_recoverable(&file.text);
    if errors.is_empty() {
        return Some(table);
    }
    for e in errors {
        let at = e.span().map_or(0, |s| s.start);
        diags.error_hint(
            Some(file.location(at)),
            format!("TOML syntax: {}", e.message().trim()),
            "see https://toml.io for the syntax; strings need quotes, tables are written [name]",
        );
    }
    None
}

/// Reports each key of `table` that is not in `allowed`, naming where it is and what is allowed.
pub fn unknown_keys(
    table: &DeTable<'_>,
    allowed: &[&str],
    section: &str,
    file: &SourceFile,
    diags: &mut Diagnostics,
) {
    for (key, _) in table.iter() {
        let name: &str = key.get_ref();
        if !allowed.contains(&name) {
            let suggestion = closest(name, allowed)
                .map(|s| format!("did you mean `{s}`? "))
                .unwrap_or_default();
            diags.error_hint(
                Some(file.location(key.span().start)),
                format!("unknown key `{name}` in {section}"),
                format!(
                    "{suggestion}allowed keys in {section}: {}",
                    allowed.join(", ")
                ),
            );
        }
    }
}

/// The sub-table under `key`, if it is one.
pub fn sub_table<'t, 'a>(table: &'t DeTable<'a>, key: &str) -> Option<&'t DeTable<'a>> {
    table.get(key).and_then(|v| match v.get_ref() {
        DeValue::Table(t) => Some(t),
        _ => None,
    })
}

/// The tables of an array of tables under `key`.
pub fn sub_tables<'t, 'a>(table: &'t DeTable<'a>, key: &str) -> Vec<&'t DeTable<'a>> {
    match table.get(key).map(|v| v.get_ref()) {
        Some(DeValue::Array(items)) => items
            .iter()
            .filter_map(|v| match v.get_ref() {
                DeValue::Table(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Reports a serde error from `toml::from_str` at its position.
pub fn report_de_error(e: &toml::de::Error, file: &SourceFile, diags: &mut Diagnostics) {
    let at = e.span().map_or(0, |s| s.start);
    diags.error_hint(
        Some(file.location(at)),
        e.message().trim().to_string(),
        "check the value's type: text needs quotes, lists are written [\"a\", \"b\"], switches are true or false",
    );
}

/// The allowed word nearest to a misspelt one, if it is near enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (edit_distance(word, c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_keys() {
        assert_eq!(closest("titel", &["title", "subtitle"]), Some("title"));
        assert_eq!(closest("zzzzzz", &["title", "subtitle"]), None);
    }
}
