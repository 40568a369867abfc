//! Bookings: a client's request for seats on a departure becomes a booking in
//! `contract_pending`, priced once (tour price × travellers + rooms by season) and stored with
//! that price; it then moves only along the status table of `domain::booking`.

use super::Crm;
use super::scope::{Access, Scope};
use crate::audit::{self, AuditAction, AuditField, AuditObject, Entry};
use crate::domain::{
    BirthDate, BookingId, BookingStatus, Cause, ClientId, DepartureId, IllegalMove, Money, OperationKind, PersonName,
    Role, RoomId, format_ru_range,
};
use crate::store::bookings::{self as store, BookedRoom, Booking, BookingFilter, Installment, StatusChange, Traveller};
use crate::store::operations::Operation;
use crate::store::{Conn, tours};
use crate::{Actor, Conflict, Error, Result, text};

use super::pricing::Quote;

#[derive(Debug, Clone)]
pub struct NewTraveller {
    pub full_name: PersonName,
    pub birth_date: BirthDate,
}

#[derive(Debug, Clone, Copy)]
pub struct RoomChoice {
    pub room_id: RoomId,
    pub rooms: i64,
}

#[derive(Debug, Clone)]
pub struct BookingRequest {
    pub client_id: ClientId,
    pub departure_id: DepartureId,
    pub travellers_count: i64,
    /// The client is traveller number one unless they book for others only.
    pub client_travels: bool,
    pub companions: Vec<NewTraveller>,
    /// Rooms chosen; empty means the tour's default rooms, enough for everyone.
    pub rooms: Vec<RoomChoice>,
    pub notes: String,
    /// Names this request: a request repeated with a key already used by the same client
    /// (a replayed update after a crash) returns the booking it made instead of booking again.
    pub request_key: Option<String>,
}

impl BookingRequest {
    /// A fresh request key, unguessable so no one can claim another's booking by its key.
    pub fn new_key() -> String {
        super::passwords::invite_token()
    }
}

/// Everything the booking card shows.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BookingCard {
    pub booking: Booking,
    pub travellers: Vec<Traveller>,
    pub rooms: Vec<BookedRoom>,
    pub schedule: Vec<Installment>,
    pub history: Vec<StatusChange>,
    /// The booking's ledger operations; empty when the actor does not see the ledger.
    pub operations: Vec<Operation>,
    /// Whether the actor sees the ledger (operators read their tours' bookings, not the money trail).
    pub ledger_visible: bool,
    pub paid: Money,
    pub due: Money,
    /// On a cancelled booking: what is still to be returned to the client — what they paid, less
    /// the refunds made and the hotel penalty (`booking.refund_due` is the figure at cancelling).
    pub refund_left: Option<Money>,
    pub manual_moves: Vec<BookingStatus>,
}

impl BookingCard {
    /// Whether a payment is taken on it now: its status accepts payments and something is due.
    pub fn takes_payment(&self) -> bool {
        self.booking.status.accepts_payments() && self.due.minor > 0
    }
}

/// DESIGN.md's role table for one booking ([`Scope`]); a client reads their bookings and
/// changes them only through the moves offered to them (asking to cancel).
pub(crate) fn check_booking_access(actor: &Actor, b: &Booking, write: bool) -> Result<()> {
    let access = if write { Access::Write } else { Access::Read };
    let client_writing = write && matches!(actor, Actor::Client(_));
    if Scope::of(actor, access).booking(b) && !client_writing {
        Ok(())
    } else {
        Err(Error::Forbidden("this booking is not yours"))
    }
}

