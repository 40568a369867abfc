//! The catalog of short user-facing texts: why an input was refused, the names of statuses and
//! kinds, the panel's refusals, the command line's output. DESIGN.md keeps user-facing text out
//! of Rust strings; messages are tera templates, and these short texts, which the code picks and
//! fills one by one, live in one file beside them, `templates/text/ru.toml`. It is compiled into
//! the binary (so it runs from any directory) and parsed once.
//!
//! Code names a text by section and key, `text::get("conflict", "login_taken")`, and fills its
//! `{placeholders}` with `text::fill`. Every front-end (bot, panel, CLI) uses these two. A key
//! missing from the catalog never panics: it is logged and the key itself is shown. The tests
//! below prove that cannot happen: every variant of every enum named in the catalog has its
//! text, every literal key the code asks for exists, and every key of the file is used.

use std::collections::HashMap;
use std::fmt::{Display, Write};
use std::sync::LazyLock;

const SOURCE: &str = include_str!("../../templates/text/ru.toml");

type Catalog = HashMap<String, HashMap<String, String>>;

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    toml::from_str(SOURCE).unwrap_or_else(|e| {
        tracing::error!(error = %e, "templates/text/ru.toml does not parse: texts are shown by their keys");
        Catalog::new()
    })
});

/// The text of `key` in `section`; the key itself (and an error in the log) if there is none.
pub fn get<'a>(section: &str, key: &'a str) -> &'a str {
    match CATALOG.get(section).and_then(|s| s.get(key)) {
        Some(text) => text,
        None => {
            tracing::error!(section, key, "no such text in templates/text/ru.toml");
            key
        }
    }
}

/// The text of `key` in `section` with each `{name}` replaced by its value. Braces around
/// anything else (`{{ }}`, `{% if %}`) are text; a placeholder without a value stays as it is
/// and is logged.
pub fn fill(section: &str, key: &str, values: &[(&str, &dyn Display)]) -> String {
    let text = get(section, key);
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let name = after.find('}').map(|close| &after[..close]).unwrap_or_default();
        match values.iter().find(|(n, _)| *n == name) {
            Some((_, value)) => {
                let _ = write!(out, "{value}");
                rest = &after[name.len() + 1..];
            }
            None => {
                if !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
                    tracing::error!(section, key, placeholder = name, "a placeholder without a value");
                }
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A fieldless enum whose variants each have a stable code, declared once: the enum, its `ALL`
/// array and the method that gives the code come from the one list, so the catalog test that
/// walks `ALL` cannot miss a variant.
///
/// ```ignore
/// keyed_enum! {
///     #[derive(Debug, Clone, Copy, PartialEq, Eq)]
///     pub enum TourStatus: as_str {
///         Draft = "draft",
///         Published = "published",
///     }
/// }
/// ```
#[macro_export]
macro_rules! keyed_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident: $code_fn:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $code:literal, )+
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $( $(#[$variant_meta])* $variant, )+
        }

        impl $name {
            /// Every variant, in the order of declaration.
            pub const ALL: [$name; [$($code),+].len()] = [$($name::$variant),+];

            /// The stable code: stored, sent in forms and URLs, and the key of its text.
            pub fn $code_fn(self) -> &'static str {
                match self {
                    $( $name::$variant => $code, )+
                }
            }

            /// The variant whose code this is, exactly as stored; `None` for any other text.
            pub fn from_code(code: &str) -> Option<$name> {
                match code {
                    $( $code => Some($name::$variant), )+
                    _ => None,
                }
            }
        }
    };
}
pub use crate::keyed_enum;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_and_other_braces_kept() {
        assert_eq!(
            fill("conflict", "too_few_seats", &[("left", &2)]),
            "Осталось мест: 2 — меньше, чем путешественников."
        );
        let syntax = fill("template_error", "syntax", &[("line", &1), ("column", &7)]);
        assert!(
            syntax.starts_with("синтаксис нарушен в строке 1, позиция 7 (проверьте парность {{ }} и {% %}"),
            "{syntax}"
        );
        assert_eq!(fill("web", "route_row", &[("row", &3)]), "Строка 3: {reason}");
    }

    #[test]
    fn a_missing_text_is_its_key() {
        assert_eq!(get("invalid", "no_such_reason"), "no_such_reason");
        assert_eq!(get("no_such_section", "phone_empty"), "phone_empty");
        assert_eq!(get("invalid", "phone_empty"), "Укажите номер телефона.");
    }
}
