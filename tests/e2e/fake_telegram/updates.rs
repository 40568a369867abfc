//! The test's side: users, pushed updates, what the bot sent, fault injection.

use super::{FakeTelegram, FakeUser, SentMessage, json};
use serde_json::{Value, json as j};
use std::time::Duration;
use tokio::time::Instant;

impl FakeTelegram {
    /// A Telegram user (remembered, so the bot's messages to them carry their chat).
    pub fn user(&self, id: i64, first_name: &str, username: Option<&str>) -> FakeUser {
        let u = FakeUser { id, first_name: first_name.to_owned(), username: username.map(str::to_owned) };
        self.state().users.insert(id, u.clone());
        u
    }

    /// Queues an update (`kind` is its field, e.g. "message") and wakes a waiting `getUpdates`.
    pub fn push_update(&self, kind: &str, payload: Value) -> i64 {
        let id = {
            let mut s = self.state();
            s.last_update_id += 1;
            let id = s.last_update_id;
            s.pending.push(j!({"update_id": id, kind: payload}));
            id
        };
        self.shared.updates.notify_waiters();
        id
    }

    /// A new message from `user` in chat `chat_id`, built by `fill`; stored so it can be edited.
    pub(super) fn push_message(&self, chat_id: i64, user: &FakeUser, fill: impl FnOnce(&mut Value)) -> i64 {
        let msg = {
            let mut s = self.state();
            let message_id = s.next_message_id(chat_id);
            let chat = json::chat(chat_id, Some(user));
            let mut msg = json::message(message_id, json::user(user), chat);
            fill(&mut msg);
            s.messages.insert((chat_id, message_id), msg.clone());
            msg
        };
        self.push_update("message", msg)
    }

    /// A private text message; a leading `/command` carries its `bot_command` entity.
    pub fn push_text(&self, user: &FakeUser, text: &str) -> i64 {
        self.push_message(user.id, user, |m| json::set_text(m, text))
    }

    /// A text in a group chat (`group_chat_id` < 0).
    pub fn push_group_text(&self, group_chat_id: i64, user: &FakeUser, text: &str) -> i64 {
        assert!(group_chat_id < 0, "group chat ids are negative");
        self.push_message(group_chat_id, user, |m| json::set_text(m, text))
    }

    /// A shared contact; `contact_user_id == Some(user.id)` is the user's own number.
    pub fn push_contact(&self, user: &FakeUser, phone: &str, contact_user_id: Option<i64>) -> i64 {
        let c = json::contact(phone, &user.first_name, contact_user_id);
        self.push_message(user.id, user, |m| m["contact"] = c)
    }

    pub fn push_sticker(&self, user: &FakeUser) -> i64 {
        let n = self.state().next();
        self.push_message(user.id, user, |m| m["sticker"] = json::sticker(n))
    }

    pub fn push_photo(&self, user: &FakeUser) -> i64 {
        let n = self.state().next();
        self.push_message(user.id, user, |m| m["photo"] = json::photo_sizes(n, 65_536))
    }

    /// An `edited_message`: the user's earlier message `message_id` with a new text.
    pub fn push_edited_text(&self, user: &FakeUser, message_id: i64, text: &str) -> i64 {
        let msg = {
            let mut s = self.state();
            let mut msg = s
                .messages
                .get(&(user.id, message_id))
                .cloned()
                .unwrap_or_else(|| json::message(message_id, json::user(user), json::chat(user.id, Some(user))));
            let obj = msg.as_object_mut().unwrap();
            obj.remove("entities");
            json::set_text(&mut msg, text);
            msg["edit_date"] = j!(json::now());
            s.messages.insert((user.id, message_id), msg.clone());
            msg
        };
        self.push_update("edited_message", msg)
    }

    /// The user deletes a message from their chat: Telegram forgets it (an edit of it is then
    /// «message to edit not found»).
    pub fn delete_message(&self, chat_id: i64, message_id: i64) {
        self.state().messages.remove(&(chat_id, message_id));
    }

    /// A press of an inline button under the bot's message `message_id` in the user's chat;
    /// the callback embeds that message as Telegram does.
    pub fn push_callback(&self, user: &FakeUser, message_id: i64, data: &str) -> i64 {
        let query = {
            let mut s = self.state();
            let msg = s.messages.get(&(user.id, message_id)).cloned().unwrap_or_else(|| {
                panic!("push_callback: no message {message_id} in chat {}; sent so far: {:#?}", user.id, s.sent)
            });
            let n = s.next();
            j!({
                "id": format!("{}{n:08}", user.id), "from": json::user(user), "message": msg,
                "chat_instance": format!("-{}", user.id), "data": data,
            })
        };
        self.push_update("callback_query", query)
    }