impl Crm {
    pub async fn create_booking(&self, actor: &Actor, req: BookingRequest) -> Result<BookingCard> {
        if let Some(card) = self.booking_by_request_key(actor, &req).await? {
            return Ok(card);
        }
        match self.book_new(actor, &req).await {
            Ok(id) => {
                // The consent is issued at registration or at the first booking, whichever
                // comes first. The booking stands whatever happens to it: a failure is logged.
                if let Err(e) = self.ensure_consent(&Actor::System, req.client_id).await {
                    tracing::error!(client = req.client_id.0, booking = id.0, error = %e, "consent not issued at booking");
                }
                self.booking_card(actor, id).await
            }
            // A concurrent copy of this request committed since the look-up above (this one
            // then found no seats or hit the key's unique index, and its transaction, seats
            // included, rolled back): the booking that copy made answers.
            Err(e) => match self.booking_by_request_key(actor, &req).await? {
                Some(card) => Ok(card),
                None => Err(e),
            },
        }
    }

    async fn book_new(&self, actor: &Actor, req: &BookingRequest) -> Result<BookingId> {
        let (client, quote) = self.prepare_booking(actor, req).await?;
        let Quote { tour, departure, rooms, rooms_total, total, schedule, .. } = quote;
        let rooms_total = rooms_total.minor;
        let per_person = tour.price.minor;
        let total = total.minor;
        let mut conn = self.store.conn().await?;
        let agent = super::contact::responsible_agent(&mut conn, &client).await?;
        let commission_bp = super::commissions::booking_rate(&mut conn, tour.id, agent, self.today()).await?;
        drop(conn);
        let actor_name = actor.audit_name();
        let mut tx = self.audited(actor).await?;
        let now = tx.now();
        // The seats first: one conditional UPDATE decides who gets the last seat.
        if !tours::take_seats(&mut tx, departure.id, req.travellers_count).await? {
            let left = tours::get_departure(&mut tx, departure.id).await?.map(|d| d.seats_left()).unwrap_or(0);
            return Err(Error::Conflict(Conflict::NoSeatsLeft { left }));
        }
        if client.agent_id != agent
            && let Some(a) = agent
        {
            crate::store::clients::set_agent(&mut tx, client.id, Some(a)).await?;
        }
        let id = store::insert(
            &mut tx,
            &store::NewBookingRow {
                client_id: client.id,
                tour_id: tour.id,
                departure_id: departure.id,
                agent_id: agent,
                travellers_count: req.travellers_count,
                tour_price_per_person: per_person,
                rooms_total,
                total,
                currency: tour.price.currency,
                commission_bp,
                notes: req.notes.trim(),
                created_by: &actor_name,
                now,
                request_key: req.request_key.as_deref(),
            },
        )
        .await?;
        store::record_status(
            &mut tx,
            id,
            None,
            BookingStatus::ContractPending,
            &actor_name,
            text::get("booking_history", "booking_created"),
            now,
        )
        .await?;
        if req.client_travels {
            let birth = client.birth_date.unwrap_or(departure.starts_on);
            store::add_traveller(&mut tx, id, Some(client.id), &client.full_name, birth).await?;
        }
        for t in &req.companions {
            store::add_traveller(&mut tx, id, None, t.full_name.as_str(), t.birth_date.date()).await?;
        }
        for r in &rooms {
            store::add_room(&mut tx, id, r).await?;
        }
        for i in &schedule {
            store::add_installment(&mut tx, id, i).await?;
        }
        let created = super::booking_events::Created {
            id,
            client: client.id,
            tour: &tour.title,
            starts_on: departure.starts_on,
            ends_on: departure.ends_on,
            travellers: req.travellers_count,
            total: Money::new(total, tour.price.currency),
        };
        super::booking_events::booking_created(&mut tx, &created, &actor_name, now).await?;
        let entry = Entry::new(AuditAction::BookingCreate, AuditObject::Booking(id))
            .with(AuditField::Client, audit::number(client.id))
            .with(AuditField::Tour, &tour.title)
            .with(AuditField::Departure, format_ru_range(departure.starts_on, departure.ends_on))
            .with(AuditField::Amount, Money::new(total, tour.price.currency));
        tx.commit(entry).await?;
        Ok(id)
    }

