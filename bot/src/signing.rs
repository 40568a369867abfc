//! Signing documents in the chat, for clients without the Mini App (or who prefer the chat):
//! the buttons under a document («Подписать», «Принимаю соглашение», «Прислать новый код»),
//! a six-digit message taken as the code while one is waiting, the PDF of a document, and the
//! agent's «Выдать договор на подпись» and «Выдать согласие на подпись». Every rule is crm's; this only words the answers.

use crate::BotError;
use crate::conversation::{self, Ctx, TgBot, who};
use crm::domain::{BookingId, ClientId, IssuedDocumentId};
use crm::services::{
    CODE_TTL_MINUTES, DocKind, DocSubject, DocumentState, Evidence, SigningRefusal, signature_agreement,
};
use crm::{Actor, Error};
use dialogues::{Button, Callback, Keyboard, Label, Reply, Who};
use teloxide::prelude::*;
use teloxide::types::InputFile;

/// Handles the signing buttons; `false` for any other callback (the dialogues take it).
pub async fn on_callback(
    ctx: &Ctx,
    bot: &TgBot,
    chat: ChatId,
    user: &teloxide::types::User,
    cb: Callback,
) -> Result<bool, BotError> {
    let (Callback::Sign(id)
    | Callback::SignAccept(id)
    | Callback::SignCode(id)
    | Callback::DocumentPdf(id)
    | Callback::IssueContract(id)
    | Callback::IssueConsents(id)) = cb
    else {
        return Ok(false);
    };
    let Some(actor) = actor_of(ctx, user).await? else {
        conversation::send(ctx, bot, chat, &Reply::text("register_first")).await?;
        return Ok(true);
    };
    let doc = IssuedDocumentId(id);
    let reply = match cb {
        Callback::Sign(_) => start(ctx, &actor, doc).await,
        Callback::SignAccept(_) => match ctx.crm.accept_signature_agreement(&actor, &Evidence::chat()).await {
            Ok(()) => send_code(ctx, &actor, doc).await,
            Err(e) => Err(e),
        },
        Callback::SignCode(_) => send_code(ctx, &actor, doc).await,
        Callback::DocumentPdf(_) => match ctx.crm.document_pdf(&actor, doc).await {
            Ok((line, pdf)) => {
                ctx.budget.reply_turn(chat.0).await;
                let file = InputFile::memory(pdf).file_name(format!("document-{id}.pdf"));
                bot.send_document(chat, file).caption(line.document.title).await?;
                return Ok(true);
            }
            Err(e) => Err(e),
        },
        Callback::IssueContract(_) => {
            match ctx.crm.issue_document(&actor, DocKind::Contract, DocSubject::Booking(BookingId(id))).await {
                Ok(line) => {
                    // Lacking only the agency's part, it was not sent (`issue`): the agent is told.
                    let held = crm::services::waits_for_agency(&line.document.missing);
                    Ok(Reply::text("staff_contract_issued")
                        .var("title", line.document.title)
                        .var("missing", line.document.missing)
                        .var("held", held)
                        .var("mini_app", ctx.mini_apps)
                        .keyboard(back("open_booking", Callback::Booking(id))))
                }
                Err(e) => Err(e),
            }
        }
        Callback::IssueConsents(_) => ctx.crm.reissue_consents(&actor, ClientId(id)).await.map(|issued| {
            let docs: Vec<_> = issued
                .iter()
                .map(|l| serde_json::json!({"title": l.document.title, "missing": l.document.missing}))
                .collect();
            let lacking = issued.iter().any(|l| !l.document.missing.is_empty());
            Reply::text("staff_consents_issued")
                .var("documents", docs)
                .var("lacking", lacking)
                .var("mini_app", ctx.mini_apps)
                .keyboard(back("open_client", Callback::Client(id)))
        }),
        _ => return Ok(false),
    };
    answer(ctx, bot, chat, &actor, doc, reply).await?;
    Ok(true)
}

/// The way back to the card an agent's action was on.
fn back(label: &str, to: Callback) -> Keyboard {
    Keyboard::Inline(vec![vec![Button::new(Label::new(label), to)]])
}

