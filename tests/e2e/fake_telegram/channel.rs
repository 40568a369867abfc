//! The agency's channel as Telegram shows it to a bot that administers it: `channel_post` and
//! `edited_channel_post` (a `Message` with a `"channel"` chat, `sender_chat` and no `from`) and
//! `message_reaction_count` (`chat`, `message_id`, `date`, `reactions: [{type, total_count}]`),
//! the Bot API's field names. Deep links can sit in the text (an `url` entity), behind words
//! (`text_link`) or in URL buttons.

use super::{FakeTelegram, json};
use serde_json::{Value, json as j};

/// How a link appears in a post.
pub enum PostLink<'a> {
    /// The URL written out in the text.
    Plain(&'a str),
    /// Words of the text (which must occur in it) linking to the URL.
    Hidden { words: &'a str, url: &'a str },
    /// A URL button under the post.
    Button { label: &'a str, url: &'a str },
}

/// The UTF-16 offset and length of `needle` in `text` (Telegram counts entities in UTF-16).
fn utf16_span(text: &str, needle: &str) -> (usize, usize) {
    let at = text.find(needle).unwrap_or_else(|| panic!("{needle:?} is not in the post {text:?}"));
    (text[..at].encode_utf16().count(), needle.encode_utf16().count())
}

fn channel_chat(channel_id: i64, title: &str) -> Value {
    assert!(channel_id < 0, "channel ids are negative");
    j!({"id": channel_id, "type": "channel", "title": title})
}

impl FakeTelegram {
    /// A new post in channel `channel_id` with `text` and its links; returns its message id.
    pub fn push_channel_post(&self, channel_id: i64, title: &str, text: &str, links: &[PostLink]) -> i64 {
        let msg = {
            let mut s = self.state();
            let message_id = s.next_message_id(channel_id);
            let chat = channel_chat(channel_id, title);
            let mut msg =
                j!({"message_id": message_id, "sender_chat": chat, "chat": chat, "date": json::now(), "text": text});
            let mut entities = Vec::new();
            let mut buttons = Vec::new();
            for link in links {
                match link {
                    PostLink::Plain(url) => {
                        let (offset, length) = utf16_span(text, url);
                        entities.push(j!({"type": "url", "offset": offset, "length": length}));
                    }
                    PostLink::Hidden { words, url } => {
                        let (offset, length) = utf16_span(text, words);
                        entities.push(j!({"type": "text_link", "offset": offset, "length": length, "url": url}));
                    }
                    PostLink::Button { label, url } => buttons.push(j!([{"text": label, "url": url}])),
                }
            }
            if !entities.is_empty() {
                msg["entities"] = Value::Array(entities);
            }
            if !buttons.is_empty() {
                msg["reply_markup"] = j!({"inline_keyboard": buttons});
            }
            s.messages.insert((channel_id, message_id), msg.clone());
            msg
        };
        let message_id = msg["message_id"].as_i64().unwrap();
        self.push_update("channel_post", msg);
        message_id
    }

    /// An edit of post `message_id`: a new text, its links kept as they were.
    pub fn push_edited_channel_post(&self, channel_id: i64, message_id: i64, text: &str) -> i64 {
        let msg = {
            let mut s = self.state();
            let mut msg = s.messages.get(&(channel_id, message_id)).cloned().expect("the post was pushed");
            msg["text"] = j!(text);
            msg["edit_date"] = j!(json::now());
            s.messages.insert((channel_id, message_id), msg.clone());
            msg
        };
        self.push_update("edited_channel_post", msg)
    }

    /// The post's anonymous reaction counts now: (emoji, count) pairs as Telegram lists them.
    pub fn push_reaction_count(&self, channel_id: i64, title: &str, message_id: i64, counts: &[(&str, u64)]) -> i64 {
        let reactions: Vec<Value> =
            counts.iter().map(|(emoji, n)| j!({"type": {"type": "emoji", "emoji": emoji}, "total_count": n})).collect();
        let update = j!({
            "chat": channel_chat(channel_id, title), "message_id": message_id, "date": json::now(),
            "reactions": reactions,
        });
        self.push_update("message_reaction_count", update)
    }
}
