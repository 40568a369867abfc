//! The bot's one sending budget: Telegram counts every message of a bot against one limit
//! (about 30 a second), whether it answers someone or delivers a broadcast. Replies and the
//! outbox sender draw from this one limiter, so together they never exceed the configured rate
//! and a broadcast gets the whole rate when nobody is talking to the bot.
//!
//! Each chat also gets at most one message a second from both together (Telegram's per-chat
//! limit): a reply and a reminder to one chat do not go in the same second.
//!
//! The quota is a GCRA with a small burst (a fiftieth of the rate) and the rest as the
//! sustained rate: timers fire a little late, and a burst absorbs that without ever letting
//! more than the rate through in any one second.

use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone)]
pub struct SendBudget {
    limiter: Arc<DefaultDirectRateLimiter>,
    per_chat: Arc<DefaultKeyedRateLimiter<i64>>,
    rate: NonZeroU32,
}

impl SendBudget {
    /// A budget of `rate` messages a second over all chats (at least one).
    pub fn new(rate: u32) -> SendBudget {
        let rate = NonZeroU32::new(rate).unwrap_or(NonZeroU32::MIN);
        let per_chat = Arc::new(RateLimiter::keyed(Quota::per_second(NonZeroU32::MIN)));
        SendBudget { limiter: Arc::new(RateLimiter::direct(quota(rate))), per_chat, rate }
    }

    /// Messages a second over all chats.
    pub fn rate(&self) -> NonZeroU32 {
        self.rate
    }

    /// Waits until one more message may go.
    pub async fn until_ready(&self) {
        self.limiter.until_ready().await;
    }

    /// Waits until `chat` may get one more message (a reply waits its turn).
    pub async fn until_chat_ready(&self, chat: i64) {
        self.per_chat.until_key_ready(&chat).await;
    }

    /// Takes `chat`'s turn now, or says how long until it comes (the outbox then puts the
    /// message back rather than hold a sending slot).
    pub fn take_chat_turn(&self, chat: i64) -> Result<(), Duration> {
        self.per_chat
            .check_key(&chat)
            .map_err(|not_until| not_until.wait_time_from(governor::clock::Clock::now(self.per_chat.clock())))
    }
}

/// The global limit as a GCRA quota that never lets more than `rate` messages into any
/// second: a small burst (a fiftieth of the rate) absorbs the timer's millisecond granularity,
/// and the sustained rate is lowered by the same amount, since a window can hold the burst
/// plus a second's worth of the sustained rate.
fn quota(rate: NonZeroU32) -> Quota {
    let burst = (rate.get() / 50).max(1);
    let sustained = NonZeroU32::new(rate.get() - burst).unwrap_or(NonZeroU32::MIN);
    Quota::per_second(sustained).allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN))
}

impl std::fmt::Debug for SendBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendBudget").field("rate", &self.rate).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    /// Two senders sharing one budget get no more than the rate between them.
    #[tokio::test]
    async fn two_senders_share_one_rate() {
        let budget = SendBudget::new(100);
        let started = Instant::now();
        let sender = |b: SendBudget| async move {
            let mut sent = 0;
            while started.elapsed() < Duration::from_millis(500) {
                b.until_ready().await;
                sent += 1;
            }
            sent
        };
        let (a, b) = tokio::join!(sender(budget.clone()), sender(budget.clone()));
        // Half a second at 100/s: about 50 in all (+ the burst and the last wait), never 100.
        assert!(a + b <= 55, "{a} + {b}");
        assert!(a > 0 && b > 0, "both get a share: {a} + {b}");
    }

    /// A chat's turn is shared: once one sender took it, the other waits about a second.
    #[tokio::test]
    async fn one_message_a_second_per_chat_from_both_senders() {
        let budget = SendBudget::new(100);
        assert!(budget.take_chat_turn(7).is_ok());
        let wait = budget.take_chat_turn(7).unwrap_err();
        assert!(wait > Duration::from_millis(500) && wait <= Duration::from_secs(1), "{wait:?}");
        assert!(budget.take_chat_turn(8).is_ok(), "other chats are not held up");
    }

    /// Counts what the quota lets through in one second from a standing start, with a clock of
    /// our own (no sleeping): never more than the rate.
    #[test]
    fn no_second_holds_more_than_the_rate() {
        use governor::clock::FakeRelativeClock;
        for rate in [1u32, 25, 30, 1000] {
            let clock = FakeRelativeClock::default();
            let limiter = RateLimiter::direct_with_clock(quota(NonZeroU32::new(rate).unwrap()), clock.clone());
            let mut passed = 0;
            for _ in 0..1000 {
                if limiter.check().is_ok() {
                    passed += 1;
                }
                clock.advance(Duration::from_micros(999));
            }
            assert!(passed <= rate, "rate {rate}: {passed} in a second");
            assert!(passed * 100 >= rate * 90 || rate < 30, "rate {rate}: only {passed}");
        }
    }
}
