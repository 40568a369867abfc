//! The interaction history of a client: who talked to whom, how, when and about what.

use super::Crm;
use super::clients::Access;
use crate::audit::{self, AuditAction, AuditField, AuditObject, Entry};
use crate::domain::{ClientId, Direction, InteractionId, InteractionKind, Invalid, Role};
use crate::store::interactions::{self as store, Interaction, NewInteraction};
use crate::{Actor, Error, Result};
use chrono::{DateTime, Utc};

const MAX_BODY: usize = 10_000;

#[derive(Debug, Clone)]
pub struct NewInteractionInput {
    pub client_id: ClientId,
    pub kind: InteractionKind,
    pub direction: Direction,
    pub body: String,
    /// When it happened; now when not given (a call logged afterwards gives its time).
    pub occurred_at: Option<DateTime<Utc>>,
}

fn clean_body(body: &str) -> Result<String, Invalid> {
    let t = body.trim();
    if t.is_empty() {
        return Err(Invalid::TextEmpty);
    }
    if t.chars().count() > MAX_BODY {
        return Err(Invalid::TextTooLong);
    }
    Ok(t.to_owned())
}

impl Crm {
    /// Adds an entry: the client's own agent or an admin, or the system (the bot logs the
    /// messages it relays). Accountants and operators do not write client histories.
    pub async fn log_interaction(&self, actor: &Actor, input: NewInteractionInput) -> Result<Interaction> {
        self.write_interaction(actor, input, None).await
    }

    /// Corrects an entry by adding a new one that points to it; the old one stays as it was.
    pub async fn correct_interaction(&self, actor: &Actor, old: InteractionId, body: &str) -> Result<Interaction> {
        // Refuse before the lookup, so a refused actor cannot probe which entries exist.
        actor.require(&[Role::Admin, Role::Agent], "only agents and admins write client histories")?;
        let original = store::get(&mut *self.store.conn().await?, old).await?.ok_or(Error::NotFound("interaction"))?;
        let client_id = original.client_id.ok_or(Error::NotFound("client interaction"))?;
        let input = NewInteractionInput {
            client_id,
            kind: original.kind,
            direction: original.direction,
            body: body.to_owned(),
            occurred_at: Some(original.occurred_at),
        };
        self.write_interaction(actor, input, Some(old)).await
    }

    async fn write_interaction(
        &self,
        actor: &Actor,
        input: NewInteractionInput,
        corrects: Option<InteractionId>,
    ) -> Result<Interaction> {
        if matches!(actor, Actor::Client(_) | Actor::Telegram(_)) {
            return Err(Error::Forbidden("the history is written by the agency"));
        }
        actor.require(&[Role::Admin, Role::Agent], "only agents and admins write client histories")?;
        let body = clean_body(&input.body)?;
        self.client_for(actor, input.client_id, Access::Write).await?;
        let mut tx = self.audited(actor).await?;
        let now = tx.now();
        let id = store::insert(
            &mut tx,
            &NewInteraction {
                client_id: Some(input.client_id),
                hotel_id: None,
                kind: input.kind,
                direction: input.direction,
                subject: "",
                body: &body,
                hotel_manager_id: None,
                occurred_at: input.occurred_at.unwrap_or(now),
                author: &actor.audit_name(),
                corrects,
                booking_id: None,
                now,
            },
        )
        .await?;
        let entry = store::get(&mut tx, id).await?.ok_or(Error::NotFound("interaction"))?;
        let action = if corrects.is_some() { AuditAction::InteractionCorrect } else { AuditAction::InteractionAdd };
        let audited = Entry::new(action, AuditObject::Client(input.client_id))
            .with(AuditField::Entry, audit::number(id))
            .with(AuditField::Kind, input.kind.title_ru());
        tx.commit(audited).await?;
        Ok(entry)
    }

    pub async fn client_history(&self, actor: &Actor, client: ClientId, limit: i64) -> Result<Vec<Interaction>> {
        if matches!(actor, Actor::Client(_)) || actor.role() == Some(Role::Accountant) {
            return Err(Error::Forbidden("the history is the agency's working record"));
        }
        self.client_for(actor, client, Access::Read).await?;
        Ok(store::for_client(&mut *self.store.conn().await?, client, limit).await?)
    }
}
