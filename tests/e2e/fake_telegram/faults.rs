//! The Bot API failing on command: the next calls of a kind answer a server error or break the
//! connection mid-answer, and carry out nothing (nothing delivered, no update handed out).

use super::FakeTelegram;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// HTTP 500 with Telegram's error body. (teloxide pauses 10 s after any 5xx: use sparingly.)
    ServerError,
    /// The connection closes without an answer: the client sees a connection closed mid-request.
    CloseConnection,
    /// No answer for a minute, nothing delivered: the request hangs (for killing the bot while
    /// it waits).
    Stall,
}

/// Which calls a fault hits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Calls {
    /// `sendMessage`, `sendPhoto`, `sendDocument`, `editMessage*`.
    Sends,
    /// `getUpdates`.
    Polls,
    /// `getMe`, which the bot asks first.
    Me,
}

impl FakeTelegram {
    /// The next `n` calls of the kind fail with `fault`.
    pub fn fail_next(&self, calls: Calls, n: u32, fault: Fault) {
        self.state().faults.push((calls, n, fault));
    }

    /// How many calls failed on command so far.
    pub fn failed_on_command(&self) -> u32 {
        self.state().faults_served
    }
}

impl super::State {
    /// The fault this call meets, if one is queued for its kind (and counts it).
    pub(super) fn take_fault(&mut self, method: &str) -> Option<Fault> {
        let kind = if method == "getupdates" {
            Calls::Polls
        } else if method == "getme" {
            Calls::Me
        } else if super::server::is_send(method) {
            Calls::Sends
        } else {
            return None;
        };
        let slot = self.faults.iter_mut().find(|(k, n, _)| *k == kind && *n > 0)?;
        slot.1 -= 1;
        let fault = slot.2;
        self.faults.retain(|(_, n, _)| *n > 0);
        self.faults_served += 1;
        Some(fault)
    }
}

pub(super) async fn answer(fault: Fault) -> Response {
    match fault {
        Fault::Stall => {
            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
        Fault::ServerError => {
            let body = json!({"ok": false, "error_code": 500, "description": "Internal Server Error"});
            (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(body)).into_response()
        }
        // Unwinding out of the handler ends the connection's task: hyper drops the connection
        // unanswered, and the server goes on. (`resume_unwind` skips the panic message.)
        Fault::CloseConnection => std::panic::resume_unwind(Box::new("connection closed on command")),
    }
}