    /// Everything delivered to the chat, oldest first (edits included).
    pub fn sent_to(&self, chat_id: i64) -> Vec<SentMessage> {
        self.state().sent.iter().filter(|m| m.chat_id == chat_id).cloned().collect()
    }

    pub fn count_sent(&self, chat_id: i64) -> usize {
        self.state().sent.iter().filter(|m| m.chat_id == chat_id).count()
    }

    /// The earliest delivery to the chat that satisfies `pred`, waiting for it up to `timeout`;
    /// panics with everything sent so far when none comes.
    pub async fn wait_for_message(
        &self,
        chat_id: i64,
        pred: impl Fn(&SentMessage) -> bool,
        timeout: Duration,
    ) -> SentMessage {
        self.wait_for_new_message(chat_id, 0, pred, timeout).await
    }

    /// Like [`wait_for_message`](Self::wait_for_message), skipping the chat's first `seen`
    /// deliveries (take `seen` from `count_sent` before acting).
    pub async fn wait_for_new_message(
        &self,
        chat_id: i64,
        seen: usize,
        pred: impl Fn(&SentMessage) -> bool,
        timeout: Duration,
    ) -> SentMessage {
        let deadline = Instant::now() + timeout;
        loop {
            let notified = self.shared.sent.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(m) = self.sent_to(chat_id).into_iter().skip(seen).find(|m| pred(m)) {
                return m;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let s = self.state();
                panic!(
                    "no matching message to chat {chat_id} within {timeout:?}; sent to it: {:#?}\nall calls: {:#?}",
                    s.sent.iter().filter(|m| m.chat_id == chat_id).collect::<Vec<_>>(),
                    s.calls.iter().filter(|(m, _)| m != "getUpdates").collect::<Vec<_>>()
                );
            }
        }
    }

    /// Waits until the bot has acknowledged (moved its `getUpdates` offset past) the update.
    pub async fn wait_until_acked(&self, update_id: i64, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while self.state().acked_offset <= update_id {
            assert!(Instant::now() < deadline, "update {update_id} not acknowledged within {timeout:?}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The bodies of every call of `method` (as the bot sent them, 429-rejected ones included).
    pub fn calls(&self, method: &str) -> Vec<Value> {
        self.state().calls.iter().filter(|(m, _)| m.eq_ignore_ascii_case(method)).map(|(_, b)| b.clone()).collect()
    }

    /// The names of all methods called, in order.
    pub fn methods_called(&self) -> Vec<String> {
        self.state().calls.iter().map(|(m, _)| m.clone()).collect()
    }

    /// The next `n` send-type calls (`sendMessage`, `sendPhoto`, `sendDocument`, `editMessage*`)
    /// answer HTTP 429 with `retry_after` and deliver nothing.
    pub fn fail_next_with_429(&self, n: u32, retry_after_secs: u32) {
        let mut s = self.state();
        s.fail_429 = n;
        s.retry_after = retry_after_secs;
    }

    /// Every message delivered so far, to anyone.
    pub fn total_sent(&self) -> usize {
        self.state().sent.len()
    }

    /// The deliveries from the `from`-th on (to anyone), for a driver that follows them all.
    pub fn sent_from(&self, from: usize) -> Vec<SentMessage> {
        self.state().sent.get(from..).map(<[SentMessage]>::to_vec).unwrap_or_default()
    }

    /// Enforce Telegram's per-chat flood control as modelled in [`super::PRIVATE_MAX`]: a send
    /// beyond it gets 429 (`retry_after` 1).
    pub fn limit_chat_rates(&self) {
        self.state().chat_limits = true;
    }

    /// Enforce Telegram's flood control: more than `per_second` sends in any second get 429.
    pub fn limit_rate(&self, per_second: usize) {
        self.state().rate_limit = Some(per_second);
    }

    /// How many calls were answered 429 so far.
    pub fn rejected_429(&self) -> u32 {
        self.state().rejected_429
    }

    /// From now on sending to this user answers 403 "bot was blocked by the user".
    pub fn block(&self, user: &FakeUser) {
        self.state().blocked.insert(user.id);
    }

    /// Updates pushed but not yet acknowledged by the bot.
    pub fn pending_updates(&self) -> usize {
        self.state().pending.len()
    }

    /// The command menu last set with `setMyCommands`.
    pub fn my_commands(&self) -> Value {
        self.state().commands.clone()
    }
}
