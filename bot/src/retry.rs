//! What a failed request says about delivery, and the replies' retry with backoff.
//!
//! One sorting of errors serves the replies and the outbox sender:
//! - Telegram's refusals (blocked, chat not found, a bad request) are answers: the message did
//!   not go, and sending it again would be refused again.
//! - A server error (Telegram's own 5xx, or a proxy's non-JSON page in front of it) and a refused
//!   connection say the request was not carried out: sending again cannot make a duplicate.
//! - A timeout, a connection closed mid-answer or any other transport failure leaves it open
//!   whether Telegram carried it out.
//!
//! 429 (`RetryAfter`) is not handled here: waiting out flood control is the sending rate's job
//! (the limiter in front of every send), so this wrapper stays a thin layer around one request.
//!
//! Replies are retried in both of the last two cases, with backoff over about a minute (the
//! outage the bot rides out): a reply lost means a client meets silence, and a reply in doubt
//! is repeated only when Telegram carried out a request whose answer never came back. The outbox
//! (notifications, broadcasts) keeps the stricter rule: a message in doubt is marked `unknown`
//! and never sent again (see `outbox`).

use std::future::Future;
use std::time::Duration;
use teloxide::{ApiError, RequestError};

/// What an error says about the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Telegram answered and refused: do not send again.
    Refused,
    /// Telegram asked to wait (429): the rate limiter's business.
    FloodControl,
    /// Not carried out (5xx, refused connection): safe to send again.
    NotSent,
    /// May or may not have been carried out (timeout, connection closed mid-answer).
    InDoubt,
}

pub fn fate(e: &RequestError) -> Fate {
    match e {
        RequestError::RetryAfter(_) => Fate::FloodControl,
        RequestError::Api(ApiError::Unknown(description)) if is_server_error(description) => Fate::NotSent,
        RequestError::Api(_) | RequestError::MigrateToChatId(_) => Fate::Refused,
        // Not Telegram's JSON: a proxy or balancer in front of it answered (502/503 pages).
        RequestError::InvalidJson { .. } => Fate::NotSent,
        RequestError::Network(e) if e.is_connect() => Fate::NotSent,
        RequestError::Network(_) | RequestError::Io(_) => Fate::InDoubt,
    }
}

/// Telegram's descriptions of its 5xx answers (teloxide keeps the description, not the code).
fn is_server_error(description: &str) -> bool {
    ["Internal Server Error", "Bad Gateway", "Service Unavailable", "Gateway Timeout"]
        .iter()
        .any(|s| description.starts_with(s))
}

/// Pauses between tries: 0.25 s doubling to 8 s, about 48 s in all (an outage of a minute is
/// mostly ridden out, and the chat's later updates are not held much longer).
const BACKOFF: [Duration; 10] = {
    const fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }
    [ms(250), ms(500), ms(1_000), ms(2_000), ms(4_000), ms(8_000), ms(8_000), ms(8_000), ms(8_000), ms(8_000)]
};

/// Runs `send` until it succeeds, Telegram refuses, or the backoff runs out.
pub async fn with_backoff<T, F, Fut>(what: &str, mut send: F) -> Result<T, RequestError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, RequestError>>,
{
    let mut pauses = BACKOFF.iter();
    loop {
        let error = match send().await {
            Ok(answer) => return Ok(answer),
            Err(e) => e,
        };
        let retry = matches!(fate(&error), Fate::NotSent | Fate::InDoubt);
        match pauses.next().filter(|_| retry) {
            Some(pause) => {
                tracing::warn!(error = %error, retry_in_ms = pause.as_millis() as u64, "{what} failed; trying again");
                tokio::time::sleep(*pause).await;
            }
            None => return Err(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[test]
    fn errors_are_sorted_by_what_they_say_about_delivery() {
        let unknown = |s: &str| RequestError::Api(ApiError::Unknown(s.into()));
        assert_eq!(fate(&unknown("Internal Server Error")), Fate::NotSent);
        assert_eq!(fate(&unknown("Bad Gateway")), Fate::NotSent);
        assert_eq!(fate(&unknown("Bad Request: message text is empty")), Fate::Refused);
        assert_eq!(fate(&RequestError::Api(ApiError::BotBlocked)), Fate::Refused);
        assert_eq!(fate(&RequestError::RetryAfter(teloxide::types::Seconds::from_seconds(3))), Fate::FloodControl);
        let html =
            RequestError::InvalidJson { source: serde_json::from_str::<u8>("<").unwrap_err().into(), raw: "<".into() };
        assert_eq!(fate(&html), Fate::NotSent);
        let io = RequestError::Io(Arc::new(std::io::Error::from(std::io::ErrorKind::ConnectionReset)));
        assert_eq!(fate(&io), Fate::InDoubt);
    }

    #[tokio::test(start_paused = true)]
    async fn server_errors_are_retried_and_refusals_are_not() {
        let tries = AtomicU32::new(0);
        let answer = with_backoff("test", || {
            let n = tries.fetch_add(1, Ordering::SeqCst);
            async move {
                if n < 3 { Err(RequestError::Api(ApiError::Unknown("Internal Server Error".into()))) } else { Ok(n) }
            }
        })
        .await;
        assert_eq!(answer.unwrap(), 3);

        tries.store(0, Ordering::SeqCst);
        let refused = with_backoff("test", || {
            tries.fetch_add(1, Ordering::SeqCst);
            async { Err::<(), _>(RequestError::Api(ApiError::BotBlocked)) }
        })
        .await;
        assert!(refused.is_err());
        assert_eq!(tries.load(Ordering::SeqCst), 1, "a refusal is final");

        tries.store(0, Ordering::SeqCst);
        let started = tokio::time::Instant::now();
        let gave_up = with_backoff("test", || {
            tries.fetch_add(1, Ordering::SeqCst);
            async { Err::<(), _>(RequestError::Api(ApiError::Unknown("Bad Gateway".into()))) }
        })
        .await;
        assert!(gave_up.is_err());
        assert_eq!(tries.load(Ordering::SeqCst), 11);
        assert_eq!(started.elapsed(), BACKOFF.iter().sum::<Duration>(), "every pause, once");
    }
}
