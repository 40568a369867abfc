//! The HTTP side: `/bot<token>/<method>` and the methods the bot uses, answered as Telegram
//! answers them (HTTP status = `error_code`, body `{"ok":false,"error_code","description"}`).

use super::{SentMessage, Shared, State, json, parse};
use axum::extract::{Path, Request, State as With};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::{Json, Router};
use serde_json::{Value, json as j};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// Long polls never hold longer than this, whatever `timeout` the bot asks for, so a stopping
/// bot is not kept waiting.
const MAX_POLL: Duration = Duration::from_secs(1);

type Answer = Result<Value, (u16, String)>;

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/{token}/{method}", any(handle))
        .fallback(|| async { reply(Err((404, "Not Found".into()))) })
        .with_state(shared)
}

async fn handle(
    With(shared): With<Arc<Shared>>,
    Path((token, method)): Path<(String, String)>,
    req: Request,
) -> Response {
    let Some(token) = token.strip_prefix("bot") else { return reply(Err((404, "Not Found".into()))) };
    // A token is `<bot id>:<secret>`; Telegram answers 401 to anything else.
    let Some(bot_id) = token.split_once(':').and_then(|(id, _)| id.parse::<i64>().ok()) else {
        return reply(Err((401, "Unauthorized".into())));
    };
    let params = parse::params(req).await;
    let m = method.to_ascii_lowercase();
    {
        let mut s = shared.state.lock().unwrap();
        s.bot_id = bot_id;
        s.calls.push((method.clone(), params.clone()));
        if is_send(&m) && (s.over_rate_limit() || int(&params, "chat_id").is_some_and(|c| s.over_chat_limit(c))) {
            s.fail_429 += 1;
            s.retry_after = 1;
        }
        if is_send(&m) && s.fail_429 > 0 {
            s.fail_429 -= 1;
            s.rejected_429 += 1;
            let after = s.retry_after;
            let body = j!({
                "ok": false, "error_code": 429, "description": format!("Too Many Requests: retry after {after}"),
                "parameters": {"retry_after": after},
            });
            return (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
        }
    }
    // Taken with the lock released: a closed connection unwinds out of this handler.
    let fault = shared.state.lock().unwrap().take_fault(&m);
    if let Some(fault) = fault {
        return super::faults::answer(fault).await;
    }
    if m == "getupdates" {
        return match shared.get_updates(&params).await {
            Ok(Value::Array(updates)) => updates_answer(&updates),
            other => reply(other),
        };
    }
    let (answer, delivered) = {
        let mut s = shared.state.lock().unwrap();
        let before = s.sent.len();
        let answer = method_call(&mut s, &m, &params);
        (answer, s.sent.len() > before)
    };
    if delivered {
        shared.sent.notify_waiters();
    }
    reply(answer)
}

/// A `getUpdates` answer as Telegram writes it: compact, each update's `update_id` first (this
/// fake keeps updates as JSON values, whose keys serialize sorted, which would put it last).
fn updates_answer(updates: &[Value]) -> Response {
    let mut body = String::from(r#"{"ok":true,"result":["#);
    for (i, update) in updates.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&format!(r#"{{"update_id":{}"#, update["update_id"]));
        for (key, value) in update.as_object().into_iter().flatten().filter(|(k, _)| *k != "update_id") {
            body.push_str(&format!(",{}:{value}", Value::String(key.clone())));
        }
        body.push('}');
    }
    body.push_str("]}");
    ([(axum::http::header::CONTENT_TYPE, "application/json")], body).into_response()
}

pub(super) fn is_send(m: &str) -> bool {
    matches!(m, "sendmessage" | "sendphoto" | "senddocument" | "sendinvoice") || m.starts_with("editmessage")
}

fn reply(answer: Answer) -> Response {
    match answer {
        Ok(result) => Json(json::ok(result)).into_response(),
        Err((code, description)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST);
            (status, Json(json::error(code, &description))).into_response()
        }
    }
}

fn method_call(s: &mut State, m: &str, p: &Value) -> Answer {
    match m {
        "getme" => Ok(json::me(s.bot_id)),
        "deletewebhook" => {
            s.webhook_url.clear();
            if p["drop_pending_updates"] == j!(true) || p["drop_pending_updates"] == j!("true") {
                s.pending.clear();
            }
            Ok(j!(true))
        }
        "setwebhook" => {
            s.webhook_url = p["url"].as_str().unwrap_or_default().to_owned();
            Ok(j!(true))
        }
        "getwebhookinfo" => {
            Ok(j!({"url": s.webhook_url, "has_custom_certificate": false, "pending_update_count": s.pending.len()}))
        }
        "setmycommands" => {
            s.commands = p["commands"].clone();
            Ok(j!(true))
        }
        "getmycommands" => Ok(s.commands.clone()),
        "deletemycommands" => {
            s.commands = j!([]);
            Ok(j!(true))
        }
        "sendmessage" | "sendphoto" | "senddocument" => send(s, m, p),
        "editmessagetext" | "editmessagecaption" | "editmessagereplymarkup" => edit(s, m, p),
        "deletemessage" => {
            let key = (chat_id(p)?, int(p, "message_id").unwrap_or_default());
            match s.messages.remove(&key) {
                Some(_) => Ok(j!(true)),
                None => Err((400, "Bad Request: message to delete not found".into())),
            }
        }
        "answercallbackquery" => match p["callback_query_id"].as_str() {
            Some(_) => Ok(j!(true)),
            None => {
                Err((400, "Bad Request: query is too old and response timeout expired or query ID is invalid".into()))
            }
        },
        "sendchataction" => {
            chat_id(p)?;
            Ok(j!(true))
        }
        "getchat" => {
            let id = chat_id(p)?;
            Ok(json::chat_full_info(id, s.users.get(&id)))
        }
        _ => super::payments::method_call(s, m, p).unwrap_or_else(|| Err((404, "Not Found: method not found".into()))),
    }
}

fn int(p: &Value, key: &str) -> Option<i64> {
    match &p[key] {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn chat_id(p: &Value) -> Result<i64, (u16, String)> {
    int(p, "chat_id").ok_or_else(|| (400, "Bad Request: chat not found".into()))
}

/// Only an inline keyboard is part of the returned `Message`; reply keyboards are not echoed.
fn inline_markup(p: &Value) -> Option<Value> {
    p.get("reply_markup").filter(|m| m.get("inline_keyboard").is_some()).cloned()
}

fn send(s: &mut State, m: &str, p: &Value) -> Answer {
    let chat_id = chat_id(p)?;
    if s.blocked.contains(&chat_id) {
        return Err((403, "Forbidden: bot was blocked by the user".into()));
    }
    let text = p["text"].as_str().map(str::to_owned);
    let caption = p["caption"].as_str().map(str::to_owned);
    if m == "sendmessage" {
        match &text {
            None => return Err((400, "Bad Request: message text is empty".into())),
            Some(t) if t.trim().is_empty() => return Err((400, "Bad Request: message text is empty".into())),
            Some(t) if t.chars().count() > 4096 => return Err((400, "Bad Request: message is too long".into())),
            _ => {}
        }
    }
    if caption.as_ref().is_some_and(|c| c.chars().count() > 1024) {
        return Err((400, "Bad Request: message caption is too long".into()));
    }
    let n = s.next();
    let message_id = s.next_message_id(chat_id);
    let mut msg = json::message(message_id, json::bot_user(s.bot_id), json::chat(chat_id, s.users.get(&chat_id)));
    let file = |key: &str| {
        let f = &p[key];
        let size = f["size"].as_u64().unwrap_or(1024);
        let name = f["file_name"].as_str().unwrap_or("file.bin").to_owned();
        (f.is_null(), size, name)
    };
    match m {
        "sendmessage" => msg["text"] = j!(text),
        "sendphoto" => {
            let (missing, size, _) = file("photo");
            if missing {
                return Err((400, "Bad Request: there is no photo in the request".into()));
            }
            msg["photo"] = json::photo_sizes(n, size);
        }
        _ => {
            let (missing, size, name) = file("document");
            if missing {
                return Err((400, "Bad Request: there is no document in the request".into()));
            }
            msg["document"] = json::document(n, &name, size);
        }
    }
    if let Some(c) = &caption {
        msg["caption"] = j!(c);
    }
    if let Some(k) = inline_markup(p) {
        msg["reply_markup"] = k;
    }
    s.messages.insert((chat_id, message_id), msg.clone());
    s.sent.push(SentMessage {
        method: method_name(m),
        chat_id,
        message_id,
        text: text.or(caption),
        reply_markup: p.get("reply_markup").cloned(),
        body: p.clone(),
        at: std::time::Instant::now(),
    });
    Ok(msg)
}

fn edit(s: &mut State, m: &str, p: &Value) -> Answer {
    if p.get("inline_message_id").is_some() {
        return Ok(j!(true));
    }
    let chat_id = chat_id(p)?;
    let message_id = int(p, "message_id").ok_or((400, "Bad Request: message identifier is not specified".into()))?;
    let Some(old) = s.messages.get(&(chat_id, message_id)).cloned() else {
        return Err((400, "Bad Request: message to edit not found".into()));
    };
    if old["from"]["id"] != j!(s.bot_id) {
        return Err((400, "Bad Request: message can't be edited".into()));
    }
    let mut new = old.clone();
    let obj = new.as_object_mut().unwrap();
    obj.remove("edit_date");
    obj.remove("reply_markup");
    match m {
        "editmessagetext" => {
            let text = p["text"].as_str().filter(|t| !t.trim().is_empty());
            let text = text.ok_or((400, "Bad Request: message text is empty".into()))?;
            obj.remove("entities");
            obj.insert("text".into(), j!(text));
        }
        "editmessagecaption" => {
            obj.insert("caption".into(), p["caption"].clone());
        }
        _ => {}
    }
    if let Some(k) = inline_markup(p) {
        obj.insert("reply_markup".into(), k);
    }
    let mut old_cmp = old.clone();
    old_cmp.as_object_mut().unwrap().remove("edit_date");
    if new == old_cmp {
        return Err((400, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message".into()));
    }
    new["edit_date"] = j!(json::now());
    s.messages.insert((chat_id, message_id), new.clone());
    let text = new["text"].as_str().or(new["caption"].as_str()).map(str::to_owned);
    let reply_markup = p.get("reply_markup").cloned();
    let at = std::time::Instant::now();
    s.sent.push(SentMessage { method: method_name(m), chat_id, message_id, text, reply_markup, body: p.clone(), at });
    Ok(new)
}

/// The Bot API's spelling of a lowercased method name we deliver through.
fn method_name(m: &str) -> String {
    let known =
        ["sendMessage", "sendPhoto", "sendDocument", "editMessageText", "editMessageCaption", "editMessageReplyMarkup"];
    known.iter().find(|k| k.eq_ignore_ascii_case(m)).map_or_else(|| m.to_owned(), |k| (*k).to_owned())
}

impl Shared {
    /// `getUpdates`: acknowledges everything below `offset`, answers the pending updates from
    /// `offset` on (at most `limit`), or waits for one up to `timeout` (capped at [`MAX_POLL`]).
    async fn get_updates(&self, p: &Value) -> Answer {
        let offset = int(p, "offset").unwrap_or(0);
        let limit = usize::try_from(int(p, "limit").unwrap_or(100).clamp(1, 100)).unwrap();
        let timeout = Duration::from_secs(u64::try_from(int(p, "timeout").unwrap_or(0).max(0)).unwrap()).min(MAX_POLL);
        let deadline = Instant::now() + timeout;
        loop {
            let notified = self.updates.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let mut s = self.state.lock().unwrap();
                // Telegram keeps the last list given; an update of a kind not asked for is dropped.
                if let Some(list) = p.get("allowed_updates").and_then(Value::as_array) {
                    s.allowed_updates = Some(list.iter().filter_map(|k| k.as_str().map(str::to_owned)).collect());
                }
                if !s.webhook_url.is_empty() {
                    return Err((409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first".into()));
                }
                if offset < 0 {
                    let keep = usize::try_from(-offset).unwrap();
                    let drop = s.pending.len().saturating_sub(keep);
                    s.pending.drain(..drop);
                } else if offset > 0 {
                    s.pending.retain(|u| u["update_id"].as_i64().unwrap() >= offset);
                    s.acked_offset = s.acked_offset.max(offset);
                }
                let dropped: Vec<Value> = s.pending.iter().filter(|u| !s.allowed(u)).cloned().collect();
                if !dropped.is_empty() {
                    s.pending.retain(|u| !dropped.contains(u));
                }
                let out: Vec<Value> = s.pending.iter().take(limit).cloned().collect();
                if !out.is_empty() || Instant::now() >= deadline {
                    return Ok(Value::Array(out));
                }
            }
            let _ = tokio::time::timeout_at(deadline, notified).await;
        }
    }
}
