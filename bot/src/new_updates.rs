//! One `getUpdates` answer, each update parsed only when it is new.
//!
//! While updates are in flight the polling offset stays at the lowest of them (see `polling`),
//! so every answer brings them back; teloxide would parse each of them again, each time (and
//! first copy the whole answer into serde's buffered form, its envelope being an untagged
//! enum). Parsing updates is most of what the bot spends on them, so here the answer's updates
//! stay raw JSON text, only their `update_id` is read, and only those not seen yet are parsed.

use serde::Deserialize;
use serde_json::value::RawValue;
use std::time::Duration;
use teloxide::Bot;
use teloxide::payloads::GetUpdates;
use teloxide::types::{AllowedUpdate, Update};

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

/// Long-polls for the updates from `offset` on (waiting up to `timeout` seconds for one);
/// those with ids below `seen_below` come back without being parsed.
pub async fn poll(
    bot: &Bot,
    offset: Option<u32>,
    timeout: u32,
    allowed: &[AllowedUpdate],
    seen_below: Option<u32>,
) -> Result<Vec<Polled>, PollError> {
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
    read(&body, seen_below)
}

fn read(body: &[u8], seen_below: Option<u32>) -> Result<Vec<Polled>, PollError> {
    let answer: Answer<'_> = serde_json::from_slice(body)?;
    if !answer.ok {
        return Err(PollError::Refused(answer.description.unwrap_or_default()));
    }
    let mut polled = Vec::with_capacity(answer.result.len());
    for raw in answer.result {
        let id = serde_json::from_str::<Head>(raw.get())?.update_id;
        if seen_below.is_some_and(|n| id < n) {
            polled.push(Polled { id, update: None });
            continue;
        }
        let update = match serde_json::from_str::<Update>(raw.get()) {
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
        let polled = read(text.as_bytes(), Some(8)).unwrap();
        assert_eq!(polled.iter().map(|p| p.id).collect::<Vec<_>>(), [7, 8]);
        assert!(polled[0].update.is_none());
        let new = polled[1].update.as_ref().unwrap();
        assert_eq!(new.id.0, 8);
        assert!(matches!(&new.kind, teloxide::types::UpdateKind::Message(m) if m.text() == Some("b")));
        assert!(read(text.as_bytes(), None).unwrap().iter().all(|p| p.update.is_some()));
    }

    #[test]
    fn a_refusal_and_an_update_that_does_not_parse() {
        let refused = read(br#"{"ok":false,"error_code":409,"description":"Conflict"}"#, None);
        assert!(matches!(refused, Err(PollError::Refused(d)) if d == "Conflict"));
        // teloxide reads a kind it cannot parse as `UpdateKind::Error` (the router ignores it);
        // either way the id is known, so the offset moves past it.
        let polled = read(br#"{"ok":true,"result":[{"update_id":9,"message":{"message_id":"x"}}]}"#, None).unwrap();
        assert_eq!(polled[0].id, 9);
        let kind = polled[0].update.as_ref().map(|u| &u.kind);
        assert!(matches!(kind, None | Some(teloxide::types::UpdateKind::Error(_))), "{kind:?}");
        assert!(read(b"<html>", None).is_err());
    }
}
