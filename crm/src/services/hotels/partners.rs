//! Working with a hotel as a partner: its managers (whom to call), its agreements (what was
//! agreed, versioned, never overwritten) and the correspondence with it (letters, calls,
//! messages), kept in the interactions table beside the clients' histories.

use super::{FieldProblem, HotelAccess, Problems, check_hotel_access, line, refused, text};
use crate::audit::{self, AuditAction, AuditField, AuditObject, Entry};
use crate::domain::{Direction, Email, HotelId, InteractionKind, IntlPhone, Invalid, format_ru_date};
use crate::services::Crm;
use crate::store::hotels::{self as store, Agreement, Manager, ManagerFields, NewAgreement};
use crate::store::interactions::{self, Interaction, NewInteraction};
use crate::{Actor, Conflict, Error, Result};
use chrono::{DateTime, Duration, NaiveDate, Utc};

const MAX_BODY: usize = 10_000;
/// A time typed to the minute on a clock a little ahead of the server's is still "now".
const CLOCK_SLACK_MINUTES: i64 = 5;

/// A contact person at the hotel; the phone and e-mail are parsed by the front-end.
#[derive(Debug, Clone, Default)]
pub struct ManagerInput {
    pub name: String,
    /// "Reservations", "Sales manager"…
    pub position: String,
    pub phone: Option<IntlPhone>,
    pub email: Option<Email>,
    /// A Telegram username, with or without `@` or a `t.me/` link.
    pub telegram: Option<String>,
}

/// One version of the agreement with a hotel.
#[derive(Debug, Clone, Default)]
pub struct AgreementInput {
    /// The date these terms take effect (may be in the past: a contract entered late).
    pub agreed_on: NaiveDate,
    /// The agency's commission, basis points (10 % = 1 000).
    pub commission_bp: Option<i64>,
    /// Rooms the hotel holds for the agency.
    pub allotment: Option<i64>,
    pub special_prices: String,
    pub terms: String,
}

/// One entry of the correspondence with a hotel.
#[derive(Debug, Clone)]
pub struct CorrespondenceInput {
    /// A letter (`Email`), call, message, meeting or note.
    pub kind: InteractionKind,
    pub direction: Direction,
    /// A letter's subject line or a call's topic; may be empty.
    pub subject: String,
    pub body: String,
    /// When it happened (a call logged afterwards); now when not given. Not in the future.
    pub occurred_at: Option<DateTime<Utc>>,
    /// The hotel's manager it was with, when known.
    pub manager_id: Option<i64>,
}

/// `@Hotel_Sales`, `t.me/hotel_sales` → `hotel_sales` as Telegram spells it (5–32 of
/// `A–Z a–z 0–9 _`).
fn telegram_username(s: &str) -> Result<Option<String>, Invalid> {
    let t = s.trim();
    let t = t.strip_prefix("https://").unwrap_or(t);
    let t = t.strip_prefix("t.me/").unwrap_or(t);
    let t = t.strip_prefix('@').unwrap_or(t);
    if t.is_empty() {
        return Ok(None);
    }
    let ok = (5..=32).contains(&t.len()) && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok { Ok(Some(t.to_owned())) } else { Err(Invalid::TelegramUsername) }
}

struct CleanManager {
    name: String,
    position: String,
    telegram: Option<String>,
}

/// Collapsed whitespace, possibly empty, at most 200 characters.
fn short_line(s: &str) -> Result<String, Invalid> {
    let t = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.chars().count() > 200 { Err(Invalid::FieldTooLong) } else { Ok(t) }
}

fn clean_manager(m: &ManagerInput) -> Result<CleanManager, Vec<FieldProblem>> {
    let mut p = Problems::default();
    let manager = CleanManager {
        name: p.take("name", line(&m.name, Invalid::NameEmpty)),
        position: p.take("position", short_line(&m.position)),
        telegram: p.take("telegram", m.telegram.as_deref().map(telegram_username).transpose().map(Option::flatten)),
    };
    p.finish(manager)
}

impl ManagerInput {
    /// Every field the service would refuse, by name (`name`, `position`, `telegram`); the
    /// phone and e-mail arrive parsed.
    pub fn problems(&self) -> Vec<FieldProblem> {
        clean_manager(self).err().unwrap_or_default()
    }
}

impl AgreementInput {
    /// Every field the service would refuse, by the name forms give it (`commission`,
    /// `allotment`, `special_prices`, `terms`).
    pub fn problems(&self) -> Vec<FieldProblem> {
        let mut p = Problems::default();
        p.check("commission", self.commission_bp.is_none_or(|bp| (0..=10_000).contains(&bp)), Invalid::CommissionRange);
        p.check("allotment", self.allotment.is_none_or(|a| (0..=10_000).contains(&a)), Invalid::AllotmentRange);
        p.take("special_prices", text(&self.special_prices));
        p.take("terms", text(&self.terms));
        p.into_list()
    }
}

struct CleanEntry {
    subject: String,
    body: String,
}

