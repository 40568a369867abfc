//! The real binary talking to the fake Telegram Bot API: a staff invite redeemed in the bot.

use crate::fake_telegram::{BOT_USERNAME, FakeTelegram, TEST_TOKEN, WAIT};
use crate::helpers::{Sandbox, Server, text};
use testkit::Backend;

struct Linked {
    fake: FakeTelegram,
    sb: Sandbox,
    invite: String,
}

/// A fake Telegram, a sandbox with the agent «Смирнова Анна» added through the CLI (which asks
/// the fake for the bot's username to print the invite link), and the invite's `staff_…` code.
async fn setup() -> Linked {
    let fake = FakeTelegram::start().await;
    let sb = Sandbox::new(Backend::Sqlite).await;
    let api = fake.api_url();
    let out = sb.run(
        &["staff", "add", "--role", "agent", "--name", "Смирнова Анна", "--login", "anna"],
        &[("TELOXIDE_TOKEN", TEST_TOKEN), ("TELOXIDE_API_URL", &api)],
    );
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "staff add failed: {stdout}\n{}", text(&out.stderr));
    let link = format!("https://t.me/{BOT_USERNAME}?start=staff_");
    assert!(stdout.contains(&link), "the invite link uses the username from getMe: {stdout}");
    let at = stdout.find("staff_").unwrap();
    let invite: String =
        stdout[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect();
    assert!(invite.len() > "staff_".len(), "{stdout}");
    assert!(!fake.calls("getMe").is_empty(), "staff add asks getMe: {:?}", fake.methods_called());
    Linked { fake, sb, invite }
}

async fn serve(l: &Linked) -> Server {
    let api = l.fake.api_url();
    l.sb.serve(&[("TELOXIDE_TOKEN", TEST_TOKEN), ("TELOXIDE_API_URL", &api)]).await
}

#[tokio::test]
async fn a_staff_invite_is_redeemed_once_through_the_bot() {
    let l = setup().await;
    let server = serve(&l).await;
    let fake = &l.fake;

    let anna = fake.user(700_001, "Анна", Some("anna_smirnova"));
    fake.push_text(&anna, &format!("/start {}", l.invite));
    let bound = fake.wait_for_message(anna.id, |m| m.text().contains("Смирнова Анна"), WAIT).await;
    assert_eq!(bound.method, "sendMessage");
    assert_eq!(bound.body["chat_id"], anna.id);

    // The same code from another Telegram account is refused.
    let other = fake.user(700_002, "Пётр", None);
    fake.push_text(&other, &format!("/start {}", l.invite));
    let refused = fake.wait_for_message(other.id, |m| m.text().contains("недействительна"), WAIT).await;
    assert!(!refused.text().contains("Смирнова"), "{}", refused.text());
    assert_eq!(fake.count_sent(anna.id), 1, "{:#?}", fake.sent_to(anna.id));

    // The bot set its command menu and polled with a long-poll timeout.
    let commands = fake.my_commands();
    assert!(commands.as_array().unwrap().iter().any(|c| c["command"] == "start"), "{commands}");
    let polls = fake.calls("getUpdates");
    assert!(polls.iter().any(|p| p["timeout"].as_i64().unwrap_or(0) > 0), "{polls:?}");

    let (_, stderr) = server.stop();
    assert!(stderr.contains("Telegram bot started"), "{stderr}");
}

#[tokio::test]
async fn a_429_from_telegram_is_waited_out_and_the_reply_still_arrives() {
    let l = setup().await;
    let server = serve(&l).await;
    let fake = &l.fake;

    fake.fail_next_with_429(1, 1);
    let anna = fake.user(700_003, "Анна", None);
    fake.push_text(&anna, &format!("/start {}", l.invite));
    let bound = fake.wait_for_message(anna.id, |m| m.text().contains("Смирнова Анна"), WAIT).await;
    assert_eq!(bound.method, "sendMessage");
    assert_eq!(fake.rejected_429(), 1);
    assert_eq!(fake.calls("sendMessage").len(), 2, "the rejected send was sent again");
    assert_eq!(fake.count_sent(anna.id), 1, "delivered exactly once: {:#?}", fake.sent_to(anna.id));
    drop(server);
}
