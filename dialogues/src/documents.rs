//! An agent enters a traveller's identity document in the bot, one field per message: each
//! field is checked as it comes (`domain::check_field`, the panel's check too) and a wrong one
//! is asked again with its reason; then a summary to confirm, and the document goes to `crm`.
//!
//! ```text
//! agent: [👥 Туристы]                      (on the booking card)
//! bot:   Туристы брони №17 … [Иванова Мария] [Щукин Юрий]
//! agent: [Щукин Юрий]
//! bot:   Какой документ? [паспорт РФ] [загранпаспорт] [свидетельство о рождении]
//! agent: [загранпаспорт]
//! bot:   Номер загранпаспорта (9 цифр)?
//! agent: 75 12345
//! bot:   Номер загранпаспорта — 9 цифр… Номер загранпаспорта (9 цифр)?
//! agent: 75 1234567
//! …
//! bot:   Проверьте: … Сохранить? [Да] [Нет]
//! agent: [Да]
//! bot:   Загранпаспорт сохранён. ⚠ Загранпаспорт действует до …
//! ```
//!
//! While fewer travellers are entered than booked, the list also offers «➕ Добавить туриста»:
//! the name as in the passport, then the birth date (`staff::Awaiting::TravellerName`).

use crate::State;
use crate::callback::Callback;
use crate::effect::{Button, Effect, Keyboard, Reply};
use crate::label::{Label, typed_answer};
use crate::staff::Awaiting;
use crate::views::TravellersView;
use chrono::NaiveDate;
use domain::{DocField, DocKind, check_entered, check_field, parse_document};
use serde::{Deserialize, Serialize};

/// A document being entered: whose, which kind, the fields so far (checked, as they will be
/// stored) and whether the summary waits for a yes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocEntry {
    pub traveller: i64,
    /// The client's own document, entered from the client card (`traveller` is then 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<i64>,
    pub kind: DocKind,
    pub values: Vec<(DocField, String)>,
    pub confirming: bool,
}

impl DocEntry {
    pub fn new(traveller: i64, kind: DocKind) -> DocEntry {
        DocEntry { traveller, client: None, kind, values: Vec::new(), confirming: false }
    }

    /// The same document entered again from its first field.
    fn fresh(&self) -> DocEntry {
        DocEntry { client: self.client, ..DocEntry::new(self.traveller, self.kind) }
    }

    /// The next field to ask, in the kind's order.
    fn next_field(&self) -> Option<DocField> {
        self.kind.fields().iter().copied().find(|f| !self.values.iter().any(|(v, _)| v == f))
    }

    fn value(&self, f: DocField) -> &str {
        self.values.iter().find(|(v, _)| *v == f).map(|(_, s)| s.as_str()).unwrap_or_default()
    }
}

fn ask(entry: DocEntry, field: DocField, before: Option<Reply>) -> (State, Vec<Effect>) {
    let kind = entry.kind;
    let question = Reply::text("staff_doc_field_ask")
        .var("kind", kind.as_str())
        .var("field", field.code())
        .var("title", field.title_ru());
    let mut effects: Vec<Effect> = before.into_iter().map(Effect::Reply).collect();
    effects.push(Effect::Reply(question));
    (State::Staff(Some(Awaiting::Document(entry))), effects)
}

fn summary(mut entry: DocEntry) -> (State, Vec<Effect>) {
    entry.confirming = true;
    let lines: Vec<serde_json::Value> =
        entry.values.iter().map(|(f, v)| serde_json::json!({"title": f.title_ru(), "value": v})).collect();
    let r = Reply::text("staff_doc_summary").var("kind", entry.kind.title_ru()).var("fields", lines).keyboard(
        Keyboard::Inline(vec![vec![
            Button::new(Label::new("doc_save"), Callback::Yes),
            Button::new(Label::new("doc_restart"), Callback::No),
        ]]),
    );
    (State::Staff(Some(Awaiting::Document(entry))), vec![Effect::Reply(r)])
}

/// The question after the list: which document of this traveller to enter.
pub fn choose_kind(traveller: i64) -> (State, Vec<Effect>) {
    choose(DocKind::IDENTITY.map(|k| (k, Callback::DocKind(traveller, k))).to_vec())
}

/// «🪪 Паспорт клиента» on the client card: which of the client's own documents to enter.
pub fn choose_client_kind(client: i64) -> (State, Vec<Effect>) {
    choose(DocKind::CLIENT_CARD.map(|k| (k, Callback::ClientDocKind(client, k))).to_vec())
}

fn choose(kinds: Vec<(DocKind, Callback)>) -> (State, Vec<Effect>) {
    let rows = kinds
        .into_iter()
        .map(|(k, cb)| vec![Button::new(Label::new("doc_kind").var("title", k.title_ru()), cb)])
        .collect();
    (State::Staff(None), vec![Effect::Reply(Reply::text("staff_doc_choose").keyboard(Keyboard::Inline(rows)))])
}

