//! An agent enters a client's refund details in the bot: to a card or to an account, one field
//! per message (each checked as it comes, `domain::RefundField::check`), a summary to confirm,
//! then `crm` seals them like a passport.
//!
//! ```text
//! agent: [💳 Реквизиты для возврата]       (on the client card)
//! bot:   Куда вернуть деньги? [На карту] [На счёт]
//! agent: [На счёт]
//! bot:   Расчётный счёт — 20 цифр:
//! …
//! bot:   Проверьте… Сохранить? [Да] [Нет]
//! ```

use crate::State;
use crate::callback::Callback;
use crate::effect::{Button, Effect, Keyboard, Reply};
use crate::label::{Label, typed_answer};
use crate::staff::Awaiting;
use domain::RefundField;
use serde::{Deserialize, Serialize};

/// Refund details being entered: whose, where to, the fields so far, whether the summary waits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundEntry {
    pub client: i64,
    pub by_card: bool,
    pub values: Vec<(RefundField, String)>,
    pub confirming: bool,
}

impl RefundEntry {
    fn next_field(&self) -> Option<RefundField> {
        RefundField::of(self.by_card).iter().copied().find(|f| !self.values.iter().any(|(v, _)| v == f))
    }
}

fn ask(entry: RefundEntry, field: RefundField, before: Option<Reply>) -> (State, Vec<Effect>) {
    let mut effects: Vec<Effect> = before.into_iter().map(Effect::Reply).collect();
    effects.push(Effect::Reply(Reply::text("staff_refund_field_ask").var("field", field.code())));
    (State::Staff(Some(Awaiting::Refund(entry))), effects)
}

fn summary(mut entry: RefundEntry) -> (State, Vec<Effect>) {
    entry.confirming = true;
    let fields: Vec<serde_json::Value> =
        entry.values.iter().map(|(f, v)| serde_json::json!({"title": f.title_ru(), "value": v})).collect();
    let r = Reply::text("staff_refund_summary").var("by_card", entry.by_card).var("fields", fields).keyboard(
        Keyboard::Inline(vec![vec![
            Button::new(Label::new("doc_save"), Callback::Yes),
            Button::new(Label::new("doc_restart"), Callback::No),
        ]]),
    );
    (State::Staff(Some(Awaiting::Refund(entry))), vec![Effect::Reply(r)])
}

/// The client card's button: a card or an account?
pub fn choose(client: i64) -> (State, Vec<Effect>) {
    let row = vec![
        Button::new(Label::new("refund_card"), Callback::RefundTo(client, true)),
        Button::new(Label::new("refund_account"), Callback::RefundTo(client, false)),
    ];
    (State::Staff(None), vec![Effect::Reply(Reply::text("staff_refund_choose").keyboard(Keyboard::Inline(vec![row])))])
}

pub fn start(client: i64, by_card: bool) -> (State, Vec<Effect>) {
    let entry = RefundEntry { client, by_card, values: Vec::new(), confirming: false };
    let first = RefundField::of(by_card)[0];
    ask(entry, first, None)
}

/// The next message of an entry: a field's value, or the answer to the summary.
pub fn step(entry: RefundEntry, text: Option<&str>, yes_no: Option<bool>) -> (State, Vec<Effect>) {
    if entry.confirming {
        return match yes_no.or_else(|| text.and_then(typed_answer)) {
            Some(true) => {
                let RefundEntry { client, by_card, values, .. } = entry;
                (State::Staff(None), vec![Effect::PutPaymentDetails { client, by_card, fields: values }])
            }
            Some(false) => {
                let (state, mut effects) = start(entry.client, entry.by_card);
                effects.insert(0, Effect::Reply(Reply::text("staff_doc_restarted")));
                (state, effects)
            }
            None => summary(entry),
        };
    }
    let Some(field) = entry.next_field() else {
        return summary(entry);
    };
    let Some(text) = text else {
        return (State::Staff(Some(Awaiting::Refund(entry))), vec![Effect::Reply(Reply::text("staff_text_expected"))]);
    };
    match field.check(text) {
        Ok(value) => {
            let mut entry = entry;
            entry.values.push((field, value));
            match entry.next_field() {
                Some(next) => ask(entry, next, None),
                None => summary(entry),
            }
        }
        Err(why) => ask(entry, field, Some(Reply::text("invalid").var("reason", why.message_ru()))),
    }
}
