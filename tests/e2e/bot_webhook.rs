//! Webhook mode: Telegram posts updates to the panel's server; the secret header is checked
//! in constant time and a forged update is never handled; an update is answered 200 only once
//! it was handled (its reply already sent), so one lost with the process comes again.

use crate::fake_telegram::TEST_TOKEN;
use crate::helpers::{Sandbox, free_port};
use serde_json::json;
use testkit::Backend;

#[tokio::test]
async fn webhook_updates_are_accepted_only_with_the_secret_token() {
    let fake = crate::fake_telegram::FakeTelegram::start().await;
    let sb = Sandbox::new(Backend::Sqlite).await;
    let port = free_port();
    let hook = format!("http://127.0.0.1:{port}/telegram/hook");
    let api = fake.api_url();
    let _server = sb
        .serve_on(
            port,
            &[
                ("TELOXIDE_TOKEN", TEST_TOKEN),
                ("TELOXIDE_API_URL", &api),
                ("TOURCRM_WEBHOOK_URL", &hook),
                ("TOURCRM_WEBHOOK_SECRET", "s3cret-token_1"),
            ],
        )
        .await;
    let set = fake.calls("setWebhook");
    assert_eq!(set.len(), 1, "{:?}", fake.methods_called());
    assert_eq!(set[0]["url"], hook.as_str());
    assert_eq!(set[0]["secret_token"], "s3cret-token_1");
    // Reaction counts come only when asked for (the social funnel needs them).
    let allowed = set[0]["allowed_updates"].as_array().cloned().unwrap_or_default();
    for kind in ["message", "callback_query", "channel_post", "edited_channel_post", "message_reaction_count"] {
        assert!(allowed.iter().any(|k| k == kind), "{kind} not in {allowed:?}");
    }
    assert!(fake.calls("getUpdates").is_empty(), "no long polling in webhook mode");

    let update = |id: i64, text: &str| {
        json!({
            "update_id": id,
            "message": {
                "message_id": id, "date": 1_764_000_000,
                "chat": {"id": 800_001, "type": "private", "first_name": "Вера"},
                "from": {"id": 800_001, "is_bot": false, "first_name": "Вера"},
                "text": text,
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}]
            }
        })
    };
    let http = reqwest::Client::new();
    // Guesses of every shape: another secret of the same length, a prefix, a longer one, one
    // with characters a secret never has (teloxide alone answered that one 400, our
    // constant-time check answers first).
    for (id, guess) in
        [(1, "wrong"), (4, "s3cret-token_2"), (5, "s3cret-token_"), (6, "s3cret-token_1x"), (7, "s3cret token 1")]
    {
        let forged = http
            .post(&hook)
            .header("X-Telegram-Bot-Api-Secret-Token", guess)
            .json(&update(id, "/start"))
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), 401, "secret {guess:?}");
    }
    let missing = http.post(&hook).json(&update(2, "/start")).send().await.unwrap();
    assert_eq!(missing.status(), 401);
    let ok = http
        .post(&hook)
        .header("X-Telegram-Bot-Api-Secret-Token", "s3cret-token_1")
        .json(&update(3, "/start"))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    // Handled before the answer: the reply is out by the time Telegram hears 200.
    let sent = fake.sent_to(800_001);
    assert_eq!(sent.len(), 1, "the forged updates were not processed, the real one was before 200");
    assert!(sent[0].text().contains("без регистрации"), "{}", sent[0].text());
    // Not an update at all: acknowledged (a retry would not make it one), nothing sent.
    let junk = http
        .post(&hook)
        .header("X-Telegram-Bot-Api-Secret-Token", "s3cret-token_1")
        .body("{\"not\": \"an update\"}")
        .send()
        .await
        .unwrap();
    assert_eq!(junk.status(), 200);
    assert_eq!(fake.count_sent(800_001), 1);
}
