//! Searches for a part of a text with SQL `LIKE`, the text matched literally.
//!
//! `%` and `_` are `LIKE`'s wildcards: unescaped, a search for «100%» also finds «1000» and a
//! lone `%` finds everything. So every `LIKE` in the store is built here, with its pattern
//! escaped and an `ESCAPE` clause. The escape character is `!` rather than the usual backslash:
//! SQLite has no default escape character, and how PostgreSQL reads `'\'` in SQL text depends
//! on `standard_conforming_strings` (switched off, it is an unterminated string), while `'!'`
//! means the same to both backends under every setting.

/// The escape character of every pattern made by [`contains_pattern`].
const ESCAPE: char = '!';

/// `column LIKE placeholder ESCAPE '!'`: the condition that `column` contains the text whose
/// [`contains_pattern`] is bound at `placeholder`.
pub(crate) fn contains(column: &str, placeholder: &str) -> String {
    format!("{column} LIKE {placeholder} ESCAPE '{ESCAPE}'")
}

/// The pattern matching any text that contains `text` as typed: `%…%` around it, with its own
/// `%`, `_` and escape characters escaped.
pub(crate) fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | ESCAPE) {
            pattern.push(ESCAPE);
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_and_the_escape_character_are_escaped() {
        assert_eq!(contains_pattern("алтай"), "%алтай%");
        assert_eq!(contains_pattern("100%"), "%100!%%");
        assert_eq!(contains_pattern("a_b"), "%a!_b%");
        assert_eq!(contains_pattern("да!"), "%да!!%");
        assert_eq!(contains_pattern(r"a\b"), r"%a\b%");
        assert_eq!(contains_pattern(""), "%%");
    }

    #[test]
    fn the_condition_names_its_escape_character() {
        assert_eq!(contains("t.search_key", "$4"), "t.search_key LIKE $4 ESCAPE '!'");
    }
}
