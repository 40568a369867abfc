//! One `getUpdates` answer, each update parsed only when it is new.
//!
//! While updates are in flight the polling offset stays at the lowest of them (see `polling`),
//! so every answer brings them back; teloxide would parse each of them again, each time (and
//! first copy the whole answer into serde's buffered form, its envelope being an untagged
//! enum). Parsing updates is most of what the bot spends on them, so here the answer's updates
//! stay raw JSON text, only their `update_id` is read, and only those not seen yet are parsed.
//!
//! Even left raw, the updates in flight were still scanned once per answer to find where each
//! ends: with 50 chats answering at once that was a third of the bot's instructions. The text
//! of each update seen is kept ([`Seen`]) until the offset passes it, so an answer that starts
//! with those same bytes is recognised by comparing them, and only what follows is parsed.

use serde::Deserialize;
use serde_json::value::RawValue;
use std::collections::VecDeque;
use std::time::Duration;
use teloxide::Bot;
use teloxide::payloads::GetUpdates;
use teloxide::types::{
    AllowedUpdate, CallbackQuery, CallbackQueryId, Chat, InaccessibleMessage, MaybeInaccessibleMessage, Message,
    MessageId, MessageReactionCountUpdated, PreCheckoutQuery, Update, UpdateId, UpdateKind, User,
};

#[derive(Debug, thiserror::Error)]
pub enum PollError {
    #[error("{0}")]
    Http(#[from] reqwest::Error),
    #[error("the answer does not parse: {0}")]
    Json(#[from] serde_json::Error),
    #[error("Telegram refused: {0}")]
    Refused(String),
}

/// Telegram's envelope: `{"ok": true, "result": [...]}` or `{"ok": false, "description": ...}`.
#[derive(Deserialize)]
struct Answer<'a> {
    ok: bool,
    #[serde(borrow, default)]
    result: Vec<&'a RawValue>,
    #[serde(default)]
    description: Option<String>,
}

/// What is read of an update that may have been seen.
#[derive(Deserialize)]
struct Head {
    update_id: u32,
}

/// An update of the answer: its id, and the update itself when it is new (and parses).
pub struct Polled {
    pub id: u32,
    pub update: Option<Update>,
}

/// The text of the updates handed out and not yet confirmed, in id order: the head of the next
/// answers, as long as the offset stays below them.
#[derive(Default)]
pub struct Seen {
    updates: VecDeque<(u32, Box<[u8]>)>,
}

impl Seen {
    /// Forgets the updates below `offset`: Telegram does not send them again.
    fn confirmed_below(&mut self, offset: Option<u32>) {
        let Some(offset) = offset else { return };
        while self.updates.front().is_some_and(|(id, _)| *id < offset) {
            self.updates.pop_front();
        }
    }

    fn remember(&mut self, id: u32, raw: &str) {
        if self.updates.back().is_none_or(|(last, _)| *last < id) {
            self.updates.push_back((id, raw.as_bytes().into()));
        }
    }
}

/// Long-polls for the updates from `offset` on (waiting up to `timeout` seconds for one);
/// those with ids below `seen_below` come back without being parsed.
pub async fn poll(
    bot: &Bot,
    offset: Option<u32>,
    timeout: u32,
    allowed: &[AllowedUpdate],
    seen_below: Option<u32>,
    seen: &mut Seen,
) -> Result<Vec<Polled>, PollError> {
    seen.confirmed_below(offset);
    let mut payload = GetUpdates::new();
    // Update ids are below 2^31 (Telegram's offset is a signed 32-bit number).
    payload.offset = offset.map(|o| o as i32);
    payload.timeout = Some(timeout);
    payload.allowed_updates = Some(allowed.to_vec());
    let mut url = bot.api_url();
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty().push(&format!("bot{}", bot.token())).push("getUpdates");
    }
    let body = bot
        .client()
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(serde_json::to_vec(&payload)?)
        // The long poll's own wait on top of the client's time limit for a request.
        .timeout(Duration::from_secs(u64::from(timeout) + 10))
        .send()
        .await?
        // Bytes, not `text()`: that would check the whole answer's UTF-8 once more first.
        .bytes()
        .await?;
    read(&body, seen_below, seen)
}

