//! Marketing broadcasts: an admin or operator composes one (kind, text from a template, a tour,
//! an audience), sees how many it reaches, and sends it now or at a time. When its time comes
//! the scheduler expands it into outbox rows, one per recipient, each due in the recipient's
//! own daytime; the sender delivers them at the configured rate. Pause holds the rows not yet
//! sent, resume releases them, cancel closes them.

use super::{merge, person_context, render_for};
use crate::audit::{self, AuditAction, AuditField, AuditObject, Entry};
use crate::domain::{BroadcastId, Invalid, Role, TagName, TourId, TourStatus, format_ru_date, format_ru_range};
use crate::notify::{BroadcastKind, Daytime, templates};
use crate::sandbox::Template;
use crate::services::{Crm, TourOffer};
use crate::store::Conn;
use crate::store::notifications::{self as store, AudienceFilter, BroadcastRow, NewBroadcast};
use crate::store::outbox::{self, NewMessage, OutboxStatus};
use crate::{Actor, Error, Result};
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

#[derive(Debug, Clone)]
pub struct BroadcastInput {
    pub kind: BroadcastKind,
    pub title: String,
    pub template: String,
    pub tour_id: Option<TourId>,
    pub audience: AudienceFilter,
    /// `None`: now.
    pub send_at: Option<DateTime<Utc>>,
}

/// A broadcast with its delivery progress.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BroadcastCard {
    pub broadcast: BroadcastRow,
    pub kind: BroadcastKind,
    pub audience: AudienceFilter,
    /// Rows per state, every state listed.
    pub counts: Vec<(OutboxStatus, i64)>,
}

impl BroadcastCard {
    pub fn count(&self, s: OutboxStatus) -> i64 {
        self.counts.iter().find(|(k, _)| *k == s).map_or(0, |(_, n)| *n)
    }
}

/// The broadcast states each action moves from; the panel offers its button only in them.
pub const PAUSE_FROM: &[&str] = &["sending", "scheduled"];
pub const RESUME_FROM: &[&str] = &["paused"];
pub const CANCEL_FROM: &[&str] = &["scheduled", "sending", "paused"];

fn composer(actor: &Actor) -> Result<()> {
    actor.require(&[Role::Admin, Role::Operator], "broadcasts are composed by admins and operators")
}

/// The rows of a broadcast expanded per round; each round is one transaction.
const EXPAND_CHUNK: i64 = 1000;

/// A published tour's variables, as the broadcast templates use them. The price is the tour
/// card's and the bot list's «от»: the least one person pays with the accommodation
/// (`Crm::tour_offer`), never the tour's own price without the hotel.
async fn tour_context(crm: &Crm, id: TourId) -> Result<Value> {
    let offer = crm.tour_offer(&Actor::System, id).await?;
    let least = offer.least_per_person(|_| true);
    let TourOffer { card, .. } = offer;
    let t = card.tour;
    if t.status != TourStatus::Published {
        return Err(Error::Conflict(crate::Conflict::TourNotBookable));
    }
    let today = crm.today();
    let next = card
        .departures
        .iter()
        .find(|d| d.starts_on > today && d.seats_left() > 0)
        .map(|d| format_ru_range(d.starts_on, d.ends_on))
        .unwrap_or_default();
    Ok(json!({"tour": {
        "id": t.id.0,
        "title": t.title,
        "country": t.country,
        "region": t.region,
        "departure_city": t.departure_city,
        "price": least.to_string(),
        "dates": next,
        "hot_until": t.hot.map(|(_, u)| format_ru_date(u)).unwrap_or_default(),
        "early_until": t.early_booking.map(|(_, u)| format_ru_date(u)).unwrap_or_default(),
    }}))
}

impl Crm {
    /// The audience's size now (blacklisted, unsubscribed and unreachable clients excluded).
    pub async fn audience_size(&self, actor: &Actor, audience: &AudienceFilter) -> Result<i64> {
        composer(actor)?;
        Ok(store::audience_count(&mut *self.store.conn().await?, &normalized(audience.clone())).await?)
    }

