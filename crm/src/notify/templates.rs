//! Message templates of notifications and broadcasts: tera text with the defaults of
//! `templates/notify/` (compiled in), a sample context per kind for the panel's preview, and the
//! check that a template renders — an unknown variable or a syntax error is refused before it
//! is saved, so a broken template can never stop a night's reminders.

use super::NotificationKind;
use crate::text::{self, keyed_enum};
use serde_json::{Value, json};

keyed_enum! {
    /// What a template is for: an automatic notification or a broadcast of some kind. The two
    /// share the outbox and the rendering; only their variables differ.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum BroadcastKind: as_str {
        NewTour = "new_tour",
        HotTour = "hot_tour",
        EarlyBooking = "early_booking",
    }
}

impl BroadcastKind {
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn title_ru(self) -> &'static str {
        text::get("broadcast_kind", self.as_str())
    }

    pub fn default_template(self) -> &'static str {
        match self {
            BroadcastKind::NewTour => include_str!("../../../templates/notify/new_tour.tera"),
            BroadcastKind::HotTour => include_str!("../../../templates/notify/hot_tour.tera"),
            BroadcastKind::EarlyBooking => include_str!("../../../templates/notify/early_booking.tera"),
        }
    }
}

impl NotificationKind {
    pub fn default_template(self) -> &'static str {
        match self {
            NotificationKind::PassportExpiring => include_str!("../../../templates/notify/passport_expiring.tera"),
            NotificationKind::DepartureTomorrow => include_str!("../../../templates/notify/departure_tomorrow.tera"),
            NotificationKind::BirthdayOffer => include_str!("../../../templates/notify/birthday_offer.tera"),
            NotificationKind::BirthdayGreeting => include_str!("../../../templates/notify/birthday_greeting.tera"),
            NotificationKind::PaymentDue => include_str!("../../../templates/notify/payment_due.tera"),
        }
    }

    /// What the preview shows and the validation renders against: every variable the
    /// scheduler passes for this kind, with believable values.
    pub fn sample_context(self) -> Value {
        let mut ctx = sample_person();
        let extra = match self {
            NotificationKind::PassportExpiring => json!({"passport": {"expires_on": "25.05.2027"}}),
            // The scheduler knows only the tour's number and title here (see `schedule.rs`).
            NotificationKind::DepartureTomorrow | NotificationKind::PaymentDue => json!({
                "tour": {"id": 7, "title": "Стамбул и Каппадокия"},
                "booking": {
                    "id": 1024,
                    "departure_date": "26.11.2026",
                    "departure_time": "06:40",
                    "meeting_point": "аэропорт Толмачёво, стойка 12",
                    "return_date": "03.12.2026",
                    "travellers": 2,
                    "total": "184 000,00 ₽",
                    "amount_due": "92 000,00 ₽",
                    "due_date": "28.11.2026",
                    "payment_link": "",
                },
            }),
            NotificationKind::BirthdayOffer => json!({
                "birthday": "09.12.2026",
                "tours": [
                    {"id": 7, "title": "Стамбул и Каппадокия", "country": "Турция", "price": "89 900,00 ₽", "dates": "05.12–12.12.2026"},
                    {"id": 9, "title": "Алтай: Телецкое озеро", "country": "Россия", "price": "54 000,00 ₽", "dates": ""},
                ],
            }),
            NotificationKind::BirthdayGreeting => json!({"birthday": "25.11.2026"}),
        };
        merge(&mut ctx, extra);
        ctx
    }
}

impl BroadcastKind {
    pub fn sample_context(self) -> Value {
        let mut ctx = sample_person();
        merge(&mut ctx, json!({"tour": sample_tour()}));
        ctx
    }
}

/// Exactly what `services::notify::person_context` gives every message: a variable the sample
/// has and the real context lacks would pass the check and then fail every message.
fn sample_person() -> Value {
    json!({
        "client": {"first_name": "Анна", "full_name": "Иванова Анна Сергеевна", "city": "Новосибирск"},
        "agent": {"name": "Петрова Мария"},
    })
}

fn sample_tour() -> Value {
    json!({
        "id": 7,
        "title": "Стамбул и Каппадокия",
        "country": "Турция",
        "region": "Стамбул",
        "departure_city": "Новосибирск",
        "price": "89 900,00 ₽",
        "dates": "05.12–12.12.2026",
        "hot_until": "30.11.2026",
        "early_until": "31.01.2027",
    })
}

fn merge(into: &mut Value, extra: Value) {
    if let (Value::Object(a), Value::Object(b)) = (into, extra) {
        a.extend(b);
    }
}

/// The longest template the panel accepts; a Telegram message holds 4096 characters.
pub const MAX_TEMPLATE_CHARS: usize = 3500;

