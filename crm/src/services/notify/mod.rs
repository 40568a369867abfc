//! Automatic notifications and broadcasts as services: the agency's settings and templates
//! ([`settings`]), finding what is due and writing it to the outbox ([`schedule`]), marketing
//! broadcasts ([`broadcasts`]) and the outbox itself as the sender and the panel see it
//! ([`outbox`]). The sending is the bot's; everything here is transport-free.

pub mod broadcasts;
pub mod outbox;
pub mod schedule;
pub mod settings;

use crate::domain::Money;
use crate::store::notifications::Person;
use chrono::NaiveDate;
use serde_json::{Value, json};

pub use broadcasts::{BroadcastCard, BroadcastInput};
pub use outbox::OutgoingMessage;
pub use schedule::ScheduleReport;
pub use settings::NotificationSetting;

/// What every template may say about the person it is written to.
pub(crate) fn person_context(p: &Person) -> Value {
    let first = p.full_name.split(' ').nth(1).unwrap_or(&p.full_name);
    json!({
        "client": {"first_name": first, "full_name": p.full_name, "city": p.city.clone().unwrap_or_default()},
        "agent": {"name": p.agent_name.clone().unwrap_or_else(|| "ваш агент".to_owned())},
    })
}

pub(crate) fn ru_date(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// `05.12–12.12.2026`, or with both years when they differ.
pub(crate) fn ru_range(from: NaiveDate, until: NaiveDate) -> String {
    if from == until {
        ru_date(from)
    } else if chrono::Datelike::year(&from) == chrono::Datelike::year(&until) {
        format!("{}–{}", from.format("%d.%m"), ru_date(until))
    } else {
        format!("{}–{}", ru_date(from), ru_date(until))
    }
}

pub(crate) fn money(minor: i64, currency: &str) -> String {
    match crate::domain::Currency::parse(currency) {
        Ok(c) => Money::new(minor, c).to_string(),
        Err(_) => format!("{minor} {currency}"),
    }
}

pub(crate) fn merge(into: &mut Value, extra: Value) {
    if let (Value::Object(a), Value::Object(b)) = (into, extra) {
        a.extend(b);
    }
}