fn read(body: &[u8], seen_below: Option<u32>, seen: &mut Seen) -> Result<Vec<Polled>, PollError> {
    let (mut polled, rest) = skip_seen(body, seen);
    let answer: Answer<'_> = match &rest {
        Some(rest) => Answer { ok: true, result: serde_json::from_slice(rest)?, description: None },
        None => serde_json::from_slice(body)?,
    };
    if !answer.ok {
        return Err(PollError::Refused(answer.description.unwrap_or_default()));
    }
    polled.reserve(answer.result.len());
    for raw in answer.result {
        let id = match leading_id(raw.get()) {
            Some(id) => id,
            None => serde_json::from_str::<Head>(raw.get())?.update_id,
        };
        if seen_below.is_some_and(|n| id < n) {
            polled.push(Polled { id, update: None });
            continue;
        }
        seen.remember(id, raw.get());
        let update = match parse(raw.get().as_bytes()) {
            Ok(update) => Some(update),
            Err(e) => {
                // Skipped, not retried forever: the offset moves past it like any other.
                tracing::warn!(update_id = id, error = %e, "an update does not parse; skipped");
                None
            }
        };
        polled.push(Polled { id, update });
    }
    Ok(polled)
}

/// The answer's leading updates that are byte for byte the ones in `seen`, and the rest of its
/// updates as a JSON array to parse (`None`: nothing recognised, the whole answer is parsed).
/// Only Telegram's compact envelope is taken apart here; any other shape is left to serde.
fn skip_seen(body: &[u8], seen: &Seen) -> (Vec<Polled>, Option<Vec<u8>>) {
    const HEAD: &[u8] = br#"{"ok":true,"result":["#;
    // Sized once: a `Polled` holds a whole `Update` inline, so growing the list copies kilobytes.
    let mut skipped = Vec::with_capacity(seen.updates.len());
    let Some(updates) = body.strip_prefix(HEAD).and_then(|b| b.strip_suffix(b"]}")) else {
        return (skipped, None);
    };
    let mut at = 0;
    for (id, raw) in &seen.updates {
        let Some(after) = updates[at..].strip_prefix(&raw[..]) else { break };
        match after.first() {
            Some(b',') => at += raw.len() + 1,
            None => at += raw.len(),
            Some(_) => break,
        }
        skipped.push(Polled { id: *id, update: None });
    }
    if skipped.is_empty() {
        return (skipped, None);
    }
    // `at` is within `updates`: it moved only past bytes that were there.
    let mut rest = Vec::with_capacity(updates.len() - at + 2);
    rest.push(b'[');
    rest.extend_from_slice(&updates[at..]);
    rest.push(b']');
    (skipped, Some(rest))
}