fn clean_entry(c: &CorrespondenceInput) -> Result<CleanEntry, Vec<FieldProblem>> {
    use InteractionKind::*;
    let mut p = Problems::default();
    // Bookings and complaints are entries of a client's history, not of a hotel's.
    p.check("kind", matches!(c.kind, Email | Call | Message | Meeting | Note), Invalid::KindUnknown);
    let subject = p.take("subject", short_line(&c.subject));
    let body = c.body.trim();
    p.check("body", !body.is_empty(), Invalid::TextEmpty);
    p.check("body", body.chars().count() <= MAX_BODY, Invalid::TextTooLong);
    p.finish(CleanEntry { subject, body: body.to_owned() })
}

impl CorrespondenceInput {
    /// What is wrong with the entry itself, by field (`kind`, `subject`, `body`); the time and
    /// the manager are checked by the service against the clock and the hotel.
    pub fn problems(&self) -> Vec<FieldProblem> {
        clean_entry(self).err().unwrap_or_default()
    }
}

fn fields<'a>(m: &'a ManagerInput, c: &'a CleanManager) -> ManagerFields<'a> {
    ManagerFields {
        name: &c.name,
        position: &c.position,
        phone: m.phone.as_ref().map(IntlPhone::as_str),
        email: m.email.as_ref().map(Email::as_str),
        telegram: c.telegram.as_deref(),
    }
}

impl Crm {
    async fn manager_for(&self, actor: &Actor, id: i64) -> Result<Manager> {
        check_hotel_access(actor, HotelAccess::Write)?;
        store::manager(&mut *self.store.conn().await?, id).await?.ok_or(Error::NotFound("hotel manager"))
    }

    pub async fn add_manager(&self, actor: &Actor, hotel_id: HotelId, input: ManagerInput) -> Result<Manager> {
        self.hotel_for(actor, hotel_id, HotelAccess::Write).await?;
        let c = clean_manager(&input).map_err(refused)?;
        let mut tx = self.audited(actor).await?;
        let id = store::insert_manager(&mut tx, hotel_id, &fields(&input, &c)).await?;
        let m = store::manager(&mut tx, id).await?.ok_or(Error::NotFound("hotel manager"))?;
        tx.commit(manager_entry(AuditAction::HotelManagerAdd, &m)).await?;
        Ok(m)
    }

    pub async fn update_manager(&self, actor: &Actor, manager_id: i64, input: ManagerInput) -> Result<Manager> {
        self.manager_for(actor, manager_id).await?;
        let c = clean_manager(&input).map_err(refused)?;
        let mut tx = self.audited(actor).await?;
        if !store::update_manager(&mut tx, manager_id, &fields(&input, &c)).await? {
            return Err(Error::NotFound("hotel manager"));
        }
        let m = store::manager(&mut tx, manager_id).await?.ok_or(Error::NotFound("hotel manager"))?;
        tx.commit(manager_entry(AuditAction::HotelManagerUpdate, &m)).await?;
        Ok(m)
    }

    /// A manager who left the hotel (`active` false) is kept — the correspondence may name
    /// them — and shown as inactive; one who came back is made active again.
    pub async fn set_manager_active(&self, actor: &Actor, manager_id: i64, active: bool) -> Result<Manager> {
        self.manager_for(actor, manager_id).await?;
        let mut tx = self.audited(actor).await?;
        if !store::set_manager_active(&mut tx, manager_id, active).await? {
            return Err(Error::Conflict(Conflict::NoChange("the manager already is so")));
        }
        let action = if active { AuditAction::HotelManagerReactivate } else { AuditAction::HotelManagerDeactivate };
        let m = store::manager(&mut tx, manager_id).await?.ok_or(Error::NotFound("hotel manager"))?;
        tx.commit(manager_entry(action, &m)).await?;
        Ok(m)
    }

    /// One manager, for the page that edits them.
    pub async fn hotel_manager(&self, actor: &Actor, manager_id: i64) -> Result<Manager> {
        check_hotel_access(actor, HotelAccess::Read)?;
        store::manager(&mut *self.store.conn().await?, manager_id).await?.ok_or(Error::NotFound("hotel manager"))
    }

    /// A hotel's managers, active ones first.
    pub async fn hotel_managers(&self, actor: &Actor, hotel_id: HotelId) -> Result<Vec<Manager>> {
        self.hotel_for(actor, hotel_id, HotelAccess::Read).await?;
        Ok(store::managers(&mut *self.store.conn().await?, hotel_id).await?)
    }

