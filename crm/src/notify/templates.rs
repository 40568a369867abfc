//! Message templates of notifications and broadcasts: text for the sandboxed engine
//! (`crate::sandbox`) with the defaults of `templates/notify/` (compiled in), a sample context per
//! kind for the panel's preview, and the check that a template renders within Telegram's limit —
//! an unknown variable, a refused construct or a text too long is refused before it is saved,
//! so a broken template can never stop a night's reminders.

use super::NotificationKind;
use crate::sandbox::{Template, TemplateError, TextLimit};
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
        Self::from_code(s)
    }

    pub fn title_ru(self) -> &'static str {
        text::get("broadcast_kind", self.as_str())
    }

    pub fn default_template(self) -> &'static str {
        match self {
            BroadcastKind::NewTour => include_str!("../../../templates/notify/new_tour.jinja"),
            BroadcastKind::HotTour => include_str!("../../../templates/notify/hot_tour.jinja"),
            BroadcastKind::EarlyBooking => include_str!("../../../templates/notify/early_booking.jinja"),
        }
    }
}

impl NotificationKind {
    pub fn default_template(self) -> &'static str {
        match self {
            NotificationKind::PassportExpiring => include_str!("../../../templates/notify/passport_expiring.jinja"),
            NotificationKind::DepartureTomorrow => include_str!("../../../templates/notify/departure_tomorrow.jinja"),
            NotificationKind::BirthdayOffer => include_str!("../../../templates/notify/birthday_offer.jinja"),
            NotificationKind::BirthdayGreeting => include_str!("../../../templates/notify/birthday_greeting.jinja"),
            NotificationKind::PaymentDue => include_str!("../../../templates/notify/payment_due.jinja"),
            NotificationKind::BookingStatus => include_str!("../../../templates/notify/booking_status.jinja"),
            NotificationKind::PaymentReceived => include_str!("../../../templates/notify/payment_received.jinja"),
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
                    "total": "184 000 ₽",
                    "amount_due": "92 000 ₽",
                    "due_date": "28.11.2026",
                    "payment_link": "",
                },
            }),
            NotificationKind::BirthdayOffer => json!({
                "birthday": "09.12.2026",
                "tours": [
                    {"id": 7, "title": "Стамбул и Каппадокия", "country": "Турция", "price": "89 900 ₽", "dates": "05.12–12.12.2026"},
                    {"id": 9, "title": "Алтай: Телецкое озеро", "country": "Россия", "price": "54 000 ₽", "dates": ""},
                ],
            }),
            NotificationKind::BirthdayGreeting => json!({"birthday": "25.11.2026"}),
            // Exactly what `services::notify::status::announce_move` gives.
            NotificationKind::BookingStatus => json!({
                "tour": {"id": 7, "title": "Стамбул и Каппадокия"},
                "booking": {
                    "id": 1024,
                    "status": "частичная оплата",
                    "previous_status": "договор подписан",
                    "withdrawn": false,
                    "departure_date": "26.11.2026",
                    "return_date": "03.12.2026",
                    "travellers": 2,
                    "total": "184 000 ₽",
                },
            }),
            // Exactly what `services::notify::status::announce_payment` gives.
            NotificationKind::PaymentReceived => json!({
                "tour": {"id": 7, "title": "Стамбул и Каппадокия"},
                "booking": {
                    "id": 1024,
                    "status": "частичная оплата",
                    "departure_date": "26.11.2026",
                    "return_date": "03.12.2026",
                    "travellers": 2,
                    "total": "184 000,00 ₽",
                    "amount": "55 200,00 ₽",
                    "paid": "55 200,00 ₽",
                    "left": "128 800,00 ₽",
                    "paid_in_full": false,
                    "next_amount": "128 800,00 ₽",
                    "next_date": "12.11.2026",
                },
            }),
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
        "price": "89 900 ₽",
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

/// Renders `source` against the kind's sample as a Telegram message: the text of the preview,
/// or why it cannot be saved.
pub fn preview(source: &str, sample: &Value) -> Result<String, TemplateError> {
    Template::compile(source)?.preview(sample, TextLimit::Message)
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
        assert!(preview(&"а".repeat(crate::sandbox::MAX_SOURCE_CHARS + 1), &sample).is_err());
        assert!(preview("{% if false %}x{% endif %}", &sample).is_err(), "an empty message");
    }

    #[test]
    fn text_is_not_html_escaped() {
        let mut ctx = NotificationKind::BirthdayGreeting.sample_context();
        ctx["client"]["first_name"] = json!("Анна <Аня> & Co");
        assert_eq!(preview("{{ client.first_name }}", &ctx).unwrap(), "Анна <Аня> & Co");
    }
}