/// The id of an update that starts `{"update_id":<digits>,` — as Telegram writes every update
/// — read without scanning the rest: the updates in flight come back with every answer, and
/// reading each one's id through `Head` scanned its whole text once more. Any other shape is
/// read by `Head` (`None` here).
fn leading_id(raw: &str) -> Option<u32> {
    let rest = raw.strip_prefix(r#"{"update_id":"#)?;
    let digits = rest.find(|c: char| !c.is_ascii_digit())?;
    if digits == 0 || !matches!(rest.as_bytes()[digits], b',' | b'}') {
        return None;
    }
    rest[..digits].parse().ok()
}

/// One update, as long polling and the webhook both read it.
///
/// The kinds the bot handles (`handlers::ALLOWED_UPDATES`) are read straight into their types;
/// teloxide's `Update` would first copy the whole update into serde's buffered form (its kind is
/// a flattened field) and then parse it from there. A pressed button's message is read only as
/// far as the handler needs it, its chat and id: Telegram echoes the whole message with its
/// keyboard (a tour list is kilobytes), and it was the largest part of a button's cost.
/// Anything else — another kind, or a kind that does not fit its type — goes through
/// teloxide's parser as before (which reads an unknown or malformed kind as `UpdateKind::Error`).
pub(crate) fn parse(raw: &[u8]) -> serde_json::Result<Update> {
    if let Some(update) = serde_json::from_slice::<Known>(raw).ok().and_then(Known::update) {
        return Ok(update);
    }
    serde_json::from_slice(raw)
}

/// The kinds of update the bot handles; fields Telegram adds are skipped unread.
#[derive(Deserialize)]
struct Known {
    update_id: u32,
    message: Option<Message>,
    callback_query: Option<Pressed>,
    pre_checkout_query: Option<PreCheckoutQuery>,
    channel_post: Option<Message>,
    edited_channel_post: Option<Message>,
    message_reaction_count: Option<MessageReactionCountUpdated>,
}

impl Known {
    fn update(self) -> Option<Update> {
        let Known {
            update_id,
            message,
            callback_query,
            pre_checkout_query,
            channel_post,
            edited_channel_post,
            message_reaction_count,
        } = self;
        let kind = message
            .map(UpdateKind::Message)
            .or_else(|| callback_query.map(|q| UpdateKind::CallbackQuery(q.into())))
            .or_else(|| pre_checkout_query.map(UpdateKind::PreCheckoutQuery))
            .or_else(|| channel_post.map(UpdateKind::ChannelPost))
            .or_else(|| edited_channel_post.map(UpdateKind::EditedChannelPost))
            .or_else(|| message_reaction_count.map(UpdateKind::MessageReactionCount))?;
        Some(Update { id: UpdateId(update_id), kind })
    }
}

/// A pressed button: the query, and of its message only the chat and the id.
#[derive(Deserialize)]
struct Pressed {
    id: CallbackQueryId,
    from: User,
    message: Option<PressedOn>,
    inline_message_id: Option<String>,
    #[serde(default)]
    chat_instance: String,
    data: Option<String>,
    game_short_name: Option<String>,
}

#[derive(Deserialize)]
struct PressedOn {
    message_id: i32,
    chat: Chat,
}

impl From<Pressed> for CallbackQuery {
    fn from(p: Pressed) -> CallbackQuery {
        // The message's text and keyboard are not read: to the handler it is a message in a chat.
        let message = p.message.map(|m| {
            MaybeInaccessibleMessage::Inaccessible(InaccessibleMessage {
                chat: m.chat,
                message_id: MessageId(m.message_id),
            })
        });
        CallbackQuery {
            id: p.id,
            from: p.from,
            message,
            inline_message_id: p.inline_message_id,
            chat_instance: p.chat_instance,
            data: p.data,
            game_short_name: p.game_short_name,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(id: u32, text: &str) -> String {
        format!(
            r#"{{"update_id":{id},"message":{{"message_id":1,"date":1700000000,
               "chat":{{"id":42,"type":"private","first_name":"Мария"}},
               "from":{{"id":42,"is_bot":false,"first_name":"Мария"}},"text":"{text}"}}}}"#
        )
    }

    #[test]
    fn only_updates_not_seen_are_parsed() {
        let text = format!(r#"{{"ok":true,"result":[{},{}]}}"#, message(7, "a"), message(8, "b"));
        let polled = read(text.as_bytes(), Some(8), &mut Seen::default()).unwrap();
        assert_eq!(polled.iter().map(|p| p.id).collect::<Vec<_>>(), [7, 8]);
        assert!(polled[0].update.is_none());
        let new = polled[1].update.as_ref().unwrap();
        assert_eq!(new.id.0, 8);
        assert!(matches!(&new.kind, teloxide::types::UpdateKind::Message(m) if m.text() == Some("b")));
        assert!(read(text.as_bytes(), None, &mut Seen::default()).unwrap().iter().all(|p| p.update.is_some()));
    }

    /// What `read` gives, as (id, parsed text or `None`) pairs.
    fn ids_and_texts(polled: &[Polled]) -> Vec<(u32, Option<String>)> {
        let text = |u: &Update| match &u.kind {
            UpdateKind::Message(m) => m.text().map(str::to_owned),
            _ => None,
        };
        polled.iter().map(|p| (p.id, p.update.as_ref().and_then(text))).collect()
    }

    #[test]
    fn updates_coming_back_are_recognised_by_their_bytes_and_only_new_ones_parsed() {
        let mut seen = Seen::default();
        let (a, b, c) = (message(7, "a"), message(8, "b"), message(9, "c"));
        let first = format!(r#"{{"ok":true,"result":[{a},{b}]}}"#);
        assert_eq!(
            ids_and_texts(&read(first.as_bytes(), None, &mut seen).unwrap()),
            [(7, Some("a".into())), (8, Some("b".into()))]
        );
        // Both still in flight, and a new one: the two are skipped by comparison, not parsed.
        let again = format!(r#"{{"ok":true,"result":[{a},{b},{c}]}}"#);
        let (skipped, rest) = skip_seen(again.as_bytes(), &seen);
        assert_eq!(skipped.iter().map(|p| p.id).collect::<Vec<_>>(), [7, 8]);
        assert_eq!(rest.as_deref(), Some(format!("[{c}]").as_bytes()));
        let polled = read(again.as_bytes(), Some(9), &mut seen).unwrap();
        assert_eq!(ids_and_texts(&polled), [(7, None), (8, None), (9, Some("c".into()))]);
        // 7 confirmed; 8 and 9 come back with nothing new.
        seen.confirmed_below(Some(8));
        let same = format!(r#"{{"ok":true,"result":[{b},{c}]}}"#);
        assert_eq!(ids_and_texts(&read(same.as_bytes(), Some(10), &mut seen).unwrap()), [(8, None), (9, None)]);
    }

    #[test]
    fn an_answer_that_differs_from_what_was_seen_is_parsed_whole() {
        let mut seen = Seen::default();
        let (a, b) = (message(7, "a"), message(8, "b"));
        read(format!(r#"{{"ok":true,"result":[{a}]}}"#).as_bytes(), None, &mut seen).unwrap();
        // The same update written otherwise (spaces), another first, or another envelope: the
        // ids and parsing are as without `seen`.
        let spaced = format!(r#"{{"ok":true,"result":[{},{b}]}}"#, a.replace(':', ": "));
        let other_first = format!(r#"{{"ok":true,"result":[{b}]}}"#);
        let envelope = format!(r#"{{"result":[{a},{b}],"ok":true}}"#);
        for body in [spaced, other_first, envelope] {
            assert!(skip_seen(body.as_bytes(), &seen).1.is_none(), "{body}");
            let with = read(body.as_bytes(), Some(8), &mut Seen { updates: seen.updates.clone() }).unwrap();
            let without = read(body.as_bytes(), Some(8), &mut Seen::default()).unwrap();
            assert_eq!(ids_and_texts(&with), ids_and_texts(&without), "{body}");
        }
        // A longer update that merely starts with the seen text is not taken for it.
        let longer = format!(r#"{{"ok":true,"result":[{}x]}}"#, a);
        assert!(skip_seen(longer.as_bytes(), &seen).1.is_none());
    }

    #[test]
    fn a_refusal_and_an_update_that_does_not_parse() {
        let refused = read(br#"{"ok":false,"error_code":409,"description":"Conflict"}"#, None, &mut Seen::default());
        assert!(matches!(refused, Err(PollError::Refused(d)) if d == "Conflict"));
        // teloxide reads a kind it cannot parse as `UpdateKind::Error` (the router ignores it);
        // either way the id is known, so the offset moves past it.
        let polled =
            read(br#"{"ok":true,"result":[{"update_id":9,"message":{"message_id":"x"}}]}"#, None, &mut Seen::default())
                .unwrap();
        assert_eq!(polled[0].id, 9);
        let kind = polled[0].update.as_ref().map(|u| &u.kind);
        assert!(matches!(kind, None | Some(teloxide::types::UpdateKind::Error(_))), "{kind:?}");
        assert!(read(b"<html>", None, &mut Seen::default()).is_err());
    }

    /// A pressed button with its whole message echoed, as Telegram sends it.
    const PRESSED: &str = r#"{"update_id":11,"callback_query":{"id":"4382","chat_instance":"-77",
        "from":{"id":42,"is_bot":false,"first_name":"Мария","language_code":"ru"},"data":"t:7",
        "message":{"message_id":5,"date":1700000000,"text":"Туры","chat":{"id":42,"type":"private","first_name":"Мария"},
          "from":{"id":1,"is_bot":true,"first_name":"Бот","username":"tour_bot"},
          "reply_markup":{"inline_keyboard":[[{"text":"Алтай","callback_data":"t:7"}]]}}}}"#;

    #[test]
    fn a_pressed_button_keeps_what_the_handler_reads() {
        let lean = parse(PRESSED.as_bytes()).unwrap();
        let full: Update = serde_json::from_str(PRESSED).unwrap();
        let (UpdateKind::CallbackQuery(lean_q), UpdateKind::CallbackQuery(full_q)) = (&lean.kind, &full.kind) else {
            panic!("{lean:?}");
        };
        assert_eq!(lean.id, full.id);
        assert_eq!((&lean_q.id, &lean_q.from, &lean_q.data), (&full_q.id, &full_q.from, &full_q.data));
        assert_eq!(lean_q.chat_instance, full_q.chat_instance);
        let (lean_m, full_m) = (lean_q.message.as_ref().unwrap(), full_q.message.as_ref().unwrap());
        assert_eq!((lean_m.chat(), lean_m.id()), (full_m.chat(), full_m.id()));
        assert_eq!(lean.chat(), full.chat());
    }

    #[test]
    fn every_other_kind_reads_as_teloxide_reads_it() {
        let bodies = [
            message(7, "Иванова Мария"),
            r#"{"update_id":12,"message":{"message_id":3,"date":1700000000,"chat":{"id":42,"type":"private","first_name":"М"},
               "from":{"id":42,"is_bot":false,"first_name":"М"},"contact":{"phone_number":"+79161234567","first_name":"М","user_id":42}}}"#.into(),
            r#"{"update_id":13,"channel_post":{"message_id":9,"date":1700000000,"chat":{"id":-100,"type":"channel","title":"Агентство"},"text":"Горящий тур"}}"#.into(),
            r#"{"update_id":14,"message_reaction_count":{"chat":{"id":-100,"type":"channel","title":"Агентство"},"message_id":9,"date":1700000000,
               "reactions":[{"type":{"type":"emoji","emoji":"👍"},"total_count":3}]}}"#.into(),
            r#"{"update_id":15,"pre_checkout_query":{"id":"q1","from":{"id":42,"is_bot":false,"first_name":"М"},"currency":"RUB",
               "total_amount":1000,"invoice_payload":"p"}}"#.into(),
            // A kind the bot does not handle, and one that does not fit its type.
            r#"{"update_id":16,"edited_message":{"message_id":3,"date":1700000000,"chat":{"id":42,"type":"private","first_name":"М"},"text":"x"}}"#.into(),
            r#"{"update_id":17,"message":{"message_id":"x"}}"#.into(),
        ];
        for body in bodies {
            let full: Update = serde_json::from_str(&body).unwrap();
            assert_eq!(parse(body.as_bytes()).unwrap(), full, "{body}");
        }
    }

    #[test]
    fn the_leading_id_is_read_only_from_telegrams_own_shape() {
        assert_eq!(leading_id(r#"{"update_id":123,"message":{}}"#), Some(123));
        assert_eq!(leading_id(r#"{"update_id":7}"#), Some(7));
        // Anything else is left to the full parse.
        for other in [
            r#"{ "update_id":1,"#,
            r#"{"update_id":"1","#,
            r#"{"update_id":,"#,
            r#"{"update_id":1.5,"#,
            r#"{"update_id":99999999999,"#,
        ] {
            assert_eq!(leading_id(other), None, "{other}");
        }
        let spaced = r#"{"ok":true,"result":[{ "update_id" : 12, "message":{"message_id":1,"date":0,"chat":{"id":1,"type":"private"}}}]}"#;
        assert_eq!(read(spaced.as_bytes(), None, &mut Seen::default()).unwrap()[0].id, 12);
    }
}
