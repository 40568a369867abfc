//! What `/start <payload>` carries: a staff invite (`staff_<token>`), a marketing source
//! (`post_123`, any other short token), or nothing.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum StartPayload {
    None,
    StaffInvite(String),
    Source(String),
}

impl StartPayload {
    /// Telegram allows `[A-Za-z0-9_-]{1,64}` in deep links; anything else is ignored as noise.
    pub fn parse(payload: &str) -> StartPayload {
        let p = payload.trim();
        let valid =
            !p.is_empty() && p.len() <= 64 && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !valid {
            return StartPayload::None;
        }
        match p.strip_prefix("staff_") {
            Some(token) if !token.is_empty() => StartPayload::StaffInvite(token.to_owned()),
            _ => StartPayload::Source(p.to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_are_classified() {
        assert_eq!(StartPayload::parse(""), StartPayload::None);
        assert_eq!(StartPayload::parse("staff_abc-DEF_1"), StartPayload::StaffInvite("abc-DEF_1".into()));
        assert_eq!(StartPayload::parse("post_123"), StartPayload::Source("post_123".into()));
        assert_eq!(StartPayload::parse("staff_"), StartPayload::Source("staff_".into()));
        assert_eq!(StartPayload::parse("<script>"), StartPayload::None);
        assert_eq!(StartPayload::parse(&"a".repeat(65)), StartPayload::None);
    }
}
