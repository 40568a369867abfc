//! The limiter's behaviour in tokio's paused time: every wait is exact and instant to run.

use super::*;
use std::sync::atomic::{AtomicUsize, Ordering};

const PERSON: i64 = 7;
/// An overall rate high enough that only a chat's own limit shows.
const FAST: u32 = 1000;
const GROUP_CHAT: i64 = -100_123;

/// Sends `n` replies to `chat` one after another; answers when each went, from the start.
async fn replies(budget: &SendBudget, chat: i64, n: usize) -> Vec<Duration> {
    let start = Instant::now();
    let mut at = Vec::with_capacity(n);
    for _ in 0..n {
        budget.reply_turn(chat).await;
        at.push(start.elapsed());
    }
    at
}

#[tokio::test(start_paused = true)]
async fn a_person_gets_a_burst_at_once_then_one_a_second_with_no_minute_cap() {
    let budget = SendBudget::new(FAST);
    let at = replies(&budget, PERSON, 70).await;
    assert!(at[..3].iter().all(|t| t.is_zero()), "the burst waits for nothing: {:?}", &at[..3]);
    for (i, t) in at.iter().enumerate().skip(3) {
        assert_eq!(*t, Duration::from_secs(i as u64 - 2), "message {i}");
    }
    // 70 messages in 67 seconds: nothing like a 20-a-minute cap.
    assert_eq!(at[69], Duration::from_secs(67));
}