/// A six-digit message from a client with a code waiting is that code; `false` otherwise.
pub async fn on_text(
    ctx: &Ctx,
    bot: &TgBot,
    chat: ChatId,
    user: &teloxide::types::User,
    text: &str,
) -> Result<bool, BotError> {
    let code = code_in(text);
    if code.is_none() && !mentions_code(text) {
        return Ok(false);
    }
    let Some(actor @ Actor::Client(_)) = actor_of(ctx, user).await? else { return Ok(false) };
    let Some(doc) = ctx.crm.document_awaiting_code(&actor).await? else { return Ok(false) };
    // Six digits inside a longer message while a code waits: perhaps the code with a question.
    // Not forwarded to the agent nor kept in the history (the code is secret); asked alone.
    let Some(digits) = code else {
        conversation::send(ctx, bot, chat, &Reply::text("sign_code_alone")).await?;
        return Ok(true);
    };
    let reply = match ctx.crm.sign_with_code(&actor, doc, &digits, &Evidence::chat()).await {
        Ok(line) => Ok(signed(ctx, &actor, line).await),
        Err(e) => Err(e),
    };
    answer(ctx, bot, chat, &actor, doc, reply).await?;
    Ok(true)
}

/// The six digits of a message that is a signing code as people type it: «098421», «098 421»,
/// «код: 098-421», «мой код 098421». A longer text with six digits in it is something else
/// («оплатил 100000 за тур, когда вылет?»): the client's question is not spent as an attempt.
fn code_in(text: &str) -> Option<String> {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    // Every client's text passes here: most have no six digits, and the letter checks below
    // (Unicode tables for Cyrillic) cost more than the rest of reading a name.
    if digits.len() != 6 {
        return None;
    }
    let words = text.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty()).count();
    let other =
        text.chars().any(|c| !(c.is_ascii_digit() || c.is_alphabetic() || c.is_whitespace() || ":-.,#№".contains(c)));
    (digits.len() == 6 && words <= 2 && !other).then_some(digits)
}

/// Whether a message holds what may be a code: six digits in all, or a run of six.
fn mentions_code(text: &str) -> bool {
    let all = text.chars().filter(char::is_ascii_digit).count();
    let runs = text.split(|c: char| !c.is_ascii_digit()).any(|run| run.len() == 6);
    all == 6 || runs
}

/// «Подписан»; a signed contract's booking that now takes a payment offers it at once (the
/// client signed to pay, and «Мои брони» is one step further).
async fn signed(ctx: &Ctx, actor: &Actor, line: crm::services::DocumentLine) -> Reply {
    let due = ctx.crm.due_after_signing(actor, &line).await;
    let done = Reply::text("sign_done").var("title", line.document.title);
    match (due, line.document.booking_id) {
        (Some(due), Some(booking)) => {
            done.var("due", due.to_string()).keyboard(Keyboard::Inline(vec![vec![Button::new(
                Label::new("pay_booking").var("id", booking.0),
                Callback::PayBooking(booking.0),
            )]]))
        }
        _ => done,
    }
}

async fn actor_of(ctx: &Ctx, user: &teloxide::types::User) -> Result<Option<Actor>, BotError> {
    let telegram_id = i64::try_from(user.id.0).unwrap_or(i64::MAX);
    Ok(match who(&ctx.crm, telegram_id).await? {
        Who::Client { id, .. } => Some(Actor::Client(crm::domain::ClientId(id))),
        Who::Staff { id, role, .. } => Some(Actor::staff(crm::domain::StaffId(id), role)),
        Who::Stranger | Who::Blacklisted => None,
    })
}

/// «Подписать»: what the document still needs, in order — its missing data, the agreement,
/// then a code.
async fn start(ctx: &Ctx, actor: &Actor, doc: IssuedDocumentId) -> crm::Result<Reply> {
    let view = ctx.crm.open_for_signing(actor, doc).await?;
    let state = view.document.state;
    if !state.signable() {
        return Err(Error::Signing(SigningRefusal::NotSignable(state)));
    }
    if !view.document.document.missing.is_empty() {
        // The client is asked only for what the client enters; the agency's part is only said
        // to be under way.
        let (by_client, by_agency) = crm::services::missing_parts(&view.document.document.missing);
        return Ok(Reply::text("sign_missing")
            .var("title", view.document.document.title)
            .var("mini_app", ctx.mini_apps)
            .var("missing", by_client.join("; "))
            .var("agency", !by_agency.is_empty()));
    }
    if view.agreement_needed {
        let (version, html, _) = signature_agreement();
        return Ok(Reply::text("sign_agreement").var("version", version).var("text", plain(html)).keyboard(
            Keyboard::Inline(vec![vec![Button::new(Label::new("sign_accept"), Callback::SignAccept(doc.0))]]),
        ));
    }
    send_code(ctx, actor, doc).await
}