    /// The countries the audience form offers (destinations of past bookings).
    pub async fn broadcast_countries(&self, actor: &Actor) -> Result<Vec<String>> {
        composer(actor)?;
        Ok(store::tour_countries(&mut *self.store.conn().await?).await?)
    }

    /// The text as a sample client would get it, with the real tour if one is chosen.
    pub async fn preview_broadcast(
        &self,
        actor: &Actor,
        kind: BroadcastKind,
        template: &str,
        tour_id: Option<TourId>,
    ) -> Result<String> {
        composer(actor)?;
        let mut ctx = kind.sample_context();
        match tour_id {
            Some(id) => merge(&mut ctx, tour_context(self, id).await?),
            // The recipients get no `tour` then, so the check must not pass on the sample's.
            None => {
                if let Value::Object(vars) = &mut ctx {
                    vars.remove("tour");
                }
            }
        }
        templates::preview(template, &ctx).map_err(Error::Template)
    }

    /// Every reason the broadcast would be refused, at once (its title, its time, its text with
    /// its tour), so a form shows them all; empty when `create_broadcast` would accept it. The
    /// text's sample as a client gets it comes with them when the text renders.
    pub async fn check_broadcast(&self, actor: &Actor, input: &BroadcastInput) -> Result<(Vec<Error>, Option<String>)> {
        composer(actor)?;
        let mut problems = Vec::new();
        let title = input.title.split_whitespace().collect::<Vec<_>>().join(" ");
        if title.is_empty() {
            problems.push(Invalid::TextEmpty.into());
        } else if title.chars().count() > 200 {
            problems.push(Invalid::TextTooLong.into());
        }
        let now = self.now();
        if input.send_at.is_some_and(|at| at < now - Duration::minutes(1)) {
            problems.push(Invalid::SendAtPast.into());
        }
        let template = input.template.replace("\r\n", "\n");
        let preview = match self.preview_broadcast(actor, input.kind, &template, input.tour_id).await {
            Ok(p) => Some(p),
            Err(e @ (Error::Template(_) | Error::NotFound("tour") | Error::Conflict(_))) => {
                problems.push(e);
                None
            }
            Err(e) => return Err(e),
        };
        Ok((problems, preview))
    }

    pub async fn create_broadcast(&self, actor: &Actor, input: BroadcastInput) -> Result<BroadcastRow> {
        let (problems, _) = self.check_broadcast(actor, &input).await?;
        if let Some(first) = problems.into_iter().next() {
            return Err(first);
        }
        let title = input.title.split_whitespace().collect::<Vec<_>>().join(" ");
        let now = self.now();
        let send_at = input.send_at.unwrap_or(now);
        let template = input.template.replace("\r\n", "\n");
        let audience = normalized(input.audience);
        let audience_json = serde_json::to_string(&audience).map_err(|_| Error::NotFound("audience"))?;
        let mut tx = self.audited(actor).await?;
        let id = store::insert_broadcast(
            &mut tx,
            &NewBroadcast {
                kind: input.kind.as_str(),
                title: &title,
                template: &template,
                tour_id: input.tour_id.map(|t| t.0),
                audience: &audience_json,
                send_at,
                created_by: &actor.audit_name(),
            },
            now,
        )
        .await?;
        let list = |values: &[String]| (!values.is_empty()).then(|| values.join(", "));
        let entry = Entry::new(AuditAction::BroadcastCreate, AuditObject::Broadcast(id))
            .with(AuditField::Title, &title)
            .with(AuditField::Kind, input.kind.title_ru())
            .with_some(AuditField::Tour, input.tour_id.map(audit::number))
            .with(AuditField::SendAt, audit::moment(send_at))
            .with_some(AuditField::Tags, list(&audience.tag_keys))
            .with_some(AuditField::City, audience.city.as_ref())
            .with_some(AuditField::Countries, list(&audience.countries));
        tx.commit(entry).await?;
        self.broadcast_card(actor, id).await.map(|c| c.broadcast)
    }

