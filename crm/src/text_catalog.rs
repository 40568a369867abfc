//! The catalog of short texts (`templates/text/ru.toml`, read by `domain::text`) checked
//! against the whole workspace: every variant of every enum named in it has its text, every
//! literal key the code asks for exists, and every key of the file is used. It lives in crm
//! because the enums of notifications, broadcasts and the outbox are crm's.

#[cfg(test)]
mod tests {
    use crate::audit::{AuditAction, AuditEntity, AuditField};
    use crate::domain::{
        BookingStatus, InteractionKind, Invalid, MealPlan, OperationKind, PaymentMethod, Role, TourKind, TourService,
        TourStatus,
    };
    use crate::notify::{BroadcastKind, NotificationKind};
    use crate::store::documents::DocKind;
    use crate::store::outbox::OutboxStatus;
    use crate::store::signing::DocumentState;
    use crate::text::get;
    use std::collections::BTreeSet;
    use std::collections::HashMap;
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
            ("audit_action", codes(AuditAction::ALL, AuditAction::code)),
            ("audit_entity", codes(AuditEntity::ALL, AuditEntity::code)),
            ("audit_field", codes(AuditField::ALL, AuditField::code)),
            ("document_kind", codes(DocKind::ALL, DocKind::as_str)),
            ("document_state", codes(DocumentState::ALL, DocumentState::as_str)),
            ("doc_kind", codes(crate::paperwork::DocKind::ALL, crate::paperwork::DocKind::code)),
            ("doc_term", codes(crate::paperwork::Term::ALL, crate::paperwork::Term::code)),
            (
                "requisite_field",
                codes(
                    crate::paperwork::requisites::RequisiteField::ALL,
                    crate::paperwork::requisites::RequisiteField::code,
                ),
            ),
            ("doc_field", codes(crate::domain::DocField::ALL, crate::domain::DocField::code)),
            ("refund_field", codes(crate::domain::RefundField::ALL, crate::domain::RefundField::code)),
            ("pay_way", codes(crate::services::PayWay::ALL, crate::services::PayWay::code)),
            (
                "report_name",
                codes(crate::services::reports::ReportName::ALL, crate::services::reports::ReportName::code),
            ),
        ]
    }

    type Catalog = HashMap<String, HashMap<String, String>>;
    const SOURCE: &str = include_str!("../../templates/text/ru.toml");

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
        for dir in ["domain/src", "crm/src", "dialogues/src", "bot/src", "admin-web/src", "src"] {
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
}