async fn send_code(ctx: &Ctx, actor: &Actor, doc: IssuedDocumentId) -> crm::Result<Reply> {
    ctx.crm.send_signing_code(actor, doc).await?;
    Ok(Reply::text("sign_code_sent").var("minutes", CODE_TTL_MINUTES))
}

/// The answer, or the refusal in the client's words (with «Прислать новый код» where a new
/// code is what helps, and the new copy's «Подписать» where the document was made anew).
async fn answer(
    ctx: &Ctx,
    bot: &TgBot,
    chat: ChatId,
    actor: &Actor,
    doc: IssuedDocumentId,
    r: crm::Result<Reply>,
) -> Result<(), BotError> {
    let reply = match r {
        Ok(reply) => reply,
        Err(Error::Forbidden(_)) => Reply::text("staff_refused_forbidden"),
        Err(Error::NotFound(_)) => Reply::text("staff_refused_not_found"),
        Err(e) => {
            let Some(reason) = e.refusal_ru() else { return Err(e.into()) };
            let new_code = matches!(
                e,
                Error::Signing(SigningRefusal::CodeExpired | SigningRefusal::CodeExhausted | SigningRefusal::NoCode)
            );
            let reply = Reply::text("sign_refused").var("reason", reason);
            let replaced = matches!(
                e,
                Error::Signing(SigningRefusal::Outdated | SigningRefusal::NotSignable(DocumentState::Superseded))
            );
            if new_code {
                reply.keyboard(Keyboard::Inline(vec![vec![Button::new(
                    Label::new("sign_code"),
                    Callback::SignCode(doc.0),
                )]]))
            } else if replaced
                && let Ok(now) = ctx.crm.current_copy(actor, doc).await
                && now.document.id != doc
                && now.state.signable()
            {
                let sign = Label::new("sign").var("title", now.document.title);
                reply.keyboard(Keyboard::Inline(vec![vec![Button::new(sign, Callback::Sign(now.document.id.0))]]))
            } else {
                reply
            }
        }
    };
    conversation::send(ctx, bot, chat, &reply).await
}

/// The agreement's HTML as chat text: tags dropped, paragraphs and items on lines of their own.
fn plain(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    let mut tag = String::new();
    for c in html.chars() {
        match (in_tag, c) {
            (false, '<') => {
                in_tag = true;
                tag.clear();
            }
            (true, '>') => {
                in_tag = false;
                let name = tag.trim_start_matches('/').split_whitespace().next().unwrap_or("").to_ascii_lowercase();
                if name == "li" && !tag.starts_with('/') {
                    out.push_str("\n• ");
                } else if matches!(name.as_str(), "p" | "h1" | "h2" | "h3" | "ol" | "ul" | "section") {
                    out.push('\n');
                }
            }
            (true, c) => tag.push(c),
            (false, c) => out.push(c),
        }
    }
    let lines: Vec<&str> = out.lines().map(str::trim).filter(|l| !l.is_empty() && *l != "•").collect();
    lines.join("\n").replace("&nbsp;", " ").replace("&laquo;", "«").replace("&raquo;", "»")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_agreement_reads_as_chat_text() {
        let (_, html, _) = crm::services::signature_agreement();
        let text = super::plain(html);
        assert!(text.starts_with("Соглашение об использовании простой электронной подписи"), "{text}");
        assert!(text.contains("\n• Настоящее соглашение"), "{text}");
        assert!(!text.contains('<'), "{text}");
    }

    #[test]
    fn a_code_is_read_as_people_type_it_and_nothing_else_is() {
        for typed in ["098421", "098 421", "код: 098-421", "мой код 098421"] {
            assert_eq!(super::code_in(typed).as_deref(), Some("098421"), "{typed}");
        }
        for other in ["Иванова Мария", "09842", "0984211", "оплатил 100000 за тур, когда вылет?", "код 098421!"]
        {
            assert_eq!(super::code_in(other), None, "{other}");
        }
    }
}