    pub async fn list_broadcasts(&self, actor: &Actor) -> Result<Vec<BroadcastCard>> {
        composer(actor)?;
        let mut conn = self.store.conn().await?;
        let mut out = Vec::new();
        for b in store::broadcasts(&mut conn, 100).await? {
            out.push(card(&mut conn, b).await?);
        }
        Ok(out)
    }

    pub async fn broadcast_card(&self, actor: &Actor, id: BroadcastId) -> Result<BroadcastCard> {
        composer(actor)?;
        let mut conn = self.store.conn().await?;
        let b = store::broadcast(&mut conn, id).await?.ok_or(Error::NotFound("broadcast"))?;
        card(&mut conn, b).await
    }

    /// Stops sending: the rows not yet sent wait (`held`) until resumed.
    pub async fn pause_broadcast(&self, actor: &Actor, id: BroadcastId) -> Result<()> {
        let to = ("paused", AuditAction::BroadcastPaused);
        self.move_broadcast(actor, id, PAUSE_FROM, to, &[OutboxStatus::Pending], OutboxStatus::Held).await
    }

    pub async fn resume_broadcast(&self, actor: &Actor, id: BroadcastId) -> Result<()> {
        // A broadcast paused before its time goes back to waiting for it; the expansion
        // (which writes held rows) releases them itself.
        let b = self.broadcast_card(actor, id).await?;
        let to = if b.broadcast.recipients.is_none() {
            ("scheduled", AuditAction::BroadcastScheduled)
        } else {
            ("sending", AuditAction::BroadcastSending)
        };
        self.move_broadcast(actor, id, RESUME_FROM, to, &[OutboxStatus::Held], OutboxStatus::Pending).await
    }

    /// Nothing more is sent; what was sent stays sent.
    pub async fn cancel_broadcast(&self, actor: &Actor, id: BroadcastId) -> Result<()> {
        self.move_broadcast(
            actor,
            id,
            CANCEL_FROM,
            ("cancelled", AuditAction::BroadcastCancelled),
            &[OutboxStatus::Pending, OutboxStatus::Held],
            OutboxStatus::Cancelled,
        )
        .await
    }

    /// Moves a broadcast from one of `from` to the status `to` names, with its unsent rows, and
    /// records the move as `to`'s action.
    async fn move_broadcast(
        &self,
        actor: &Actor,
        id: BroadcastId,
        from: &[&str],
        (to, action): (&str, AuditAction),
        rows_from: &[OutboxStatus],
        rows_to: OutboxStatus,
    ) -> Result<()> {
        composer(actor)?;
        let mut tx = self.audited(actor).await?;
        let now = tx.now();
        store::broadcast(&mut tx, id).await?.ok_or(Error::NotFound("broadcast"))?;
        if !store::set_broadcast_status(&mut tx, id, from, to, None, now).await? {
            return Err(Error::Conflict(crate::Conflict::NoChange("the broadcast is not in a state for this")));
        }
        let rows = outbox::move_rows(&mut tx, Some(id), None, rows_from, rows_to, now).await?;
        tx.commit(Entry::new(action, AuditObject::Broadcast(id)).with(AuditField::Messages, rows)).await
    }

    /// The scheduler's part: broadcasts whose time has come become outbox rows, chunk by
    /// chunk (a crash mid-way is picked up again: a recipient is one row at most), then start
    /// sending. Finished broadcasts are closed. Returns the rows written.
    pub async fn expand_due_broadcasts(&self, actor: &Actor, daytime: Daytime) -> Result<u64> {
        actor.require(&[], "only the scheduler expands broadcasts")?;
        let now = self.now();
        let mut written = 0;
        let due = store::due_broadcasts(&mut *self.store.conn().await?, now).await?;
        for b in due {
            written += self.expand(&b, daytime).await?;
        }
        let mut conn = self.store.conn().await?;
        for id in store::finished_broadcasts(&mut conn).await? {
            store::set_broadcast_status(&mut conn, id, &["sending"], "done", None, self.now()).await?;
        }
        Ok(written)
    }