    /// The booking already made under the request's key, if any; a key another client used is
    /// refused rather than answered with their booking.
    async fn booking_by_request_key(&self, actor: &Actor, req: &BookingRequest) -> Result<Option<BookingCard>> {
        let Some(key) = req.request_key.as_deref() else { return Ok(None) };
        let found = store::by_request_key(&mut *self.store.conn().await?, key).await?;
        match found {
            None => Ok(None),
            Some((id, client)) if client == req.client_id => Ok(Some(self.booking_card(actor, id).await?)),
            Some(_) => Err(Error::Forbidden("this request key belongs to another client")),
        }
    }

    pub(crate) async fn booking_for(&self, actor: &Actor, id: BookingId, write: bool) -> Result<Booking> {
        let b = store::get(&mut *self.store.conn().await?, id).await?.ok_or(Error::NotFound("booking"))?;
        check_booking_access(actor, &b, write)?;
        Ok(b)
    }

    pub async fn booking_card(&self, actor: &Actor, id: BookingId) -> Result<BookingCard> {
        let booking = self.booking_for(actor, id, false).await?;
        let mut conn = self.store.conn().await?;
        let paid =
            crate::store::operations::booking_sum(&mut conn, id, crate::domain::OperationKind::ClientPayment).await?;
        let cur = booking.total.currency;
        // The same rule as `list_operations`: operators read bookings, not the ledger.
        let ledger_visible = !matches!(actor, Actor::Staff { role: Role::Operator, .. });
        let operations = if ledger_visible {
            let filter =
                crate::store::operations::OperationFilter { booking_id: Some(id), limit: 1000, ..Default::default() };
            crate::store::operations::list(&mut conn, &filter).await?
        } else {
            Vec::new()
        };
        let history = store::status_history(&mut conn, id).await?;
        let refund_left = match booking.refund_due {
            Some(_) => {
                let refunded =
                    crate::store::operations::booking_sum(&mut conn, id, OperationKind::ClientRefund).await?;
                let penalty = booking.penalty.map_or(0, |p| p.minor);
                Some(Money::new((paid - refunded - penalty).max(0), cur))
            }
            None => None,
        };
        Ok(BookingCard {
            travellers: store::travellers(&mut conn, id).await?,
            rooms: store::rooms(&mut conn, id).await?,
            schedule: store::schedule(&mut conn, id).await?,
            operations,
            ledger_visible,
            paid: Money::new(paid, cur),
            due: Money::new(booking.status.amount_due(booking.total.minor, paid), cur),
            refund_left,
            manual_moves: moves_now(&booking, &history, paid),
            history,
            booking,
        })
    }

    /// Bookings the actor may see: agents their own, operators those of their tours, clients
    /// their own; admins, accountants and the system all.
    pub async fn list_bookings(&self, actor: &Actor, mut filter: BookingFilter) -> Result<Vec<Booking>> {
        match Scope::of(actor, Access::Read) {
            Scope::All => {}
            Scope::Agent(id) => filter.agent_id = Some(id),
            Scope::Operator(id) => filter.operator_id = Some(id),
            Scope::Client(id) => filter.client_id = Some(id),
            Scope::Nothing => return Err(Error::Forbidden("bookings are for registered clients")),
        }
        Ok(store::list(&mut *self.store.conn().await?, &filter).await?)
    }

