//! The bot's texts: tera templates from `templates/bot/`, compiled into the binary so it runs
//! from any directory. A message is `{name}.tera` (a dialogue's `Reply` names it), a button's
//! label `button_{key}.tera` (a dialogue's `Label`, see `dialogues::label`), a command's
//! description in Telegram's command menu `command_{name}.tera`; `macros.tera` holds what
//! several texts share.

use dialogues::{Keyboard, Label, MenuItem, Reply};
use serde::Serialize;
use std::collections::HashMap;

pub struct Texts {
    tera: tera::Tera,
    /// Sent when a template fails to render (rendered once, at load).
    fallback: String,
    /// The menu buttons' labels as rendered, to know a pressed one when its text comes back.
    menu: HashMap<String, MenuItem>,
    /// The agency's phone, as clients see it: every text may name it (`agency_phone`).
    agency_phone: Option<String>,
    /// What each template renders to without variables, rendered once: most buttons and many
    /// questions take none, and a tera render builds a context from JSON and walks the template
    /// for every message. Used only when a reply or label has no variables, so the text is the
    /// one a render would give (bot templates read no clock: a tera `now()` would freeze here).
    plain: HashMap<String, String>,
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
            "agent_question_about.tera",
            "agent_question_pay.tera",
            "agent_relayed.tera",
            "agent_reply.tera",
            "agent_text_only.tera",
            "book_ask_count.tera",
            "book_count_invalid.tera",
            "book_done.tera",
            "book_refused.tera",
            "book_refused_unavailable.tera",
            "book_too_few_seats.tera",
            "book_quote_outdated.tera",
            "booking_note.tera",
            "bookings_list.tera",
            "bookings_none.tera",
            "button_back_to_tours.tera",
            "button_blacklist.tera",
            "button_booking.tera",
            "button_budget.tera",
            "button_budget_any.tera",
            "button_change_city.tera",
            "button_city.tera",
            "button_client.tera",
            "button_count.tera",
            "button_departure.tera",
            "button_expired.tera",
            "button_filter_budget.tera",
            "button_filter_clear.tera",
            "button_filter_destination.tera",
            "button_filter_hot.tera",
            "button_filter_month.tera",
            "button_marketing_no.tera",
            "button_marketing_yes.tera",
            "button_menu_agent.tera",
            "button_menu_bookings.tera",
            "button_menu_settings.tera",
            "button_menu_staff_bookings.tera",
            "button_menu_staff_clients.tera",
            "button_menu_staff_new_client.tera",
            "button_menu_staff_requests.tera",
            "button_menu_tours.tera",
            "button_month.tera",
            "button_month_any.tera",
            "button_more.tera",
            "button_move.tera",
            "button_note_call.tera",
            "button_note_complaint.tera",
            "button_note_email.tera",
            "button_note_note.tera",
            "button_open_client.tera",
            "button_page_back.tera",
            "button_page_next.tera",
            "button_pay.tera",
            "button_pay_bank_transfer.tera",
            "button_pay_cash.tera",
            "button_pd_consent_no.tera",
            "button_pd_consent_yes.tera",
            "button_relay_keep.tera",
            "button_relay_send.tera",
            "button_relay_register.tera",
            "button_reply_to_client.tera",
            "button_search_clients.tera",
            "button_share_phone.tera",
            "button_tag.tera",
            "button_toggle_marketing.tera",
            "button_tour.tera",
            "button_unblacklist.tera",
            "button_unsubscribe.tera",
            "button_write_client.tera",
            "cancelled.tera",
            "city_changed.tera",
            "command_bookings.tera",
            "command_cancel.tera",
            "command_help.tera",
            "command_settings.tera",
            "command_start.tera",
            "command_stop.tera",
            "command_tours.tera",
            "help_client.tera",
            "help_stranger.tera",
            "invalid.tera",
            "macros.tera",
            "main_menu.tera",
            "marketing_off.tera",
            "marketing_on.tera",
            "nothing_to_cancel.tera",
            "payment_note.tera",
            "reg_ask_birth_date.tera",
            "reg_ask_city.tera",
            "reg_ask_marketing.tera",
            "reg_ask_name.tera",
            "reg_question_kept.tera",
            "reg_count_kept.tera",
            "reg_why.tera",
            "reg_ask_pd_consent.tera",
            "reg_ask_phone.tera",
            "reg_contact_not_own.tera",
            "reg_done.tera",
            "reg_failed.tera",
            "reg_pd_consent_required.tera",
            "reg_phone_taken.tera",
            "reg_wait.tera",
            "reg_welcome.tera",
            "relay_kept.tera",
            "relay_offer.tera",
            "relay_offer_full.tera",
            "register_first.tera",
            "render_failed.tera",
            "settings.tera",
            "thanks.tera",
            "staff_already_bound.tera",
            "staff_amount_ask.tera",
            "staff_amount_invalid.tera",
            "staff_blacklist_ask.tera",
            "staff_booking_card.tera",
            "staff_passport_on_file.tera",
            "staff_bookings.tera",
            "staff_bookings_none.tera",
            "staff_bound.tera",
            "staff_choose_method.tera",
            "staff_client_card.tera",
            "staff_clients.tera",
            "staff_clients_none.tera",
            "staff_done.tera",
            "staff_done_blacklisted.tera",
            "staff_done_logged_no_telegram.tera",
            "staff_done_note_logged.tera",
            "staff_done_payment.tera",
            "staff_done_registered.tera",
            "staff_done_sent.tera",
            "staff_done_status.tera",
            "staff_done_tagged.tera",
            "staff_done_unblacklisted.tera",
            "staff_invite_invalid.tera",
            "staff_menu.tera",
            "staff_message_ask.tera",
            "staff_new_client_birth_date.tera",
            "staff_phone_on_card.tera",
            "staff_phone_taken.tera",
            "staff_new_client_city.tera",
            "staff_new_client_name.tera",
            "staff_new_client_phone.tera",
            "staff_note_ask.tera",
            "staff_reason_ask.tera",
            "staff_refused.tera",
            "staff_refused_forbidden.tera",
            "staff_refused_incomplete_client.tera",
            "staff_refused_not_found.tera",
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
            "try_again.tera",
            "use_menu.tera",
            // Browsing before registering, a known phone, the blacklisted client's line.
            "blacklisted_line.tera",
            "button_menu_register.tera",
            "button_name_correct.tera",
            "button_name_is_mine.tera",
            "guest_nothing_to_stop.tera",
            "guest_use_menu.tera",
            "guest_welcome.tera",
            "reg_ask_correct_name.tera",
            "reg_confirm_name.tera",
            "reg_phone_on_record.tera",
            // The agent's bot: paging, the way back to a card, who wrote what.
            "button_list_more.tera",
            "button_open_booking.tera",
            "history_author_client.tera",
            "history_author_staff.tera",
            "history_author_system.tera",
            "staff_admin_only.tera",
            "staff_not_your_role.tera",
            // The price before booking, «Мои брони» and asking to cancel, the payment dialogue.
            "agent_cancel_request.tera",
            "book_confirm_expected.tera",
            "book_dropped.tera",
            "book_question_not_sent.tera",
            "book_question_offer.tera",
            "book_question_sent.tera",
            "book_quote.tera",
            "button_ask_cancel.tera",
            "button_cancel_keep.tera",
            "button_cancel_send.tera",
            "button_confirm_booking.tera",
            "button_not_now.tera",
            "cancel_ask_reason.tera",
            "cancel_confirm.tera",
            "cancel_dropped.tera",
            "cancel_reason_too_long.tera",
            "cancel_refused.tera",
            "cancel_requested.tera",
            "staff_amount_refused.tera",
            // Travellers and their documents.
            "button_travellers.tera",
            "button_traveller.tera",
            "button_add_traveller.tera",
            "staff_traveller_name_ask.tera",
            "staff_traveller_birth_ask.tera",
            "button_doc_kind.tera",
            "button_doc_save.tera",
            "button_doc_restart.tera",
            "staff_travellers.tera",
            "staff_doc_choose.tera",
            "staff_doc_field_ask.tera",
            "staff_doc_summary.tera",
            "staff_doc_restarted.tera",
            "staff_done_document.tera",
            "button_refund.tera",
            "button_refund_card.tera",
            "button_refund_account.tera",
            "staff_refund_choose.tera",
            "staff_refund_field_ask.tera",
            "staff_refund_summary.tera",
            "staff_done_refund.tera",
            "button_address.tera",
            "button_client_documents.tera",
            "staff_address_ask.tera",
            "staff_address_refused.tera",
            "staff_done_address.tera",
            "staff_done_contacts.tera",
            "staff_edit_choose.tera",
            "staff_edit_ask.tera",
            "staff_edit_refused.tera",
            "button_edit_client.tera",
            "button_edit_field.tera",
            // Telegram Payments (src/payments.rs, the agent's «Счёт в Telegram»).
            "button_telegram_invoice.tera",
            "staff_invoice_amount_ask.tera",
            "staff_done_invoice.tera",
            "payment_kept.tera",
            // Signing documents in the chat (src/signing.rs).
            "button_sign.tera",
            "button_document_pdf.tera",
            "button_issue_contract.tera",
            "button_sign_accept.tera",
            "button_sign_code.tera",
            "button_sign_in_chat.tera",
            "button_open_sign.tera",
            "sign_agreement.tera",
            "sign_code_alone.tera",
            "sign_code_sent.tera",
            "sign_done.tera",
            "sign_refused.tera",
            "sign_missing.tera",
            "staff_contract_issued.tera",
            "button_issue_consents.tera",
            "staff_consents_issued.tera",
            // Paying from the chat.
            "button_pay_booking.tera",
            "button_pay_next.tera",
            "button_pay_rest.tera",
            "button_pay_other.tera",
            "button_pay_via_bank.tera",
            "button_pay_via_card.tera",
            "button_pay_via_sbp.tera",
            "button_pay_via_telegram.tera",
            "pay_amount.tera",
            "pay_ask_amount.tera",
            "pay_amount_invalid.tera",
            "pay_method.tera",
            "pay_no_methods.tera",
            "pay_refused.tera",
            // The agent sends the client a payment (src/payment_offers.rs).
            "button_send_payment.tera",
            "staff_pay_no_ways.tera",
            "staff_done_pay_sent.tera",
        ])?;
        let fallback = tera.render("render_failed.tera", &tera::Context::new())?.trim().to_owned();
        let mut menu = HashMap::new();
        for item in MenuItem::CLIENT.into_iter().chain(MenuItem::STAFF).chain(MenuItem::STRANGER) {
            let label = item.label();
            let text = tera.render(&label_template(&label), &tera::Context::from_serialize(&label.vars)?)?;
            menu.insert(text.trim().to_owned(), item);
        }
        let mut texts = Texts { tera, fallback, menu, agency_phone: None, plain: HashMap::new() };
        texts.prerender();
        Ok(texts)
    }

    /// The same texts naming the agency's phone where a person is needed.
    pub fn with_agency_phone(mut self, phone: Option<String>) -> Texts {
        self.agency_phone = phone;
        self.prerender();
        self
    }

    /// Fills `plain`: every template that renders without variables (the others need theirs).
    fn prerender(&mut self) {
        let mut plain = HashMap::new();
        for name in self.tera.get_template_names() {
            if let Ok(text) = self.render_with(name, tera::Context::new()) {
                plain.insert(name.to_owned(), text);
            }
        }
        self.plain = plain;
    }

    fn render_with(&self, name: &str, mut c: tera::Context) -> Result<String, tera::Error> {
        if let Some(phone) = &self.agency_phone {
            c.insert("agency_phone", phone);
        }
        Ok(self.tera.render(name, &c)?.trim().to_owned())
    }

    pub fn has(&self, name: &str) -> bool {
        self.tera.get_template_names().any(|n| n == name)
    }

    /// Renders a template; a rendering error is logged and yields a neutral apology rather
    /// than leaving the user without an answer.
    pub fn render(&self, name: &str, ctx: &impl Serialize) -> String {
        match tera::Context::from_serialize(ctx).and_then(|c| self.render_with(name, c)) {
            Ok(text) => text,
            Err(e) => {
                tracing::error!(template = name, error = %e, "bot template failed");
                self.fallback.clone()
            }
        }
    }

    /// A message's text (without its keyboard).
    pub fn message(&self, reply: &Reply) -> String {
        self.render_vars(&format!("{}.tera", reply.template), &reply.vars)
    }

    pub fn label(&self, label: &Label) -> String {
        self.render_vars(&label_template(label), &label.vars)
    }

    /// [`Texts::render`], taken from `plain` when there are no variables.
    fn render_vars(&self, name: &str, vars: &serde_json::Map<String, serde_json::Value>) -> String {
        match self.plain.get(name) {
            Some(text) if vars.is_empty() => text.clone(),
            _ => self.render(name, vars),
        }
    }

    /// The keyboard with its labels rendered.
    pub fn keyboard(&self, keyboard: &Keyboard) -> Keyboard<String> {
        keyboard.map(|l| self.label(l))
    }

    /// The menu item whose button sends exactly this text.
    pub fn menu_item(&self, text: &str) -> Option<MenuItem> {
        self.menu.get(text).copied()
    }
}

fn label_template(label: &Label) -> String {
    format!("button_{}.tera", label.key)
}

#[cfg(test)]
mod tests;