    async fn expand(&self, b: &BroadcastRow, daytime: Daytime) -> Result<u64> {
        let kind = BroadcastKind::parse(&b.kind).ok_or(Error::NotFound("broadcast kind"))?;
        let audience: AudienceFilter = serde_json::from_str(&b.audience).unwrap_or_default();
        let now = self.now();
        let mut tour = json!({});
        if let Some(id) = b.tour_id {
            match tour_context(self, TourId(id)).await {
                Ok(t) => tour = t,
                // The tour was archived after composing: cancel rather than advertise it.
                Err(e) => {
                    tracing::warn!(broadcast = %b.id, error = %e, "broadcast's tour is not bookable: cancelled");
                    let mut conn = self.store.conn().await?;
                    store::set_broadcast_status(&mut conn, b.id, &["scheduled"], "cancelled", None, now).await?;
                    return Ok(0);
                }
            }
        }
        let template = Template::compile(&b.template).map_err(Error::Template)?;
        let mut after = 0;
        let mut written = 0;
        loop {
            let mut tx = self.store.begin().await?;
            let page = store::audience_page(&mut tx, &audience, after, EXPAND_CHUNK).await?;
            let Some(last) = page.last() else { break };
            after = last.client_id;
            for p in &page {
                let mut ctx = person_context(p);
                merge(&mut ctx, tour.clone());
                let (body, status) = match render_for(&template, &ctx) {
                    Ok(body) => (body, OutboxStatus::Held),
                    Err(reason) => (reason, OutboxStatus::Failed),
                };
                let tz = p.time_zone.parse().unwrap_or(crate::domain::DEFAULT_TZ);
                let msg = NewMessage {
                    dedup_key: format!("broadcast:{}:{}", b.id, p.client_id),
                    kind: kind.as_str().to_owned(),
                    client_id: crate::domain::ClientId(p.client_id),
                    broadcast_id: Some(b.id),
                    tour_id: b.tour_id,
                    advertising: true,
                    body,
                    not_before: daytime.next_open(now, tz),
                    status,
                };
                written += u64::from(outbox::insert(&mut tx, &msg, now).await?);
            }
            tx.commit().await?;
        }
        // Written held; released in one step so a pause or cancel during expansion holds.
        let mut tx = self.store.begin().await?;
        let total: i64 = outbox::broadcast_counts(&mut tx, b.id).await?.iter().map(|(_, n)| n).sum();
        if store::set_broadcast_status(&mut tx, b.id, &["scheduled"], "sending", Some(total), now).await? {
            outbox::move_rows(&mut tx, Some(b.id), None, &[OutboxStatus::Held], OutboxStatus::Pending, now).await?;
        } else {
            // Paused meanwhile: keep held and note the size; cancelled: close the rows.
            store::set_broadcast_status(&mut tx, b.id, &["paused"], "paused", Some(total), now).await?;
            if store::broadcast(&mut tx, b.id).await?.is_some_and(|x| x.status == "cancelled") {
                outbox::move_rows(&mut tx, Some(b.id), None, &[OutboxStatus::Held], OutboxStatus::Cancelled, now)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(written)
    }
}

/// Tags as their keys (a name as shown, «VIP», or a key, «vip», alike) and no empty city: the
/// count before sending and the broadcast itself select the same clients.
fn normalized(mut a: AudienceFilter) -> AudienceFilter {
    a.tag_keys = a.tag_keys.iter().filter_map(|t| TagName::parse(t).ok()).map(|t| t.key()).collect();
    a.city = a.city.filter(|c| !c.trim().is_empty());
    a
}

async fn card(conn: &mut Conn, b: BroadcastRow) -> Result<BroadcastCard> {
    let found = outbox::broadcast_counts(conn, b.id).await?;
    let counts = OutboxStatus::ALL
        .into_iter()
        .map(|s| (s, found.iter().find(|(k, _)| *k == s).map_or(0, |(_, n)| *n)))
        .collect();
    Ok(BroadcastCard {
        kind: BroadcastKind::parse(&b.kind).unwrap_or(BroadcastKind::NewTour),
        audience: serde_json::from_str(&b.audience).unwrap_or_default(),
        counts,
        broadcast: b,
    })
}