/// A document kind chosen: the first field is asked.
pub fn start(traveller: i64, kind: DocKind) -> (State, Vec<Effect>) {
    begin(DocEntry::new(traveller, kind))
}

/// One of the client's own documents chosen on the client card.
pub fn start_client(client: i64, kind: DocKind) -> (State, Vec<Effect>) {
    begin(DocEntry { client: Some(client), ..DocEntry::new(0, kind) })
}

fn begin(entry: DocEntry) -> (State, Vec<Effect>) {
    match entry.next_field() {
        Some(f) => ask(entry, f, None),
        // Payment details are not an identity document (a crafted button).
        None => (State::Staff(None), vec![Effect::Reply(Reply::text("staff_text_expected"))]),
    }
}

/// The booking's travellers, each a button that starts a document.
pub fn travellers_reply(v: &TravellersView) -> Reply {
    let rows = v
        .travellers
        .iter()
        .map(|t| vec![Button::new(Label::new("traveller").var("name", t.name.as_str()), Callback::Traveller(t.id))])
        // Companions up to the booked count: crm refuses one more (the price is per person).
        .chain(v.can_add.then(|| vec![Button::new(Label::new("add_traveller"), Callback::AddTraveller(v.booking))]))
        .chain(std::iter::once(vec![Button::new(Label::new("open_booking"), Callback::Booking(v.booking))]))
        .collect();
    Reply::text("staff_travellers")
        .var("v", serde_json::to_value(v).unwrap_or_default())
        .keyboard(Keyboard::Inline(rows))
}

/// The next message of an entry: a field's value, or the answer to the summary.
pub fn step(entry: DocEntry, event_text: Option<&str>, yes_no: Option<bool>, today: NaiveDate) -> (State, Vec<Effect>) {
    if entry.confirming {
        let answer = yes_no.or_else(|| event_text.and_then(typed_answer));
        return match answer {
            Some(true) => confirm(entry, today),
            Some(false) => {
                let fresh = entry.fresh();
                let first = fresh.next_field().unwrap_or(DocField::Number);
                ask(fresh, first, Some(Reply::text("staff_doc_restarted")))
            }
            None => summary(entry),
        };
    }
    let Some(field) = entry.next_field() else {
        return summary(entry);
    };
    let Some(text) = event_text else {
        return (
            State::Staff(Some(Awaiting::Document(entry))),
            vec![Effect::Reply(Reply::text("staff_text_expected"))],
        );
    };
    // An internal passport's series and number typed together at the series («4510 654321»,
    // as the page prints them): both taken.
    if entry.kind == DocKind::InternalPassport && field == DocField::Series {
        let digits: String = text.chars().filter(|c| !c.is_whitespace() && *c != '№').collect();
        if digits.len() == 10 && digits.bytes().all(|b| b.is_ascii_digit()) {
            let (series, number) = digits.split_at(4);
            if let (Ok(series), Ok(number)) = (
                check_field(entry.kind, DocField::Series, series, today),
                check_field(entry.kind, DocField::Number, number, today),
            ) {
                let mut entry = entry;
                entry.values.extend([(DocField::Series, series), (DocField::Number, number)]);
                return match entry.next_field() {
                    Some(next) => ask(entry, next, None),
                    None => summary(entry),
                };
            }
        }
    }
    match check_field(entry.kind, field, text, today) {
        Ok(value) => {
            let mut entry = entry;
            entry.values.push((field, value));
            if let Some((refused, why)) = check_entered(entry.kind, |f| entry.value(f)) {
                entry.values.retain(|(f, _)| *f != refused);
                return ask(entry, refused, Some(Reply::text("invalid").var("reason", why.message_ru())));
            }
            match entry.next_field() {
                Some(next) => ask(entry, next, None),
                None => summary(entry),
            }
        }
        Err(why) => ask(entry, field, Some(Reply::text("invalid").var("reason", why.message_ru()))),
    }
}

/// Yes to the summary: the whole document is checked (two-field rules such as expiry after
/// issue); a field it refuses is asked again, otherwise the document is saved.
fn confirm(entry: DocEntry, today: NaiveDate) -> (State, Vec<Effect>) {
    match parse_document(entry.kind, |f| entry.value(f), today) {
        Ok(_) => {
            let put = match entry.client {
                Some(client) => Effect::PutClientDocument { client, kind: entry.kind, fields: entry.values },
                None => {
                    Effect::PutTravellerDocument { traveller: entry.traveller, kind: entry.kind, fields: entry.values }
                }
            };
            (State::Staff(None), vec![put])
        }
        Err(errors) => {
            let (field, why) = errors[0];
            let mut entry = entry;
            entry.confirming = false;
            entry.values.retain(|(f, _)| *f != field);
            ask(entry, field, Some(Reply::text("invalid").var("reason", why.message_ru())))
        }
    }
}
