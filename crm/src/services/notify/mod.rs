//! Automatic notifications and broadcasts as services: the agency's settings and templates
//! ([`settings`]), finding what is due and writing it to the outbox ([`schedule`]), marketing
//! broadcasts ([`broadcasts`]) and the outbox itself as the sender and the panel see it
//! ([`outbox`]). The sending is the bot's; everything here is transport-free.

pub mod broadcasts;
pub mod outbox;
pub mod schedule;
pub mod settings;
pub(crate) mod status;

use crate::sandbox::{Template, TemplateError, TextLimit};
use crate::store::notifications::Person;
use crate::text;
use serde_json::{Value, json};

pub use broadcasts::{BroadcastCard, BroadcastInput};
pub use outbox::{OutgoingDocument, OutgoingMessage, OutgoingPayment};
pub use schedule::ScheduleReport;
pub use settings::NotificationSetting;

/// The text of one message, or — when the template fails for this client (a value missing, a
/// text too long) — the reason, stored in its place as a failed row: seen by the admin, never
/// sent, and not retried every minute.
pub(crate) fn render_for(template: &Template, ctx: &Value) -> Result<String, String> {
    template.render(ctx, TextLimit::Message).map_err(|e| failed(&e))
}

/// A template's failure as the outbox row records it.
pub(crate) fn failed(e: &TemplateError) -> String {
    text::fill("outbox_reason", "template_failed", &[("error", e)])
}

/// What every template may say about the person it is written to.
pub(crate) fn person_context(p: &Person) -> Value {
    let first = crate::domain::first_name_of(&p.full_name);
    json!({
        "client": {"first_name": first, "full_name": p.full_name, "city": p.city.clone().unwrap_or_default()},
        "agent": {"name": p.agent_name.clone().unwrap_or_else(|| text::get("notify", "no_agent").to_owned())},
    })
}

pub(crate) fn merge(into: &mut Value, extra: Value) {
    if let (Value::Object(a), Value::Object(b)) = (into, extra) {
        a.extend(b);
    }
}
