//! The fake's own wire behaviour, over plain HTTP (the real binary is not involved).
//! Its shapes were also checked against teloxide-core 0.13's client and types.

use super::{FakeTelegram, TEST_TOKEN};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

async fn call(fake: &FakeTelegram, method: &str, body: Value) -> (u16, Value) {
    let url = format!("{}bot{TEST_TOKEN}/{method}", fake.api_url());
    let r = reqwest::Client::new().post(url).json(&body).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn the_fake_answers_in_the_bot_api_wire_format() {
    let fake = FakeTelegram::start().await;
    let (status, me) = call(&fake, "getMe", json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(me["result"]["id"], 123_456);
    assert_eq!(me["result"]["is_bot"], true);
    assert_eq!(me["result"]["username"], "tourcrm_test_bot");

    let (status, body) = call(&fake, "noSuchMethod", json!({})).await;
    assert_eq!(
        (status, body),
        (404, json!({"ok": false, "error_code": 404, "description": "Not Found: method not found"}))
    );
    let r = reqwest::get(format!("{}botnonsense/getMe", fake.api_url())).await.unwrap();
    assert_eq!(r.status().as_u16(), 401);

    // Only an inline keyboard is echoed in the returned message; both are recorded.
    let anna = fake.user(7, "Анна", Some("anna"));
    let inline = json!({"inline_keyboard": [[{"text": "Да", "callback_data": "yes"}]]});
    let (_, m1) = call(&fake, "sendMessage", json!({"chat_id": 7, "text": "Один", "reply_markup": inline})).await;
    let reply_kb = json!({"keyboard": [[{"text": "Телефон", "request_contact": true}]], "resize_keyboard": true});
    let (_, m2) = call(&fake, "sendMessage", json!({"chat_id": 7, "text": "Два", "reply_markup": reply_kb})).await;
    assert_eq!((m1["result"]["message_id"].clone(), m2["result"]["message_id"].clone()), (json!(1), json!(2)));
    assert_eq!(m1["result"]["reply_markup"], inline);
    assert!(m2["result"].get("reply_markup").is_none());
    assert_eq!(m1["result"]["chat"], json!({"id": 7, "type": "private", "first_name": "Анна", "username": "anna"}));
    let sent = fake.sent_to(anna.id);
    assert_eq!(sent[0].callback_data(), ["yes"]);
    assert_eq!(sent[1].reply_markup.as_ref().unwrap(), &reply_kb);

    // Form-urlencoded and multipart bodies are understood too.
    let form = [("chat_id", "7"), ("text", "Форма")];
    let url = format!("{}bot{TEST_TOKEN}/sendMessage", fake.api_url());
    let r: Value = reqwest::Client::new().post(&url).form(&form).send().await.unwrap().json().await.unwrap();
    assert_eq!(r["result"]["text"], "Форма");
    let body = "--XyZ\r\nContent-Disposition: form-data; name=\"chat_id\"\r\n\r\n7\r\n--XyZ\r\n\
        Content-Disposition: form-data; name=\"document\"\r\n\r\nattach://f1\r\n--XyZ\r\n\
        Content-Disposition: form-data; name=\"f1\"; filename=\"contract.pdf\"\r\n\
        Content-Type: application/pdf\r\n\r\n%PDF-1.4\r\n--XyZ--\r\n";
    let url = format!("{}bot{TEST_TOKEN}/sendDocument", fake.api_url());
    let r: Value = reqwest::Client::new()
        .post(url)
        .header("content-type", "multipart/form-data; boundary=XyZ")
        .body(body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["result"]["document"]["file_name"], "contract.pdf", "{r}");
    assert_eq!(
        fake.calls("sendDocument")[0],
        json!({"chat_id": "7", "document": {"file_name": "contract.pdf", "size": 8, "hex": "255044462d312e34"}})
    );

    // A 429 is Telegram's shape and delivers nothing.
    fake.fail_next_with_429(1, 2);
    let before = fake.count_sent(7);
    let (status, body) = call(&fake, "sendMessage", json!({"chat_id": 7, "text": "x"})).await;
    assert_eq!(status, 429);
    assert_eq!(body["parameters"]["retry_after"], 2);
    assert_eq!(body["description"], "Too Many Requests: retry after 2");
    assert_eq!(fake.count_sent(7), before);

    // Edits: "not modified" as Telegram says it; a callback embeds the bot's message.
    let (status, _) = call(&fake, "editMessageText", json!({"chat_id": 7, "message_id": 2, "text": "Три"})).await;
    assert_eq!(status, 200);
    let (status, body) = call(&fake, "editMessageText", json!({"chat_id": 7, "message_id": 2, "text": "Три"})).await;
    assert_eq!(status, 400);
    assert!(body["description"].as_str().unwrap().starts_with("Bad Request: message is not modified"));
    fake.push_callback(&anna, 1, "yes");
    let (_, ups) = call(&fake, "getUpdates", json!({})).await;
    let q = &ups["result"][0]["callback_query"];
    assert_eq!((q["data"].clone(), q["message"]["text"].clone()), (json!("yes"), json!("Один")));
}

#[tokio::test]
async fn get_updates_acknowledges_by_offset_and_long_polls() {
    let fake = FakeTelegram::start().await;
    let u = fake.user(9, "Пётр", None);
    let a = fake.push_text(&u, "/start");
    let b = fake.push_text(&u, "привет");
    let (_, r) = call(&fake, "getUpdates", json!({"limit": 1})).await;
    assert_eq!(r["result"].as_array().unwrap().len(), 1);
    assert_eq!(r["result"][0]["update_id"], a);
    assert_eq!(r["result"][0]["message"]["entities"], json!([{"type": "bot_command", "offset": 0, "length": 6}]));
    let (_, r) = call(&fake, "getUpdates", json!({"offset": a + 1})).await;
    assert_eq!(r["result"][0]["update_id"], b);
    assert_eq!(fake.pending_updates(), 1);

    // Nothing new: the poll waits up to its (capped) timeout…
    let started = Instant::now();
    let (_, r) = call(&fake, "getUpdates", json!({"offset": b + 1, "timeout": 30})).await;
    assert_eq!(r["result"], json!([]));
    assert!(started.elapsed() >= Duration::from_millis(900) && started.elapsed() < Duration::from_secs(3));
    fake.wait_until_acked(b, Duration::from_secs(1)).await;

    // …and wakes as soon as an update is pushed.
    let pusher = fake.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        pusher.push_sticker(&pusher.user(9, "Пётр", None));
    });
    let started = Instant::now();
    let (_, r) = call(&fake, "getUpdates", json!({"offset": b + 1, "timeout": 30})).await;
    assert!(r["result"][0]["message"]["sticker"].is_object(), "{r}");
    assert!(started.elapsed() < Duration::from_millis(800));
}
