//! The agency's notification settings: each kind on or off, its lead time and its template.
//! Only admins change them; a template is saved only if it renders against the kind's sample.

use crate::audit::{self, AuditAction, AuditField, AuditObject, Entry};
use crate::domain::{Invalid, Role};
use crate::notify::{NotificationKind, templates};
use crate::services::Crm;
use crate::store::Conn;
use crate::store::notifications as store;
use crate::{Actor, Error, Result};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, serde::Serialize)]
pub struct NotificationSetting {
    pub kind: NotificationKind,
    pub enabled: bool,
    pub lead_days: i64,
    /// The template in force: the agency's own or the default.
    pub template: String,
    pub customized: bool,
    pub updated_by: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
}

pub const MAX_LEAD_DAYS: i64 = 365;

fn admin(actor: &Actor) -> Result<()> {
    actor.require(&[Role::Admin], "notification settings are the admin's")
}

impl Crm {
    /// Every kind with what is in force (defaults where the agency changed nothing).
    pub async fn notification_settings(&self, actor: &Actor) -> Result<Vec<NotificationSetting>> {
        admin(actor)?;
        self.effective_settings().await
    }

    pub(crate) async fn effective_settings(&self) -> Result<Vec<NotificationSetting>> {
        effective_settings(&mut *self.store.conn().await?).await
    }

    /// The preview of a template on the kind's sample client, or why it cannot be saved.
    pub fn preview_notification(&self, actor: &Actor, kind: NotificationKind, source: &str) -> Result<String> {
        admin(actor)?;
        templates::preview(source, &kind.sample_context()).map_err(Error::Template)
    }

    /// Saves a kind's switch, lead time and template. A template equal to the default is stored
    /// as «the default», so a later change of the default reaches agencies that kept it.
    pub async fn save_notification_setting(
        &self,
        actor: &Actor,
        kind: NotificationKind,
        enabled: bool,
        lead_days: i64,
        template: &str,
    ) -> Result<NotificationSetting> {
        admin(actor)?;
        if !(0..=MAX_LEAD_DAYS).contains(&lead_days) {
            return Err(Invalid::LeadDays.into());
        }
        // An event has no lead time: whatever the form says, it goes when it happens.
        let lead_days = if kind.is_event() { 0 } else { lead_days };
        let template = template.replace("\r\n", "\n");
        templates::preview(&template, &kind.sample_context()).map_err(Error::Template)?;
        let custom = (template.trim() != kind.default_template().trim()).then_some(template.as_str());
        let mut tx = self.audited(actor).await?;
        let now = tx.now();
        store::upsert_setting(&mut tx, kind.as_str(), enabled, lead_days, custom, &actor.audit_name(), now).await?;
        let entry = Entry::new(AuditAction::NotificationSettings, AuditObject::Notification(kind))
            .with(AuditField::Enabled, audit::yes_no(enabled))
            .with_some(AuditField::LeadDays, (!kind.is_event()).then_some(lead_days))
            .with(AuditField::Template, audit::template(custom.is_some()));
        tx.commit(entry).await?;
        let all = self.effective_settings().await?;
        all.into_iter().find(|s| s.kind == kind).ok_or(Error::NotFound("notification kind"))
    }
}

/// Every kind with what is in force, read on `conn` (inside a transaction when a move queues
/// its message).
pub(crate) async fn effective_settings(conn: &mut Conn) -> Result<Vec<NotificationSetting>> {
    let rows = store::settings(conn).await?;
    Ok(NotificationKind::ALL
        .into_iter()
        .map(|kind| {
            let row = rows.iter().find(|r| r.kind == kind.as_str());
            NotificationSetting {
                kind,
                enabled: row.is_none_or(|r| r.enabled != 0),
                lead_days: row.map_or(kind.default_lead_days(), |r| r.lead_days),
                template: row.and_then(|r| r.template.clone()).unwrap_or_else(|| kind.default_template().to_owned()),
                customized: row.is_some_and(|r| r.template.is_some()),
                updated_by: row.map(|r| r.updated_by.clone()),
                updated_at: row.map(|r| r.updated_at),
            }
        })
        .collect())
}
