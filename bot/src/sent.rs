//! `sendMessage` answered with the sent message's id only. teloxide reads Telegram's answer
//! into a whole `Message` (dozens of optional fields, the keyboard echoed back, each parsed
//! through serde's buffered untagged and flattened forms): a fifth of the CPU of a reply, for a
//! message the bot only needs the id of, if anything.

use serde::{Deserialize, Serialize};
use teloxide::Bot;
use teloxide::payloads::{EditMessageText, SendMessage};
use teloxide::requests::{JsonRequest, Payload};

/// What the bot reads of a message Telegram accepted.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct Sent {
    pub message_id: i32,
}

/// teloxide's `sendMessage` payload, answered with [`Sent`].
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct SendText(pub SendMessage);

impl Payload for SendText {
    type Output = Sent;
    const NAME: &'static str = <SendMessage as Payload>::NAME;
}

/// The request for `payload`: send it with `.await` or `send_ref()`, as teloxide's own.
pub fn text(bot: &Bot, payload: SendMessage) -> JsonRequest<SendText> {
    JsonRequest::new(bot.clone(), SendText(payload))
}

/// teloxide's `editMessageText` payload, answered with [`Sent`] like a send.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct EditText(pub EditMessageText);

impl Payload for EditText {
    type Output = Sent;
    const NAME: &'static str = <EditMessageText as Payload>::NAME;
}

/// The request for an edit of `payload`'s message.
pub fn edit(bot: &Bot, payload: EditMessageText) -> JsonRequest<EditText> {
    JsonRequest::new(bot.clone(), EditText(payload))
}

#[cfg(test)]
mod tests {
    use super::*;
    use teloxide::types::{ChatId, ReplyMarkup};

    #[test]
    fn the_payload_is_teloxides_own() {
        let mut payload = SendMessage::new(ChatId(42), "Привет");
        payload.reply_markup = Some(ReplyMarkup::kb_remove());
        let ours = serde_json::to_value(SendText(payload.clone())).unwrap();
        assert_eq!(ours, serde_json::to_value(&payload).unwrap());
        assert_eq!(SendText::NAME, "SendMessage");
    }

    #[test]
    fn only_the_id_is_read_back() {
        let answer = r#"{"message_id": 7, "date": 1700000000, "chat": {"id": 42, "type": "private"},
            "text": "Привет", "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": "b"}]]}}"#;
        assert_eq!(serde_json::from_str::<Sent>(answer).unwrap().message_id, 7);
    }
}
