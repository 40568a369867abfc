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
        }
    };
}
pub(crate) use keyed_enum;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        BookingStatus, InteractionKind, Invalid, MealPlan, OperationKind, PaymentMethod, Role, TourKind, TourService,
        TourStatus,
    };
    use crate::notify::{BroadcastKind, NotificationKind};
    use crate::store::outbox::OutboxStatus;
    use std::collections::BTreeSet;
    use std::path::{Path, PathBuf};

    /// The sections keyed by an enum's codes, with every code.
    fn enum_sections() -> Vec<(&'static str, Vec<&'static str>)> {
        fn codes<T: Copy, const N: usize>(all: [T; N], code: fn(T) -> &'static str) -> Vec<&'static str> {
            all.into_iter().map(code).collect()
        }
        vec![
            ("invalid", codes(Invalid::ALL, Invalid::code)),
            ("booking_status", codes(BookingStatus::ALL, BookingStatus::as_str)),
            ("tour_kind", codes(TourKind::ALL, TourKind::as_str)),
            ("tour_status", codes(TourStatus::ALL, TourStatus::as_str)),
            ("tour_service", codes(TourService::ALL, TourService::as_str)),
            ("meal_plan", codes(MealPlan::ALL, MealPlan::as_str)),
            ("operation_kind", codes(OperationKind::ALL, OperationKind::as_str)),
            ("payment_method", codes(PaymentMethod::ALL, PaymentMethod::as_str)),
            ("role", codes(Role::ALL, Role::as_str)),
            ("notification_kind", codes(NotificationKind::ALL, NotificationKind::as_str)),
            ("broadcast_kind", codes(BroadcastKind::ALL, BroadcastKind::as_str)),
            ("outbox_status", codes(OutboxStatus::ALL, OutboxStatus::as_str)),
            ("interaction_kind", codes(InteractionKind::ALL, InteractionKind::as_str)),
            ("template_filter", codes(crate::sandbox::Filter::ALL, crate::sandbox::Filter::name)),
        ]
    }

    fn catalog() -> Catalog {
        toml::from_str(SOURCE).expect("templates/text/ru.toml parses")
    }

    fn keys(c: &Catalog, section: &str) -> BTreeSet<String> {
        c.get(section).map(|s| s.keys().cloned().collect()).unwrap_or_default()
    }

    #[test]
    fn every_variant_has_its_text_and_no_other() {
        let c = catalog();
        for (section, codes) in enum_sections() {
            let want: BTreeSet<String> = codes.iter().map(|c| (*c).to_owned()).collect();
            assert_eq!(want.len(), codes.len(), "[{section}]: two variants share a code");
            assert_eq!(keys(&c, section), want, "[{section}] of templates/text/ru.toml");
            for code in codes {
                assert!(!get(section, code).trim().is_empty(), "[{section}] {code} is empty");
            }
        }
    }

    /// One use of the catalog in the source: a call of `get` or `fill` through `text::`, its section and,
    /// when it is a literal, its key.
    struct Use {
        file: PathBuf,
        section: String,
        key: Option<String>,
    }

    fn literal(s: &str) -> Option<(&str, &str)> {
        let s = s.trim_start().strip_prefix('"')?;
        let end = s.find('"')?;
        Some((&s[..end], &s[end + 1..]))
    }

    fn uses_in(file: &Path, out: &mut Vec<Use>) {
        let source = std::fs::read_to_string(file).unwrap();
        // Spelled in pieces so that this line is not a use itself.
        for call in ["get(", "fill("].map(|f| format!("text::{f}")) {
            for (at, _) in source.match_indices(&call) {
                let after = &source[at + call.len()..];
                let (section, rest) =
                    literal(after).unwrap_or_else(|| panic!("{}: a section that is not a literal", file.display()));
                let key = rest.trim_start().strip_prefix(',').and_then(literal).map(|(k, _)| k.to_owned());
                out.push(Use { file: file.to_owned(), section: section.to_owned(), key });
            }
        }
    }

    fn walk(dir: &Path, out: &mut Vec<Use>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                uses_in(&path, out);
            }
        }
    }

    /// The sections that are not an enum's (conflicts, the panel's refusals, the CLI's lines…)
    /// are asked for by literal keys; the sources of the workspace are read to check that each
    /// key asked for exists and each key of the file is asked for somewhere.
    #[test]
    fn every_key_asked_for_exists_and_every_key_is_asked_for() {
        let c = catalog();
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut uses = Vec::new();
        for dir in ["crm/src", "dialogues/src", "bot/src", "admin-web/src", "src"] {
            walk(&root.join(dir), &mut uses);
        }
        let enums: BTreeSet<&str> = enum_sections().into_iter().map(|(s, _)| s).collect();
        let mut used: BTreeSet<(String, String)> = BTreeSet::new();
        for u in &uses {
            assert!(c.contains_key(&u.section), "{}: no section [{}]", u.file.display(), u.section);
            match &u.key {
                Some(key) => {
                    assert!(keys(&c, &u.section).contains(key), "{}: no [{}] {key}", u.file.display(), u.section);
                    used.insert((u.section.clone(), key.clone()));
                }
                None => assert!(
                    enums.contains(u.section.as_str()),
                    "{}: [{}] is asked for by a key that is not a literal; only enum sections may be",
                    u.file.display(),
                    u.section
                ),
            }
        }
        for (section, texts) in &c {
            if enums.contains(section.as_str()) {
                continue;
            }
            for key in texts.keys() {
                assert!(used.contains(&(section.clone(), key.clone())), "[{section}] {key} is not used: remove it");
            }
        }
    }

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