    /// A person moves a booking along the table (sign, ask to cancel, cancel). The client may
    /// only ask to cancel their own booking. Cancelling releases the seats and computes the
    /// hotel penalty and the refund due.
    pub async fn change_booking_status(
        &self,
        actor: &Actor,
        id: BookingId,
        to: BookingStatus,
        reason: &str,
    ) -> Result<BookingCard> {
        let reason = crate::domain::reason(reason, 1000)?;
        let booking = self.movable_booking(actor, id, to).await?;
        let mut tx = self.audited(actor).await?;
        let now = tx.now();
        let Some(move_id) =
            store::move_status(&mut tx, id, booking.status, to, &actor.audit_name(), &reason, now).await?
        else {
            return Err(Error::Conflict(Conflict::NoChange("the booking changed meanwhile; reload it")));
        };
        super::booking_events::status_moved(&mut tx, &booking, to, move_id, &actor.audit_name(), &reason, now).await?;
        if to == BookingStatus::Cancelled {
            tours::release_seats(&mut tx, booking.departure_id, booking.travellers_count).await?;
            let (penalty, refund) = self.cancellation_figures(&mut tx, &booking).await?;
            store::set_cancellation_figures(&mut tx, id, penalty, refund).await?;
            super::ledger::reverse_commission(
                &mut tx,
                id,
                &actor.audit_name(),
                text::get("booking_history", "booking_cancelled"),
                now,
            )
            .await?;
        }
        let entry = Entry::new(AuditAction::booking_status(to), AuditObject::Booking(id));
        tx.commit(entry.with(AuditField::Reason, reason)).await?;
        self.booking_card(actor, id).await
    }

    /// Whether `actor` may move the booking to `to` now: asked before the reason is, so a
    /// button left on an older card is refused at once rather than after the reason is typed.
    pub async fn check_booking_move(&self, actor: &Actor, id: BookingId, to: BookingStatus) -> Result<()> {
        self.movable_booking(actor, id, to).await.map(drop)
    }

    /// The booking, if `actor` may move it to `to` from its status now (a client only asks to
    /// cancel their own; staff move the bookings they may write).
    async fn movable_booking(&self, actor: &Actor, id: BookingId, to: BookingStatus) -> Result<Booking> {
        let booking = match actor {
            Actor::Client(_) if to == BookingStatus::CancellationRequested => {
                self.booking_for(actor, id, false).await?
            }
            _ => self.booking_for(actor, id, true).await?,
        };
        // A cancellation request withdrawn goes back only where it was asked from.
        let cause = if booking.status == BookingStatus::CancellationRequested && to != BookingStatus::Cancelled {
            let mut conn = self.store.conn().await?;
            let history = store::status_history(&mut conn, id).await?;
            let paid = crate::store::operations::booking_sum(&mut conn, id, OperationKind::ClientPayment).await?;
            if !moves_now(&booking, &history, paid).contains(&to) {
                return Err(IllegalMove { from: booking.status, to }.into());
            }
            Cause::Withdrawal
        } else {
            Cause::Manual
        };
        booking.status.check_move(to, cause)?;
        Ok(booking)
    }

    /// The hotel penalty by each booked room's hotel terms and the days left before check-in,
    /// and the refund: what the client paid (net of refunds already made) less the penalty.
    async fn cancellation_figures(&self, conn: &mut Conn, b: &Booking) -> Result<(i64, i64)> {
        let today = self.today();
        let mut penalty: i64 = 0;
        for r in store::rooms(conn, b.id).await? {
            let terms = crate::store::hotels::cancellation_terms(conn, r.hotel_id).await?;
            let days = (r.check_in - today).num_days();
            penalty = penalty.saturating_add(terms.penalty(r.total, days).minor);
        }
        use crate::domain::OperationKind::{ClientPayment, ClientRefund};
        let paid = crate::store::operations::booking_sum(conn, b.id, ClientPayment).await?;
        let refunded = crate::store::operations::booking_sum(conn, b.id, ClientRefund).await?;
        Ok((penalty, (paid - refunded - penalty).max(0)))
    }
}

/// Where a person may move the booking now: the table's manual moves and, while the client's
/// cancellation request is open, back where it was asked from (the client changed their mind),
/// as `paid` (the client's payments, minor units) stands.
fn moves_now(b: &Booking, history: &[StatusChange], paid: i64) -> Vec<BookingStatus> {
    let mut moves = b.status.manual_moves();
    if b.status == BookingStatus::CancellationRequested {
        let before = history.iter().rev().find(|c| c.to == BookingStatus::CancellationRequested).and_then(|c| c.from);
        moves.push(BookingStatus::resumed(before, paid, b.total.minor));
    }
    moves
}
