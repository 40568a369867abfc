//! Commission rates: each agent's default rate and a tour's override, changed by the admin
//! from a given day and kept with their history (who, when, old → new, from when). A new
//! booking takes the tour's override in force that day, else its agent's rate; the booking
//! keeps that rate whatever changes later. The accountant reads the rates.

use super::Crm;
use crate::audit::{self, AuditAction, AuditField, AuditObject, Entry};
use crate::domain::{Invalid, Role, StaffId, TourId, TourStatus, format_ru_date};
use crate::store::Conn;
use crate::store::commissions::{self as store, NewChange, RateChange, RateOf};
use crate::store::tours::TourFilter;
use crate::{Actor, Error, Result};
use chrono::NaiveDate;

/// One agent's or tour's rate today and a change waiting for its day.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RateLine {
    pub of: RateOf,
    pub name: String,
    /// Basis points; `None`: no rate (an agent earns 0, a tour follows its agents').
    pub current_bp: Option<i64>,
    pub next: Option<RateChange>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct CommissionRates {
    pub agents: Vec<RateLine>,
    pub tours: Vec<RateLine>,
    /// Newest first.
    pub history: Vec<RateChange>,
}

/// How many changes the page shows.
const HISTORY_LIMIT: i64 = 500;

/// The rate of `of` in force on `on`: the latest change applying by then, else the column set
/// before the history began.
async fn rate_on(conn: &mut Conn, of: RateOf, on: NaiveDate) -> Result<Option<i64>> {
    if let Some(change) = store::in_force(conn, of, on).await? {
        return Ok(change.new_bp);
    }
    Ok(match of {
        RateOf::Agent(a) => crate::store::staff::commission(conn, a).await?,
        RateOf::Tour(t) => crate::store::tours::get(conn, t).await?.and_then(|t| t.commission_bp),
    })
}

/// The rate a booking of `tour` made on `on` through `agent` keeps: the tour's override, else
/// the agent's rate, else 0.
pub(super) async fn booking_rate(conn: &mut Conn, tour: TourId, agent: Option<StaffId>, on: NaiveDate) -> Result<i64> {
    if let Some(bp) = rate_on(conn, RateOf::Tour(tour), on).await? {
        return Ok(bp);
    }
    match agent {
        Some(a) => Ok(rate_on(conn, RateOf::Agent(a), on).await?.unwrap_or(0)),
        None => Ok(0),
    }
}

impl Crm {
    /// Changes an agent's or a tour's rate from `applies_from` (today or later). Bookings made
    /// before that day keep their rate.
    pub async fn change_commission(
        &self,
        actor: &Actor,
        of: RateOf,
        bp: Option<i64>,
        applies_from: NaiveDate,
    ) -> Result<RateChange> {
        actor.require(&[Role::Admin], "commission rates are the admin's")?;
        if bp.is_some_and(|b| !(0..=10_000).contains(&b)) {
            return Err(Error::Invalid(Invalid::CommissionRange));
        }
        let today = self.today();
        if applies_from < today {
            return Err(Error::Invalid(Invalid::AppliesFromPast));
        }
        let mut tx = self.audited(actor).await?;
        let now = tx.now();
        let object = match of {
            RateOf::Agent(a) => match crate::store::staff::get(&mut tx, a).await? {
                Some(s) if s.role == Role::Agent => AuditObject::Staff(a),
                _ => return Err(Error::NotFound("agent")),
            },
            RateOf::Tour(t) => match crate::store::tours::get(&mut tx, t).await? {
                Some(_) => AuditObject::Tour(t),
                None => return Err(Error::NotFound("tour")),
            },
        };
        let old_bp = rate_on(&mut tx, of, applies_from).await?;
        let changed_by = actor.audit_name();
        let change = NewChange { of, old_bp, new_bp: bp, applies_from, changed_by: &changed_by, changed_at: now };
        let id = store::insert(&mut tx, &change).await?;
        // The columns keep the rate in force today for whoever reads them directly.
        if applies_from <= today {
            match of {
                RateOf::Agent(a) => crate::store::staff::set_commission(&mut tx, a, bp).await?,
                RateOf::Tour(t) => crate::store::tours::set_commission(&mut tx, t, bp).await?,
            };
        }
        let (action, value) = match of {
            RateOf::Agent(_) => (AuditAction::StaffCommission, audit::agent_commission(bp)),
            RateOf::Tour(_) => (AuditAction::TourCommission, audit::tour_commission(bp)),
        };
        let was = match of {
            RateOf::Agent(_) => audit::agent_commission(old_bp),
            RateOf::Tour(_) => audit::tour_commission(old_bp),
        };
        let entry = Entry::new(action, object)
            .with(AuditField::Commission, format!("{was} → {value}"))
            .with(AuditField::AppliesFrom, format_ru_date(applies_from));
        tx.commit(entry).await?;
        Ok(RateChange { id, of, old_bp, new_bp: bp, applies_from, changed_by, changed_at: now })
    }

    /// A tour's override from today; `None` to follow each agent's rate.
    pub async fn set_tour_commission(&self, actor: &Actor, id: TourId, bp: Option<i64>) -> Result<()> {
        self.change_commission(actor, RateOf::Tour(id), bp, self.today()).await.map(|_| ())
    }

    /// An agent's default rate from today.
    pub async fn set_agent_commission(&self, actor: &Actor, agent: StaffId, bp: Option<i64>) -> Result<()> {
        self.change_commission(actor, RateOf::Agent(agent), bp, self.today()).await.map(|_| ())
    }

    /// Every agent's and every tour's rate today, what is scheduled, and the history. The
    /// admin edits them; the accountant reads them.
    pub async fn commission_rates(&self, actor: &Actor) -> Result<CommissionRates> {
        actor.require(&[Role::Admin, Role::Accountant], "commission rates are the admin's and the accountant's")?;
        let today = self.today();
        let mut conn = self.store.conn().await?;
        let line = async |conn: &mut Conn, of: RateOf, name: String| -> Result<RateLine> {
            let current_bp = rate_on(conn, of, today).await?;
            let next = store::latest(conn, of).await?.filter(|c| c.applies_from > today);
            Ok(RateLine { of, name, current_bp, next })
        };
        let mut agents = Vec::new();
        for s in crate::store::staff::list(&mut conn).await?.into_iter().filter(|s| s.role == Role::Agent) {
            agents.push(line(&mut conn, RateOf::Agent(s.id), s.name).await?);
        }
        let mut tours = Vec::new();
        let filter = TourFilter { limit: 1000, ..Default::default() };
        let all = crate::store::tours::list(&mut conn, &filter).await?;
        for t in all.into_iter().filter(|t| t.status != TourStatus::Archived) {
            tours.push(line(&mut conn, RateOf::Tour(t.id), t.title).await?);
        }
        let history = store::history(&mut conn, HISTORY_LIMIT).await?;
        Ok(CommissionRates { agents, tours, history })
    }
}
