//! What the bot hears from the agency's Telegram channel and from deep links: channel posts with
//! the deep links they carry, their reaction counts as Telegram reports them, and every
//! `/start` with a payload. These are facts received, not decisions of a person, so they are
//! not audited; each write is idempotent, so an update handled again after a restart changes
//! nothing. The KPIs (`kpi`) read them.
//!
//! Payloads are untrusted: only `post_<digits>` and `src_<network>_<id>` count as known shapes;
//! anything else is kept as «прочее» (and its text only when it is a valid deep-link payload).

use super::Crm;
use crate::store::social::{self, PostIn, StartIn};
use crate::{Actor, Error, Result};
use chrono::{DateTime, Utc};

/// Telegram's own limit for a deep-link payload: `[A-Za-z0-9_-]{1,64}`.
pub const PAYLOAD_MAX: usize = 64;
/// How much of a post's text is kept to name it in the KPIs.
pub const EXCERPT_CHARS: usize = 200;

/// A `/start` payload, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeepLink {
    /// `post_<id>`: a post in the agency's Telegram channel.
    Post(String),
    /// `src_<network>_<id>`: a link placed in another network (VK, Instagram…).
    Network { network: String, id: String },
    /// Any other payload: `Some` when it is a valid deep-link payload, `None` for noise.
    Other(Option<String>),
}

impl DeepLink {
    pub fn parse(raw: &str) -> DeepLink {
        let p = raw.trim();
        let valid = !p.is_empty()
            && p.len() <= PAYLOAD_MAX
            && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !valid {
            return DeepLink::Other(None);
        }
        if let Some(id) = p.strip_prefix("post_")
            && !id.is_empty()
            && id.len() <= 20
            && id.bytes().all(|b| b.is_ascii_digit())
        {
            return DeepLink::Post(id.to_owned());
        }
        if let Some((network, id)) = p.strip_prefix("src_").and_then(|rest| rest.split_once('_'))
            && (2..=16).contains(&network.len())
            && network.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            && !id.is_empty()
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return DeepLink::Network { network: network.to_owned(), id: id.to_owned() };
        }
        DeepLink::Other(Some(p.to_owned()))
    }

    /// The payload as it is written in links, for a known or valid one.
    pub fn payload(&self) -> Option<String> {
        match self {
            DeepLink::Post(id) => Some(format!("post_{id}")),
            DeepLink::Network { network, id } => Some(format!("src_{network}_{id}")),
            DeepLink::Other(p) => p.clone(),
        }
    }
}

/// A channel post as the bot received it.
#[derive(Debug, Clone)]
pub struct ChannelPost {
    pub chat_id: i64,
    pub message_id: i64,
    pub posted_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    /// The post's text or caption.
    pub text: String,
    /// The deep-link payloads found in the post's links and buttons (to our bot only).
    pub payloads: Vec<String>,
}

/// One kind of reaction and its count, as the update gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReactionCount {
    /// The emoji itself, `custom:<id>` for a custom emoji, `paid` for paid stars.
    pub kind: String,
    pub count: i64,
}

/// Only the bot's own transport (the system) records what Telegram sends.
fn system_only(actor: &Actor) -> Result<()> {
    match actor {
        Actor::System => Ok(()),
        _ => Err(Error::Forbidden("channel updates are recorded by the bot itself")),
    }
}

