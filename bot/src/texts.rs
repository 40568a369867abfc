//! The bot's texts: tera templates from `templates/bot/`, compiled into the binary so it runs
//! from any directory.

use serde::Serialize;

pub struct Texts {
    tera: tera::Tera,
}

macro_rules! bot_templates {
    ($($name:literal),* $(,)?) => {
        [$(($name, include_str!(concat!("../../templates/bot/", $name)))),*]
    };
}

impl Texts {
    pub fn load() -> Result<Texts, tera::Error> {
        let mut tera = tera::Tera::default();
        tera.add_raw_templates(bot_templates![
            "agent_chat_open.tera",
            "agent_client_message.tera",
            "agent_new_booking.tera",
            "agent_none.tera",
            "agent_relayed.tera",
            "agent_reply.tera",
            "agent_text_only.tera",
            "book_ask_count.tera",
            "book_count_invalid.tera",
            "book_done.tera",
            "book_refused.tera",
            "booking_status_changed.tera",
            "bookings_list.tera",
            "bookings_none.tera",
            "button_expired.tera",
            "button_more.tera",
            "button_unsubscribe.tera",
            "cancelled.tera",
            "city_changed.tera",
            "help_client.tera",
            "help_stranger.tera",
            "invalid.tera",
            "main_menu.tera",
            "marketing_off.tera",
            "marketing_on.tera",
            "nothing_to_cancel.tera",
            "reg_ask_birth_date.tera",
            "reg_ask_city.tera",
            "reg_ask_marketing.tera",
            "reg_ask_name.tera",
            "reg_ask_pd_consent.tera",
            "reg_ask_phone.tera",
            "reg_contact_not_own.tera",
            "reg_done.tera",
            "reg_failed.tera",
            "reg_pd_consent_required.tera",
            "reg_phone_taken.tera",
            "reg_wait.tera",
            "reg_welcome.tera",
            "register_first.tera",
            "settings.tera",
            "staff_already_bound.tera",
            "staff_amount_ask.tera",
            "staff_amount_invalid.tera",
            "staff_blacklist_ask.tera",
            "staff_booking_card.tera",
            "staff_bookings.tera",
            "staff_bookings_none.tera",
            "staff_bound.tera",
            "staff_choose_method.tera",
            "staff_client_card.tera",
            "staff_clients.tera",
            "staff_clients_none.tera",
            "staff_done.tera",
            "staff_invite_invalid.tera",
            "staff_menu.tera",
            "staff_message_ask.tera",
            "staff_new_client_birth_date.tera",
            "staff_new_client_city.tera",
            "staff_new_client_name.tera",
            "staff_new_client_phone.tera",
            "staff_note_ask.tera",
            "staff_reason_ask.tera",
            "staff_refused.tera",
            "staff_search_ask.tera",
            "staff_tag_ask.tera",
            "staff_text_expected.tera",
            "staff_unblacklist_ask.tera",
            "too_long.tera",
            "tour_card.tera",
            "tour_not_found.tera",
            "tours_ask_budget.tera",
            "tours_ask_destination.tera",
            "tours_ask_month.tera",
            "tours_list.tera",
            "tours_none.tera",
            "use_menu.tera",
        ])?;
        Ok(Texts { tera })
    }

    /// Renders a template; a rendering error is logged and yields a neutral apology rather
    /// than leaving the user without an answer.
    pub fn has(&self, name: &str) -> bool {
        self.tera.get_template_names().any(|n| n == name)
    }

    pub fn render(&self, name: &str, ctx: &impl Serialize) -> String {
        let result = tera::Context::from_serialize(ctx).and_then(|c| self.tera.render(name, &c));
        match result {
            Ok(text) => text.trim().to_owned(),
            Err(e) => {
                tracing::error!(template = name, error = %e, "bot template failed");
                "Произошла ошибка. Попробуйте ещё раз чуть позже.".to_owned()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_renders() {
        let t = Texts::load().unwrap();
        let s = t.render("staff_bound.tera", &serde_json::json!({"name": "Анна", "role": "турагент"}));
        assert!(s.contains("Анна"));
        assert!(!t.render("staff_invite_invalid.tera", &()).is_empty());
    }
}

#[cfg(test)]
mod coverage {
    use super::*;

    /// Every `Reply::text("…")` of the dialogues names a template that exists and renders
    /// with empty variables (missing variables are caught by the flows' e2e tests).
    #[test]
    fn every_template_the_dialogues_use_exists() {
        let t = Texts::load().unwrap();
        let mut stack = vec![std::path::PathBuf::from("../dialogues/src")];
        let mut used = Vec::new();
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let src = std::fs::read_to_string(&path).unwrap();
                    for part in src.split("Reply::text(\"").skip(1) {
                        used.push(part.split('"').next().unwrap().to_owned());
                    }
                }
            }
        }
        assert!(used.len() > 20, "found {used:?}");
        for name in used {
            assert!(t.has(&format!("{name}.tera")), "templates/bot/{name}.tera is missing");
        }
    }
}