#[tokio::test(start_paused = true)]
async fn a_person_who_answers_every_second_never_waits() {
    let budget = SendBudget::new(FAST);
    for _ in 0..120 {
        let asked = Instant::now();
        budget.reply_turn(PERSON).await;
        assert_eq!(asked.elapsed(), Duration::ZERO);
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

#[tokio::test(start_paused = true)]
async fn a_group_gets_at_most_twenty_messages_in_any_minute() {
    let budget = SendBudget::new(FAST);
    let at = replies(&budget, GROUP_CHAT, 100).await;
    for (i, first) in at.iter().enumerate() {
        let in_minute = at[i..].iter().take_while(|t| **t - *first < Duration::from_secs(60)).count();
        assert!(in_minute <= 20, "{in_minute} messages in the minute from message {i}");
    }
    let first_minute = at.iter().filter(|t| **t < Duration::from_secs(60)).count();
    assert!(first_minute >= 19, "the group still gets its share: {first_minute}");
}

#[tokio::test(start_paused = true)]
async fn other_chats_are_not_held_up_by_a_busy_one() {
    let budget = SendBudget::new(FAST);
    replies(&budget, PERSON, 3).await;
    let start = Instant::now();
    budget.reply_turn(PERSON + 1).await;
    assert_eq!(start.elapsed(), Duration::ZERO);
    assert_eq!(budget.take_chat_turn(PERSON), Err(Duration::from_secs(1)));
}

/// No second ever holds more than the overall rate, from a standing start and sustained.
#[tokio::test(start_paused = true)]
async fn no_second_holds_more_than_the_overall_rate() {
    for rate in [1u32, 25, 30, 1000] {
        let budget = SendBudget::new(rate);
        let start = Instant::now();
        let mut at = Vec::new();
        while start.elapsed() < Duration::from_secs(3) {
            budget.bulk_turn().await;
            at.push(start.elapsed());
        }
        for (i, first) in at.iter().enumerate() {
            let in_second = at[i..].iter().take_while(|t| **t - *first < Duration::from_secs(1)).count();
            assert!(in_second as u32 <= rate, "rate {rate}: {in_second} in the second from message {i}");
        }
        let last_second = at.iter().filter(|t| **t >= Duration::from_secs(2)).count() as u32;
        assert!(last_second * 100 >= rate * 90 || rate < 30, "rate {rate}: only {last_second} a second");
    }
}

#[tokio::test(start_paused = true)]
async fn a_reply_goes_ahead_of_a_broadcast_that_uses_the_whole_rate() {
    let budget = SendBudget::new(10);
    let sent = Arc::new(AtomicUsize::new(0));
    let broadcast = {
        let (budget, sent) = (budget.clone(), sent.clone());
        tokio::spawn(async move {
            loop {
                budget.bulk_turn().await;
                sent.fetch_add(1, Ordering::SeqCst);
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(5_050)).await;
    let before = sent.load(Ordering::SeqCst);
    assert!(before >= 45, "the broadcast has the whole rate: {before}");
    // The broadcast is waiting for its next slot; the reply takes that slot, not a later one.
    let asked = Instant::now();
    budget.reply_turn(PERSON).await;
    let waited = asked.elapsed();
    assert!(waited <= Duration::from_secs(1) / 9, "the reply waited {waited:?}");
    assert_eq!(sent.load(Ordering::SeqCst), before, "no broadcast message went before the reply");
    // And the broadcast goes on afterwards.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(sent.load(Ordering::SeqCst) >= before + 8);
    broadcast.abort();
}

#[tokio::test(start_paused = true)]
async fn replies_waiting_for_their_own_chat_do_not_hold_up_the_broadcast() {
    let budget = SendBudget::new(10);
    replies(&budget, PERSON, 3).await;
    // The person's fourth reply waits a second for the chat; the overall rate is not its problem.
    let reply = tokio::spawn({
        let budget = budget.clone();
        async move { budget.reply_turn(PERSON).await }
    });
    tokio::task::yield_now().await;
    let start = Instant::now();
    for _ in 0..5 {
        budget.bulk_turn().await;
    }
    assert!(start.elapsed() < Duration::from_secs(1), "the broadcast waited for the reply's chat");
    reply.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_reply_given_up_while_waiting_does_not_stall_the_broadcast() {
    let budget = SendBudget::new(10);
    // Exhaust the overall burst, so the reply has to wait for a slot.
    budget.bulk_turn().await;
    let gave_up = tokio::time::timeout(Duration::from_millis(1), budget.reply_turn(PERSON)).await;
    assert!(gave_up.is_err(), "the reply had to wait");
    let start = Instant::now();
    budget.bulk_turn().await;
    assert!(start.elapsed() <= Duration::from_secs(1) / 9);
}

#[tokio::test(start_paused = true)]
async fn a_429_after_a_burst_pauses_only_that_chat() {
    let budget = SendBudget::new(FAST);
    replies(&budget, PERSON, 2).await;
    assert_eq!(budget.flood(PERSON, Duration::from_secs(5)), Paused::Chat);
    let start = Instant::now();
    budget.reply_turn(PERSON + 1).await;
    budget.bulk_turn().await;
    assert_eq!(start.elapsed(), Duration::ZERO, "other chats and the outbox go on");
    assert_eq!(budget.take_chat_turn(PERSON), Err(Duration::from_secs(5)));
    budget.reply_turn(PERSON).await;
    assert_eq!(start.elapsed(), Duration::from_secs(5), "the chat is paused exactly retry_after");
}

#[tokio::test(start_paused = true)]
async fn a_429_on_a_chat_at_rest_pauses_the_whole_bot() {
    let budget = SendBudget::new(FAST);
    budget.reply_turn(PERSON).await;
    assert_eq!(budget.flood(PERSON, Duration::from_secs(3)), Paused::Bot);
    let start = Instant::now();
    budget.reply_turn(PERSON + 1).await;
    assert_eq!(start.elapsed(), Duration::from_secs(3), "another chat waits too");
    let start = Instant::now();
    budget.bulk_turn().await;
    assert!(start.elapsed() < Duration::from_millis(100), "and the pause ends for everyone");
}

#[tokio::test(start_paused = true)]
async fn a_longer_pause_is_never_shortened_by_a_later_shorter_one() {
    let budget = SendBudget::new(FAST);
    budget.reply_turn(PERSON).await;
    budget.flood(PERSON, Duration::from_secs(10));
    budget.flood(PERSON, Duration::from_secs(2));
    let start = Instant::now();
    budget.bulk_turn().await;
    assert_eq!(start.elapsed(), Duration::from_secs(10));
}