impl Crm {
    /// Keeps a channel post (new or edited) and the deep links it carries. Payloads that are
    /// not valid deep-link payloads are dropped; duplicates kept once.
    pub async fn record_channel_post(&self, actor: &Actor, post: &ChannelPost) -> Result<()> {
        system_only(actor)?;
        let excerpt: String = post.text.trim().chars().take(EXCERPT_CHARS).collect();
        let mut links: Vec<String> = post.payloads.iter().filter_map(|p| DeepLink::parse(p).payload()).collect();
        links.sort();
        links.dedup();
        let mut tx = self.store.begin().await?;
        social::upsert_post(
            &mut tx,
            &PostIn {
                chat_id: post.chat_id,
                message_id: post.message_id,
                posted_at: post.posted_at,
                edited_at: post.edited_at,
                excerpt: &excerpt,
                links: &links,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Keeps a post's reaction counts at `at` (a row per change); the total is their sum.
    pub async fn record_reactions(
        &self,
        actor: &Actor,
        chat_id: i64,
        message_id: i64,
        at: DateTime<Utc>,
        counts: &[ReactionCount],
    ) -> Result<()> {
        system_only(actor)?;
        let total = counts.iter().map(|c| c.count.max(0)).fold(0i64, i64::saturating_add);
        let kinds: serde_json::Map<String, serde_json::Value> =
            counts.iter().map(|c| (c.kind.clone(), serde_json::Value::from(c.count.max(0)))).collect();
        let kinds = serde_json::Value::Object(kinds).to_string();
        let mut conn = self.store.write_conn().await?;
        social::record_reactions(&mut conn, chat_id, message_id, at, total, &kinds).await?;
        Ok(())
    }

    /// Records a `/start <payload>` of a Telegram account (registered or not), identified by
    /// its message so a repeat of the update is a no-op. True when it was new.
    pub async fn record_deep_link_start(&self, actor: &Actor, message_id: i64, raw: &str) -> Result<bool> {
        let telegram_id = match actor {
            Actor::Telegram(id) => *id,
            _ => return Err(Error::Forbidden("a start is recorded for the Telegram account itself")),
        };
        let link = DeepLink::parse(raw);
        let payload = link.payload();
        let (kind, post_id, network, ref_id) = match &link {
            DeepLink::Post(id) => ("post", Some(id.as_str()), None, None),
            DeepLink::Network { network, id } => ("network", None, Some(network.as_str()), Some(id.as_str())),
            DeepLink::Other(_) => ("other", None, None, None),
        };
        let mut conn = self.store.write_conn().await?;
        let start = StartIn {
            telegram_id,
            message_id,
            at: self.now(),
            kind,
            payload: payload.as_deref(),
            post_id,
            network,
            ref_id,
        };
        Ok(social::record_start(&mut conn, &start).await?)
    }

    /// A post's reaction history, oldest first: (when, total, counts per kind as JSON).
    pub async fn reaction_history(
        &self,
        actor: &Actor,
        chat_id: i64,
        message_id: i64,
    ) -> Result<Vec<(DateTime<Utc>, i64, String)>> {
        super::Capability::Kpi.check(actor)?;
        let mut conn = self.store.conn().await?;
        Ok(social::reaction_history(&mut conn, chat_id, message_id).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_of_known_shapes_are_parsed_and_the_rest_is_other() {
        assert_eq!(DeepLink::parse("post_12"), DeepLink::Post("12".into()));
        assert_eq!(
            DeepLink::parse(" src_vk_wall-1_77 "),
            DeepLink::Network { network: "vk".into(), id: "wall-1_77".into() }
        );
        assert_eq!(DeepLink::parse("post_"), DeepLink::Other(Some("post_".into())));
        assert_eq!(DeepLink::parse("post_1a"), DeepLink::Other(Some("post_1a".into())));
        assert_eq!(DeepLink::parse("src_VK_1"), DeepLink::Other(Some("src_VK_1".into())));
        assert_eq!(DeepLink::parse("src_vk_"), DeepLink::Other(Some("src_vk_".into())));
        assert_eq!(DeepLink::parse("src_v_1"), DeepLink::Other(Some("src_v_1".into())));
        assert_eq!(DeepLink::parse("promo2026"), DeepLink::Other(Some("promo2026".into())));
        assert_eq!(DeepLink::parse("<script>"), DeepLink::Other(None));
        assert_eq!(DeepLink::parse(&"1".repeat(65)), DeepLink::Other(None));
        assert_eq!(DeepLink::parse(&format!("post_{}", "9".repeat(21))).payload().map(|p| p.len()), Some(26));
        assert_eq!(DeepLink::parse("пост_1"), DeepLink::Other(None));
        assert_eq!(DeepLink::parse(""), DeepLink::Other(None));
    }
}