/// Why a template cannot be saved, in words for the admin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError(pub String);

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A set of compiled templates: compile once, render for every recipient.
pub struct Compiled {
    tera: tera::Tera,
}

const NAME: &str = "message";

impl Compiled {
    pub fn new(source: &str) -> Result<Compiled, TemplateError> {
        if source.trim().is_empty() {
            return Err(TemplateError(text::get("template_error", "empty").to_owned()));
        }
        if source.chars().count() > MAX_TEMPLATE_CHARS {
            return Err(TemplateError(text::fill("template_error", "too_long", &[("max", &MAX_TEMPLATE_CHARS)])));
        }
        let mut tera = tera::Tera::default();
        // Messages are plain text for Telegram: nothing to escape.
        tera.autoescape_on(vec![]);
        tera.add_raw_template(NAME, source).map_err(|e| {
            TemplateError(text::fill("template_error", "does_not_compile", &[("reason", &describe(&e))]))
        })?;
        Ok(Compiled { tera })
    }

    pub fn render(&self, ctx: &Value) -> Result<String, TemplateError> {
        let ctx = tera::Context::from_value(ctx.clone()).map_err(|e| TemplateError(describe(&e)))?;
        let text = self.tera.render(NAME, &ctx).map_err(|e| {
            TemplateError(text::fill("template_error", "does_not_render", &[("reason", &describe(&e))]))
        })?;
        let text = text.trim().to_owned();
        if text.is_empty() {
            return Err(TemplateError(text::get("template_error", "empty_message").to_owned()));
        }
        Ok(text)
    }
}

/// Renders `source` against the kind's sample: the text of the preview, or why it cannot be saved.
pub fn preview(source: &str, sample: &Value) -> Result<String, TemplateError> {
    Compiled::new(source)?.render(sample)
}

/// Tera's error in the admin's words where it is a common one (an unknown variable or filter,
/// a syntax error with its line and column), else tera's own text with its causes (the first
/// line alone often says only "failed to render").
fn describe(e: &tera::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    let all = parts.join(": ");
    // Tera quotes names with backticks or apostrophes depending on the message.
    let quoted = |after: &str| {
        all.split_once(after)
            .and_then(|(_, rest)| rest.get(1..).and_then(|r| r.split(['`', '\'']).next()))
            .map(str::to_owned)
    };
    if let Some(var) = quoted("Variable ") {
        return text::fill("template_error", "unknown_variable", &[("name", &var)]);
    }
    if let Some(filter) = quoted("Filter ") {
        return text::fill("template_error", "unknown_filter", &[("name", &filter)]);
    }
    if let Some((line, col)) =
        all.split_once("--> ").and_then(|(_, rest)| rest.split_whitespace().next()?.split_once(':'))
    {
        return text::fill("template_error", "syntax", &[("line", &line), ("column", &col)]);
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_renders_against_its_sample() {
        for k in NotificationKind::ALL {
            let text = preview(k.default_template(), &k.sample_context()).unwrap();
            assert!(text.contains("Анна"), "{k:?}: {text}");
        }
        for k in BroadcastKind::ALL {
            let text = preview(k.default_template(), &k.sample_context()).unwrap();
            assert!(text.contains("Стамбул и Каппадокия"), "{k:?}: {text}");
        }
    }

    #[test]
    fn broken_templates_are_refused_with_a_reason() {
        let sample = NotificationKind::PaymentDue.sample_context();
        let unknown = preview("{{ client.nickname }}", &sample).unwrap_err();
        assert!(unknown.0.contains("неизвестная переменная «client.nickname»"), "{unknown}");
        let filter = preview("{{ client.first_name | shout }}", &sample).unwrap_err();
        assert!(filter.0.contains("неизвестный фильтр «shout»"), "{filter}");
        let syntax = preview("{% if client.first_name %}без конца", &sample).unwrap_err();
        assert!(syntax.0.starts_with("Ошибка в шаблоне: синтаксис нарушен в строке 1"), "{syntax}");
        // A variable of another kind is unknown here: a passport date is not in a payment reminder.
        assert!(preview("{{ passport.expires_on }}", &sample).is_err());
        assert!(preview("   ", &sample).is_err());
        assert!(preview(&"а".repeat(MAX_TEMPLATE_CHARS + 1), &sample).is_err());
        assert!(preview("{% if false %}x{% endif %}", &sample).is_err(), "an empty message");
    }

    #[test]
    fn text_is_not_html_escaped() {
        let mut ctx = NotificationKind::BirthdayGreeting.sample_context();
        ctx["client"]["first_name"] = json!("Анна <Аня> & Co");
        assert_eq!(preview("{{ client.first_name }}", &ctx).unwrap(), "Анна <Аня> & Co");
    }
}