    /// Records a new version of the agreement. Earlier versions stay untouched: what was in
    /// force when a booking was made can always be looked up.
    pub async fn record_agreement(&self, actor: &Actor, hotel_id: HotelId, input: AgreementInput) -> Result<Agreement> {
        self.hotel_for(actor, hotel_id, HotelAccess::Write).await?;
        let problems = input.problems();
        if !problems.is_empty() {
            return Err(refused(problems));
        }
        let (special_prices, terms) = (text(&input.special_prices)?, text(&input.terms)?);
        let who = actor.audit_name();
        let mut tx = self.audited(actor).await?;
        let now = tx.now();
        let new = NewAgreement {
            agreed_on: input.agreed_on,
            commission_bp: input.commission_bp,
            allotment: input.allotment,
            special_prices: &special_prices,
            terms: &terms,
            recorded_by: &who,
            now,
        };
        let id = store::insert_agreement(&mut tx, hotel_id, &new).await?;
        let a = store::agreements(&mut tx, hotel_id).await?.into_iter().find(|a| a.id == id);
        let a = a.ok_or(Error::NotFound("agreement"))?;
        let entry = Entry::new(AuditAction::HotelAgreementAdd, AuditObject::Hotel(hotel_id))
            .with(AuditField::AgreedOn, format_ru_date(input.agreed_on))
            .with_some(AuditField::Commission, input.commission_bp.map(audit::percent));
        tx.commit(entry).await?;
        Ok(a)
    }

    /// Every version, newest first.
    pub async fn hotel_agreements(&self, actor: &Actor, hotel_id: HotelId) -> Result<Vec<Agreement>> {
        self.hotel_for(actor, hotel_id, HotelAccess::Read).await?;
        Ok(store::agreements(&mut *self.store.conn().await?, hotel_id).await?)
    }

    /// The version in force on a date: the latest agreed on or before it.
    pub async fn agreement_in_force(
        &self,
        actor: &Actor,
        hotel_id: HotelId,
        on: NaiveDate,
    ) -> Result<Option<Agreement>> {
        self.hotel_for(actor, hotel_id, HotelAccess::Read).await?;
        Ok(store::agreement_in_force(&mut *self.store.conn().await?, hotel_id, on).await?)
    }

    /// Logs a letter, call, message, meeting or note with the hotel, when it happened (a call
    /// logged afterwards) and with which of its managers.
    pub async fn log_hotel_correspondence(
        &self,
        actor: &Actor,
        hotel_id: HotelId,
        input: CorrespondenceInput,
    ) -> Result<Interaction> {
        self.hotel_for(actor, hotel_id, HotelAccess::Write).await?;
        let entry = clean_entry(&input).map_err(refused)?;
        let who = actor.audit_name();
        let mut tx = self.audited(actor).await?;
        let now = tx.now();
        let occurred_at = input.occurred_at.unwrap_or(now);
        if occurred_at > now + Duration::minutes(CLOCK_SLACK_MINUTES) {
            return Err(Error::Invalid(Invalid::TimeFuture));
        }
        if let Some(manager) = input.manager_id {
            let of_hotel = store::manager(&mut tx, manager).await?.is_some_and(|m| m.hotel_id == hotel_id);
            if !of_hotel {
                return Err(Error::Invalid(Invalid::ManagerNotOfHotel));
            }
        }
        let new = NewInteraction {
            client_id: None,
            hotel_id: Some(hotel_id),
            kind: input.kind,
            direction: input.direction,
            subject: &entry.subject,
            body: &entry.body,
            hotel_manager_id: input.manager_id,
            occurred_at,
            author: &who,
            corrects: None,
            booking_id: None,
            now,
        };
        let id = interactions::insert(&mut tx, &new).await?;
        let entry = interactions::get(&mut tx, id).await?.ok_or(Error::NotFound("interaction"))?;
        let audited = Entry::new(AuditAction::HotelCorrespondenceAdd, AuditObject::Hotel(hotel_id))
            .with(AuditField::Entry, audit::number(id))
            .with(AuditField::Kind, input.kind.title_ru());
        tx.commit(audited).await?;
        Ok(entry)
    }

    /// The correspondence with a hotel, newest first (by when it happened).
    pub async fn hotel_correspondence(&self, actor: &Actor, hotel_id: HotelId, limit: i64) -> Result<Vec<Interaction>> {
        self.hotel_for(actor, hotel_id, HotelAccess::Write).await?;
        Ok(interactions::for_hotel(&mut *self.store.conn().await?, hotel_id, limit).await?)
    }
}

/// A change of a hotel's manager, as the log records it: under the hotel, naming the manager.
fn manager_entry(action: AuditAction, m: &Manager) -> Entry {
    Entry::new(action, AuditObject::Hotel(m.hotel_id)).with(AuditField::Manager, &m.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn telegram_usernames() {
        let cases: &[(&str, Result<Option<&str>, Invalid>)] = &[
            ("@Hotel_Sales", Ok(Some("Hotel_Sales"))),
            ("https://t.me/rixos_res", Ok(Some("rixos_res"))),
            ("  ", Ok(None)),
            ("@abc", Err(Invalid::TelegramUsername)),
            ("отель_продажи", Err(Invalid::TelegramUsername)),
        ];
        for (input, want) in cases {
            let got = telegram_username(input);
            assert_eq!(got.as_ref().map(|o| o.as_deref()), want.as_ref().map(|o| *o), "{input:?}");
        }
    }
}
