//! The bot's one sending budget: Telegram counts every message of a bot against one limit
//! (about 30 a second), whether it answers someone or delivers a broadcast. Replies and the
//! outbox sender draw from this one limiter, so together they never exceed the configured rate
//! and a broadcast gets the whole rate when nobody is talking to the bot.
//!
//! The quota is a GCRA with a small burst (a fiftieth of the rate) and the rest as the
//! sustained rate: timers fire a little late, and a burst absorbs that without ever letting
//! more than the rate through in any one second.

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;
use std::sync::Arc;

#[derive(Clone)]
pub struct SendBudget {
    limiter: Arc<DefaultDirectRateLimiter>,
    rate: NonZeroU32,
}

impl SendBudget {
    /// A budget of `rate` messages a second over all chats (at least one).
    pub fn new(rate: u32) -> SendBudget {
        let rate = NonZeroU32::new(rate).unwrap_or(NonZeroU32::MIN);
        SendBudget { limiter: Arc::new(RateLimiter::direct(quota(rate))), rate }
    }

    /// Messages a second over all chats.
    pub fn rate(&self) -> NonZeroU32 {
        self.rate
    }

    /// Waits until one more message may go.
    pub async fn until_ready(&self) {
        self.limiter.until_ready().await;
    }
}

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
